"""Signing in by emailed link, through the real SMTP server."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.account.current import COOKIE_NAME
from portal.account.sign_in_links import digest
from portal.models import CustomerSession, CustomerSignInLink, CustomerSignInRequest
from tests.account.conftest import form_token
from tests.fixtures.staff import CSRF_FIELD

NONCE = re.compile(r'nonce="[^"]+"')
LINK = re.compile(r"http://localhost/account/sign-in/([A-Za-z0-9_\-]+)")


@pytest.fixture
def smtp_app(app, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    return app


def ask_for_link(client, email: str):
    response = client.post(
        "/account/sign-in", data={"csrf_token": form_token(client), "email": email}
    )
    # The email goes out once the response is closed, as after a real response.
    response.close()
    return response


def page_text(response, email: str) -> str:
    """Return the page with the email address and the per-response nonce blanked."""
    page = response.get_data(as_text=True).replace(email, "EMAIL")
    return NONCE.sub("nonce", page)


def emailed_token(smtp_server, index: int = -1) -> str:
    body = smtp_server.messages[index].message.get_body(("plain",)).get_content()
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def confirm(client, token: str):
    return client.post(
        f"/account/sign-in/{token}", data={"csrf_token": form_token(client)}
    )


def test_link_arrives_and_signs_in(smtp_app, client, smtp_server, aino, frozen_clock):
    response = ask_for_link(client, " Aino@Example.com ")

    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    [received] = smtp_server.messages
    assert received.recipients == ["aino@example.com"]
    assert received.message["Subject"] == "Sign in to your Nordlys Studio account"
    token = emailed_token(smtp_server)

    opened = client.get(f"/account/sign-in/{token}")
    assert opened.status_code == 200
    assert 'id="confirm-sign-in"' in opened.get_data(as_text=True)

    signed_in = confirm(client, token)
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == "/account/"
    home = client.get("/account/")
    assert home.status_code == 200
    assert "aino@example.com" in home.get_data(as_text=True)


def test_opening_link_does_not_use_it(smtp_app, client, smtp_server, aino, db):
    ask_for_link(client, "aino@example.com")
    token = emailed_token(smtp_server)

    client.get(f"/account/sign-in/{token}")
    client.get(f"/account/sign-in/{token}")

    link = db.scalars(
        select(CustomerSignInLink).where(CustomerSignInLink.token_hash == digest(token))
    ).one()
    assert link.used_at is None


def test_link_stored_hashed(smtp_app, client, smtp_server, aino, db):
    ask_for_link(client, "aino@example.com")
    token = emailed_token(smtp_server)

    hashes = db.scalars(select(CustomerSignInLink.token_hash)).all()
    assert hashes == [digest(token)]
    assert token not in hashes


def test_link_works_once(smtp_app, app, smtp_server, aino):
    first = app.test_client()
    ask_for_link(first, "aino@example.com")
    token = emailed_token(smtp_server)
    assert confirm(first, token).status_code == 303

    second = app.test_client()
    reused = confirm(second, token)

    assert reused.status_code == 410
    page = reused.get_data(as_text=True)
    assert "already been used" in page
    assert 'id="send-link"' in page
    assert second.get("/account/").status_code == 303


def test_double_submit_stays_signed_in(smtp_app, client, smtp_server, aino):
    ask_for_link(client, "aino@example.com")
    token = emailed_token(smtp_server)

    assert confirm(client, token).status_code == 303
    again = confirm(client, token)

    assert again.status_code == 303
    assert again.headers["Location"] == "/account/"


def test_link_expires_after_15_minutes(
    smtp_app, client, smtp_server, aino, frozen_clock
):
    ask_for_link(client, "aino@example.com")
    token = emailed_token(smtp_server)

    frozen_clock.now += timedelta(minutes=14, seconds=59)
    assert client.get(f"/account/sign-in/{token}").status_code == 200
    frozen_clock.now += timedelta(seconds=1)
    expired = confirm(client, token)

    assert expired.status_code == 410
    assert "has expired" in expired.get_data(as_text=True)
    assert client.get("/account/").status_code == 303


def test_unknown_email_same_page_no_email(smtp_app, app, smtp_server, aino, db):
    known = ask_for_link(app.test_client(), "aino@example.com")
    unknown = ask_for_link(app.test_client(), "nobody@example.com")

    assert unknown.status_code == known.status_code == 200
    assert page_text(known, "aino@example.com") == page_text(
        unknown, "nobody@example.com"
    )
    assert [m.recipients for m in smtp_server.messages] == [["aino@example.com"]]
    assert db.scalar(select(func.count(CustomerSignInRequest.id))) == 2
    assert db.scalar(select(func.count(CustomerSignInLink.id))) == 1


def test_unknown_token_offers_new_link(client, business):
    response = client.get("/account/sign-in/not-a-real-token")

    assert response.status_code == 404
    assert 'id="send-link"' in response.get_data(as_text=True)


def test_rate_limit_per_email(smtp_app, client, smtp_server, aino, frozen_clock):
    smtp_app.config["KASSA_ACCOUNT_LINK_LIMIT_PER_EMAIL"] = "3 per 15 minutes"
    for _ in range(3):
        assert ask_for_link(client, "nobody@example.com").status_code == 200
        frozen_clock.now += timedelta(minutes=2)

    throttled = ask_for_link(client, "nobody@example.com")

    assert throttled.status_code == 429
    assert "Too many sign-in links were requested. Wait 15 minutes" in (
        throttled.get_data(as_text=True)
    )
    frozen_clock.now += timedelta(minutes=10)
    assert ask_for_link(client, "nobody@example.com").status_code == 200


def test_rate_limit_per_address(smtp_app, client, smtp_server, aino):
    smtp_app.config["KASSA_ACCOUNT_LINK_LIMIT_PER_ADDRESS"] = "4 per 15 minutes"
    for number in range(4):
        ask_for_link(client, f"guess{number}@example.com")

    throttled = ask_for_link(client, "aino@example.com")

    assert throttled.status_code == 429
    assert smtp_server.messages == []


def test_repeat_request_sends_one_email(smtp_app, client, smtp_server, aino):
    ask_for_link(client, "aino@example.com")
    ask_for_link(client, "aino@example.com")

    assert len(smtp_server.messages) == 1


def test_invalid_email_rejected(client, business):
    response = client.post(
        "/account/sign-in",
        data={"csrf_token": form_token(client), "email": "not an email"},
    )

    assert response.status_code == 422
    assert "Enter a valid email address" in response.get_data(as_text=True)


def test_request_without_csrf_rejected(client, business):
    response = client.post("/account/sign-in", data={"email": "aino@example.com"})

    assert response.status_code == 400


def test_session_cookie_flags(smtp_app, client, smtp_server, aino):
    ask_for_link(client, "aino@example.com")
    response = confirm(client, emailed_token(smtp_server))

    [cookie] = [
        value
        for value in response.headers.getlist("Set-Cookie")
        if value.startswith(f"{COOKIE_NAME}=")
    ]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/account" in cookie
    assert "Secure" not in cookie


def test_cookie_secure_on_https(smtp_app, client, smtp_server, aino):
    ask_for_link(client, "aino@example.com")
    token = emailed_token(smtp_server)
    page = client.get(f"/account/sign-in/{token}", base_url="https://localhost")
    csrf = CSRF_FIELD.search(page.get_data(as_text=True)).group(1)

    response = client.post(
        f"/account/sign-in/{token}",
        data={"csrf_token": csrf},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/account/sign-in"},
    )

    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie


def test_sign_out_ends_session(aino_client, db, aino):
    response = aino_client.post(
        "/account/sign-out", data={"csrf_token": form_token(aino_client)}
    )

    assert response.status_code == 303
    assert aino_client.get("/account/").status_code == 303
    revoked = db.scalars(select(CustomerSession.revoked_at)).all()
    assert all(moment is not None for moment in revoked)


def test_signing_in_again_keeps_other_sessions(app, db, aino, business):
    from tests.account.conftest import sign_in_as

    phone = app.test_client()
    laptop = app.test_client()
    sign_in_as(app, phone, db, aino)
    sign_in_as(app, laptop, db, aino)

    assert phone.get("/account/").status_code == 200
    assert laptop.get("/account/").status_code == 200


def test_tampered_cookie_ignored(client, business):
    client.set_cookie(COOKIE_NAME, "forged.value", path="/account")

    assert client.get("/account/").status_code == 303


def test_pages_not_cached_or_framed(aino_client):
    response = aino_client.get("/account/")

    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
