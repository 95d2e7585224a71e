"""Server-side sign-in sessions: lookup, idle timeout, revocation."""

from datetime import UTC, datetime

from portal.models import StaffRole
from portal.staff.sessions import (
    IDLE_TIMEOUT,
    find_session,
    revoke_all_sessions,
    revoke_session,
    start_session,
)
from tests.fixtures.staff import make_staff

NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


def start(db, staff, now=NOW):
    return start_session(db, staff, now=now, client_address="10.0.0.1", user_agent="t")


def test_tokens_differ_per_sign_in(app, db):
    staff = make_staff(db, StaffRole.SALES)

    first, second = start(db, staff), start(db, staff)

    assert first != second
    assert find_session(db, first, NOW).staff is staff
    assert find_session(db, second, NOW).staff is staff


def test_idle_session_expires(app, db):
    staff = make_staff(db, StaffRole.SALES)
    token = start(db, staff)

    assert find_session(db, token, NOW + IDLE_TIMEOUT) is not None
    assert find_session(db, token, NOW + IDLE_TIMEOUT * 2) is None


def test_inactive_staff_has_no_session(app, db):
    staff = make_staff(db, StaffRole.SALES)
    token = start(db, staff)

    staff.active = False

    assert find_session(db, token, NOW) is None


def test_revoke_one_session(app, db):
    staff = make_staff(db, StaffRole.SALES)
    kept, revoked = start(db, staff), start(db, staff)

    revoke_session(db, revoked, NOW)

    assert find_session(db, revoked, NOW) is None
    assert find_session(db, kept, NOW) is not None


def test_revoke_all_but_current(app, db):
    staff = make_staff(db, StaffRole.SALES)
    current = start(db, staff)
    others = [start(db, staff), start(db, staff)]

    ended = revoke_all_sessions(db, staff, NOW, keep_token=current)

    db.expire_all()
    assert ended == 2
    assert find_session(db, current, NOW) is not None
    assert all(find_session(db, token, NOW) is None for token in others)


def test_unknown_token_has_no_session(app, db):
    assert find_session(db, "not-a-token", NOW) is None
