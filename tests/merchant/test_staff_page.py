"""The Staff page: adding staff, changing roles, deactivating, the last owner."""

import re

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Staff, StaffRole
from tests.factories import make_business
from tests.fixtures.staff import STAFF_PASSWORD, csrf_token, make_staff, sign_in


@pytest.fixture
def owner(client):
    return sign_in(client, StaffRole.OWNER)


def post(client, path, **data):
    token = csrf_token(client, "/merchant/account")
    return client.post(path, data={"csrf_token": token, **data})


def audit_actions(db, staff_id):
    return [
        event.action
        for event in db.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "staff")
            .where(AuditEvent.subject_id == staff_id)
            .order_by(AuditEvent.id)
        )
    ]


INITIAL_PASSWORD = "first-day-password"


def add_staff(client, **fields):
    data = {
        "role": "sales",
        "password": INITIAL_PASSWORD,
        "confirm_password": INITIAL_PASSWORD,
        **fields,
    }
    return post(client, "/merchant/staff", **data)


def test_add_staff_redirects_with_flash(app, client, db, owner):
    response = add_staff(client, email="New@Kassa.test", name="Nina")

    added = db.scalars(select(Staff).where(Staff.email == "new@kassa.test")).one()
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/merchant/staff")
    page = client.get("/merchant/staff").get_data(as_text=True)
    assert "Added new@kassa.test as sales." in page
    assert added.role is StaffRole.SALES
    assert added.name == "Nina"
    assert sign_in_works(app, "new@kassa.test", INITIAL_PASSWORD)
    assert audit_actions(db, added.id) == ["staff_created"]


def test_add_staff_keeps_password_out_of_session(client, db, owner):
    response = add_staff(client, email="quiet@kassa.test")

    cookies = "".join(response.headers.getlist("Set-Cookie"))
    assert response.status_code == 303
    assert INITIAL_PASSWORD not in cookies
    with client.session_transaction() as session:
        assert INITIAL_PASSWORD not in repr(dict(session))


def sign_in_works(app, email, password) -> bool:
    other = app.test_client()
    response = other.post(
        "/merchant/login",
        data={"csrf_token": csrf_token(other), "email": email, "password": password},
    )
    return response.status_code == 302


def test_add_staff_twice_is_rejected(client, db, owner):
    add_staff(client, email="twice@kassa.test", role="viewer")

    response = add_staff(client, email="twice@kassa.test", role="admin")

    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    rows = db.scalars(select(Staff).where(Staff.email == "twice@kassa.test")).all()
    assert [row.role for row in rows] == [StaffRole.VIEWER]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email", "role": "sales"}, "Enter a valid email address"),
        ({"email": "", "role": "sales"}, "Enter the email address."),
        ({"email": "x@kassa.test", "role": "boss"}, "Choose a role from the list."),
        ({"email": "x@kassa.test", "password": "short"}, "at least 12 characters"),
        (
            {"email": "x@kassa.test", "confirm_password": "something-else"},
            "The two passwords differ",
        ),
        ({"email": "x@kassa.test", "password": ""}, "Enter an initial password."),
        ({"email": "x@kassa.test", "name": "n" * 201}, "The name can be at most"),
    ],
)
def test_add_staff_bad_input(client, db, owner, data, message):
    before = db.scalars(select(Staff)).all()

    response = add_staff(client, **data)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert len(db.scalars(select(Staff)).all()) == len(before)


def test_change_role_is_audited(client, db, owner):
    member = make_staff(db, StaffRole.VIEWER)
    db.commit()

    response = post(client, f"/merchant/staff/{member.id}/role", role="admin")

    db.refresh(member)
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "role_changed")
    ).one()
    assert response.status_code == 302
    assert member.role is StaffRole.ADMIN
    assert event.actor == f"staff:{owner.id}"
    assert event.client_address == "127.0.0.1"
    assert (event.from_state, event.to_state) == ("viewer", "admin")


def test_last_owner_cannot_be_demoted(client, db, owner):
    response = post(client, f"/merchant/staff/{owner.id}/role", role="admin")

    stored = db.get(Staff, owner.id)
    assert response.status_code == 409
    assert "last active owner" in response.get_data(as_text=True)
    assert stored.role is StaffRole.OWNER


def test_owner_demoted_when_another_exists(client, db, owner):
    make_staff(db, StaffRole.OWNER)
    db.commit()

    response = post(client, f"/merchant/staff/{owner.id}/role", role="admin")

    assert response.status_code == 302
    assert db.get(Staff, owner.id).role is StaffRole.ADMIN
    assert client.get("/merchant/staff").status_code == 403


def test_owner_cannot_deactivate_self(client, db, owner):
    response = post(client, f"/merchant/staff/{owner.id}/deactivate")

    assert response.status_code == 409
    assert "cannot deactivate yourself" in response.get_data(as_text=True)
    assert db.get(Staff, owner.id).active


def test_deactivate_and_reactivate(app, client, db, owner):
    member = make_staff(db, StaffRole.OWNER, email="second@kassa.test")
    db.commit()

    deactivated = post(client, f"/merchant/staff/{member.id}/deactivate")
    again = post(client, f"/merchant/staff/{member.id}/deactivate")
    db.refresh(member)
    assert deactivated.status_code == 302
    assert again.status_code == 302
    assert not member.active
    assert not sign_in_works(app, "second@kassa.test", STAFF_PASSWORD)

    reactivated = post(client, f"/merchant/staff/{member.id}/reactivate")
    db.refresh(member)
    assert reactivated.status_code == 302
    assert member.active
    assert sign_in_works(app, "second@kassa.test", STAFF_PASSWORD)
    assert audit_actions(db, member.id) == ["deactivated", "reactivated"]


def test_unknown_staff_member_is_404(client, owner):
    response = post(client, "/merchant/staff/999999/deactivate")

    assert response.status_code == 404


def test_last_sign_in_in_business_zone(client, db, owner):
    make_business(db, timezone="Europe/Helsinki")
    db.commit()

    page = client.get("/merchant/staff").get_data(as_text=True)

    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d EES?T", page)
    assert " UTC<" not in page
