"""Signing in and out of the back office."""

import logging

import pytest
from sqlalchemy import select

from portal.models import StaffRole, StaffSession
from portal.staff.sessions import hash_token
from tests.fixtures.staff import STAFF_PASSWORD, csrf_token, make_staff, sign_in

REJECTED = "Email or password is incorrect."


def post_login(client, email, password, **extra):
    data = {"csrf_token": csrf_token(client), "email": email, "password": password}
    return client.post("/merchant/login", data={**data, **extra})


def session_token(client) -> str:
    with client.session_transaction() as cookie_session:
        return cookie_session["_user_id"]


@pytest.fixture
def owner(db):
    staff = make_staff(db, StaffRole.OWNER, email="owner@kassa.test")
    db.commit()
    return staff


def test_login_redirects_to_dashboard(client, owner):
    response = post_login(client, "Owner@Kassa.test ", STAFF_PASSWORD)

    assert response.status_code == 302
    assert response.location == "/merchant/"
    assert client.get("/merchant/").status_code == 200


def test_login_follows_next_inside_back_office(client, owner):
    response = post_login(
        client, owner.email, STAFF_PASSWORD, next="/merchant/settings?tab=1"
    )

    assert response.location == "/merchant/settings?tab=1"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/merchant/",
        "//evil.example/merchant/",
        "/\\evil.example",
        "/pay/poster",
        "/merchantile",
        "javascript:alert(1)",
    ],
)
def test_login_ignores_next_outside_back_office(client, owner, next_url):
    response = post_login(client, owner.email, STAFF_PASSWORD, next=next_url)

    assert response.location == "/merchant/"


def test_wrong_password_and_unknown_email_read_alike(client, owner):
    wrong_password = post_login(client, owner.email, "not the password!")
    unknown_email = post_login(client, "nobody@kassa.test", STAFF_PASSWORD)

    assert wrong_password.status_code == 401
    assert unknown_email.status_code == 401
    assert REJECTED in wrong_password.get_data(as_text=True)
    assert REJECTED in unknown_email.get_data(as_text=True)
    assert client.get("/merchant/").status_code == 302


def test_failed_login_logs_no_password(client, owner, caplog):
    with caplog.at_level(logging.INFO):
        post_login(client, owner.email, "hunter2-but-longer")
        post_login(client, "nobody@kassa.test", "typed-in-wrong-box")

    assert "hunter2-but-longer" not in caplog.text
    assert "typed-in-wrong-box" not in caplog.text
    assert "nobody@kassa.test" not in caplog.text
    assert f"staff sign-in rejected for staff {owner.id}" in caplog.text


def test_missing_fields_get_messages(client):
    response = post_login(client, "", "")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your email address." in page
    assert "Enter your password." in page


def test_login_without_csrf_token_is_rejected(client, owner):
    response = client.post(
        "/merchant/login", data={"email": owner.email, "password": STAFF_PASSWORD}
    )

    assert response.status_code == 400
    assert client.get("/merchant/").status_code == 302


def test_deactivated_staff_cannot_sign_in(client, db):
    make_staff(db, StaffRole.ADMIN, email="gone@kassa.test", active=False)
    db.commit()

    response = post_login(client, "gone@kassa.test", STAFF_PASSWORD)

    assert response.status_code == 401
    assert REJECTED in response.get_data(as_text=True)


def test_each_login_gets_new_session(app, owner):
    first_client, second_client = app.test_client(), app.test_client()
    post_login(first_client, owner.email, STAFF_PASSWORD)
    post_login(second_client, owner.email, STAFF_PASSWORD)

    assert session_token(first_client) != session_token(second_client)


def test_login_again_replaces_old_session(app, client, owner):
    post_login(client, owner.email, STAFF_PASSWORD)
    old_token = session_token(client)
    client.post(
        "/merchant/logout", data={"csrf_token": csrf_token(client, "/merchant/")}
    )

    post_login(client, owner.email, STAFF_PASSWORD)
    new_token = session_token(client)
    replay = app.test_client()
    with replay.session_transaction() as cookie_session:
        cookie_session["_user_id"] = old_token
        cookie_session["_fresh"] = True

    assert new_token != old_token
    assert replay.get("/merchant/").status_code == 302
    assert client.get("/merchant/").status_code == 200


