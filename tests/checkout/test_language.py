"""A language picked with ?lang= stays picked through the whole checkout."""

from tests.checkout.conftest import checkout_token, kit_form, payments


def open_in_finnish(client) -> str:
    response = client.get("/pay/workshop-kit?lang=fi")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_form_and_summary_updates_keep_the_language(client, kit_link):
    html = open_in_finnish(client)

    assert 'action="/pay/workshop-kit?lang=fi"' in html
    assert 'hx-post="/pay/workshop-kit?lang=fi"' in html


def test_payment_made_in_finnish_stays_finnish(client, db, kit_link):
    html = open_in_finnish(client)
    form = kit_form(html, checkout_token(html))

    response = client.post("/pay/workshop-kit?lang=fi", data=form)

    assert response.status_code == 303
    assert response.headers["Location"].endswith("?lang=fi")
    [payment] = payments(db)
    assert payment.locale == "fi"
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kuitti" in receipt or "kuitti" in receipt


def test_error_page_of_finnish_checkout_is_finnish(client, db, kit_link):
    html = open_in_finnish(client)
    form = kit_form(html, checkout_token(html), email="nope")

    response = client.post("/pay/workshop-kit?lang=fi", data=form)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'action="/pay/workshop-kit?lang=fi"' in html
    assert '<html lang="fi">' in html


def test_unsupported_language_is_not_carried(client, kit_link):
    html = client.get("/pay/workshop-kit?lang=xx").get_data(as_text=True)

    assert 'action="/pay/workshop-kit"' in html
