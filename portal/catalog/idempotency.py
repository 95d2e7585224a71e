"""Creating a record once per form, however often the form is submitted.

Each create form carries a random key in a hidden field. The audit row that
records the creation keeps the key in its details, so a second submit of the
same form finds the first record instead of adding another.
"""

import re
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Business

KEY_DETAIL = "idempotency_key"
CREATED = "created"
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_key() -> str:
    return secrets.token_urlsafe(24)


def valid_key(key: str | None) -> bool:
    return bool(key) and _KEY.fullmatch(key) is not None


def serialize_creates(session: Session) -> None:
    """Make concurrent creates wait for each other until the caller's commit.

    The no-op UPDATE of the business row takes that row's lock on PostgreSQL
    and the database's write lock on SQLite, so the look-up in
    ``find_created`` that follows reads every create committed before it.
    """
    session.execute(
        update(Business).values(currency=Business.currency),
        execution_options={"synchronize_session": False},
    )


def find_created(session: Session, subject_type: str, key: str) -> int | None:
    """Return the id of the record created with ``key``, if any."""
    return session.scalars(
        select(AuditEvent.subject_id)
        .where(
            AuditEvent.subject_type == subject_type,
            AuditEvent.action == CREATED,
            AuditEvent.details[KEY_DETAIL].as_string() == key,
        )
        .limit(1)
    ).first()
