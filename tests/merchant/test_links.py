"""Creating, editing and deactivating payment links in the back office."""

import re
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.models import (
    Collect,
    CustomFieldKind,
    Order,
    OrderLine,
    PaymentLink,
    PaymentStatus,
    StaffRole,
)
from tests.checkout.conftest import VALID_CARD, open_checkout, payments
from tests.fixtures.staff import csrf_token
from tests.merchant.editor_pages import audit_rows, field_error, page_tokens, submit
from tests.merchant.links_setup import NEW_LINK, link_form, make_catalogue


@pytest.fixture
def catalogue(db):
    return make_catalogue(db)


def links(db) -> list[PaymentLink]:
    db.expire_all()
    return list(db.scalars(select(PaymentLink).order_by(PaymentLink.id)))


def create(client, form: dict):
    return submit(client, NEW_LINK, NEW_LINK, form)


def pay(client, slug: str, **fields):
    page, token = open_checkout(client, slug)
    quantity = re.search(r'name="(qty-\d+)"', page)
    form = {
        "action": "pay",
        "token": token,
        "email": "aino@example.com",
        "name": "Aino Virtanen",
        "phone": "+358 40 123 4567",
        "custom-t_shirt_size": "M",
        **VALID_CARD,
        **fields,
    }
    if quantity:
        form.setdefault(quantity.group(1), "4")
    return client.post(f"/pay/{slug}", data=form)


def test_create_link_with_every_option(client, db, catalogue, signed_in):
    staff = signed_in(StaffRole.SALES)

    response = create(client, link_form(catalogue, slug="Spring-Kit"))

    [link] = links(db)
    assert response.status_code == 303
    assert response.location == f"/merchant/links/{link.id}"
    assert link.slug == "spring-kit"
    assert link.title == "Workshop kit"
    assert link.description == "Everything for the spring workshop."
    assert link.currency == "EUR"
    assert link.active is True
    kit, poster = link.items
    assert (kit.price_id, kit.quantity, kit.adjustable_quantity) == (
        catalogue.kit.id,
        4,
        True,
    )
    assert (kit.min_quantity, kit.max_quantity) == (2, 10)
    assert kit.tax_rate_id == catalogue.vat.id
    assert kit.discount_id == catalogue.line_discount.id
    assert (poster.price_id, poster.quantity, poster.adjustable_quantity) == (
        catalogue.poster.id,
        1,
        False,
    )
    assert poster.tax_rate_id is None
    assert [fee.id for fee in link.fees] == [catalogue.shipping.id]
    assert link.allow_discount_codes is True
    assert link.allow_bank_debit is True
    assert link.collect_name is Collect.REQUIRED
    assert link.collect_address is Collect.OPTIONAL
    assert link.collect_phone is Collect.REQUIRED
    size, attendees = link.custom_fields
    assert (size.key, size.label, size.kind, size.required) == (
        "t_shirt_size",
        "T-shirt size",
        CustomFieldKind.DROPDOWN,
        True,
    )
    assert size.options == ["S", "M", "L"]
    assert (attendees.kind, attendees.required, attendees.options) == (
        CustomFieldKind.NUMBER,
        False,
        [],
    )
    assert link.after_payment_message == "See you at the workshop."
    assert link.after_payment_url is None
    # 18:00 in Helsinki on 31 January (UTC+2 in winter) is 16:00 UTC.
    assert link.expires_at == datetime(2099, 1, 31, 16, 0, tzinfo=UTC)
    assert link.max_payments == 50
    assert link.allowed_origins == ["https://shop.example", "http://localhost:8000"]
    [event] = audit_rows(db, "payment_link")
    assert event.action == "created"
    assert event.actor == f"staff:{staff.id}"
    assert event.details["slug"] == "spring-kit"


