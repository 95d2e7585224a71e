"""Editing a published quote: a new version replaces it and voids the old one.

The earlier version keeps its rows, signatures and log as evidence, but its
status becomes void, so nobody can sign or pay it any more. The new version
has the same number, the next version number, new signing links and a log of
its own that starts by naming the version it replaced.
"""

import logging
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.businesses import get_business
from portal.contacts import upsert_contact
from portal.database import now_utc
from portal.locking import lock_row
from portal.models import Order, Quote, QuoteStatus
from portal.quotes.building import QuoteDraft, check_draft, store_draft
from portal.quotes.errors import QuoteStateError
from portal.quotes.evidence import append_event
from portal.quotes.publishing import publish_quote

logger = logging.getLogger(__name__)

# A quote in these statuses is edited by making a new version.
REVISABLE_STATUSES = frozenset(
    {
        QuoteStatus.PUBLISHED,
        QuoteStatus.VIEWED,
        QuoteStatus.SIGNED,
        QuoteStatus.DECLINED,
        QuoteStatus.EXPIRED,
    }
)


def revise_quote(
    session: Session,
    quote: Quote,
    draft: QuoteDraft,
    *,
    actor: str,
    idempotency_key: str,
    static_root: Path,
    client_address: str | None = None,
) -> Quote:
    """Replace a published quote with a new version, publish it, and commit.

    The new version is published at once, or waits for approval when it is
    above the threshold. Returns the new version; the same ``idempotency_key``
    returns the version it made before. Raises ``QuoteStateError`` for a quote
    that is accepted, paid, void or not yet published, and ``QuoteError`` for
    input to fix; nothing is saved then.
    """
    existing = session.scalars(
        select(Quote).where(Quote.idempotency_key == idempotency_key)
    ).first()
    if existing is not None:
        return existing

    lock_row(session, Quote, quote.id)
    session.refresh(quote)
    if quote.status not in REVISABLE_STATUSES:
        raise QuoteStateError(_not_revisable(quote))
    business = get_business(session)
    checked = check_draft(session, business, draft, static_root)
    contact = checked.contact or upsert_contact(session, draft.new_contact)

    revision = Quote(
        token=secrets.token_urlsafe(32),
        number=quote.number,
        version=quote.version + 1,
        replaces=quote,
        status=QuoteStatus.DRAFT,
        order=Order(),
        created_by=actor,
        idempotency_key=idempotency_key,
    )
    store_draft(revision, draft, checked, contact)
    session.add(revision)
    session.flush()
    _void(session, quote, revision, actor, client_address)
    append_event(
        session,
        revision,
        "created",
        actor,
        client_address,
        details={"replaces": quote.id, "replaces_version": quote.version},
    )
    session.commit()
    logger.info("quote %s replaced by version %s", quote.id, revision.id)
    return publish_quote(session, revision, actor=actor, client_address=client_address)


def _void(
    session: Session,
    quote: Quote,
    revision: Quote,
    actor: str,
    client_address: str | None,
) -> None:
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
            "replaced_by": revision.id,
            "replaced_by_version": revision.version,
            "voided_signatures": signed,
        },
    )


def _not_revisable(quote: Quote) -> str:
    if quote.status in (QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL):
        return "This quote is not published yet: edit the draft itself."
    if quote.status is QuoteStatus.VOID:
        return "This version is void. Edit the latest version of the quote."
    return (
        f"The quote is {quote.status.value}, so it can no longer be changed. "
        "Create a new quote instead."
    )
