"""Checking a staff member's email and password and starting their session."""

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from portal.models import Staff
from portal.staff.accounts import find_staff_by_email, normalize_email
from portal.staff.passwords import (
    hash_password,
    needs_rehash,
    spend_verification_time,
    verify_password,
)
from portal.staff.sessions import start_session
from portal.staff.throttle import SignInThrottle

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    REJECTED = "rejected"  # unknown email, wrong password or deactivated
    THROTTLED = "throttled"


@dataclass(frozen=True, slots=True)
class SignInResult:
    outcome: Outcome
    staff: Staff | None = None
    token: str | None = None


def sign_in(
    session: Session,
    throttle: SignInThrottle,
    *,
    email: str,
    password: str,
    client_address: str,
    user_agent: str | None,
    now: datetime,
) -> SignInResult:
    """Check the credentials and, if they match an active staff member, start a session.

    An unknown email costs one password verification like a known one, and
    both are rejected alike, so neither the response nor its timing tells
    which emails belong to staff. A throttled attempt checks no password.
    The caller commits.
    """
    account = normalize_email(email)
    if throttle.is_blocked(account, client_address):
        logger.warning("staff sign-in throttled for client %s", client_address)
        return SignInResult(Outcome.THROTTLED)

    staff = find_staff_by_email(session, account)
    if staff is None:
        spend_verification_time(password)
        matches = False
    else:
        matches = verify_password(staff.password_hash, password)

    if staff is None or not matches or not staff.active:
        throttle.record_failure(account, client_address)
        staff_id = staff.id if staff is not None else None
        logger.warning(
            "staff sign-in rejected for staff %s from client %s",
            staff_id,
            client_address,
        )
        return SignInResult(Outcome.REJECTED)

    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    staff.last_login_at = now
    token = start_session(
        session, staff, now=now, client_address=client_address, user_agent=user_agent
    )
    throttle.clear_account(account)
    logger.info("staff %s signed in from client %s", staff.id, client_address)
    return SignInResult(Outcome.SIGNED_IN, staff, token)
