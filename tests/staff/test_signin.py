"""Checking credentials and starting a session, without a request."""

from datetime import UTC, datetime

import pytest

from portal.models import StaffRole
from portal.staff import passwords
from portal.staff.signin import Outcome, sign_in
from portal.staff.throttle import SignInThrottle
from tests.fixtures.staff import STAFF_PASSWORD, make_staff

NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def throttle():
    return SignInThrottle("memory://", "5 per 15 minutes", "20 per 15 minutes")


def attempt(db, throttle, email, password, address="10.0.0.1"):
    return sign_in(
        db,
        throttle,
        email=email,
        password=password,
        client_address=address,
        user_agent="test",
        now=NOW,
    )


def test_sign_in_records_last_login(app, db, throttle):
    staff = make_staff(db, StaffRole.SALES, email="ann@kassa.test")

    result = attempt(db, throttle, "ANN@kassa.test", STAFF_PASSWORD)

    assert result.outcome is Outcome.SIGNED_IN
    assert result.staff is staff
    assert result.token == staff.session_token
    assert staff.last_login_at == NOW


def test_old_parameters_rehashed_at_sign_in(app, db, throttle):
    staff = make_staff(db, StaffRole.SALES, email="ann@kassa.test")
    cheap_hash = staff.password_hash
    passwords.use_profile(passwords.DEFAULT_PROFILE)
    try:
        result = attempt(db, throttle, "ann@kassa.test", STAFF_PASSWORD)
    finally:
        passwords.use_profile("CHEAPEST")

    assert result.outcome is Outcome.SIGNED_IN
    assert staff.password_hash != cheap_hash
    assert staff.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_throttled_attempt_checks_no_password(app, db, throttle):
    make_staff(db, StaffRole.SALES, email="ann@kassa.test")
    for _ in range(5):
        attempt(db, throttle, "ann@kassa.test", "wrong password!")

    result = attempt(db, throttle, "ann@kassa.test", STAFF_PASSWORD)

    assert result.outcome is Outcome.THROTTLED
    assert result.staff is None
