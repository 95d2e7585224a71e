"""Publishing a quote: approval, number, content digest, lock; extending its validity.

Publishing fixes the quote's content. The SHA-256 digest of its canonical
content is stored on the quote and recorded in the "published" event, and
every signature later stores the digest it signed.
"""

import logging
from datetime import date

from sqlalchemy.orm import Session

from portal.businesses import get_business
from portal.database import now_utc
from portal.invoices.status import local_today
from portal.locking import lock_row
from portal.models import Quote, QuoteStatus, Staff
from portal.quotes.approval import APPROVER_ROLES, needs_approval
from portal.quotes.building import MAX_VALID_DAYS
from portal.quotes.consent import CONSENT_VERSION
from portal.quotes.content import content_digest
from portal.quotes.errors import QuoteError, QuoteStateError
from portal.quotes.evidence import append_event
from portal.sequences import next_number

logger = logging.getLogger(__name__)

# Statuses whose expiration date staff may move: still open for signatures.
EXTENDABLE_STATUSES = frozenset(
    {
        QuoteStatus.PUBLISHED,
        QuoteStatus.VIEWED,
        QuoteStatus.SIGNED,
        QuoteStatus.EXPIRED,
    }
)


def publish_quote(
    session: Session, quote: Quote, *, actor: str, client_address: str | None = None
) -> Quote:
    """Publish a draft, or send it for approval when it needs one, and commit.

    Raises ``QuoteStateError`` unless the quote is a draft, and ``QuoteError``
    when its expiration date or an instalment's fixed due date has passed.
    """
    lock_row(session, Quote, quote.id)
    session.refresh(quote)
    if quote.status is not QuoteStatus.DRAFT:
        raise QuoteStateError(
            f"Only a draft can be published; this quote is "
            f"{_status_text(quote.status)}."
        )
    business = get_business(session)
    _check_dates(quote, local_today(now_utc(), business.timezone))

    if needs_approval(business, quote):
        quote.status = QuoteStatus.PENDING_APPROVAL
        append_event(session, quote, "submitted_for_approval", actor, client_address)
        session.commit()
        logger.info("quote %s waits for approval", quote.id)
        return quote

    _publish(session, quote, actor, client_address)
    session.commit()
    return quote


def approve_quote(
    session: Session,
    quote: Quote,
    staff: Staff,
    *,
    client_address: str | None = None,
) -> Quote:
    """Approve a quote waiting for approval and publish it, and commit.

    Raises ``QuoteStateError`` when the quote waits for no approval or
    ``staff`` is neither an owner nor an admin.
    """
    if staff.role not in APPROVER_ROLES:
        raise QuoteStateError("Only an owner or an admin can approve a quote.")
    lock_row(session, Quote, quote.id)
    session.refresh(quote)
    if quote.status is not QuoteStatus.PENDING_APPROVAL:
        raise QuoteStateError(
            f"The quote is {_status_text(quote.status)}, not waiting for approval."
        )
    business = get_business(session)
    _check_dates(quote, local_today(now_utc(), business.timezone))

    actor = f"staff:{staff.id}"
    quote.approved_by = actor
    quote.approved_at = now_utc()
    quote.status = QuoteStatus.DRAFT
    append_event(session, quote, "approved", actor, client_address)
    _publish(session, quote, actor, client_address)
    session.commit()
    return quote


def extend_expiry(
    session: Session,
    quote: Quote,
    expires_on: date,
    *,
    actor: str,
    client_address: str | None = None,
) -> Quote:
    """Move a published quote's expiration date later, and commit.

    An expired quote opens again for signatures. The content digest does not
    cover the expiration date, so signatures already given stay valid.
    """
    lock_row(session, Quote, quote.id)
    session.refresh(quote)
    if quote.status not in EXTENDABLE_STATUSES:
        raise QuoteStateError(
            f"The quote is {_status_text(quote.status)}, so its expiration date "
            "cannot change."
        )
    business = get_business(session)
    today = local_today(now_utc(), business.timezone)
    if expires_on <= quote.expires_on or expires_on < today:
        latest = max(quote.expires_on, today)
        raise QuoteError(
            f"Choose an expiration date after {latest.isoformat()}.", "expires_on"
        )
    if (expires_on - today).days > MAX_VALID_DAYS:
        raise QuoteError(
            f"Choose an expiration date at most {MAX_VALID_DAYS} days ahead.",
            "expires_on",
        )

    previous = quote.expires_on
    quote.expires_on = expires_on
    if quote.status is QuoteStatus.EXPIRED:
        quote.status = (
            QuoteStatus.VIEWED if quote.viewed_at is not None else QuoteStatus.PUBLISHED
        )
    append_event(
        session,
        quote,
        "expiry_extended",
        actor,
        client_address,
        details={"from": previous.isoformat(), "to": expires_on.isoformat()},
    )
    session.commit()
    logger.info("quote %s expiry extended", quote.id)
    return quote


def _publish(
    session: Session, quote: Quote, actor: str, client_address: str | None
) -> None:
    if quote.number is None:
        quote.number = next_number(session, "quote")
    quote.consent_version = CONSENT_VERSION
    quote.published_at = now_utc()
    quote.content_digest = content_digest(quote)
    quote.status = QuoteStatus.PUBLISHED
    append_event(
        session,
        quote,
        "published",
        actor,
        client_address,
        details={
            "number": quote.number,
            "version": quote.version,
            "content_digest": quote.content_digest,
            "total": quote.order.total,
            "currency": quote.currency,
        },
    )
    logger.info("quote %s published", quote.id)


def _check_dates(quote: Quote, today: date) -> None:
    """Raise ``QuoteError`` when the expiration date or a fixed due date has passed.

    A draft saved with valid dates may be published days later.
    """
    if quote.expires_on < today:
        raise QuoteError(
            f"The expiration date {quote.expires_on.isoformat()} has passed. "
            "Edit the quote and choose a later date.",
            "expires_on",
        )
    for instalment in quote.instalments:
        if instalment.due_on is not None and instalment.due_on < today:
            raise QuoteError(
                f"Instalment {instalment.position + 1} is due on "
                f"{instalment.due_on.isoformat()}, which has passed. Edit the "
                "quote and choose a later due date.",
                "instalments",
            )


def _status_text(status: QuoteStatus) -> str:
    return status.value.replace("_", " ")
