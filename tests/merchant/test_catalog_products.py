"""The product pages: products and their one-time and recurring prices."""

import pytest
from sqlalchemy import func, select

from portal.catalog.products import FREQUENCY_LABELS
from portal.models import (
    BillingFrequency,
    Order,
    OrderLine,
    OrderLineKind,
    Price,
    PriceKind,
    Product,
    StaffRole,
)
from tests.factories import make_business, make_product_price
from tests.fixtures.staff import csrf_token
from tests.merchant.editor_pages import audit_rows, field_error, page_tokens, submit

NEW_PRODUCT = "/merchant/catalogue/products/new"


@pytest.fixture
def business(db):
    business = make_business(db, accepted_currencies=["JPY", "KWD"])
    db.commit()
    return business


def products(db) -> list[Product]:
    db.expire_all()
    return list(db.scalars(select(Product).order_by(Product.id)))


def prices(db) -> list[Price]:
    db.expire_all()
    return list(db.scalars(select(Price).order_by(Price.id)))


def add_product(client, **fields):
    data = {"name": "Poster", "description": "", "image_url": "", **fields}
    return submit(client, NEW_PRODUCT, NEW_PRODUCT, data)


def add_price(client, product_id: int, **fields):
    page = f"/merchant/catalogue/products/{product_id}"
    data = {"currency": "EUR", "amount": "12.50", "kind": "one_time", **fields}
    return submit(client, page, f"{page}/prices", data)


def test_create_product(client, db, business, signed_in):
    staff = signed_in(StaffRole.SALES)

    response = add_product(
        client,
        name="Summer poster",
        description="50 x 70 cm",
        image_url="https://shop.example/poster.jpg",
    )

    [product] = products(db)
    assert response.status_code == 303
    assert response.location == f"/merchant/catalogue/products/{product.id}"
    assert product.name == "Summer poster"
    assert product.description == "50 x 70 cm"
    assert product.image_url == "https://shop.example/poster.jpg"
    assert product.active is True
    [event] = audit_rows(db, "product")
    assert event.action == "created"
    assert event.subject_id == product.id
    assert event.actor == f"staff:{staff.id}"
    assert event.details["name"] == "Summer poster"


def test_double_submit_creates_one_product(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    data = {"name": "Poster", "description": "", "image_url": ""}
    tokens = page_tokens(client, NEW_PRODUCT)

    first = client.post(NEW_PRODUCT, data={**tokens, **data})
    second = client.post(NEW_PRODUCT, data={**tokens, **data})

    assert len(products(db)) == 1
    assert first.location == second.location


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param({"name": ""}, "name", "Enter the name.", id="no-name"),
        pytest.param({"name": "x" * 201}, "name", "Use at most 200", id="long-name"),
        pytest.param(
            {"name": "Poster\u202e"}, "name", "control character", id="bidi-mark"
        ),
        pytest.param(
            {"image_url": "javascript:alert(1)"},
            "image_url",
            "not an http:// or https:// address",
            id="script-url",
        ),
        pytest.param(
            {"image_url": "/static/poster.jpg"},
            "image_url",
            "not an http:// or https:// address",
            id="relative-url",
        ),
    ],
)
def test_bad_product_is_rejected(
    client, db, business, signed_in, fields, field, message
):
    signed_in(StaffRole.SALES)

    response = add_product(client, **fields)

    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert products(db) == []
    assert audit_rows(db, "product") == []


def test_edit_product_and_archive_it(client, db, business, signed_in):
    signed_in(StaffRole.ADMIN)
    product = make_product_price(db, "Poster", 3900).product
    db.commit()
    page = f"/merchant/catalogue/products/{product.id}"

    response = submit(
        client,
        page,
        page,
        {"name": "Big poster", "description": "Framed", "image_url": ""},
    )

    [saved] = products(db)
    assert response.status_code == 303
    assert saved.name == "Big poster"
    assert saved.description == "Framed"
    assert saved.active is False  # the Active box was left unchecked
    [event] = audit_rows(db, "product")
    assert event.action == "updated"
    assert event.details == {
        "name": "Big poster",
        "description": "Framed",
        "active": "False",
    }


