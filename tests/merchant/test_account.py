"""My account: changing the password and signing out other sessions."""

import re

from sqlalchemy import select

from portal.models import AuditEvent, StaffRole
from portal.staff.passwords import verify_password
from tests.factories import make_business
from tests.fixtures.staff import STAFF_PASSWORD, csrf_token, sign_in

NEW_PASSWORD = "a brand new passphrase"


def change_password(client, current, new, confirm=None):
    return client.post(
        "/merchant/account/password",
        data={
            "csrf_token": csrf_token(client, "/merchant/account"),
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def test_password_change_signs_out_others(app, client, db):
    staff = sign_in(client, StaffRole.SALES)
    other_device = app.test_client()
    sign_in_again(other_device, staff.email)

    response = change_password(client, STAFF_PASSWORD, NEW_PASSWORD)

    stored = db.merge(staff)
    db.refresh(stored)
    assert response.status_code == 302
    assert verify_password(stored.password_hash, NEW_PASSWORD)
    assert client.get("/merchant/account").status_code == 200
    assert other_device.get("/merchant/account").status_code == 302
    event = db.scalars(select(AuditEvent)).one()
    assert event.action == "password_changed"
    assert event.actor == f"staff:{staff.id}"


def sign_in_again(client, email, password=STAFF_PASSWORD):
    response = client.post(
        "/merchant/login",
        data={"csrf_token": csrf_token(client), "email": email, "password": password},
    )
    assert response.status_code == 302


def test_wrong_current_password(client, db):
    staff = sign_in(client, StaffRole.VIEWER)

    response = change_password(client, "not my password", NEW_PASSWORD)

    stored = db.merge(staff)
    db.refresh(stored)
    assert response.status_code == 422
    assert "The current password is incorrect." in response.get_data(as_text=True)
    assert verify_password(stored.password_hash, STAFF_PASSWORD)


def test_short_new_password(client):
    sign_in(client, StaffRole.VIEWER)

    response = change_password(client, STAFF_PASSWORD, "too short")

    assert response.status_code == 422
    assert "use at least 12 characters" in response.get_data(as_text=True)


def test_mismatched_confirmation(client):
    sign_in(client, StaffRole.VIEWER)

    response = change_password(client, STAFF_PASSWORD, NEW_PASSWORD, "something else")

    assert response.status_code == 422
    assert "The two new passwords differ" in response.get_data(as_text=True)


def test_same_new_password_rejected(client, db):
    staff = sign_in(client, StaffRole.VIEWER)

    response = change_password(client, STAFF_PASSWORD, STAFF_PASSWORD)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The new password is the same as the current one" in page
    assert db.scalars(select(AuditEvent)).all() == []
    assert staff.email in client.get("/merchant/account").get_data(as_text=True)


def test_sign_out_other_sessions(app, client):
    staff = sign_in(client, StaffRole.ADMIN)
    other_device = app.test_client()
    sign_in_again(other_device, staff.email)

    response = client.post(
        "/merchant/account/sessions/revoke-others",
        data={"csrf_token": csrf_token(client, "/merchant/account")},
    )

    assert response.status_code == 302
    assert "1 other session signed out." in client.get("/merchant/account").get_data(
        as_text=True
    )
    assert other_device.get("/merchant/").status_code == 302


def test_sessions_in_business_zone(client, db):
    make_business(db, timezone="Europe/Helsinki")
    db.commit()
    sign_in(client, StaffRole.VIEWER)

    page = client.get("/merchant/account").get_data(as_text=True)

    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d EES?T", page)
    assert " UTC" not in page
