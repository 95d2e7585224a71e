"""Server-side sessions of signed-in customers.

The browser's cookie carries a random token; ``customer_sessions`` stores
only its SHA-256 digest. A session ends at sign-out, at ``expires_at``, or
after ``IDLE_TIMEOUT`` without a request. Signing in again starts another
session and leaves the others as they are.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.account.sign_in_links import digest
from portal.models import Contact, CustomerSession

SESSION_LIFETIME = timedelta(days=30)
IDLE_TIMEOUT = timedelta(days=7)
# last_seen_at is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(minutes=5)


def start_session(session: Session, contact: Contact, now: datetime) -> str:
    """Add a session for ``contact`` and return its token. The caller commits."""
    token = secrets.token_urlsafe(32)
    session.add(
        CustomerSession(
            contact_id=contact.id,
            token_hash=digest(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return token


def find_session(session: Session, token: str, now: datetime) -> CustomerSession | None:
    """Return the live session of ``token``: not revoked, not expired, not idle."""
    found = session.scalars(
        select(CustomerSession).where(
            CustomerSession.token_hash == digest(token),
            CustomerSession.revoked_at.is_(None),
        )
    ).first()
    if found is None or found.expires_at <= now:
        return None
    if now - found.last_seen_at > IDLE_TIMEOUT:
        return None
    return found


def needs_touch(found: CustomerSession, now: datetime) -> bool:
    return now - found.last_seen_at >= TOUCH_INTERVAL


def revoke_session(session: Session, token: str, now: datetime) -> None:
    """End the session of ``token``; nothing happens when it already ended."""
    session.execute(
        update(CustomerSession)
        .where(
            CustomerSession.token_hash == digest(token),
            CustomerSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