def test_checkout_shows_every_option(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))

    response = client.get("/pay/spring-kit")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Workshop kit" in page
    assert "Everything for the spring workshop." in page
    assert "Poster" in page
    assert 'min="2" max="10"' in page
    assert "Shipping" in page
    assert 'id="discount_code"' in page
    assert 'id="method-bank"' in page
    assert 'id="phone"' in page
    assert 'id="address_line1"' in page
    assert 'id="custom-t_shirt_size"' in page
    assert "<option>M</option>" in page
    assert 'id="custom-attendees"' in page
    # 4 x 65.00 less 10 % is 234.00, plus 24 % VAT 56.16; 39.00; 5.95
    # shipping plus 1.43 VAT: 336.54 in all.
    assert "€336.54" in page


def test_paying_new_link_shows_message(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))

    paid = pay(client, "spring-kit")
    receipt = client.get(paid.location).get_data(as_text=True)

    [payment] = payments(db)
    assert paid.status_code == 303
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.amount == 33654
    assert "See you at the workshop." in receipt


def test_after_payment_url_redirects_buyer(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    form = link_form(
        catalogue,
        slug="spring-kit",
        after_payment_message="",
        after_payment_url="https://shop.example/thanks",
    )
    create(client, form)

    paid = pay(client, "spring-kit")

    assert links(db)[0].after_payment_url == "https://shop.example/thanks"
    assert paid.status_code == 303
    assert paid.location == "https://shop.example/thanks"


def test_generated_slug_is_readable_and_random(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)

    create(client, link_form(catalogue, title="Spring Kit!"))
    create(client, link_form(catalogue, title="Spring Kit!"))

    first, second = links(db)
    assert re.fullmatch(r"spring-kit-[a-z2-9]{10}", first.slug)
    assert re.fullmatch(r"spring-kit-[a-z2-9]{10}", second.slug)
    assert first.slug != second.slug


def test_double_submit_creates_one_link(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    data = {**page_tokens(client, NEW_LINK), **link_form(catalogue)}

    first = client.post(NEW_LINK, data=data)
    second = client.post(NEW_LINK, data=data)

    [link] = links(db)
    assert first.status_code == 303
    assert second.status_code == 303
    assert first.location == second.location == f"/merchant/links/{link.id}"
    assert len(audit_rows(db, "payment_link")) == 1


def test_create_without_form_key_is_rejected(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    data = {**page_tokens(client, NEW_LINK), **link_form(catalogue), "key": ""}

    response = client.post(NEW_LINK, data=data)

    assert response.status_code == 422
    assert "Reload the page" in response.get_data(as_text=True)
    assert links(db) == []


def _too_many_fields() -> dict[str, str]:
    fields = {}
    for index in range(6):
        fields[f"custom_fields-{index}-label"] = f"Question {index}"
        fields[f"custom_fields-{index}-kind"] = "text"
    return fields


BAD_LINKS = [
    pytest.param({"title": ""}, "title", "Enter the title.", id="no-title"),
    pytest.param({"currency": "USD"}, "currency", "accepted currencies", id="usd"),
    pytest.param({"slug": "a b"}, "slug", "is invalid", id="slug"),
    pytest.param(
        {"items-0-quantity": "0"}, "items-0-quantity", "from 1 to", id="quantity-0"
    ),
    pytest.param(
        {"items-0-quantity": "-1"}, "items-0-quantity", "from 1 to", id="negative"
    ),
    pytest.param(
        {"items-0-max_quantity": "1"},
        "items-0-max_quantity",
        "below the minimum",
        id="max-below-min",
    ),
    pytest.param(
        {"items-0-quantity": "11"},
        "items-0-quantity",
        "outside 2 to 10",
        id="quantity-outside-bounds",
    ),
    pytest.param(
        {"items-0-price_id": "999999"},
        "items-0-price_id",
        "Choose a price",
        id="unknown-price",
    ),
    pytest.param(
        {"items-0-tax_rate_id": "999999"},
        "items-0-tax_rate_id",
        "tax rate",
        id="unknown-tax-rate",
    ),
    pytest.param({"fee_ids": ["999999"]}, "fee_ids", "from the list", id="fee"),
    pytest.param(
        {"custom_fields-0-options": ""},
        "custom_fields-0-options",
        "one per line",
        id="dropdown-without-options",
    ),
    pytest.param(
        {"custom_fields-1-label": "t-shirt SIZE"},
        "custom_fields-1-label",
        "its own label",
        id="same-label",
    ),
    pytest.param(
        {"custom_fields-0-kind": "date"},
        "custom_fields-0-kind",
        "text, number or dropdown",
        id="field-kind",
    ),
    pytest.param(
        {"collect_phone": "sometimes"}, "collect_phone", "off, optional", id="collect"
    ),
    pytest.param(
        {"after_payment_message": "", "after_payment_url": "javascript:alert(1)"},
        "after_payment_url",
        "not an http:// or https:// address",
        id="script-url",
    ),
    pytest.param(
        {"after_payment_url": "https://shop.example/thanks"},
        "after_payment_url",
        "not both",
        id="message-and-url",
    ),
    pytest.param(
        {"expires_at": "2020-05-01T12:00"}, "expires_at", "in the past", id="expired"
    ),
    pytest.param(
        {"expires_at": "0001-01-01T00:00"}, "expires_at", "out of range", id="year-1"
    ),
    pytest.param(
        {"expires_at": "9999-12-31T23:59"},
        "expires_at",
        "out of range",
        id="year-9999",
    ),
    pytest.param(
        {"max_payments": "0"}, "max_payments", "at least 1", id="max-payments-0"
    ),
    pytest.param(
        {"allowed_origins": "shop.example"},
        "allowed_origins",
        "has no scheme",
        id="origin-without-scheme",
    ),
    pytest.param(
        {"allowed_origins": "https://shop.example/checkout"},
        "allowed_origins",
        "has a path",
        id="origin-with-path",
    ),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD_LINKS)
def test_bad_link_is_rejected(client, db, catalogue, signed_in, fields, field, message):
    signed_in(StaffRole.SALES)

    response = create(client, link_form(catalogue, **fields))

    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert links(db) == []
    assert audit_rows(db, "payment_link") == []


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param(
            lambda catalogue: {"currency": "JPY"},
            "items-0-price_id",
            "is in EUR, but the link is in JPY",
            id="price-currency",
        ),
        pytest.param(
            lambda catalogue: {"fee_ids": [str(catalogue.shipping_yen.id)]},
            "fee_ids",
            "is in JPY, but the link is in EUR",
            id="fee-currency",
        ),
        pytest.param(
            lambda catalogue: {"items-0-discount_id": str(catalogue.yen_off.id)},
            "items-0-discount_id",
            "amount off in JPY",
            id="discount-currency",
        ),
    ],
)
def test_link_must_match_its_currency(
    client, db, catalogue, signed_in, fields, field, message
):
    signed_in(StaffRole.SALES)

    response = create(client, link_form(catalogue, **fields(catalogue)))

    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert links(db) == []


def test_link_without_items_is_rejected(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    form = {
        name: value
        for name, value in link_form(catalogue).items()
        if not name.startswith("items-")
    }

    response = create(client, form)

    assert response.status_code == 422
    assert "Add at least one line item" in response.get_data(as_text=True)
    assert links(db) == []


def test_more_than_five_custom_fields_rejected(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    form = {
        name: value
        for name, value in link_form(catalogue).items()
        if not name.startswith("custom_fields-")
    }

    response = create(client, {**form, **_too_many_fields()})

    assert response.status_code == 422
    assert "at most 5 custom fields" in response.get_data(as_text=True)
    assert links(db) == []


def test_total_above_processor_limit_rejected(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    form = link_form(
        catalogue,
        **{
            "items-0-quantity": "999999",
            "items-0-max_quantity": "999999",
        },
    )

    response = create(client, form)

    assert response.status_code == 422
    assert "above the €999,999.99" in response.get_data(as_text=True)
    assert links(db) == []


def test_taken_slug_is_rejected(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))

    response = create(client, link_form(catalogue, slug="Spring-Kit"))

    assert response.status_code == 422
    assert "already has the URL ending 'spring-kit'" in field_error(
        response.get_data(as_text=True), "slug"
    )
    assert len(links(db)) == 1


def test_viewer_cannot_create_or_change_links(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))
    [link] = links(db)
    client.post(
        "/merchant/logout", data={"csrf_token": csrf_token(client, "/merchant/")}
    )
    signed_in(StaffRole.VIEWER)
    token = {"csrf_token": csrf_token(client, f"/merchant/links/{link.id}")}

    statuses = [
        client.get(NEW_LINK).status_code,
        client.get(f"/merchant/links/{link.id}/edit").status_code,
        client.post(NEW_LINK, data={**token, **link_form(catalogue)}).status_code,
        client.post(f"/merchant/links/{link.id}/edit", data=token).status_code,
        client.post(f"/merchant/links/{link.id}/deactivate", data=token).status_code,
        client.post(f"/merchant/links/{link.id}/reactivate", data=token).status_code,
        client.get("/merchant/links/rows/item?index=1").status_code,
    ]
    detail = client.get(f"/merchant/links/{link.id}")

    assert statuses == [403] * 7
    assert detail.status_code == 200
    assert "Deactivate" not in detail.get_data(as_text=True)
    assert len(links(db)) == 1
    assert links(db)[0].active is True


def test_deactivate_button_asks_first(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))
    [link] = links(db)

    page = client.get(f"/merchant/links/{link.id}").get_data(as_text=True)

    assert 'id="deactivate" data-confirm="Deactivate this payment link?' in page


def test_deactivate_and_reactivate(client, db, catalogue, signed_in):
    staff = signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))
    [link] = links(db)
    detail = f"/merchant/links/{link.id}"
    token = {"csrf_token": csrf_token(client, detail)}

    first = client.post(f"{detail}/deactivate", data=token)
    second = client.post(f"{detail}/deactivate", data=token)
    closed = client.get("/pay/spring-kit")
    reopened_answer = client.post(f"{detail}/reactivate", data=token)
    reopened = client.get("/pay/spring-kit")

    assert first.status_code == 303
    assert second.status_code == 303
    assert closed.status_code == 410
    assert "has been deactivated" in closed.get_data(as_text=True)
    assert reopened_answer.status_code == 303
    assert reopened.status_code == 200
    events = [e for e in audit_rows(db, "payment_link") if e.action != "created"]
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("deactivated", "active", "inactive"),
        ("reactivated", "inactive", "active"),
    ]
    assert {event.actor for event in events} == {f"staff:{staff.id}"}