def test_logout_ends_session_on_server(app, client, db, owner):
    post_login(client, owner.email, STAFF_PASSWORD)
    token = session_token(client)
    # A copy of the cookie, as a thief would replay it after sign-out.
    replay = app.test_client()
    with replay.session_transaction() as cookie_session:
        cookie_session["_user_id"] = token
    assert replay.get("/merchant/").status_code == 200

    response = client.post(
        "/merchant/logout", data={"csrf_token": csrf_token(client, "/merchant/")}
    )

    stored = db.scalars(
        select(StaffSession).where(StaffSession.token_hash == hash_token(token))
    ).one()
    db.refresh(stored)
    assert response.status_code == 302
    assert response.location == "/merchant/login"
    assert stored.revoked_at is not None
    assert replay.get("/merchant/").status_code == 302


def test_deactivation_ends_sessions(app, client):
    staff = sign_in(client, StaffRole.SALES)
    owner_client = app.test_client()
    sign_in(owner_client, StaffRole.OWNER)
    assert client.get("/merchant/").status_code == 200

    response = owner_client.post(
        f"/merchant/staff/{staff.id}/deactivate",
        data={"csrf_token": csrf_token(owner_client, "/merchant/")},
    )

    assert response.status_code == 302
    assert client.get("/merchant/").status_code == 302


def test_session_token_stored_only_hashed(client, db, owner):
    post_login(client, owner.email, STAFF_PASSWORD)
    token = session_token(client)

    stored = db.scalars(select(StaffSession)).one()
    assert stored.token_hash == hash_token(token)
    assert token not in stored.token_hash
    assert stored.client_address == "127.0.0.1"


def test_session_cookie_flags(client, owner):
    response = post_login(client, owner.email, STAFF_PASSWORD)

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_htmx_request_gets_401_with_redirect(client):
    response = client.get("/merchant/settings", headers={"HX-Request": "true"})

    assert response.status_code == 401
    assert (
        response.headers["HX-Redirect"] == "/merchant/login?next=%2Fmerchant%2Fsettings"
    )


def test_signed_in_login_page_goes_to_next(client):
    sign_in(client, StaffRole.VIEWER)

    response = client.get("/merchant/login?next=/merchant/account")

    assert response.status_code == 302
    assert response.location == "/merchant/account"


THROTTLED = "Too many failed sign-ins. Wait 15 minutes and try again."


def test_throttle_per_account(client, db, owner):
    make_staff(db, StaffRole.SALES, email="other@kassa.test")
    db.commit()
    for _ in range(5):
        assert post_login(client, owner.email, "wrong password!!").status_code == 401

    blocked = post_login(client, owner.email, STAFF_PASSWORD)
    other_account = post_login(client, "other@kassa.test", STAFF_PASSWORD)

    assert blocked.status_code == 429
    assert THROTTLED in blocked.get_data(as_text=True)
    assert other_account.status_code == 302


def test_throttle_counts_unknown_emails(client):
    for _ in range(5):
        post_login(client, "ghost@kassa.test", "wrong password!!")

    response = post_login(client, "GHOST@kassa.test", "wrong password!!")

    assert response.status_code == 429


def test_throttle_per_address(client, owner):
    for attempt in range(20):
        email = f"guess-{attempt % 5}@kassa.test"
        assert post_login(client, email, "wrong password!!").status_code == 401

    response = post_login(client, owner.email, STAFF_PASSWORD)

    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)


def test_success_clears_account_failures(app, owner):
    client = app.test_client()
    for _ in range(4):
        post_login(client, owner.email, "wrong password!!")
    assert post_login(client, owner.email, STAFF_PASSWORD).status_code == 302
    other = app.test_client()

    for _ in range(4):
        assert post_login(other, owner.email, "wrong password!!").status_code == 401
    assert post_login(other, owner.email, STAFF_PASSWORD).status_code == 302
