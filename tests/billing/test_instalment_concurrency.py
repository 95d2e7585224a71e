"""Two billing runs at once on PostgreSQL bill each quote instalment exactly once."""

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal import models
from portal.billing.run import bill_due
from portal.billing.summary import RunSummary
from portal.models import InstalmentDue, InstalmentStatus, Payment, QuoteStatus
from portal.notifications.suppression import emails_suppressed
from tests.billing.quote_instalments import accepted_quote
from tests.fixtures.app import build_app
from tests.quotes.published import Part

QUOTES = 6
RUNNERS = 2
PARTS = (
    Part("20"),
    Part("20", due=InstalmentDue.DAYS_AFTER, days=10),
    Part("30", due=InstalmentDue.DAYS_AFTER, days=20),
    Part("30", due=InstalmentDue.DAYS_AFTER, days=30),
)


@pytest.fixture
def app(postgres_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on PostgreSQL only: SQLite has no row locks to share work with."""
    app = build_app(postgres_database_url, tmp_path)
    yield app
    app.extensions["kassa.engine"].dispose()


def run_together(app: Flask, as_of: date) -> list[RunSummary]:
    """Start the runs at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(RUNNERS)
    summaries: list[RunSummary] = []
    errors: list[BaseException] = []

    def runner() -> None:
        try:
            with app.app_context(), emails_suppressed():
                barrier.wait(timeout=30)
                sessions = app.extensions["kassa.sessionmaker"]
                summaries.append(bill_due(sessions, as_of))
        except BaseException as error:  # reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=runner) for _ in range(RUNNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    return summaries


def test_concurrent_runs_bill_each_instalment_once(app, client, db):
    quotes = [accepted_quote(app, client, db, parts=PARTS) for _ in range(QUOTES)]
    last_due = max(quote.instalments[-1].due_on for quote in quotes)
    payments_before = db.scalar(select(func.count(Payment.id)))
    intents_before = db.scalar(select(func.count(models.TestModeIntent.id)))

    summaries = run_together(app, last_due + timedelta(days=1))

    db.expire_all()
    later = [part for quote in quotes for part in quote.instalments[1:]]
    assert len(later) == QUOTES * 3
    assert all(part.status is InstalmentStatus.PAID for part in later)
    assert all(part.attempts == 1 for part in later)
    assert all(quote.status is QuoteStatus.PAID for quote in quotes)
    charged = db.scalar(select(func.count(Payment.id))) - payments_before
    assert charged == len(later)
    intents = db.scalar(select(func.count(models.TestModeIntent.id)))
    assert intents - intents_before == len(later)
    invoice_ids = Counter(part.invoice_id for part in later)
    assert max(invoice_ids.values()) == 1
    assert sum(summary.instalments_billed for summary in summaries) == len(later)
    assert sum(summary.charged for summary in summaries) == len(later)
    assert sum(summary.errors for summary in summaries) == 0