def test_edit_link_with_payments_keeps_orders(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))
    [link] = links(db)
    paid = pay(client, "spring-kit")
    page = f"/merchant/links/{link.id}/edit"
    form = link_form(
        catalogue,
        slug="spring-kit",
        title="Poster only",
        **{
            "items-0-price_id": str(catalogue.poster.id),
            "items-0-quantity": "1",
            "items-0-adjustable_quantity": None,
            "items-0-discount_id": "",
            "items-1-price_id": None,
            "items-1-quantity": None,
            "items-1-min_quantity": None,
            "items-1-max_quantity": None,
            "items-1-tax_rate_id": None,
            "items-1-discount_id": None,
            "fee_ids": None,
        },
    )

    edited = submit(client, page, page, form)
    receipt = client.get(paid.location).get_data(as_text=True)

    assert edited.status_code == 303
    [saved] = links(db)
    assert saved.title == "Poster only"
    assert [item.price_id for item in saved.items] == [catalogue.poster.id]
    assert saved.fees == []
    [order] = db.scalars(select(Order)).all()
    lines = db.scalars(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by("position")
    ).all()
    assert [(line.description, line.quantity, line.total) for line in lines] == [
        ("Workshop kit", 4, 29016),
        ("Poster", 1, 3900),
        ("Shipping", 1, 738),
    ]
    assert order.total == 33654
    assert "Workshop kit" in receipt
    [event] = [e for e in audit_rows(db, "payment_link") if e.action == "updated"]
    assert event.details["title"] == "Poster only"
    assert event.details["items"] == "1"
    assert event.details["fees"] == ""
    assert client.get("/pay/spring-kit").get_data(as_text=True).count("€") > 0


