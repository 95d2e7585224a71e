"""Voiding quotes from the staff side."""

import pytest
from sqlalchemy import select

from portal.database import now_utc
from portal.models import QuoteEvent, QuoteStatus
from portal.quotes.errors import QuoteError, QuoteStateError
from portal.quotes.publishing import publish_quote
from portal.quotes.verification import verify_quote
from portal.quotes.voiding import MAX_REASON, void_quote
from tests.factories import make_business
from tests.quotes.builders import STAFF_ACTOR, make_quote


@pytest.fixture
def business(db):
    business = make_business(db)
    db.commit()
    return business


def last_event(db, quote) -> QuoteEvent:
    return db.scalars(
        select(QuoteEvent)
        .where(QuoteEvent.quote_id == quote.id)
        .order_by(QuoteEvent.seq.desc())
    ).first()


def test_void_published_quote(db, business):
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)

    void_quote(db, quote, reason="Sent to the wrong buyer", actor=STAFF_ACTOR)

    assert quote.status is QuoteStatus.VOID
    assert quote.voided_at is not None
    event = last_event(db, quote)
    assert event.action == "voided"
    assert event.details["reason"] == "Sent to the wrong buyer"
    assert event.details["from_status"] == "published"
    assert verify_quote(db, quote).intact


def test_void_draft(db, business):
    quote = make_quote(db)

    void_quote(db, quote, reason="", actor=STAFF_ACTOR)

    assert quote.status is QuoteStatus.VOID
    assert last_event(db, quote).details["reason"] is None


def test_void_twice_logs_once(db, business):
    quote = make_quote(db)
    void_quote(db, quote, reason="", actor=STAFF_ACTOR)
    first = last_event(db, quote)

    void_quote(db, quote, reason="", actor=STAFF_ACTOR)

    assert last_event(db, quote).seq == first.seq


def test_accepted_quote_is_not_voided(db, business):
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    quote.status = QuoteStatus.ACCEPTED
    quote.accepted_at = now_utc()
    db.commit()

    with pytest.raises(QuoteStateError):
        void_quote(db, quote, reason="", actor=STAFF_ACTOR)

    db.rollback()
    assert quote.status is QuoteStatus.ACCEPTED


def test_long_reason_is_rejected(db, business):
    quote = make_quote(db)

    with pytest.raises(QuoteError) as raised:
        void_quote(db, quote, reason="x" * (MAX_REASON + 1), actor=STAFF_ACTOR)

    assert raised.value.field == "reason"
    assert quote.status is QuoteStatus.DRAFT
