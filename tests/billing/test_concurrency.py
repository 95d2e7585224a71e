"""Two billing runs at once on PostgreSQL bill each period exactly once."""

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal import models
from portal.billing.run import bill_due
from portal.billing.summary import RunSummary
from portal.contacts import ContactDetails, upsert_contact
from portal.models import Payment, SubscriptionPeriod
from portal.notifications.suppression import emails_suppressed
from tests.billing.conftest import VISA, save_card, subscribe
from tests.fixtures.app import build_app

SUBSCRIPTIONS = 8
START = date(2027, 1, 31)
AS_OF = date(2027, 6, 30)  # six monthly periods each
RUNNERS = 2


@pytest.fixture
def app(postgres_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on PostgreSQL only: SQLite has no row locks to share work with."""
    app = build_app(postgres_database_url, tmp_path)
    yield app
    app.extensions["kassa.engine"].dispose()


def run_together(app: Flask) -> list[RunSummary]:
    """Start the runs at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(RUNNERS)
    summaries: list[RunSummary] = []
    errors: list[BaseException] = []

    def runner() -> None:
        try:
            with app.app_context(), emails_suppressed():
                barrier.wait(timeout=30)
                summaries.append(bill_due(app.extensions["kassa.sessionmaker"], AS_OF))
        except BaseException as error:  # reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=runner) for _ in range(RUNNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    return summaries


def test_concurrent_runs_bill_once(app, db, business, processor):
    for number in range(SUBSCRIPTIONS):
        contact = upsert_contact(
            db, ContactDetails(email=f"member{number}@example.com", name="Member")
        )
        db.commit()
        card = save_card(db, processor, contact, VISA)
        subscribe(db, contact, start=START, saved_method=card)

    summaries = run_together(app)

    db.expire_all()
    periods = db.execute(
        select(SubscriptionPeriod.subscription_id, SubscriptionPeriod.index)
    ).all()
    assert len(periods) == SUBSCRIPTIONS * 6
    assert max(Counter(periods).values()) == 1
    assert sum(summary.periods_billed for summary in summaries) == len(periods)
    assert sum(summary.errors for summary in summaries) == 0
    assert db.scalar(select(func.count(Payment.id))) == len(periods)
    assert db.scalar(select(func.count(models.TestModeIntent.id))) == len(periods)
