"""Filters and keyset pages over 10,000 invoices, on SQLite and PostgreSQL.

Invoices share creation times in groups of seven and totals repeat, so the
pages depend on the id tie-breaker. Each walk must return every matching
invoice exactly once, in the order Python sorts the same rows.
"""

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.listing.context import ListingContext
from portal.listing.invoices import INVOICES
from portal.listing.query import count_matching, fetch_page, parse_query
from portal.models import Invoice, InvoiceStatus
from tests.factories import make_business
from tests.listing.records import insert_invoices, make_contact

INVOICE_COUNT = 10_000
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
CONTEXT = ListingContext("Europe/Helsinki", NOW)
TODAY = date(2026, 12, 4)
STATUSES = [
    InvoiceStatus.OPEN,
    InvoiceStatus.PAID,
    InvoiceStatus.OPEN,
    InvoiceStatus.DRAFT,
    InvoiceStatus.VOID,
    InvoiceStatus.UNCOLLECTIBLE,
    InvoiceStatus.PAID,
]
CURRENCIES = ["EUR", "EUR", "USD", "JPY"]


@pytest.fixture
def invoices(db):
    """Insert the invoices and return them as plain rows with their ids."""
    make_business(db, timezone="Europe/Helsinki")
    contacts = [make_contact(db, f"buyer-{number}@example.com") for number in range(40)]
    start = datetime(2026, 6, 1, tzinfo=UTC)
    rows = []
    for number in range(INVOICE_COUNT):
        status = STATUSES[number % len(STATUSES)]
        due = TODAY + timedelta(days=(number % 61) - 30) if number % 5 else None
        rows.append(
            {
                "contact_id": contacts[number % len(contacts)].id,
                "status": status,
                "currency": CURRENCIES[number % len(CURRENCIES)],
                "total": (number * 7919) % 100_000,
                "created_at": start + timedelta(minutes=10 * (number // 7)),
                "due_date": due if status is not InvoiceStatus.DRAFT else None,
            }
        )
    insert_invoices(db, rows)
    db.commit()

    emails = {contact.id: contact.email for contact in contacts}
    stored = db.execute(Invoice.__table__.select()).all()
    assert len(stored) == INVOICE_COUNT
    return [
        dataclasses.replace(_Row.of(row), email=emails[row.contact_id])
        for row in stored
    ]


@dataclasses.dataclass(frozen=True)
class _Row:
    id: int
    status: str
    currency: str
    total: int
    created_at: datetime
    due_date: date | None
    number: str | None
    email: str = ""

    @classmethod
    def of(cls, row) -> "_Row":
        return cls(
            row.id,
            row.status,
            row.currency,
            row.total,
            row.created_at,
            row.due_date,
            row.number,
        )

    @property
    def shown_status(self) -> str:
        if self.status == "open" and self.due_date and self.due_date < TODAY:
            return "overdue"
        return self.status


def walk(session, args: dict[str, list[str]], page_size: int) -> list[int]:
    parsed = parse_query(INVOICES, args)
    assert parsed.valid, parsed.errors
    parsed = dataclasses.replace(parsed, page_size=page_size)
    ids = []
    page = fetch_page(session, INVOICES, parsed, CONTEXT)
    while True:
        assert len(page.rows) <= page_size
        ids += [row.record.id for row in page.rows]
        if page.next_position is None:
            break
        assert len(page.rows) == page_size
        page = fetch_page(session, INVOICES, parsed, CONTEXT, after=page.next_position)
        # Detach the rows already checked, so the identity map stays small.
        session.expunge_all()
    assert count_matching(session, INVOICES, parsed, CONTEXT) == len(ids)
    return ids


def test_all_invoices_newest_first(db, invoices):
    expected = [
        row.id
        for row in sorted(
            invoices, key=lambda row: (row.created_at, row.id), reverse=True
        )
    ]

    ids = walk(db, {}, 200)

    assert len(ids) == INVOICE_COUNT
    assert len(set(ids)) == INVOICE_COUNT
    assert ids == expected


def test_unpaid_invoices_by_due_date(db, invoices):
    unpaid = [row for row in invoices if row.shown_status in ("open", "overdue")]
    expected = [
        row.id
        for row in sorted(unpaid, key=lambda row: (row.due_date or date.max, row.id))
    ]

    ids = walk(db, {"status": ["open", "overdue"], "sort": ["due"]}, 100)

    assert len(expected) > 2000
    assert ids == expected


def test_overdue_only(db, invoices):
    expected = {row.id for row in invoices if row.shown_status == "overdue"}

    ids = walk(db, {"status": ["overdue"]}, 100)

    assert len(ids) == len(set(ids))
    assert set(ids) == expected


def test_currency_and_total_range_by_total(db, invoices):
    matching = [
        row
        for row in invoices
        if row.currency == "EUR" and 5_000 <= row.total <= 50_000
    ]
    expected = [
        row.id
        for row in sorted(matching, key=lambda row: (row.total, row.id), reverse=True)
    ]

    ids = walk(
        db,
        {
            "currency": ["EUR"],
            "amount_from": ["50"],
            "amount_to": ["500.00"],
            "sort": ["-total"],
        },
        50,
    )

    assert ids == expected


def test_contact_and_created_range_by_number(db, invoices):
    first_day, last_day = date(2026, 6, 3), date(2026, 6, 5)

    def local_day(row):
        return CONTEXT.local_datetime(row.created_at).date()

    matching = [
        row
        for row in invoices
        if "buyer-1" in row.email and first_day <= local_day(row) <= last_day
    ]
    expected = [
        row.id for row in sorted(matching, key=lambda row: (row.number or "", row.id))
    ]

    ids = walk(
        db,
        {
            "contact": ["BUYER-1"],
            "created_from": [first_day.isoformat()],
            "created_to": [last_day.isoformat()],
            "sort": ["number"],
        },
        25,
    )

    assert expected
    assert ids == expected
