"""The signed-in staff member of the current request, for views and audit rows."""

from flask_login import current_user
from sqlalchemy.orm import Session

from portal import audit
from portal.extensions import client_address
from portal.models import AuditEvent, Staff


def current_staff() -> Staff:
    """Return the signed-in staff member; only call it behind ``@requires``."""
    staff = current_user._get_current_object()
    if not isinstance(staff, Staff):
        raise RuntimeError("no staff member is signed in")
    return staff


def staff_actor(staff: Staff) -> str:
    """Return the audit actor string of a staff member, such as ``staff:3``."""
    return f"staff:{staff.id}"


def record_staff_action(
    session: Session,
    *,
    subject_type: str,
    subject_id: int,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    details: dict[str, str] | None = None,
) -> AuditEvent:
    """Add an audit row naming the signed-in staff member and the client address."""
    return audit.record(
        session,
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        actor=staff_actor(current_staff()),
        from_state=from_state,
        to_state=to_state,
        client_address=client_address(),
        details=details,
    )