def test_edit_keeps_archived_price(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))
    [link] = links(db)
    catalogue.kit.active = False
    db.commit()
    page = f"/merchant/links/{link.id}/edit"
    form = link_form(catalogue, slug="spring-kit", title="Kit, last call")

    response = submit(client, page, page, form)

    assert response.status_code == 303
    assert links(db)[0].title == "Kit, last call"
    assert links(db)[0].items[0].price_id == catalogue.kit.id


def test_archived_price_not_allowed_on_new_link(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    catalogue.kit.active = False
    db.commit()

    response = create(client, link_form(catalogue))

    assert response.status_code == 422
    assert "Choose a price" in field_error(
        response.get_data(as_text=True), "items-0-price_id"
    )


def test_edit_with_bad_input_keeps_link(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))
    [link] = links(db)
    page = f"/merchant/links/{link.id}/edit"

    response = submit(
        client, page, page, link_form(catalogue, slug="spring-kit", title="")
    )

    assert response.status_code == 422
    assert links(db)[0].title == "Workshop kit"
    assert [e.action for e in audit_rows(db, "payment_link")] == ["created"]


def test_edit_from_outdated_form_conflicts(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))
    [link] = links(db)
    page = f"/merchant/links/{link.id}/edit"
    first_tab = page_tokens(client, page)
    second_tab = page_tokens(client, page)

    first = client.post(
        page,
        data={**first_tab, **link_form(catalogue, slug="spring-kit", title="Kit A")},
    )
    second = client.post(
        page,
        data={
            **second_tab,
            **link_form(catalogue, slug="spring-kit", description="From tab B"),
        },
    )

    assert first.status_code == 303
    assert second.status_code == 409
    assert "Reload the page" in second.get_data(as_text=True)
    saved = links(db)[0]
    assert saved.title == "Kit A"
    assert saved.description != "From tab B"
    assert [e.action for e in audit_rows(db, "payment_link")] == [
        "created",
        "updated",
    ]


