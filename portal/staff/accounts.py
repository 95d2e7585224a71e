"""Creating staff members, changing their role or password, and deactivating them."""

import logging

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.database import now_utc
from portal.models import Staff, StaffRole
from portal.staff.passwords import check_new_password, hash_password
from portal.staff.sessions import revoke_all_sessions

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 200


class StaffError(ValueError):
    """A change to staff that is not allowed; the message says why and what to do."""


class InvalidEmail(StaffError):
    pass


class EmailTaken(StaffError):
    pass


class LastOwner(StaffError):
    pass


def normalize_email(email: str) -> str:
    """Return the lower-cased form under which an email is stored and looked up."""
    return email.strip().lower()


def parse_role(value: str) -> StaffRole:
    """Return the role named ``value``, or raise StaffError listing the roles."""
    try:
        return StaffRole(value.strip().lower())
    except ValueError:
        roles = ", ".join(role.value for role in StaffRole)
        raise StaffError(f"Unknown role {value!r}: choose one of {roles}.") from None


def validated_email(email: str) -> str:
    """Return ``email`` normalized, or raise InvalidEmail.

    Reserved test domains such as ``.test`` are allowed, because a staff
    email is a sign-in name and the back office sends no mail to it.
    """
    try:
        result = validate_email(
            email.strip(), check_deliverability=False, test_environment=True
        )
    except EmailNotValidError:
        raise InvalidEmail(
            "Enter a valid email address, such as name@example.com."
        ) from None
    return normalize_email(result.normalized)


def find_staff_by_email(session: Session, email: str) -> Staff | None:
    return session.scalars(
        select(Staff).where(Staff.email == normalize_email(email))
    ).first()


def create_staff(
    session: Session,
    *,
    email: str,
    password: str,
    role: StaffRole,
    name: str = "",
) -> Staff:
    """Add an active staff member and flush it.

    Raises InvalidEmail, EmailTaken, StaffError for a name that is too long,
    or WeakPassword, before anything is written.
    """
    email = validated_email(email)
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise StaffError(
            f"The name is too long: use at most {MAX_NAME_LENGTH} characters."
        )
    check_new_password(password)
    if find_staff_by_email(session, email) is not None:
        raise EmailTaken(f"A staff member with the email {email} already exists.")

    staff = Staff(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        active=True,
    )
    try:
        with session.begin_nested():
            session.add(staff)
            session.flush()
    except IntegrityError:
        # Another request added the same email between the check and the insert.
        raise EmailTaken(
            f"A staff member with the email {email} already exists."
        ) from None
    logger.info("staff member %s created with role %s", staff.id, role.value)
    return staff


def set_password(session: Session, staff: Staff, password: str) -> None:
    """Replace the staff member's password, or raise WeakPassword."""
    check_new_password(password)
    staff.password_hash = hash_password(password)
    session.flush()


def change_role(session: Session, staff: Staff, role: StaffRole) -> None:
    """Give ``staff`` a new role, or raise LastOwner if no active owner would remain."""
    if staff.role is StaffRole.OWNER and role is not StaffRole.OWNER:
        _ensure_another_owner(session, staff)
    staff.role = role
    session.flush()


def deactivate(session: Session, staff: Staff) -> int:
    """Deactivate ``staff`` and end their sessions; return how many were ended.

    Raises LastOwner if ``staff`` is the last active owner.
    """
    if staff.role is StaffRole.OWNER and staff.active:
        _ensure_another_owner(session, staff)
    staff.active = False
    ended = revoke_all_sessions(session, staff, now_utc())
    session.flush()
    return ended


def reactivate(session: Session, staff: Staff) -> None:
    staff.active = True
    session.flush()


def _ensure_another_owner(session: Session, staff: Staff) -> None:
    """Raise LastOwner unless an active owner other than ``staff`` exists.

    The owners' rows are locked on PostgreSQL, so two owners demoting each
    other at the same moment cannot both succeed. SQLite allows one writer
    at a time, which has the same effect.
    """
    others = session.scalars(
        select(Staff.id)
        .where(
            Staff.role == StaffRole.OWNER,
            Staff.active.is_(True),
            Staff.id != staff.id,
        )
        .with_for_update()
    ).all()
    if not others:
        raise LastOwner(
            "This is the last active owner. Make another staff member an owner first."
        )
