"""A payment is never for a total other than the one the buyer last saw."""

import re

from tests.checkout.conftest import kit_form, open_checkout, payments, quantity_field


def shown_total(html: str) -> str:
    return re.search(r'name="shown_total" value="([^"]+)"', html).group(1)


def test_page_carries_the_total_on_the_pay_button(client, kit_link):
    html, _token = open_checkout(client, "workshop-kit")

    assert shown_total(html) == "EUR:28191"


def test_quantity_changed_without_update_is_shown_first(client, db, kit_link):
    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token, shown_total=shown_total(html))
    form[quantity_field(html)] = "5"

    response = client.post("/pay/workshop-kit", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The total is now €350.81. Check your order, enter your payment" in page
    assert shown_total(page) == "EUR:35081"
    assert 'value="Aino Virtanen"' in page
    assert payments(db) == []


def test_second_pay_charges_new_total(client, db, kit_link):
    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token, shown_total=shown_total(html))
    form[quantity_field(html)] = "5"
    page = client.post("/pay/workshop-kit", data=form).get_data(as_text=True)

    again = kit_form(page, re.search(r'name="token" value="([^"]+)"', page).group(1))
    again.update({quantity_field(html): "5", "shown_total": shown_total(page)})
    response = client.post("/pay/workshop-kit", data=again)

    assert response.status_code == 303
    [payment] = payments(db)
    assert payment.amount == 35081


def test_code_typed_without_apply_is_shown_first(client, db, kit_link):
    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token, shown_total=shown_total(html), discount_code="TEN")

    response = client.post("/pay/workshop-kit", data=form)

    assert response.status_code == 409
    assert "The total is now €254.35." in response.get_data(as_text=True)
    assert payments(db) == []


def test_total_of_other_currency_is_not_taken(client, db, kit_link):
    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token, shown_total="JPY:28191")

    response = client.post("/pay/workshop-kit", data=form)

    assert response.status_code == 409
    assert payments(db) == []


def test_matching_total_pays(client, db, kit_link):
    html, token = open_checkout(client, "workshop-kit")

    response = client.post(
        "/pay/workshop-kit", data=kit_form(html, token, shown_total=shown_total(html))
    )

    assert response.status_code == 303
    assert payments(db)[0].amount == 28191
