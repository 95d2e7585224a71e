import pytest

from tests.checkout.conftest import (
    VALID_CARD,
    kit_form,
    open_checkout,
    payments,
    quantity_field,
)


def submit(client, **overrides):
    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token, **overrides)
    return client.post("/pay/workshop-kit", data=form), html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Enter a valid email address"),
        ("email", "", "Enter a valid email address"),
        ("email", "käyttäjä@esimerkki.fi", "Enter a valid email address"),
        ("name", "", "This field is required."),
        ("custom-size", "", "This field is required."),
        ("custom-size", "XXL", "Choose one of the options."),
        ("custom-attendees", "many", "Enter a number"),
        ("card_expiry", "01 / 20", "The expiry date is in the past."),
        ("card_expiry", "13 / 40", "Enter the expiry date as MM / YY."),
        ("card_number", "4242 4242 4242 4241", "Enter a valid card number."),
        ("card_cvc", "12", "Enter the 3 or 4 digit security code."),
        ("phone", "call me", "Enter a phone number"),
        ("country", "Finland", "Choose a country from the list."),
    ],
)
def test_invalid_field_is_reported(client, db, kit_link, field, value, message):
    response, _html = submit(client, **{field: value})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'aria-describedby="{field}-error"' in html
    assert 'value="Aino Virtanen"' in html or field == "name"
    assert payments(db) == []


@pytest.mark.parametrize("quantity", ["0", "-2", "1.5", "11", ""])
def test_invalid_quantity_charges_nothing(client, db, kit_link, quantity):
    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token, **{quantity_field(html): quantity})

    response = client.post("/pay/workshop-kit", data=form)

    assert response.status_code == 422
    assert "Enter a whole number from 1 to 10." in response.get_data(as_text=True)
    assert payments(db) == []


def test_unknown_code_at_submit_charges_nothing(client, db, kit_link):
    response, _html = submit(client, discount_code="BOGUS")

    assert response.status_code == 422
    assert "The code BOGUS is not valid." in response.get_data(as_text=True)
    assert payments(db) == []


def test_tampered_amounts_are_ignored(client, db, kit_link):
    response, _html = submit(
        client, total="1", amount="1", currency="JPY", unit_amount="1", price="1"
    )

    assert response.status_code == 303
    [payment] = payments(db)
    assert payment.amount == 28191
    assert payment.currency == "EUR"


def test_missing_token_is_rejected(client, db, kit_link):
    response, _html = submit(client, token="")

    assert response.status_code == 400
    assert "This page has expired" in response.get_data(as_text=True)
    assert payments(db) == []


def test_token_of_other_link_is_rejected(client, db, kit_link, yen_link):
    _html, other_token = open_checkout(client, "tokyo-print")

    response, _html = submit(client, token=other_token)

    assert response.status_code == 400
    assert payments(db) == []


def test_forged_token_is_rejected(client, db, kit_link):
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("wrong-key", salt="kassa.checkout-attempt").dumps(
        {"link": "workshop-kit", "attempt": "x" * 32}
    )

    response, _html = submit(client, token=forged)

    assert response.status_code == 400
    assert payments(db) == []


def test_double_submit_gives_one_payment(client, db, kit_link):
    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token)

    first = client.post("/pay/workshop-kit", data=form)
    second = client.post("/pay/workshop-kit", data=form)

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(payments(db)) == 1


def test_link_deactivated_after_page_load_charges_nothing(client, db, kit_link):
    html, token = open_checkout(client, "workshop-kit")
    kit_link.active = False
    db.commit()

    response = client.post("/pay/workshop-kit", data=kit_form(html, token))

    assert response.status_code == 410
    assert "deactivated" in response.get_data(as_text=True)
    assert payments(db) == []


def test_amount_over_processor_maximum_is_refused(client, db, kit_link):
    kit_link.items[0].price.unit_amount = 50_000_000
    db.commit()

    response, _html = submit(client, **{"custom-size": "S"})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "the most one payment can be" in html
    assert payments(db) == []


