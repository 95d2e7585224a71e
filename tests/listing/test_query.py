"""Filters applied as SQL, sort orders and keyset pages, on SQLite and PostgreSQL."""

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.listing.contacts import CONTACTS
from portal.listing.context import ListingContext
from portal.listing.definition import Sort
from portal.listing.invoices import INVOICES
from portal.listing.payment_links import PAYMENT_LINKS
from portal.listing.payments import PAYMENTS
from portal.listing.query import (
    count_matching,
    fetch_page,
    iterate_rows,
    parse_query,
)
from portal.models import InvoiceStatus, PaymentStatus, RefundStatus
from tests.factories import make_business, make_link
from tests.listing.records import (
    make_contact,
    make_invoice,
    make_manual_payment,
    make_payment,
    make_refund,
)

# 23:30 UTC on 4 December is already 01:30 on 5 December in Helsinki.
NOW = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
CONTEXT = ListingContext("Europe/Helsinki", NOW)


def matching_ids(session, definition, **args) -> list[int]:
    values = {
        key: value if isinstance(value, list) else [value]
        for key, value in args.items()
    }
    parsed = parse_query(definition, values)
    assert parsed.valid, parsed.errors
    rows = iterate_rows(session, definition, parsed, CONTEXT)
    return sorted(row.record.id for row in rows)


def walk_forward(session, definition, parsed) -> list[list[int]]:
    pages = []
    page = fetch_page(session, definition, parsed, CONTEXT)
    pages.append([row.record.id for row in page.rows])
    assert page.previous_position is None
    while page.next_position is not None:
        page = fetch_page(
            session, definition, parsed, CONTEXT, after=page.next_position
        )
        pages.append([row.record.id for row in page.rows])
    return pages


def walk_backward(session, definition, parsed, last_page_start) -> list[list[int]]:
    pages = []
    position = last_page_start
    while position is not None:
        page = fetch_page(session, definition, parsed, CONTEXT, before=position)
        pages.append([row.record.id for row in page.rows])
        position = page.previous_position
    pages.reverse()
    return pages


@pytest.fixture
def business(db):
    business = make_business(db, timezone="Europe/Helsinki")
    db.commit()
    return business


def test_payment_status_filter(db, business):
    ann = make_contact(db, "ann@example.com")
    paid = make_payment(db, ann, 1000)
    failed = make_payment(db, ann, 1000, status=PaymentStatus.REQUIRES_PAYMENT_METHOD)
    make_payment(db, ann, 1000, status=PaymentStatus.PROCESSING)
    db.commit()

    assert matching_ids(db, PAYMENTS, status="succeeded") == [paid.id]
    assert matching_ids(
        db, PAYMENTS, status=["succeeded", "requires_payment_method"]
    ) == sorted([paid.id, failed.id])


def test_created_range_uses_business_days(db, business):
    ann = make_contact(db, "ann@example.com")
    # 21:59 UTC is 23:59 on 30 November in Helsinki; 22:00 UTC is midnight.
    late_november = make_payment(
        db, ann, 100, created_at=datetime(2026, 11, 30, 21, 59, tzinfo=UTC)
    )
    early_december = make_payment(
        db, ann, 100, created_at=datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
    )
    db.commit()

    assert matching_ids(db, PAYMENTS, created_from="2026-12-01") == [early_december.id]
    assert matching_ids(db, PAYMENTS, created_to="2026-11-30") == [late_november.id]
    assert matching_ids(
        db, PAYMENTS, created_from="2026-11-30", created_to="2026-11-30"
    ) == [late_november.id]


def test_amount_range_is_inclusive_and_one_currency(db, business):
    ann = make_contact(db, "ann@example.com")
    low = make_payment(db, ann, 1000)
    high = make_payment(db, ann, 2000)
    make_payment(db, ann, 2001)
    make_payment(db, ann, 1500, currency="USD")
    db.commit()

    assert matching_ids(
        db, PAYMENTS, currency="EUR", amount_from="10", amount_to="20.00"
    ) == sorted([low.id, high.id])
    assert matching_ids(db, PAYMENTS, currency="USD", amount_to="14.99") == []


def test_contact_filter_matches_part_of_email(db, business):
    ann = make_contact(db, "ann_lee@example.com")
    bob = make_contact(db, "bob@example.org")
    annex = make_contact(db, "annxlee@example.com")
    ann_payment = make_payment(db, ann, 100)
    make_payment(db, bob, 100)
    annex_payment = make_payment(db, annex, 100)
    db.commit()

    assert matching_ids(db, PAYMENTS, contact="EXAMPLE.COM") == sorted(
        [ann_payment.id, annex_payment.id]
    )
    # The underscore is a character here, not a LIKE wildcard.
    assert matching_ids(db, PAYMENTS, contact="ann_") == [ann_payment.id]
    assert matching_ids(db, PAYMENTS, contact="%") == []


