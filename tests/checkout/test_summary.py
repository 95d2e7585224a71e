import pytest

from tests.checkout.conftest import open_checkout, quantity_field, text_of

HTMX = {"HX-Request": "true"}


def summary_update(client, html, token, **fields):
    data = {"action": "update", "token": token, **fields}
    return client.post("/pay/workshop-kit", data=data, headers=HTMX)


def test_quantity_change_returns_summary_partial(client, kit_link):
    html, token = open_checkout(client, "workshop-kit")

    response = summary_update(client, html, token, **{quantity_field(html): "2"})

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="order-summary"' in body
    assert text_of(body, "total-subtotal") == "€130.00"
    assert text_of(body, "total-due") == "€144.11"
    assert 'id="pay-amount" hx-swap-oob="true"' in body
    assert "HX-Request" in response.headers["Vary"]


def test_discount_code_applies_before_tax(client, kit_link):
    html, token = open_checkout(client, "workshop-kit")

    response = summary_update(
        client, html, token, **{quantity_field(html): "4", "discount_code": "ten"}
    )

    body = response.get_data(as_text=True)
    assert text_of(body, "total-discount") == "\u2212€26.00"
    assert text_of(body, "total-tax") == "€14.40"
    assert text_of(body, "total-due") == "€254.35"
    assert "Code TEN applied." in body


@pytest.mark.parametrize(
    ("quantity", "status"),
    [("0", 422), ("-1", 422), ("1.5", 422), ("11", 422), ("abc", 422), ("10", 200)],
)
def test_quantity_bounds(client, kit_link, quantity, status):
    html, token = open_checkout(client, "workshop-kit")

    response = summary_update(client, html, token, **{quantity_field(html): quantity})

    assert response.status_code == status
    body = response.get_data(as_text=True)
    if status == 422:
        assert "Enter a whole number from 1 to 10." in body
        assert text_of(body, "total-subtotal") == "€260.00"


def test_unknown_code_is_reported(client, kit_link):
    html, token = open_checkout(client, "workshop-kit")

    response = summary_update(client, html, token, discount_code="NOPE")

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The code NOPE is not valid." in body
    assert text_of(body, "total-due") == "€281.91"


def test_expired_code_is_reported(client, db, kit_link):
    from datetime import timedelta

    from sqlalchemy import select

    from portal.database import now_utc
    from portal.models import Discount

    code = db.scalars(select(Discount).where(Discount.code == "TEN")).one()
    code.expires_at = now_utc() - timedelta(days=1)
    db.commit()
    html, token = open_checkout(client, "workshop-kit")

    response = summary_update(client, html, token, discount_code="TEN")

    assert response.status_code == 422
    assert "The code TEN has expired." in response.get_data(as_text=True)


def test_used_up_code_is_reported(client, db, kit_link):
    from sqlalchemy import select

    from portal.models import Discount

    code = db.scalars(select(Discount).where(Discount.code == "TEN")).one()
    code.max_redemptions = 3
    code.times_redeemed = 3
    db.commit()
    html, token = open_checkout(client, "workshop-kit")

    response = summary_update(client, html, token, discount_code="TEN")

    assert response.status_code == 422
    assert "The code TEN has been used up." in response.get_data(as_text=True)


def test_update_without_javascript_renders_whole_page(client, kit_link):
    html, token = open_checkout(client, "workshop-kit")

    response = client.post(
        "/pay/workshop-kit",
        data={
            "action": "update",
            "token": token,
            quantity_field(html): "1",
            "email": "kept@example.com",
        },
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in body
    assert text_of(body, "total-subtotal") == "€65.00"
    assert 'value="kept@example.com"' in body
