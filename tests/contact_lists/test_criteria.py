"""Contact list criteria: the builder's fields, stored JSON, and who matches."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.contact_lists.criteria import (
    CriteriaError,
    Criterion,
    CriterionKind,
    criteria_from_form,
    criteria_from_json,
    criteria_to_form,
)
from portal.listing.context import ListingContext
from portal.models import Contact, InvoiceStatus, PaymentStatus, RefundStatus
from tests.factories import make_business, make_link
from tests.listing.records import (
    make_contact,
    make_invoice,
    make_manual_payment,
    make_payment,
    make_refund,
)

# 22:30 UTC on 4 December is 00:30 on 5 December in Helsinki.
NOW = datetime(2026, 12, 4, 22, 30, tzinfo=UTC)
CONTEXT = ListingContext("Europe/Helsinki", NOW)


def test_form_builds_every_kind():
    criteria = criteria_from_form(
        {
            "paid_within": "y",
            "paid_within_days": "30",
            "has_overdue_invoice": "y",
            "has_open_invoice": "y",
            "total_paid": "y",
            "total_paid_amount": "100.50",
            "total_paid_currency": "eur",
            "paid_through_link": "y",
            "link_id": "7",
        }
    )

    assert criteria == [
        Criterion(CriterionKind.PAID_WITHIN_DAYS, days=30),
        Criterion(CriterionKind.HAS_OVERDUE_INVOICE),
        Criterion(CriterionKind.HAS_OPEN_INVOICE),
        Criterion(CriterionKind.TOTAL_PAID_AT_LEAST, amount=10050, currency="EUR"),
        Criterion(CriterionKind.PAID_THROUGH_LINK, link_id=7),
    ]


def test_unticked_values_are_ignored():
    criteria = criteria_from_form(
        {"has_open_invoice": "y", "paid_within_days": "abc", "link_id": "x"}
    )

    assert criteria == [Criterion(CriterionKind.HAS_OPEN_INVOICE)]


def test_no_criterion_is_rejected():
    with pytest.raises(CriteriaError) as raised:
        criteria_from_form({"paid_within_days": "30"})
    assert raised.value.errors == {"criteria": "Choose at least one criterion."}


def test_bad_values_get_a_message_per_field():
    with pytest.raises(CriteriaError) as raised:
        criteria_from_form(
            {
                "paid_within": "y",
                "paid_within_days": "0",
                "total_paid": "y",
                "total_paid_amount": "-5",
                "total_paid_currency": "EUR",
                "paid_through_link": "y",
                "link_id": "",
            }
        )
    assert raised.value.errors == {
        "paid_within_days": "Days must be a whole number from 1 to 3650.",
        "total_paid_amount": "Total paid must not be negative.",
        "link_id": "Choose a payment link from the list.",
    }


def test_total_needs_currency_and_amount():
    with pytest.raises(CriteriaError) as no_currency:
        criteria_from_form({"total_paid": "y", "total_paid_amount": "5"})
    with pytest.raises(CriteriaError) as no_amount:
        criteria_from_form({"total_paid": "y", "total_paid_currency": "JPY"})
    with pytest.raises(CriteriaError) as yen_fraction:
        criteria_from_form(
            {
                "total_paid": "y",
                "total_paid_amount": "5.5",
                "total_paid_currency": "JPY",
            }
        )

    assert no_currency.value.errors == {
        "total_paid_currency": "Choose the currency of the total."
    }
    assert no_amount.value.errors == {
        "total_paid_amount": "Enter the least total paid, such as 100.00."
    }
    assert yen_fraction.value.errors == {
        "total_paid_amount": "Total paid must be a whole number in JPY."
    }


def test_json_and_form_round_trip():
    criteria = [
        Criterion(CriterionKind.PAID_WITHIN_DAYS, days=7),
        Criterion(CriterionKind.TOTAL_PAID_AT_LEAST, amount=1000, currency="JPY"),
        Criterion(CriterionKind.PAID_THROUGH_LINK, link_id=3),
    ]
    stored = [criterion.to_json() for criterion in criteria]

    assert stored[1] == {
        "kind": "total_paid_at_least",
        "amount": 1000,
        "currency": "JPY",
    }
    assert criteria_from_json(stored) == criteria
    assert criteria_from_form(criteria_to_form(criteria)) == criteria


@pytest.mark.parametrize(
    "stored",
    [
        [{"kind": "favourite_colour"}],
        [{"kind": "paid_within_days", "days": "30"}],
        [{"kind": "paid_within_days", "days": 0}],
        [{"kind": "total_paid_at_least", "amount": -1, "currency": "EUR"}],
        [{"kind": "paid_through_link"}],
        ["not an object"],
    ],
)
def test_malformed_json_is_reported(stored):
    with pytest.raises(CriteriaError) as raised:
        criteria_from_json(stored)
    assert raised.value.errors == {
        "criteria": "Criterion 1 of this list cannot be read."
    }


def test_descriptions():
    titles = {3: "Poster"}

    assert Criterion(CriterionKind.PAID_WITHIN_DAYS, days=1).describe(titles) == (
        "paid in the last day"
    )
    assert (
        Criterion(
            CriterionKind.TOTAL_PAID_AT_LEAST, amount=10050, currency="EUR"
        ).describe(titles)
        == "have paid at least €100.50 in total"
    )
    assert Criterion(CriterionKind.PAID_THROUGH_LINK, link_id=3).describe(titles) == (
        "paid through the payment link 'Poster'"
    )
    assert Criterion(CriterionKind.PAID_THROUGH_LINK, link_id=4).describe(titles) == (
        "paid through payment link #4, which no longer exists"
    )


def members(session, *criteria: Criterion) -> set[str]:
    conditions = [criterion.condition(CONTEXT) for criterion in criteria]
    return set(session.scalars(select(Contact.email).where(*conditions)))


@pytest.fixture
def business(db):
    business = make_business(db, timezone="Europe/Helsinki")
    db.commit()
    return business


def test_paid_within_days_counts_local_days(db, business):
    # With NOW at 00:30 on 5 December local time, the last 2 days are 4 and 5
    # December, which began at 22:00 UTC on 3 December.
    recent = make_contact(db, "recent@example.com")
    edge = make_contact(db, "edge@example.com")
    older = make_contact(db, "older@example.com")
    failed = make_contact(db, "failed@example.com")
    manual = make_contact(db, "manual@example.com")
    make_payment(db, recent, 100, created_at=NOW - timedelta(hours=1))
    make_payment(db, edge, 100, created_at=datetime(2026, 12, 3, 22, 0, tzinfo=UTC))
    make_payment(db, older, 100, created_at=datetime(2026, 12, 3, 21, 59, tzinfo=UTC))
    make_payment(
        db, failed, 100, created_at=NOW, status=PaymentStatus.REQUIRES_PAYMENT_METHOD
    )
    make_manual_payment(db, make_invoice(db, manual, 100), date(2026, 12, 4))
    db.commit()

    assert members(db, Criterion(CriterionKind.PAID_WITHIN_DAYS, days=2)) == {
        "recent@example.com",
        "edge@example.com",
        "manual@example.com",
    }


def test_invoice_criteria(db, business):
    late = make_contact(db, "late@example.com")
    open_only = make_contact(db, "open@example.com")
    settled = make_contact(db, "settled@example.com")
    # Local today is 5 December, so 4 December is past.
    make_invoice(db, late, 100, due_date=date(2026, 12, 4))
    make_invoice(db, open_only, 100, due_date=date(2026, 12, 5))
    make_invoice(db, settled, 100, status=InvoiceStatus.PAID, due_date=date(2026, 1, 1))
    db.commit()

    assert members(db, Criterion(CriterionKind.HAS_OVERDUE_INVOICE)) == {
        "late@example.com"
    }
    assert members(db, Criterion(CriterionKind.HAS_OPEN_INVOICE)) == {
        "late@example.com",
        "open@example.com",
    }


def test_total_paid_at_least(db, business):
    ann = make_contact(db, "ann@example.com")
    bob = make_contact(db, "bob@example.com")
    cy = make_contact(db, "cy@example.com")
    payment = make_payment(db, ann, 15000)
    make_refund(db, payment, 6000)
    make_refund(db, payment, 5000, status=RefundStatus.PENDING)
    make_payment(db, bob, 9000)
    make_payment(db, bob, 1000)
    make_payment(db, cy, 500000, currency="JPY")
    db.commit()
    at_least = Criterion(CriterionKind.TOTAL_PAID_AT_LEAST, amount=9000, currency="EUR")

    # Ann 90.00 after the succeeded refund; the pending one is not deducted.
    assert members(db, at_least) == {"ann@example.com", "bob@example.com"}
    assert members(
        db, Criterion(CriterionKind.TOTAL_PAID_AT_LEAST, amount=9001, currency="EUR")
    ) == {"bob@example.com"}
    assert members(
        db, Criterion(CriterionKind.TOTAL_PAID_AT_LEAST, amount=0, currency="JPY")
    ) == {"cy@example.com"}


def test_paid_through_link_and_combined(db, business):
    link = make_link(db, slug="poster")
    ann = make_contact(db, "ann@example.com")
    bob = make_contact(db, "bob@example.com")
    make_payment(db, ann, 100, link=link)
    make_payment(db, bob, 100, link=link)
    make_invoice(db, bob, 100, due_date=date(2026, 11, 1))
    db.commit()
    through = Criterion(CriterionKind.PAID_THROUGH_LINK, link_id=link.id)

    assert members(db, through) == {"ann@example.com", "bob@example.com"}
    assert members(db, through, Criterion(CriterionKind.HAS_OVERDUE_INVOICE)) == {
        "bob@example.com"
    }
