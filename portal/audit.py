"""The audit trail of money state changes."""

from sqlalchemy.orm import Session

from portal.models import AuditEvent


def record(
    session: Session,
    *,
    subject_type: str,
    subject_id: int,
    action: str,
    actor: str,
    from_state: str | None = None,
    to_state: str | None = None,
    client_address: str | None = None,
    details: dict[str, str] | None = None,
) -> AuditEvent:
    """Add an audit row to the session; it is written with the caller's commit."""
    event = AuditEvent(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        client_address=client_address,
        details=details or {},
    )
    session.add(event)
    return event
