"""The tax rate, fee and discount pages of the catalogue."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.models import Discount, Fee, StaffRole, TaxRate
from tests.factories import make_business, make_discount, make_link, make_tax_rate
from tests.fixtures.staff import csrf_token
from tests.merchant.editor_pages import audit_rows, field_error, page_tokens, submit

NEW_TAX_RATE = "/merchant/catalogue/tax-rates/new"
NEW_FEE = "/merchant/catalogue/fees/new"
NEW_DISCOUNT = "/merchant/catalogue/discounts/new"


@pytest.fixture
def business(db):
    business = make_business(db, accepted_currencies=["JPY"])
    db.commit()
    return business


def rows(db, model) -> list:
    db.expire_all()
    return list(db.scalars(select(model).order_by(model.id)))


def test_create_tax_rate(client, db, business, signed_in):
    signed_in(StaffRole.SALES)

    response = submit(
        client,
        NEW_TAX_RATE,
        NEW_TAX_RATE,
        {"name": "VAT", "percent": "25.5", "inclusive": "y"},
    )

    [rate] = rows(db, TaxRate)
    assert response.status_code == 303
    assert rate.name == "VAT"
    assert rate.percent == Decimal("25.5")
    assert rate.inclusive is True
    assert rate.active is True
    [event] = audit_rows(db, "tax_rate")
    assert event.action == "created"
    assert event.details["percent"] == "25.5"


def test_double_submit_creates_one_tax_rate(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    data = {**page_tokens(client, NEW_TAX_RATE), "name": "VAT", "percent": "24"}

    client.post(NEW_TAX_RATE, data=data)
    client.post(NEW_TAX_RATE, data=data)

    assert len(rows(db, TaxRate)) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param({"name": ""}, "name", "Enter the name.", id="no-name"),
        pytest.param({"percent": "-5"}, "percent", "negative", id="negative"),
        pytest.param({"percent": "101"}, "percent", "above 100", id="above-100"),
        pytest.param(
            {"percent": "7.12345"}, "percent", "at most 4 decimal", id="five-places"
        ),
        pytest.param({"percent": "abc"}, "percent", "is not a percent", id="text"),
    ],
)
def test_bad_tax_rate_is_rejected(
    client, db, business, signed_in, fields, field, message
):
    signed_in(StaffRole.SALES)

    response = submit(
        client, NEW_TAX_RATE, NEW_TAX_RATE, {"name": "VAT", "percent": "24", **fields}
    )

    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert rows(db, TaxRate) == []


def test_zero_percent_tax_rate_is_allowed(client, db, business, signed_in):
    signed_in(StaffRole.SALES)

    response = submit(
        client, NEW_TAX_RATE, NEW_TAX_RATE, {"name": "VAT 0%", "percent": "0"}
    )

    assert response.status_code == 303
    assert rows(db, TaxRate)[0].percent == Decimal(0)


def test_tax_rate_form_trims_zeros(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    rate = make_tax_rate(db, "VAT", "25.5")
    db.commit()

    page = client.get(f"/merchant/catalogue/tax-rates/{rate.id}").get_data(as_text=True)

    assert 'name="percent" type="text" value="25.5"' in page
    assert "25.5000" not in page


def test_edit_and_archive_tax_rate(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    rate = make_tax_rate(db, "VAT", "24")
    db.commit()
    page = f"/merchant/catalogue/tax-rates/{rate.id}"

    response = submit(client, page, page, {"name": "VAT", "percent": "25.5"})

    [saved] = rows(db, TaxRate)
    assert response.status_code == 303
    assert saved.percent == Decimal("25.5")
    assert saved.active is False
    [event] = audit_rows(db, "tax_rate")
    assert event.details == {"percent": "25.5", "active": "False"}


def test_create_flat_fee_with_tax(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    rate = make_tax_rate(db, "VAT", "24")
    db.commit()

    response = submit(
        client,
        NEW_FEE,
        NEW_FEE,
        {
            "name": "Shipping",
            "kind": "flat",
            "currency": "EUR",
            "amount": "5.95",
            "tax_rate_id": str(rate.id),
        },
    )

    [fee] = rows(db, Fee)
    assert response.status_code == 303
    assert (fee.flat_amount, fee.currency, fee.percent) == (595, "EUR", None)
    assert fee.tax_rate_id == rate.id
    assert audit_rows(db, "fee")[0].action == "created"


def test_create_percent_fee(client, db, business, signed_in):
    signed_in(StaffRole.SALES)

    response = submit(
        client,
        NEW_FEE,
        NEW_FEE,
        {"name": "Service", "kind": "percent", "percent": "2.5", "amount": "junk"},
    )

    [fee] = rows(db, Fee)
    assert response.status_code == 303
    assert fee.percent == Decimal("2.5")
    assert fee.flat_amount is None
    assert fee.currency is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param({"amount": "0"}, "amount", "The amount is zero", id="zero"),
        pytest.param({"amount": "-1"}, "amount", "negative", id="negative"),
        pytest.param(
            {"currency": "JPY", "amount": "5.5"},
            "amount",
            "Enter a whole number",
            id="yen-fraction",
        ),
        pytest.param({"currency": "SEK"}, "currency", "accepted", id="currency"),
        pytest.param(
            {"kind": "percent", "percent": "0"}, "percent", "zero", id="zero-percent"
        ),
        pytest.param({"kind": "free"}, "kind", "flat amount or a percent", id="kind"),
        pytest.param({"tax_rate_id": "999"}, "tax_rate_id", "tax rate", id="tax"),
    ],
)
def test_bad_fee_is_rejected(client, db, business, signed_in, fields, field, message):
    signed_in(StaffRole.SALES)
    data = {"name": "Shipping", "kind": "flat", "currency": "EUR", "amount": "5"}

    response = submit(client, NEW_FEE, NEW_FEE, {**data, **fields})

    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert rows(db, Fee) == []


def test_fee_in_use_is_protected(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    fee = Fee(name="Shipping", flat_amount=595, currency="EUR")
    make_link(db, items=[{"name": "Poster", "unit_amount": 3900}], fees=[fee])
    db.commit()
    page = f"/merchant/catalogue/fees/{fee.id}"

    moved = submit(
        client,
        page,
        page,
        {"name": "Shipping", "kind": "flat", "currency": "JPY", "amount": "900"},
    )
    deleted = submit(client, page, f"{page}/delete", {})
    raised = submit(
        client,
        page,
        page,
        {"name": "Shipping", "kind": "flat", "currency": "EUR", "amount": "6.95"},
    )

    assert moved.status_code == 409
    assert "Add a new fee instead" in moved.get_data(as_text=True)
    assert deleted.status_code == 409
    assert "Remove it from them first" in deleted.get_data(as_text=True)
    assert raised.status_code == 303
    [saved] = rows(db, Fee)
    assert (saved.flat_amount, saved.currency) == (695, "EUR")


def test_delete_unused_fee(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    fee = Fee(name="Gift wrap", flat_amount=300, currency="EUR")
    db.add(fee)
    db.commit()
    page = f"/merchant/catalogue/fees/{fee.id}"
    token = {"csrf_token": csrf_token(client, page)}

    first = client.post(f"{page}/delete", data=token)
    second = client.post(f"{page}/delete", data=token)

    assert first.status_code == 303
    assert second.status_code == 303
    assert rows(db, Fee) == []
    [event] = audit_rows(db, "fee")
    assert event.action == "deleted"
    assert event.details == {"name": "Gift wrap"}


def discount_form(**fields) -> dict[str, str]:
    return {
        "code": "summer-10",
        "name": "",
        "kind": "percent",
        "percent": "10",
        "currency": "EUR",
        "amount_off": "",
        "expires_at": "",
        "max_redemptions": "",
        **fields,
    }


def test_create_percent_discount_code(client, db, business, signed_in):
    signed_in(StaffRole.SALES)

    response = submit(
        client,
        NEW_DISCOUNT,
        NEW_DISCOUNT,
        discount_form(expires_at="2099-06-30T23:59", max_redemptions="100"),
    )

    [discount] = rows(db, Discount)
    assert response.status_code == 303
    assert discount.code == "SUMMER-10"
    assert discount.name == "SUMMER-10"
    assert discount.percent == Decimal(10)
    assert discount.amount_off is None
    assert discount.max_redemptions == 100
    # 23:59 in Helsinki on 30 June (UTC+3 in summer) is 20:59 UTC.
    assert discount.expires_at == datetime(2099, 6, 30, 20, 59, tzinfo=UTC)
    assert audit_rows(db, "discount")[0].details["code"] == "SUMMER-10"


def test_create_amount_off_discount(client, db, business, signed_in):
    signed_in(StaffRole.SALES)

    response = submit(
        client,
        NEW_DISCOUNT,
        NEW_DISCOUNT,
        discount_form(
            code="", name="Loyal buyer", kind="amount", amount_off="500", currency="JPY"
        ),
    )

    [discount] = rows(db, Discount)
    assert response.status_code == 303
    assert discount.code is None
    assert (discount.amount_off, discount.currency) == (500, "JPY")
    assert discount.percent is None


def test_discount_code_is_found_by_checkout_in_any_case(
    client, db, business, signed_in
):
    from portal.discounts import find_code

    signed_in(StaffRole.SALES)
    submit(client, NEW_DISCOUNT, NEW_DISCOUNT, discount_form(code="Welcome10"))

    found = find_code(db, "welcome10", "EUR", datetime.now(UTC))

    assert found.code == "WELCOME10"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param({"code": "X" * 65}, "code", "at most 64", id="long-code"),
        pytest.param({"code": "SUMMER 10"}, "code", "letters A to Z", id="space"),
        pytest.param({"code": "KESÄ"}, "code", "letters A to Z", id="non-ascii"),
        pytest.param({"code": "", "name": ""}, "name", "Enter the name", id="no-name"),
        pytest.param({"percent": "0"}, "percent", "zero", id="zero-percent"),
        pytest.param({"percent": "150"}, "percent", "above 100", id="over-100"),
        pytest.param(
            {"kind": "amount", "amount_off": "-2"}, "amount_off", "negative", id="neg"
        ),
        pytest.param(
            {"kind": "amount", "amount_off": "0"}, "amount_off", "zero", id="zero"
        ),
        pytest.param(
            {"kind": "amount", "currency": "GBP", "amount_off": "2"},
            "currency",
            "accepted currencies",
            id="currency",
        ),
        pytest.param(
            {"expires_at": "2020-01-01T00:00"}, "expires_at", "in the past", id="past"
        ),
        pytest.param(
            {"expires_at": "0001-01-01T00:00"},
            "expires_at",
            "out of range",
            id="year-1",
        ),
        pytest.param(
            {"expires_at": "9999-12-31T23:59"},
            "expires_at",
            "out of range",
            id="year-9999",
        ),
        pytest.param(
            {"expires_at": "tomorrow"}, "expires_at", "not a date", id="not-a-date"
        ),
        pytest.param(
            {"max_redemptions": "0"}, "max_redemptions", "at least 1", id="limit-0"
        ),
        pytest.param(
            {"max_redemptions": "2.5"}, "max_redemptions", "whole number", id="limit"
        ),
    ],
)
def test_bad_discount_is_rejected(
    client, db, business, signed_in, fields, field, message
):
    signed_in(StaffRole.SALES)

    response = submit(client, NEW_DISCOUNT, NEW_DISCOUNT, discount_form(**fields))

    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert rows(db, Discount) == []


def test_discount_code_taken_in_other_case(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    make_discount(db, "SUMMER-10", percent=5)
    db.commit()

    response = submit(client, NEW_DISCOUNT, NEW_DISCOUNT, discount_form())

    assert response.status_code == 409
    assert "already has the code SUMMER-10" in field_error(
        response.get_data(as_text=True), "code"
    )
    assert len(rows(db, Discount)) == 1


def test_double_submit_creates_one_discount(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    data = {**page_tokens(client, NEW_DISCOUNT), **discount_form()}

    first = client.post(NEW_DISCOUNT, data=data)
    second = client.post(NEW_DISCOUNT, data=data)

    assert first.status_code == 303
    assert second.status_code == 303
    assert len(rows(db, Discount)) == 1


def test_edit_discount_keeps_past_expiry_and_deactivates(
    client, db, business, signed_in
):
    signed_in(StaffRole.SALES)
    expired = datetime.now(UTC).replace(microsecond=0, second=0) - timedelta(days=2)
    discount = make_discount(db, "OLD", percent=10, expires_at=expired)
    db.commit()
    page = f"/merchant/catalogue/discounts/{discount.id}"
    shown = client.get(page).get_data(as_text=True)
    expires_value = (
        shown.split('name="expires_at"')[1].split('value="')[1].split('"')[0]
    )

    response = submit(
        client,
        page,
        page,
        discount_form(code="old", name="Old", expires_at=expires_value, percent="15"),
    )

    [saved] = rows(db, Discount)
    assert response.status_code == 303
    assert saved.expires_at == expired
    assert saved.percent == Decimal(15)
    assert saved.active is False
    [event] = audit_rows(db, "discount")
    assert event.details == {"name": "Old", "percent": "15", "active": "False"}


def test_viewer_cannot_change_charges(client, db, business, signed_in):
    signed_in(StaffRole.VIEWER)
    rate = make_tax_rate(db)
    fee = Fee(name="Shipping", flat_amount=500, currency="EUR")
    discount = make_discount(db, "TEN", percent=10)
    db.add(fee)
    db.commit()
    token = {"csrf_token": csrf_token(client, "/merchant/catalogue")}
    paths = [
        NEW_TAX_RATE,
        NEW_FEE,
        NEW_DISCOUNT,
        f"/merchant/catalogue/tax-rates/{rate.id}",
        f"/merchant/catalogue/fees/{fee.id}",
        f"/merchant/catalogue/fees/{fee.id}/delete",
        f"/merchant/catalogue/discounts/{discount.id}",
    ]

    statuses = [client.post(path, data=token).status_code for path in paths]

    assert statuses == [403] * len(paths)
    assert client.get("/merchant/catalogue").status_code == 200
    assert len(rows(db, Fee)) == 1
    assert rows(db, Discount)[0].active is True


def test_catalogue_page_lists_everything(client, db, business, signed_in):
    signed_in(StaffRole.VIEWER)
    make_tax_rate(db, "VAT", "25.5", inclusive=True)
    db.add(Fee(name="Handling", percent=Decimal(10)))
    make_discount(db, "TEN", amount_off=1000)
    db.commit()

    page = client.get("/merchant/catalogue").get_data(as_text=True)

    assert "VAT 25.5% (included in prices)" in page
    assert "10% of the goods" in page
    assert "€10.00" in page
    assert "Add a product" not in page


def test_archived_tax_rate_only_kept_by_its_fee(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    rate = make_tax_rate(db, "Old VAT", "24")
    fee = Fee(name="Shipping", flat_amount=500, currency="EUR", tax_rate=rate)
    db.add(fee)
    rate.active = False
    db.commit()
    data = {"name": "Shipping", "kind": "flat", "currency": "EUR", "amount": "6"}
    page = f"/merchant/catalogue/fees/{fee.id}"

    kept = submit(client, page, page, {**data, "tax_rate_id": str(rate.id)})
    new = submit(client, NEW_FEE, NEW_FEE, {**data, "tax_rate_id": str(rate.id)})

    assert kept.status_code == 303
    assert new.status_code == 422
    assert "active tax rate" in field_error(new.get_data(as_text=True), "tax_rate_id")
    assert len(rows(db, Fee)) == 1


def test_line_discount_keeps_its_currency(client, db, business, signed_in):
    signed_in(StaffRole.SALES)
    discount = make_discount(db, None, percent=10, name="Launch offer")
    make_link(db, items=[{"name": "Poster", "unit_amount": 3900, "discount": discount}])
    db.commit()
    page = f"/merchant/catalogue/discounts/{discount.id}"
    form = discount_form(code="", name="Launch offer", kind="amount")

    moved = submit(client, page, page, {**form, "currency": "JPY", "amount_off": "500"})
    same = submit(
        client, page, page, discount_form(code="", name="Launch", percent="15")
    )

    assert moved.status_code == 409
    assert "Add a new discount instead" in field_error(
        moved.get_data(as_text=True), "currency"
    )
    assert same.status_code == 303
    [saved] = rows(db, Discount)
    assert (saved.name, saved.percent, saved.amount_off) == ("Launch", 15, None)
