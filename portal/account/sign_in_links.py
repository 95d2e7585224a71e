"""Emailed sign-in links of the account area: requesting, limiting and redeeming.

A link's token reaches only the customer's inbox; the table keeps its SHA-256
digest. A request for an unknown email address does the same work as one for
a known address, except that nothing is stored for it but the request row and
no email is sent, so neither the response nor its timing reveals who is a
customer.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from limits import RateLimitItem, parse
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.models import Contact, CustomerSignInLink, CustomerSignInRequest

logger = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=15)
# A second request for the same address within this time sends no second
# email, so a double submit of the form ends in one link.
REPEAT_WINDOW = timedelta(seconds=60)


def digest(value: str) -> str:
    """Return the SHA-256 hex digest that the tables store for a token or email."""
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """How many link requests an email address and a client address may make.

    Each is in Flask-Limiter's notation, such as "5 per 15 minutes", and is
    counted over the request rows in a moving window.
    """

    per_email: str
    per_address: str

    def windows(self) -> tuple[RateLimitItem, RateLimitItem]:
        return parse(self.per_email), parse(self.per_address)

    @property
    def wait_minutes(self) -> int:
        """Minutes after which the longer of the two windows has moved on."""
        seconds = max(item.get_expiry() for item in self.windows())
        return -(-seconds // 60)


class RequestOutcome(StrEnum):
    ACCEPTED = "accepted"  # a link was sent if the email belongs to a contact
    THROTTLED = "throttled"


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """The result of a link request: the link's token only when one is to be sent."""

    outcome: RequestOutcome
    contact: Contact | None = None
    token: str | None = None


def request_link(
    session: Session,
    limits: SignInLimits,
    *,
    email: str,
    client_address: str,
    now: datetime,
) -> LinkRequest:
    """Record a request for a sign-in link and create the link for a known contact.

    Returns a token to email unless the request is throttled, the address
    belongs to no contact, or a link went to it within ``REPEAT_WINDOW``.
    The caller commits.
    """
    address = normalize_email(email)
    email_digest = digest(address)
    if _throttled(session, limits, email_digest, client_address, now):
        logger.warning("account sign-in link throttled for client %s", client_address)
        return LinkRequest(RequestOutcome.THROTTLED)

    session.add(
        CustomerSignInRequest(
            email_digest=email_digest, client_address=client_address, created_at=now
        )
    )
    token = secrets.token_urlsafe(32)
    link = CustomerSignInLink(
        token_hash=digest(token),
        created_at=now,
        expires_at=now + LINK_LIFETIME,
        client_address=client_address,
    )
    contact = session.scalars(select(Contact).where(Contact.email == address)).first()
    if contact is None or _sent_recently(session, contact, now):
        session.flush()
        return LinkRequest(RequestOutcome.ACCEPTED)

    link.contact_id = contact.id
    session.add(link)
    session.flush()
    logger.info("account sign-in link %s created for contact %s", link.id, contact.id)
    return LinkRequest(RequestOutcome.ACCEPTED, contact, token)


def _throttled(
    session: Session,
    limits: SignInLimits,
    email_digest: str,
    client_address: str,
    now: datetime,
) -> bool:
    per_email, per_address = limits.windows()
    email_count = _requests_since(
        session,
        CustomerSignInRequest.email_digest == email_digest,
        now - timedelta(seconds=per_email.get_expiry()),
    )
    address_count = _requests_since(
        session,
        CustomerSignInRequest.client_address == client_address,
        now - timedelta(seconds=per_address.get_expiry()),
    )
    return email_count >= per_email.amount or address_count >= per_address.amount


def _requests_since(session: Session, condition, since: datetime) -> int:
    return session.scalar(
        select(func.count(CustomerSignInRequest.id)).where(
            condition, CustomerSignInRequest.created_at > since
        )
    )


def _sent_recently(session: Session, contact: Contact, now: datetime) -> bool:
    return (
        session.scalar(
            select(func.count(CustomerSignInLink.id)).where(
                CustomerSignInLink.contact_id == contact.id,
                CustomerSignInLink.used_at.is_(None),
                CustomerSignInLink.created_at > now - REPEAT_WINDOW,
            )
        )
        > 0
    )


class LinkState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


def find_link(
    session: Session, token: str, now: datetime
) -> tuple[LinkState, CustomerSignInLink | None]:
    """Look up a link by its token and tell whether it can still sign in."""
    link = session.scalars(
        select(CustomerSignInLink).where(CustomerSignInLink.token_hash == digest(token))
    ).first()
    if link is None:
        return LinkState.UNKNOWN, None
    if link.used_at is not None:
        return LinkState.USED, link
    if link.expires_at <= now:
        return LinkState.EXPIRED, link
    return LinkState.VALID, link


def use_link(session: Session, link: CustomerSignInLink, now: datetime) -> bool:
    """Mark the link used, unless another request used it first or it expired.

    One conditional UPDATE decides, so two concurrent submits of one link
    start one session. The caller commits.
    """
    result = session.execute(
        update(CustomerSignInLink)
        .where(
            CustomerSignInLink.id == link.id,
            CustomerSignInLink.used_at.is_(None),
            CustomerSignInLink.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
