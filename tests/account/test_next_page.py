"""Landing on the requested account page after signing in by emailed link."""

import re

import pytest

from portal.account.next_page import safe_next
from tests.account.conftest import make_subscription, save_method
from tests.fixtures.staff import CSRF_FIELD

LINK = re.compile(r"http://localhost(/account/sign-in/[^\s]+)")


@pytest.fixture
def smtp_app(app, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    return app


@pytest.mark.parametrize(
    "path",
    [
        "/account/subscriptions/abc/payment-method",
        "/account/billing-details",
        "/account/payments/abc?lang=fi",
    ],
)
def test_account_paths_kept(path):
    assert safe_next(path) == path


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "/account/",
        "/merchant/",
        "https://evil.example/account/payments",
        "//evil.example/account/payments",
        "/\\evil.example/account/payments",
        "/account/../merchant/",
        "/account/%2e%2e/merchant/",
        "/account/%5c%5cevil.example",
        "/account/sign-in/token",
        "/account/sign-out",
        "/account/payments\r\nSet-Cookie: x=1",
        "/account/" + "a" * 300,
    ],
)
def test_unsafe_values_dropped(value):
    assert safe_next(value) is None


def csrf(response) -> str:
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_sign_in_returns_to_requested_page(smtp_app, client, smtp_server, db, aino):
    subscription = make_subscription(db, aino, saved_method=save_method(db, aino))
    db.commit()
    wanted = f"/account/subscriptions/{subscription.token}/payment-method"

    redirected = client.get(wanted)
    assert redirected.status_code == 303
    sign_in_page = client.get(redirected.headers["Location"])
    assert f'name="next" value="{wanted}"' in sign_in_page.get_data(as_text=True)
    sent = client.post(
        "/account/sign-in",
        data={
            "csrf_token": csrf(sign_in_page),
            "email": "aino@example.com",
            "next": wanted,
        },
    )
    sent.close()
    body = smtp_server.messages[-1].message.get_body(("plain",)).get_content()
    link = LINK.search(body).group(1)
    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    signed_in = client.post(link, data={"csrf_token": csrf(confirm_page)})

    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == wanted
    assert client.get(wanted).status_code == 200


def test_foreign_next_lands_on_overview(smtp_app, client, smtp_server, aino):
    sign_in_page = client.get("/account/sign-in?next=https://evil.example/")
    assert 'name="next"' not in sign_in_page.get_data(as_text=True)
    sent = client.post(
        "/account/sign-in",
        data={
            "csrf_token": csrf(sign_in_page),
            "email": "aino@example.com",
            "next": "//evil.example/account/",
        },
    )
    sent.close()
    body = smtp_server.messages[-1].message.get_body(("plain",)).get_content()
    link = LINK.search(body).group(1)
    assert "evil" not in link
    confirm_page = client.get(link)

    signed_in = client.post(
        f"{link}?next=//evil.example/", data={"csrf_token": csrf(confirm_page)}
    )

    assert signed_in.headers["Location"] == "/account/"
