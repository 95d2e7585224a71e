"""The hash-chained log of a quote and the checks of its evidence."""

import hashlib
import itertools

import pytest
from sqlalchemy import delete, select, update

from portal.models import QuoteEvent, QuoteStatus
from portal.quotes.content import content_digest
from portal.quotes.evidence import GENESIS_DIGEST, STATUS_KEY, append_event
from portal.quotes.verification import verify_quote
from tests.factories import make_business
from tests.quotes.builders import make_quote

PDF = b"%PDF-1.7 signed quote"


@pytest.fixture
def quote(db):
    make_business(db)
    db.commit()
    quote = make_quote(db)
    for action in ("note", "reminder", "note"):
        append_event(db, quote, action, "staff:1", details={"text": action})
    db.commit()
    return quote


def events(db, quote):
    return list(
        db.scalars(
            select(QuoteEvent)
            .where(QuoteEvent.quote_id == quote.id)
            .order_by(QuoteEvent.seq)
        )
    )


def test_events_chain_from_genesis(db, quote):
    rows = events(db, quote)

    assert [row.seq for row in rows] == [1, 2, 3, 4]
    assert rows[0].action == "created"
    assert rows[0].prev_digest == GENESIS_DIGEST
    for previous, row in itertools.pairwise(rows):
        assert row.prev_digest == previous.digest
    assert rows[-1].details[STATUS_KEY] == "draft"


def test_intact_log_verifies(db, quote):
    result = verify_quote(db, quote)

    assert result.problems == []
    assert result.intact
    assert result.events == 4


def test_changed_row_detected(db, quote):
    db.execute(
        update(QuoteEvent)
        .where(QuoteEvent.quote_id == quote.id, QuoteEvent.seq == 2)
        .values(actor="staff:99")
    )
    db.commit()

    result = verify_quote(db, quote)

    assert not result.intact
    assert result.problems == ["Event 2 (note) was changed after it was written."]


def test_changed_details_detected(db, quote):
    db.execute(
        update(QuoteEvent)
        .where(QuoteEvent.quote_id == quote.id, QuoteEvent.seq == 3)
        .values(details={"text": "other", STATUS_KEY: "draft"})
    )
    db.commit()

    assert "Event 3 (reminder) was changed" in verify_quote(db, quote).problems[0]


def test_deleted_middle_row_detected(db, quote):
    db.execute(
        delete(QuoteEvent).where(QuoteEvent.quote_id == quote.id, QuoteEvent.seq == 2)
    )
    db.commit()

    problems = verify_quote(db, quote).problems

    assert "Event 2 is missing: the log goes on with event 3." in problems
    assert "Event 3 does not link to the event before it." in problems


def test_deleted_last_row_detected(db, quote):
    quote.status = QuoteStatus.PENDING_APPROVAL
    append_event(db, quote, "submitted_for_approval", "staff:1")
    db.commit()
    db.execute(
        delete(QuoteEvent).where(QuoteEvent.quote_id == quote.id, QuoteEvent.seq == 5)
    )
    db.commit()

    problems = verify_quote(db, quote).problems

    assert problems == [
        "The last event leaves the quote draft, but it is pending_approval: "
        "events are missing from the end of the log."
    ]


def test_intact_signed_pdf_verifies(db, quote):
    store_pdf(db, quote, PDF)

    result = verify_quote(db, quote)

    assert result.pdf_checked
    assert result.intact


def test_changed_pdf_detected(db, quote):
    store_pdf(db, quote, PDF)
    quote.signed_pdf = PDF.replace(b"signed", b"edited")
    db.commit()

    problems = verify_quote(db, quote).problems

    assert problems == ["The stored signed PDF does not match its SHA-256 digest."]


def test_replaced_pdf_and_digest_detected(db, quote):
    store_pdf(db, quote, PDF)
    forged = b"%PDF-1.7 forged"
    quote.signed_pdf = forged
    quote.signed_pdf_digest = hashlib.sha256(forged).hexdigest()
    db.commit()

    problems = verify_quote(db, quote).problems

    assert problems == [
        "The quote's signed_pdf_digest differs from the one its "
        "signed_pdf_stored event recorded."
    ]


def test_content_changed_after_digest_detected(db, quote):
    quote.content_digest = content_digest(quote)
    db.commit()
    quote.order.lines[0].description = "Full-day shoot"
    db.commit()

    problems = verify_quote(db, quote).problems

    assert problems == [
        "The quote's lines, terms, schedule or signers changed after it was published."
    ]


def test_float_details_rejected(db, quote):
    with pytest.raises(TypeError, match="float"):
        append_event(db, quote, "note", "staff:1", details={"amount": 1.5})


def store_pdf(db, quote, pdf: bytes) -> None:
    digest = hashlib.sha256(pdf).hexdigest()
    quote.signed_pdf = pdf
    quote.signed_pdf_digest = digest
    append_event(db, quote, "signed_pdf_stored", "system", details={"digest": digest})
    db.commit()