def test_link_filter(db, business):
    ann = make_contact(db, "ann@example.com")
    poster = make_link(
        db, slug="poster", items=[{"name": "Poster", "unit_amount": 100}]
    )
    through_link = make_payment(db, ann, 100, link=poster)
    make_payment(db, ann, 100)
    db.commit()

    assert matching_ids(db, PAYMENTS, link=str(poster.id)) == [through_link.id]
    assert matching_ids(db, PAYMENTS, link="999999") == []


def test_invoice_overdue_follows_business_date(db, business):
    ann = make_contact(db, "ann@example.com")
    # NOW is 4 December in UTC but 5 December in Helsinki.
    due_yesterday = make_invoice(db, ann, 500, due_date=date(2026, 12, 4))
    due_today = make_invoice(db, ann, 500, due_date=date(2026, 12, 5))
    no_due_date = make_invoice(db, ann, 500, due_date=None)
    make_invoice(db, ann, 500, status=InvoiceStatus.PAID, due_date=date(2026, 1, 1))
    draft = make_invoice(db, ann, 500, status=InvoiceStatus.DRAFT)
    db.commit()

    assert matching_ids(db, INVOICES, status="overdue") == [due_yesterday.id]
    assert matching_ids(db, INVOICES, status="open") == sorted(
        [due_today.id, no_due_date.id]
    )
    assert matching_ids(db, INVOICES, status=["open", "overdue"]) == sorted(
        [due_yesterday.id, due_today.id, no_due_date.id]
    )
    assert matching_ids(db, INVOICES, status="draft") == [draft.id]


def test_invoice_due_range_compares_dates(db, business):
    ann = make_contact(db, "ann@example.com")
    first = make_invoice(db, ann, 500, due_date=date(2026, 12, 1))
    second = make_invoice(db, ann, 500, due_date=date(2026, 12, 15))
    make_invoice(db, ann, 500, due_date=date(2026, 12, 31))
    make_invoice(db, ann, 500, due_date=None)
    db.commit()

    assert matching_ids(
        db, INVOICES, due_from="2026-12-01", due_to="2026-12-15"
    ) == sorted([first.id, second.id])


def test_invoice_total_and_contact(db, business):
    ann = make_contact(db, "ann@example.com")
    bob = make_contact(db, "bob@example.com")
    wanted = make_invoice(db, ann, 12345)
    make_invoice(db, bob, 12345)
    make_invoice(db, ann, 100)
    db.commit()

    assert matching_ids(
        db, INVOICES, contact="ann", currency="EUR", amount_from="123.45"
    ) == [wanted.id]


def test_payment_link_status_and_search(db, business):
    active = make_link(db, slug="spring-sale", title="Spring sale")
    expired = make_link(
        db, slug="old", title="Old offer", expires_at=NOW - timedelta(minutes=1)
    )
    inactive = make_link(db, slug="gone", title="Gone", active=False)
    db.commit()

    assert matching_ids(db, PAYMENT_LINKS, status="active") == [active.id]
    assert matching_ids(db, PAYMENT_LINKS, status="expired") == [expired.id]
    assert matching_ids(db, PAYMENT_LINKS, status="inactive") == [inactive.id]
    assert matching_ids(db, PAYMENT_LINKS, search="SPRING") == [active.id]
    assert matching_ids(db, PAYMENT_LINKS, search="gon") == [inactive.id]


def test_payment_links_count_succeeded_payments(db, business):
    ann = make_contact(db, "ann@example.com")
    link = make_link(db, slug="poster")
    make_payment(db, ann, 100, link=link)
    make_payment(db, ann, 100, link=link)
    make_payment(db, ann, 100, link=link, status=PaymentStatus.CANCELED)
    db.commit()
    parsed = parse_query(PAYMENT_LINKS, {"sort": ["-payments"]})

    [row] = fetch_page(db, PAYMENT_LINKS, parsed, CONTEXT).rows

    assert row.extra["payments"] == 2


def test_contact_total_paid_deducts_refunds_and_adds_manual(db, business):
    ann = make_contact(db, "ann@example.com")
    bob = make_contact(db, "bob@example.com")
    cy = make_contact(db, "cy@example.com")
    refunded = make_payment(db, ann, 10000)
    make_refund(db, refunded, 4000)
    make_refund(db, refunded, 3000, status=RefundStatus.FAILED)
    make_payment(db, bob, 5000)
    make_payment(db, bob, 9000, status=PaymentStatus.CANCELED)
    invoice = make_invoice(db, cy, 7000)
    make_manual_payment(db, invoice, date(2026, 12, 1))
    make_payment(db, cy, 99900, currency="USD")
    db.commit()

    # Ann 60.00, Bob 50.00, Cy 70.00 in euros.
    assert matching_ids(db, CONTACTS, currency="EUR", amount_from="60") == sorted(
        [ann.id, cy.id]
    )
    assert matching_ids(db, CONTACTS, currency="EUR", amount_to="60") == sorted(
        [ann.id, bob.id]
    )
    assert matching_ids(db, CONTACTS, currency="USD") == [cy.id]


