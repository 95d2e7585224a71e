"""Buyer- and customer-facing forms whose CSRF token is missing or stale."""

import pytest

from tests.account.conftest import form_token

EXPIRED = "This form has expired"


@pytest.mark.usefixtures("business")
def test_missing_token_offers_reload(client):
    response = client.post(
        "/account/sign-in",
        data={"email": "aino@example.com"},
        headers={"Referer": "http://localhost/account/sign-in?next=%2Faccount%2F"},
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert EXPIRED in html
    assert "The request could not be read" not in html
    assert 'href="/account/sign-in?next=%2Faccount%2F"' in html
    assert ">Reload the form</a>" in html


@pytest.mark.usefixtures("business")
def test_stale_token_offers_reload(client):
    form_token(client)

    response = client.post(
        "/account/sign-in",
        data={"csrf_token": "stale", "email": "aino@example.com"},
        headers={"Referer": "http://localhost/account/sign-in"},
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert EXPIRED in html
    assert 'href="/account/sign-in"' in html


@pytest.mark.usefixtures("business")
def test_other_site_referrer_not_linked(client):
    response = client.post(
        "/account/sign-in",
        data={"email": "aino@example.com"},
        headers={"Referer": "https://elsewhere.example/account/sign-in"},
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert EXPIRED in html
    assert "elsewhere.example" not in html
    assert "reload-form" not in html