def test_edit_with_bad_url_keeps_product(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    product = make_product_price(db, "Poster", 3900).product
    db.commit()
    page = f"/merchant/catalogue/products/{product.id}"

    response = submit(
        client, page, page, {"name": "Renamed", "image_url": "ftp://x", "active": "y"}
    )

    assert response.status_code == 422
    assert "not an http://" in field_error(response.get_data(as_text=True), "image_url")
    assert products(db)[0].name == "Poster"


@pytest.mark.parametrize(
    ("currency", "amount", "minor_units"),
    [("EUR", "12.50", 1250), ("JPY", "80", 80), ("KWD", "1.250", 1250)],
)
def test_add_one_time_price(
    client, db, business, signed_in, currency, amount, minor_units
):
    signed_in(StaffRole.SALES)
    product = make_product_price(db, "Poster", 3900).product
    db.commit()

    response = add_price(client, product.id, currency=currency, amount=amount)

    new = prices(db)[-1]
    assert response.status_code == 303
    assert new.currency == currency
    assert new.unit_amount == minor_units
    assert new.kind is PriceKind.ONE_TIME
    assert new.frequency is None
    [event] = audit_rows(db, "price")
    assert event.action == "created"
    assert event.details["unit_amount"] == str(minor_units)


@pytest.mark.parametrize("frequency", list(BillingFrequency))
def test_add_recurring_price_of_each_frequency(
    client, db, business, signed_in, frequency
):
    signed_in(StaffRole.SALES)
    product = make_product_price(db, "Membership", 1000).product
    db.commit()

    response = add_price(
        client, product.id, amount="9.90", kind="recurring", frequency=frequency.value
    )

    new = prices(db)[-1]
    assert response.status_code == 303
    assert new.kind is PriceKind.RECURRING
    assert new.frequency is frequency
    assert new.unit_amount == 990


def test_price_form_lists_all_ten_frequencies(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    product = make_product_price(db, "Membership", 1000).product
    db.commit()

    page = client.get(f"/merchant/catalogue/products/{product.id}")

    html = page.get_data(as_text=True)
    for label in FREQUENCY_LABELS.values():
        assert f">{label}</option>" in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param({"amount": "0"}, "amount", "The amount is zero", id="zero"),
        pytest.param({"amount": "-3"}, "amount", "negative", id="negative"),
        pytest.param({"amount": ""}, "amount", "Enter an amount", id="empty"),
        pytest.param(
            {"amount": "12.345"}, "amount", "at most 2 decimal places", id="places"
        ),
        pytest.param(
            {"currency": "JPY", "amount": "80.5"},
            "amount",
            "Enter a whole number",
            id="jpy-fraction",
        ),
        pytest.param(
            {"amount": "1000000.00"}, "amount", "too large", id="above-processor-max"
        ),
        pytest.param(
            {"currency": "USD"}, "currency", "accepted currencies", id="not-accepted"
        ),
        pytest.param(
            {"kind": "recurring", "frequency": ""},
            "frequency",
            "how often",
            id="recurring-without-frequency",
        ),
        pytest.param(
            {"kind": "recurring", "frequency": "daily"},
            "frequency",
            "how often",
            id="unknown-frequency",
        ),
        pytest.param({"kind": "lifetime"}, "kind", "one-time or recurring", id="kind"),
    ],
)
def test_bad_price_is_rejected(client, db, business, signed_in, fields, field, message):
    signed_in(StaffRole.SALES)
    product = make_product_price(db, "Poster", 3900).product
    db.commit()

    response = add_price(client, product.id, **fields)

    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert len(prices(db)) == 1
    assert audit_rows(db, "price") == []


def test_edit_unused_price(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    price = make_product_price(db, "Poster", 3900)
    db.commit()
    page = f"/merchant/catalogue/prices/{price.id}"

    response = submit(
        client, page, page, {"currency": "JPY", "amount": "5000", "kind": "one_time"}
    )

    [saved] = prices(db)
    assert response.status_code == 303
    assert (saved.currency, saved.unit_amount) == ("JPY", 5000)
    [event] = audit_rows(db, "price")
    assert event.details == {"currency": "JPY", "unit_amount": "5000"}


def _order_using(db, price: Price) -> None:
    order = Order(
        currency="EUR",
        subtotal=3900,
        discount_total=0,
        fee_total=0,
        tax_total=0,
        total=3900,
    )
    order.lines.append(
        OrderLine(
            position=0,
            kind=OrderLineKind.ITEM,
            description="Poster",
            price_id=price.id,
            quantity=1,
            unit_amount=3900,
            gross=3900,
            total=3900,
        )
    )
    db.add(order)
    db.commit()


def test_price_used_by_an_order_cannot_change(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    price = make_product_price(db, "Poster", 3900)
    db.commit()
    _order_using(db, price)
    page = f"/merchant/catalogue/prices/{price.id}"
    tokens_page = client.get(page).get_data(as_text=True)

    response = submit(
        client, page, page, {"currency": "EUR", "amount": "45", "kind": "one_time"}
    )

    assert 'id="price-locked"' in tokens_page
    assert response.status_code == 409
    assert "archive it and add a new price" in response.get_data(as_text=True).lower()
    assert prices(db)[0].unit_amount == 3900


def test_archive_and_restore_price(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    price = make_product_price(db, "Poster", 3900)
    db.commit()
    page = f"/merchant/catalogue/products/{price.product_id}"

    archived = submit(
        client, page, f"/merchant/catalogue/prices/{price.id}/archive", {}
    )
    again = submit(client, page, f"/merchant/catalogue/prices/{price.id}/archive", {})
    state_after_archive = prices(db)[0].active
    restored = submit(
        client, page, f"/merchant/catalogue/prices/{price.id}/restore", {}
    )

    assert archived.status_code == 303
    assert again.status_code == 303
    assert state_after_archive is False
    assert restored.status_code == 303
    assert prices(db)[0].active is True
    events = audit_rows(db, "price")
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("archived", "active", "archived"),
        ("restored", "archived", "active"),
    ]


def test_viewer_reads_but_cannot_change(client, db, business, signed_in):
    signed_in(StaffRole.VIEWER)
    price = make_product_price(db, "Poster", 3900)
    db.commit()
    page = f"/merchant/catalogue/products/{price.product_id}"

    shown = client.get(page)
    token = {"csrf_token": csrf_token(client, page)}
    posts = [
        client.post(NEW_PRODUCT, data={**token, "name": "X"}),
        client.post(page, data={**token, "name": "X"}),
        client.post(f"{page}/prices", data={**token, "amount": "1"}),
        client.post(f"/merchant/catalogue/prices/{price.id}", data=token),
        client.post(f"/merchant/catalogue/prices/{price.id}/archive", data=token),
    ]

    assert shown.status_code == 200
    assert "Add a price" not in shown.get_data(as_text=True)
    assert [response.status_code for response in posts] == [403] * 5
    assert db.scalar(select(func.count(Product.id))) == 1
    assert prices(db)[0].active is True
