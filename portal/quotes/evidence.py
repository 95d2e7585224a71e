"""The hash-chained audit log of a quote.

Each ``QuoteEvent`` row stores the digest of the row before it, and its own
digest covers that link and the row's fields. Changing a row breaks its own
digest, deleting a row leaves a gap in ``seq`` or a broken link, and deleting
the newest rows leaves a last event whose recorded quote status differs from
the quote's.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.database import now_utc
from portal.models import Quote, QuoteEvent
from portal.quotes.canonical import canonical_json, sha256_hex

logger = logging.getLogger(__name__)

# prev_digest of a quote's first event.
GENESIS_DIGEST = "0" * 64
# Key in every event's details: the quote's status after the event.
STATUS_KEY = "quote_status"


def append_event(
    session: Session,
    quote: Quote,
    action: str,
    actor: str,
    client_address: str | None = None,
    details: dict[str, Any] | None = None,
) -> QuoteEvent:
    """Add the next event of the quote's log, chained to the one before it.

    Call it after the state change it records and while holding the quote's
    row lock (``portal.locking.lock_row``), so that two writers cannot take
    the same ``seq``. The unique constraint on (quote, seq) turns a missed
    lock into an ``IntegrityError`` rather than a fork in the chain. The
    caller commits.
    """
    if quote.id is None:
        session.flush()
    previous = session.execute(
        select(QuoteEvent.seq, QuoteEvent.digest)
        .where(QuoteEvent.quote_id == quote.id)
        .order_by(QuoteEvent.seq.desc())
        .limit(1)
    ).first()
    seq, prev_digest = (
        (previous[0] + 1, previous[1]) if previous else (1, GENESIS_DIGEST)
    )

    # A JSON round trip keeps exactly what the database will return.
    stored_details = _json_round_trip(
        {**(details or {}), STATUS_KEY: quote.status.value}
    )
    event = QuoteEvent(
        quote_id=quote.id,
        seq=seq,
        action=action,
        actor=actor,
        client_address=client_address,
        details=stored_details,
        created_at=now_utc(),
        prev_digest=prev_digest,
    )
    event.digest = event_digest(event)
    session.add(event)
    session.flush()
    logger.info("quote %s event %s %s", quote.id, seq, action)
    return event


def event_digest(event: QuoteEvent) -> str:
    """Return the SHA-256 (hex) of the event's previous digest and its fields."""
    fields = {
        "quote_id": event.quote_id,
        "seq": event.seq,
        "action": event.action,
        "actor": event.actor,
        "client_address": event.client_address,
        "details": event.details,
        "created_at": format_timestamp(event.created_at),
    }
    return sha256_hex(event.prev_digest.encode("ascii") + canonical_json(fields))


def format_timestamp(moment: datetime) -> str:
    """Format a UTC timestamp with microseconds, the precision both databases keep."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def quote_events(session: Session, quote: Quote) -> list[QuoteEvent]:
    return list(
        session.scalars(
            select(QuoteEvent)
            .where(QuoteEvent.quote_id == quote.id)
            .order_by(QuoteEvent.seq)
        )
    )


def _json_round_trip(details: dict[str, Any]) -> dict[str, Any]:
    return json.loads(canonical_json(details))
