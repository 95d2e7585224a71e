"""Staff accounts: creation, roles, deactivation and the last active owner."""

import pytest

from portal.models import StaffRole
from portal.staff.accounts import (
    EmailTaken,
    InvalidEmail,
    LastOwner,
    StaffError,
    change_role,
    create_staff,
    deactivate,
    find_staff_by_email,
    parse_role,
)
from portal.staff.passwords import WeakPassword
from tests.fixtures.staff import STAFF_PASSWORD, make_staff


def test_email_stored_lower_case(app, db):
    staff = create_staff(
        db, email=" Ann@Example.COM ", password=STAFF_PASSWORD, role=StaffRole.SALES
    )

    assert staff.email == "ann@example.com"
    assert find_staff_by_email(db, "ANN@example.com") is staff


def test_taken_email_is_rejected(app, db):
    make_staff(db, email="ann@example.com")

    with pytest.raises(EmailTaken, match=r"ann@example\.com already exists"):
        create_staff(
            db, email="Ann@example.com", password=STAFF_PASSWORD, role=StaffRole.VIEWER
        )


def test_invalid_email_is_rejected(app, db):
    with pytest.raises(InvalidEmail, match="Enter a valid email address"):
        create_staff(db, email="ann", password=STAFF_PASSWORD, role=StaffRole.VIEWER)


def test_short_password_is_rejected(app, db):
    with pytest.raises(WeakPassword, match="at least 12 characters"):
        create_staff(
            db, email="ann@example.com", password="short", role=StaffRole.VIEWER
        )

    assert find_staff_by_email(db, "ann@example.com") is None


def test_unknown_role_lists_roles():
    with pytest.raises(StaffError, match="owner, admin, sales, viewer"):
        parse_role("boss")


def test_last_owner_cannot_be_demoted(app, db):
    owner = make_staff(db, StaffRole.OWNER)

    with pytest.raises(LastOwner):
        change_role(db, owner, StaffRole.ADMIN)

    assert owner.role is StaffRole.OWNER


def test_last_owner_cannot_be_deactivated(app, db):
    owner = make_staff(db, StaffRole.OWNER)
    make_staff(db, StaffRole.OWNER, active=False)  # an inactive owner does not count

    with pytest.raises(LastOwner):
        deactivate(db, owner)

    assert owner.active


def test_owner_deactivated_when_another_exists(app, db):
    owner = make_staff(db, StaffRole.OWNER)
    make_staff(db, StaffRole.OWNER)

    deactivate(db, owner)

    assert not owner.active