def test_edit_after_reload_saves(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))
    [link] = links(db)
    page = f"/merchant/links/{link.id}/edit"
    submit(client, page, page, link_form(catalogue, slug="spring-kit", title="Kit A"))

    response = submit(
        client,
        page,
        page,
        link_form(catalogue, slug="spring-kit", title="Kit A", description="B"),
    )

    assert response.status_code == 303
    assert links(db)[0].title == "Kit A"
    assert links(db)[0].description == "B"


def test_edit_form_shows_saved_values(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))
    [link] = links(db)

    page = client.get(f"/merchant/links/{link.id}/edit").get_data(as_text=True)

    assert 'value="spring-kit"' in page
    assert 'value="2099-01-31T18:00"' in page
    assert "https://shop.example\nhttp://localhost:8000" in page
    assert 'name="items-1-price_id"' in page
    assert 'name="custom_fields-1-label"' in page
    assert 'name="key"' not in page
    assert 'name="revision" type="hidden" value="' in page


def test_editor_buttons_work_without_javascript(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    form = {**page_tokens(client, NEW_LINK), **link_form(catalogue)}

    added = client.post(NEW_LINK, data={**form, "editor": "add_item"})
    removed = client.post(NEW_LINK, data={**form, "editor": "remove_item:items-0"})
    field_added = client.post(NEW_LINK, data={**form, "editor": "add_field"})

    assert added.status_code == 200
    assert 'name="items-2-price_id"' in added.get_data(as_text=True)
    assert removed.status_code == 200
    removed_page = removed.get_data(as_text=True)
    assert 'name="items-0-price_id"' not in removed_page
    assert 'name="items-1-price_id"' in removed_page
    assert 'name="custom_fields-2-label"' in field_added.get_data(as_text=True)
    assert links(db) == []


def test_htmx_rows_are_added_and_removed(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    headers = {"HX-Request": "true"}

    item = client.get("/merchant/links/rows/item?index=2", headers=headers)
    custom = client.get("/merchant/links/rows/custom-field?index=1", headers=headers)
    removed = client.get("/merchant/links/rows/removed", headers=headers)

    item_html = item.get_data(as_text=True)
    assert item.status_code == 200
    assert 'name="items-2-price_id"' in item_html
    assert "Poster · €39.00 (EUR)" in item_html
    assert "Membership · €9.90 (EUR) · monthly" in item_html
    assert 'hx-get="/merchant/links/rows/item?index=3"' in item_html
    assert 'hx-swap-oob="true"' in item_html
    assert 'name="custom_fields-1-label"' in custom.get_data(as_text=True)
    assert removed.status_code == 200
    assert removed.get_data(as_text=True) == ""


def test_detail_page_shows_url_payments_and_totals(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    create(client, link_form(catalogue, slug="spring-kit"))
    [link] = links(db)
    pay(client, "spring-kit")
    pay(client, "spring-kit", card_number="4000 0000 0000 0002")

    response = client.get(f"/merchant/links/{link.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="http://localhost/pay/spring-kit"' in page
    assert 'data-copy-url="checkout-url"' in page
    assert "/static/js/merchant-links.js" in page
    assert "<script>" not in page
    assert "Share and embed" in page
    assert "/pay/spring-kit/qr.svg" in page
    assert "Collected in EUR · 1 payment(s)" in page
    assert "€336.54" in page
    assert page.count("aino@example.com") == 2
    assert "<td>failed</td>" in page
    assert "<td>succeeded</td>" in page
    assert "Date (Europe/Helsinki)" in page
    assert f'href="/merchant/payments/{payments(db)[0].id}"' in page


def test_ids_beyond_integer_range_are_not_found(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    huge = str(2**40)

    detail = client.get(f"/merchant/links/{huge}")
    product = client.get(f"/merchant/catalogue/products/{huge}")
    new = client.get(f"/merchant/links/new?price_id={huge}")
    created = create(client, link_form(catalogue, **{"items-0-tax_rate_id": huge}))

    assert detail.status_code == 404
    assert product.status_code == 404
    assert new.status_code == 200
    assert created.status_code == 422
    assert "tax rate" in field_error(
        created.get_data(as_text=True), "items-0-tax_rate_id"
    )


def test_price_shortcut_starts_link(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)

    page = client.get(f"/merchant/links/new?price_id={catalogue.print_yen.id}")

    html = page.get_data(as_text=True)
    assert 'value="Tokyo print"' in html
    assert (
        f'<option data-currency="JPY" selected value="{catalogue.print_yen.id}">'
        in html
    )
    assert '<option selected value="JPY">' in html


def test_archived_product_not_offered(client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    catalogue.kit.product.active = False
    db.commit()

    editor = client.get(NEW_LINK).get_data(as_text=True)
    response = create(client, link_form(catalogue))

    assert "Workshop kit" not in editor
    assert response.status_code == 422
    assert "Choose a price" in field_error(
        response.get_data(as_text=True), "items-0-price_id"
    )


CONCURRENT_SUBMITS = 8


def test_concurrent_submits_create_one_link(app, client, db, catalogue, signed_in):
    signed_in(StaffRole.SALES)
    data = {**page_tokens(client, NEW_LINK), **link_form(catalogue)}
    session_cookie = client.get_cookie("session")
    barrier = threading.Barrier(CONCURRENT_SUBMITS)
    responses = []

    def post_form() -> None:
        other = app.test_client()
        other.set_cookie("session", session_cookie.value, domain=session_cookie.domain)
        barrier.wait()
        responses.append(other.post(NEW_LINK, data=data))

    threads = [threading.Thread(target=post_form) for _ in range(CONCURRENT_SUBMITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    [link] = links(db)
    assert len(responses) == CONCURRENT_SUBMITS
    assert {response.status_code for response in responses} == {303}
    assert {response.location for response in responses} == {
        f"/merchant/links/{link.id}"
    }
    assert len(audit_rows(db, "payment_link")) == 1