def test_after_payment_url_redirects(client, db, kit_link):
    kit_link.after_payment_url = "https://shop.example/thanks"
    db.commit()

    response, _html = submit(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "https://shop.example/thanks"
    assert len(payments(db)) == 1


def test_payment_attempts_are_rate_limited(app, client, db, kit_link):
    app.config["KASSA_PAY_LIMIT_PER_ADDRESS"] = "2 per minute"

    statuses = [submit(client)[0].status_code for _ in range(3)]

    assert statuses == [303, 303, 429]
    assert "too many attempts" in submit(client)[0].get_data(as_text=True)
    assert len(payments(db)) == 2


def test_summary_updates_are_not_rate_limited(app, client, kit_link):
    app.config["KASSA_PAY_LIMIT_PER_ADDRESS"] = "1 per minute"
    _html, token = open_checkout(client, "workshop-kit")

    statuses = [
        client.post(
            "/pay/workshop-kit", data={"action": "update", "token": token}
        ).status_code
        for _ in range(3)
    ]

    assert statuses == [200, 200, 200]


@pytest.mark.parametrize(
    "value", ["Hel\x00sinki", "Hel\r\nBcc: x@example.com", "Espoo \u202eevil"]
)
@pytest.mark.parametrize("field", ["name", "city", "postal_code", "custom-attendees"])
def test_control_characters_in_a_field_are_refused(client, db, kit_link, field, value):
    response, _html = submit(client, **{field: value})

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Remove the special characters from this field." in html
    assert f'aria-describedby="{field}-error"' in html
    assert "\x00" not in html
    assert payments(db) == []


def test_control_character_in_discount_code_is_refused(client, db, kit_link):
    response, _html = submit(client, discount_code="TEN\x00")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Remove the special characters from this field." in html
    assert 'aria-describedby="discount_code-error"' in html
    assert payments(db) == []


def test_overlong_discount_code_is_refused_without_echo(client, db, kit_link):
    code = "A" * 5000

    response, _html = submit(client, discount_code=code)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a discount code of at most 64" in html
    assert code not in html
    assert payments(db) == []


def test_overlong_discount_code_in_summary_update_is_refused(client, kit_link):
    response = client.get(
        "/pay/workshop-kit?discount_code=" + "B" * 100, headers={"HX-Request": "true"}
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a discount code of at most 64" in html
    assert "B" * 100 not in html


def test_control_character_in_url(client, kit_link):
    assert client.get("/pay/workshop-kit?discount_code=TEN%00").status_code == 400
    assert client.get("/pay/workshop%00kit").status_code == 400
    assert client.get("/receipts/abc%00").status_code == 400


@pytest.mark.parametrize("country", ["EU", "ZZ", "UN", "XA", "QO", "fi "])
def test_country_must_be_a_real_country(client, db, kit_link, country):
    response, _html = submit(
        client, address_line1="Mannerheimintie 1", postal_code="00100", city="Helsinki"
    )
    assert response.status_code == 303
    assert len(payments(db)) == 1

    response, _html = submit(client, country=country)

    expected = 303 if country.strip() == "fi" else 422
    assert response.status_code == expected
    if expected == 422:
        html = response.get_data(as_text=True)
        assert "Choose a country from the list." in html
        assert len(payments(db)) == 1


def test_country_list_holds_only_countries(client, kit_link):
    html = client.get("/pay/workshop-kit").get_data(as_text=True)

    assert '<option value="FI">Finland</option>' in html
    for code in ("EU", "EZ", "UN", "ZZ", "XA", "XB", "QO"):
        assert f'<option value="{code}"' not in html


def test_oversized_form_is_refused(client, db, kit_link):
    response, _html = submit(client, name="A" * 300_000)

    assert response.status_code == 413
    assert "Shorten what you typed" in response.get_data(as_text=True)
    assert payments(db) == []


def test_code_sent_to_link_without_codes_is_ignored(client, db, yen_link):
    _html, token = open_checkout(client, "tokyo-print")
    form = {"action": "pay", "token": token, "email": "k@example.jp"}

    response = client.post(
        "/pay/tokyo-print", data={**form, **VALID_CARD, "discount_code": "FREE"}
    )

    assert response.status_code == 303
    [payment] = payments(db)
    assert payment.amount == 80


def test_discount_code_lookups_are_rate_limited(app, client, kit_link):
    app.config["KASSA_CODE_LIMIT_PER_ADDRESS"] = "2 per minute"

    statuses = [
        client.get(f"/pay/workshop-kit?discount_code=GUESS{n}").status_code
        for n in range(3)
    ]
    guess = client.post(
        "/pay/workshop-kit", data={"action": "update", "discount_code": "GUESS9"}
    )

    assert statuses == [422, 422, 429]
    assert guess.status_code == 429
    assert client.get("/pay/workshop-kit").status_code == 200