def test_contacts_through_link_and_search(db, business):
    ann = make_contact(db, "ann@example.com", name="Ann Lee")
    bob = make_contact(db, "bob@example.com", name="Robert")
    link = make_link(db, slug="poster")
    make_payment(db, ann, 100, link=link)
    make_payment(db, bob, 100, link=link, status=PaymentStatus.CANCELED)
    db.commit()

    assert matching_ids(db, CONTACTS, link=str(link.id)) == [ann.id]
    assert matching_ids(db, CONTACTS, contact="robert") == [bob.id]


def test_count_matches_filtered_rows(db, business):
    ann = make_contact(db, "ann@example.com")
    for amount in range(100, 1300, 100):
        make_payment(db, ann, amount)
    db.commit()
    parsed = parse_query(PAYMENTS, {"currency": ["EUR"], "amount_from": ["5"]})

    assert count_matching(db, PAYMENTS, parsed, CONTEXT) == 8


@pytest.fixture
def tied_payments(db, business):
    """Add 23 payments: 15 made at one instant, with amounts that repeat."""
    ann = make_contact(db, "ann@example.com")
    bob = make_contact(db, "bob@example.com")
    instant = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    payments = []
    for number in range(23):
        created_at = instant if number < 15 else instant + timedelta(hours=number)
        contact = ann if number % 3 else bob
        payments.append(
            make_payment(db, contact, 100 * (number % 4), created_at=created_at)
        )
    db.commit()
    return payments


SORTS = {
    "created": lambda payment: (payment.created_at, payment.id),
    "amount": lambda payment: (payment.amount, payment.id),
    "contact": lambda payment: (payment.contact.email, payment.id),
}


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort_key", list(SORTS))
def test_keyset_pages_cover_each_row_once(db, tied_payments, sort_key, descending):
    expected = [
        payment.id
        for payment in sorted(tied_payments, key=SORTS[sort_key], reverse=descending)
    ]
    parsed = parse_query(PAYMENTS, {"sort": [("-" if descending else "") + sort_key]})
    parsed = dataclasses.replace(parsed, page_size=5)

    pages = walk_forward(db, PAYMENTS, parsed)

    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert [payment_id for page in pages for payment_id in page] == expected


def test_keyset_walks_back_to_the_same_pages(db, tied_payments):
    parsed = dataclasses.replace(parse_query(PAYMENTS, {}), page_size=4)
    forward = walk_forward(db, PAYMENTS, parsed)

    last_start = None
    page = fetch_page(db, PAYMENTS, parsed, CONTEXT)
    while page.next_position is not None:
        page = fetch_page(db, PAYMENTS, parsed, CONTEXT, after=page.next_position)
        last_start = page.previous_position
    backward = walk_backward(db, PAYMENTS, parsed, last_start)

    assert [*backward, forward[-1]] == forward


def test_keyset_first_page_has_no_previous(db, tied_payments):
    parsed = dataclasses.replace(parse_query(PAYMENTS, {}), page_size=10)
    first = fetch_page(db, PAYMENTS, parsed, CONTEXT)
    second = fetch_page(db, PAYMENTS, parsed, CONTEXT, after=first.next_position)
    back = fetch_page(db, PAYMENTS, parsed, CONTEXT, before=second.previous_position)

    assert first.previous_position is None
    assert second.previous_position is not None
    assert [row.record.id for row in back.rows] == [row.record.id for row in first.rows]
    assert back.previous_position is None
    assert back.next_position is not None


def test_keyset_with_filter_skips_other_rows(db, tied_payments):
    parsed = parse_query(PAYMENTS, {"contact": ["bob"], "sort": ["amount"]})
    parsed = dataclasses.replace(parsed, page_size=2)
    expected = [
        payment.id
        for payment in sorted(tied_payments, key=SORTS["amount"])
        if payment.contact.email.startswith("bob")
    ]

    pages = walk_forward(db, PAYMENTS, parsed)

    assert [payment_id for page in pages for payment_id in page] == expected


def test_invoice_due_sort_puts_missing_dates_last(db, business):
    ann = make_contact(db, "ann@example.com")
    undated = make_invoice(db, ann, 100)
    later = make_invoice(db, ann, 100, due_date=date(2026, 12, 20))
    sooner = make_invoice(db, ann, 100, due_date=date(2026, 12, 10))
    db.commit()
    due = INVOICES.sort_key("due")
    parsed = dataclasses.replace(
        parse_query(INVOICES, {}), sort=Sort(due, False), page_size=2
    )

    pages = walk_forward(db, INVOICES, parsed)

    assert pages == [[sooner.id, later.id], [undated.id]]
