"""A timeline of demo events, each moved back to the day it is meant to have happened.

The demo's payments, refunds and invoices are made through the same domain
functions as real ones, and those stamp every row with the current time. Each
event therefore runs as a step: it notes when it started, does its work, and
then every timestamp that it wrote, on the rows it names, moves back by one
and the same interval. Events run in the order of their dates, so receipt and
invoice numbers follow the dates as they would in a real shop.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, inspect, or_, select
from sqlalchemy.orm import Session

from portal.database import Base, UTCDateTime, now_utc
from portal.documents.facts import business_zone
from portal.models import AuditEvent, PaymentLink, Staff
from portal.processors.testmode import TestModeProcessor

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoShop:
    """Context of the demo events: the session, processor, owner and links."""

    session: Session
    processor: TestModeProcessor
    owner: Staff  # the staff member who issues invoices and refunds
    links: dict[str, PaymentLink]  # by slug
    timezone: str  # the business's, which decides the local dates
    today: date  # the business's local date when seeding started

    def day(self, days_ago: int) -> date:
        """Return the local date ``days_ago`` days before today."""
        return self.today - timedelta(days=days_ago)

    def moment(self, days_ago: int, at: time) -> datetime:
        """Return the UTC moment of local time ``at`` on ``day(days_ago)``."""
        local = datetime.combine(
            self.day(days_ago), at, tzinfo=business_zone(self.timezone)
        )
        return local.astimezone(UTC)


@dataclass
class Step:
    """The rows one event wrote, whose timestamps move back to ``happened_at``.

    ``records`` are ORM objects, and ``subjects`` the (subject type, id)
    pairs whose audit rows move with them.
    """

    happened_at: datetime  # UTC
    started_at: datetime = field(default_factory=now_utc)
    records: list[Base] = field(default_factory=list)
    subjects: set[tuple[str, int]] = field(default_factory=set)

    def add(self, *records: Base | None) -> None:
        self.records.extend(record for record in records if record is not None)

    def audit(self, subject_type: str, *subject_ids: int) -> None:
        self.subjects.update((subject_type, subject_id) for subject_id in subject_ids)


# The work of one event. It does nothing when the event's stable key shows
# that an earlier seed did it, and otherwise adds the rows it wrote to the step.
Action = Callable[[DemoShop, Step], None]


@dataclass(frozen=True)
class Event:
    """One thing that happened in the demo shop, ``days_ago`` days before seeding."""

    days_ago: int
    at: time  # local time in the business's time zone
    action: Action


def run_timeline(shop: DemoShop, events: Iterable[Event]) -> None:
    """Run the events oldest first, each one moved back to its own moment."""
    timed = sorted(
        ((shop.moment(event.days_ago, event.at), event) for event in events),
        key=lambda pair: pair[0],
    )
    for happened_at, event in timed:
        step = Step(happened_at=happened_at)
        event.action(shop, step)
        backdate(shop.session, step)


def backdate(session: Session, step: Step) -> None:
    """Move the timestamps that ``step`` wrote back to ``step.happened_at``, and commit.

    Only values at or after ``step.started_at`` move, so what earlier steps
    wrote on the same rows stays where those steps put it.
    """
    shift = step.started_at - step.happened_at
    if shift <= timedelta(0):
        logger.warning("demo step at %s is not in the past", step.happened_at)
        return
    for record in step.records:
        _shift_record(record, step.started_at, shift)
    if step.subjects:
        subject_conditions = [
            and_(AuditEvent.subject_type == kind, AuditEvent.subject_id == subject_id)
            for kind, subject_id in sorted(step.subjects)
        ]
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.created_at >= step.started_at, or_(*subject_conditions)
            )
        )
        for event in events:
            event.created_at -= shift
    session.commit()


def _shift_record(record: Base, since: datetime, shift: timedelta) -> None:
    for attribute in inspect(type(record)).column_attrs:
        if not isinstance(attribute.columns[0].type, UTCDateTime):
            continue
        value = getattr(record, attribute.key)
        if value is not None and value >= since:
            setattr(record, attribute.key, value - shift)
