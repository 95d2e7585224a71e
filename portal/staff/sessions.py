"""Server-side sign-in sessions: each sign-in gets a new random token.

The browser's session cookie carries the token; the table stores only its
SHA-256 digest. A session ends when it is revoked (sign-out, deactivation,
"sign out other sessions") or after ``IDLE_TIMEOUT`` without a request.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.models import Staff, StaffSession

IDLE_TIMEOUT = timedelta(hours=12)
# last_seen_at is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_USER_AGENT_LENGTH = 300


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session,
    staff: Staff,
    *,
    now: datetime,
    client_address: str | None,
    user_agent: str | None,
) -> str:
    """Add a sign-in session for ``staff`` and return its token."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=hash_token(token),
            staff_id=staff.id,
            created_at=now,
            last_seen_at=now,
            client_address=client_address,
            user_agent=(user_agent or "")[:MAX_USER_AGENT_LENGTH] or None,
        )
    )
    session.flush()
    staff.session_token = token
    return token


def find_session(session: Session, token: str, now: datetime) -> StaffSession | None:
    """Return the live session of ``token``: not revoked, not idle, staff active."""
    found = session.scalars(
        select(StaffSession).where(
            StaffSession.token_hash == hash_token(token),
            StaffSession.revoked_at.is_(None),
        )
    ).first()
    if found is None or not found.staff.active:
        return None
    if now - found.last_seen_at > IDLE_TIMEOUT:
        return None
    return found


def needs_touch(found: StaffSession, now: datetime) -> bool:
    return now - found.last_seen_at >= TOUCH_INTERVAL


def revoke_session(session: Session, token: str, now: datetime) -> None:
    session.execute(
        update(StaffSession)
        .where(
            StaffSession.token_hash == hash_token(token),
            StaffSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def revoke_all_sessions(
    session: Session, staff: Staff, now: datetime, *, keep_token: str | None = None
) -> int:
    """Revoke the live sessions of ``staff`` but ``keep_token``'s; return the count."""
    statement = update(StaffSession).where(
        StaffSession.staff_id == staff.id, StaffSession.revoked_at.is_(None)
    )
    if keep_token is not None:
        statement = statement.where(StaffSession.token_hash != hash_token(keep_token))
    result = session.execute(
        statement.values(revoked_at=now).execution_options(synchronize_session=False)
    )
    return result.rowcount
