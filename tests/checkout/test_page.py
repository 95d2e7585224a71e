from datetime import timedelta

import pytest

from portal.database import now_utc
from tests.checkout.conftest import (
    checkout_token,
    kit_form,
    open_checkout,
    payments,
    text_of,
)


def test_page_shows_brand_items_and_totals(client, kit_link):
    html, _token = open_checkout(client, "workshop-kit")

    assert "Nordlys Studio" in html
    assert "--brand: #2f6f4f" in html
    assert "Workshop kit" in html
    assert text_of(html, "total-subtotal") == "€260.00"
    assert text_of(html, "total-tax") == "€15.96"
    assert "<dt>VAT 6%</dt>" in html
    assert text_of(html, "total-due") == "€281.91"
    assert "Shipping" in html


@pytest.mark.parametrize(
    "label",
    ["Email", "Card number", "Expiry date", "Security code (CVC)", "Discount code"],
)
def test_page_has_visible_labels(client, kit_link, label):
    html, _token = open_checkout(client, "workshop-kit")

    assert f">{label}" in html


def test_page_has_pay_button_and_quantity_control(client, kit_link):
    html, _token = open_checkout(client, "workshop-kit")

    assert 'id="pay-button">Pay <span id="pay-amount">€281.91</span>' in html
    assert 'type="number"' in html
    assert 'max="10"' in html


def test_page_shows_collected_fields(client, kit_link):
    html, _token = open_checkout(client, "workshop-kit")

    assert 'name="name"' in html
    assert 'name="phone"' in html
    assert 'name="address_line1"' in html
    assert 'name="custom-size"' in html
    assert "<option>M</option>" in html
    assert 'name="custom-attendees"' in html


def test_page_in_finnish_formats_amounts(client, kit_link):
    response = client.get(
        "/pay/workshop-kit", headers={"Accept-Language": "fi-FI,fi;q=0.9"}
    )

    html = response.get_data(as_text=True)
    assert text_of(html, "total-due") == "281,91 €"
    assert '<html lang="fi">' in html


def test_yen_link_has_no_decimals(client, yen_link):
    html, _token = open_checkout(client, "tokyo-print")

    assert text_of(html, "total-due") == "¥80"


def test_unknown_slug_is_not_found(client, business):
    assert client.get("/pay/no-such-link").status_code == 404


def test_page_is_not_frameable(client, kit_link):
    response = client.get("/pay/workshop-kit")

    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_page_sets_no_cookie(client, kit_link):
    response = client.get("/pay/workshop-kit")

    assert "Set-Cookie" not in response.headers


def test_deactivated_link_shows_message(client, db, kit_link):
    kit_link.active = False
    db.commit()

    response = client.get("/pay/workshop-kit")

    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "deactivated" in html
    assert 'name="card_number"' not in html


def test_expired_link_shows_message(client, db, kit_link):
    kit_link.expires_at = now_utc() - timedelta(minutes=1)
    db.commit()

    response = client.get("/pay/workshop-kit")

    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_link_at_limit_shows_message(client, db, kit_link):
    kit_link.max_payments = 1
    db.commit()
    html, token = open_checkout(client, "workshop-kit")
    assert (
        client.post("/pay/workshop-kit", data=kit_form(html, token)).status_code == 303
    )

    response = client.get("/pay/workshop-kit")

    assert response.status_code == 410
    assert "reached its limit" in response.get_data(as_text=True)
    assert len(payments(db)) == 1


def test_page_in_finnish_translates_labels(client, kit_link):
    response = client.get("/pay/workshop-kit?lang=fi")

    html = response.get_data(as_text=True)
    assert ">Sähköposti" in html
    assert ">Kortin numero" in html
    assert ">Turvakoodi (CVC)" in html
    assert 'id="pay-button">Maksa <span id="pay-amount">281,91\xa0€</span>' in html


def test_checkout_and_receipt_pages_are_not_stored(client, kit_link):
    page = client.get("/pay/workshop-kit")
    html = page.get_data(as_text=True)

    paid = client.post("/pay/workshop-kit", data=kit_form(html, checkout_token(html)))
    receipt = client.get(paid.headers["Location"])

    for response in (page, paid, receipt):
        assert response.headers["Cache-Control"] == "private, no-store"
