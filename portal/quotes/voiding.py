"""Withdrawing a quote: staff void it so that nobody can sign or pay it any more.

The quote keeps its rows, signatures and log as evidence. An accepted or
paid quote is not voided here, because its instalments may already be
invoiced or charged.
"""

import logging

from sqlalchemy.orm import Session

from portal.database import now_utc
from portal.locking import lock_row
from portal.models import Quote, QuoteStatus
from portal.quotes.errors import QuoteError, QuoteStateError
from portal.quotes.evidence import append_event

logger = logging.getLogger(__name__)

MAX_REASON = 500  # characters
VOIDABLE_STATUSES = frozenset(
    {
        QuoteStatus.DRAFT,
        QuoteStatus.PENDING_APPROVAL,
        QuoteStatus.PUBLISHED,
        QuoteStatus.VIEWED,
        QuoteStatus.SIGNED,
        QuoteStatus.DECLINED,
        QuoteStatus.EXPIRED,
    }
)


def void_quote(
    session: Session,
    quote: Quote,
    *,
    reason: str,
    actor: str,
    client_address: str | None = None,
) -> Quote:
    """Void the quote, record why in its log, and commit.

    Voiding a void quote again changes nothing. Raises ``QuoteStateError``
    for an accepted or paid quote and ``QuoteError`` for a reason that is
    too long.
    """
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise QuoteError(f"Use at most {MAX_REASON} characters.", "reason")
    lock_row(session, Quote, quote.id)
    session.refresh(quote)
    if quote.status is QuoteStatus.VOID:
        return quote
    if quote.status not in VOIDABLE_STATUSES:
        raise QuoteStateError(
            f"The quote is {quote.status.value}, so it cannot be voided. "
            "Refund or cancel its payments instead."
        )

    previous = quote.status
    signed = [signer.id for signer in quote.signers if signer.signed_at is not None]
    quote.status = QuoteStatus.VOID
    quote.voided_at = now_utc()
    append_event(
        session,
        quote,
        "voided",
        actor,
        client_address,
        details={
            "from_status": previous.value,
            "reason": reason or None,
            "voided_signatures": signed,
        },
    )
    session.commit()
    logger.info("quote %s voided", quote.id)
    return quote
