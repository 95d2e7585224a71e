"""Publishing, approving, extending and revising quotes from the staff side."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.database import now_utc
from portal.invoices.drafts import LineDraft
from portal.models import QuoteEvent, QuoteStatus
from portal.quotes.content import content_digest
from portal.quotes.errors import QuoteError, QuoteStateError
from portal.quotes.publishing import approve_quote, extend_expiry, publish_quote
from portal.quotes.verification import verify_quote
from portal.quotes.versions import revise_quote
from tests.factories import make_business
from tests.fixtures.staff import make_staff
from tests.quotes.builders import STAFF_ACTOR, STATIC_ROOT, make_quote, quote_draft


@pytest.fixture
def business(db):
    business = make_business(db)
    db.commit()
    return business


def actions(db, quote):
    return list(
        db.scalars(
            select(QuoteEvent.action)
            .where(QuoteEvent.quote_id == quote.id)
            .order_by(QuoteEvent.seq)
        )
    )


def test_publish_numbers_and_digests(db, business):
    quote = make_quote(db)

    publish_quote(db, quote, actor=STAFF_ACTOR)

    assert quote.status is QuoteStatus.PUBLISHED
    assert quote.number == "Q-000001"
    assert quote.display_number == "Q-000001"
    assert quote.content_digest == content_digest(quote)
    assert len(quote.content_digest) == 64
    assert quote.consent_version is not None
    assert quote.published_at is not None
    assert quote.is_locked
    assert actions(db, quote) == ["created", "published"]
    assert verify_quote(db, quote).intact


def test_default_schedule_is_whole_total(db, business):
    quote = make_quote(db)

    [instalment] = quote.instalments

    assert instalment.amount == 547
    assert instalment.due == "on_signature"


def test_publish_twice_rejected(db, business):
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)

    with pytest.raises(QuoteStateError, match="Only a draft can be published"):
        publish_quote(db, quote, actor=STAFF_ACTOR)


def test_above_threshold_waits_for_approval(db, business):
    business.quote_approval_threshold = 500
    db.commit()
    quote = make_quote(db)

    publish_quote(db, quote, actor=STAFF_ACTOR)

    assert quote.status is QuoteStatus.PENDING_APPROVAL
    assert quote.number is None
    assert actions(db, quote) == ["created", "submitted_for_approval"]


def test_at_threshold_publishes(db, business):
    business.quote_approval_threshold = 547
    db.commit()
    quote = make_quote(db)

    publish_quote(db, quote, actor=STAFF_ACTOR)

    assert quote.status is QuoteStatus.PUBLISHED


def test_admin_approval_publishes(db, business):
    business.quote_approval_threshold = 100
    admin = make_staff(db, role="admin")
    db.commit()
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)

    approve_quote(db, quote, admin)

    assert quote.status is QuoteStatus.PUBLISHED
    assert quote.approved_by == f"staff:{admin.id}"
    assert actions(db, quote)[-2:] == ["approved", "published"]


def test_sales_cannot_approve(db, business):
    business.quote_approval_threshold = 100
    sales = make_staff(db, role="sales")
    db.commit()
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)

    with pytest.raises(QuoteStateError, match="owner or an admin"):
        approve_quote(db, quote, sales)
    assert quote.status is QuoteStatus.PENDING_APPROVAL


def test_extend_expiry_logged(db, business):
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    digest = quote.content_digest
    later = quote.expires_on + timedelta(days=14)

    extend_expiry(db, quote, later, actor=STAFF_ACTOR)

    assert quote.expires_on == later
    assert quote.content_digest == digest
    assert actions(db, quote)[-1] == "expiry_extended"
    assert verify_quote(db, quote).intact


def test_extend_expiry_earlier_rejected(db, business):
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)

    with pytest.raises(QuoteError, match="Choose an expiration date after"):
        extend_expiry(db, quote, quote.expires_on, actor=STAFF_ACTOR)


def test_expired_quote_reopens_when_extended(db, business):
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    quote.status = QuoteStatus.EXPIRED
    db.commit()

    extend_expiry(db, quote, quote.expires_on + timedelta(days=1), actor=STAFF_ACTOR)

    assert quote.status is QuoteStatus.PUBLISHED


def test_revision_voids_earlier_version(db, business):
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    signer = quote.signers[0]
    signer.terms_shown_at = now_utc()
    signer.signed_at = now_utc()
    signer.typed_name = "Aino Virtanen"
    signer.signed_digest = quote.content_digest
    signer.consent_version = quote.consent_version
    quote.status = QuoteStatus.SIGNED  # awaiting a countersignature
    db.commit()

    revision = revise_quote(
        db,
        quote,
        quote_draft(lines=(LineDraft(description="Full-day shoot", unit_amount=900),)),
        actor=STAFF_ACTOR,
        idempotency_key="revise-1",
        static_root=STATIC_ROOT,
    )

    assert quote.status is QuoteStatus.VOID
    assert quote.voided_at is not None
    assert revision.status is QuoteStatus.PUBLISHED
    assert revision.number == quote.number
    assert revision.version == 2
    assert revision.display_number == "Q-000001 v2"
    assert revision.replaces_id == quote.id
    assert revision.token != quote.token
    assert revision.signers[0].token != signer.token
    assert revision.content_digest != quote.content_digest
    void_event = db.scalars(
        select(QuoteEvent).where(
            QuoteEvent.quote_id == quote.id, QuoteEvent.action == "voided"
        )
    ).one()
    assert void_event.details["voided_signatures"] == [signer.id]
    assert actions(db, revision) == ["created", "published"]


def test_revision_repeated_key_returns_same(db, business):
    quote = make_quote(db)
    publish_quote(db, quote, actor=STAFF_ACTOR)
    arguments = {
        "actor": STAFF_ACTOR,
        "idempotency_key": "revise-2",
        "static_root": STATIC_ROOT,
    }

    first = revise_quote(db, quote, quote_draft(), **arguments)
    second = revise_quote(db, quote, quote_draft(), **arguments)

    assert second.id == first.id


def test_draft_cannot_be_revised(db, business):
    quote = make_quote(db)

    with pytest.raises(QuoteStateError, match="not published yet"):
        revise_quote(
            db,
            quote,
            quote_draft(),
            actor=STAFF_ACTOR,
            idempotency_key="revise-3",
            static_root=STATIC_ROOT,
        )
