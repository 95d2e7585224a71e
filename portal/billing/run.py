"""The billing run: bill everything that is due, through a list of billers.

A biller is one kind of due item, such as a subscription. It lists the ids
of its items that are due up to a date, then bills each of them in its own
session and transactions. ``bill_due`` runs every biller in ``BILLERS``, so
another kind of due item joins the run by adding a biller there.

Run it from cron with ``flask --app wsgi billing run``. It is idempotent,
because a period is written once per index and an instalment is charged
once per attempt, and several runners may share the work on PostgreSQL.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy.orm import Session

from portal.billing.instalments import bill_quote, due_quotes
from portal.billing.renewals import bill_steps, bill_subscription, due_subscriptions
from portal.billing.summary import RunSummary
from portal.processors.base import Processor

logger = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
# Called after each item with the number of items done and the total.
Progress = Callable[[int, int], None]


class Biller(Protocol):
    name: str  # names the kind of item in logs, such as "subscription"

    def due(self, session: Session, as_of: date) -> list[int]:
        """Return the ids of the items with anything due up to ``as_of``."""
        ...

    def bill(
        self,
        session: Session,
        processor: Processor,
        item_id: int,
        as_of: date,
        summary: RunSummary,
    ) -> None:
        """Bill what is due for one item, committing its work and adding to ``summary``.

        An item that another runner is billing is skipped.
        """
        ...


# Bills one item step by step. With ``skip_locked``, an item that another
# runner has locked is left to that runner.
BillSteps = Callable[..., None]


@dataclass(frozen=True, slots=True)
class StepBiller:
    """A biller over a listing function and a step-by-step billing function."""

    name: str
    list_due: Callable[[Session, date], list[int]]
    bill_steps: BillSteps

    def due(self, session: Session, as_of: date) -> list[int]:
        return self.list_due(session, as_of)

    def bill(
        self,
        session: Session,
        processor: Processor,
        item_id: int,
        as_of: date,
        summary: RunSummary,
    ) -> None:
        self.bill_steps(session, processor, item_id, as_of, summary, skip_locked=True)


BILLERS: list[Biller] = [
    StepBiller("subscription", due_subscriptions, bill_steps),
    StepBiller("quote", due_quotes, bill_quote),
]


def bill_due(
    session_factory: SessionFactory,
    as_of: date,
    *,
    progress: Progress | None = None,
    processor: Processor | None = None,
    billers: list[Biller] | None = None,
) -> RunSummary:
    """Bill every item due up to ``as_of``, a date in the business's time zone.

    Each item is billed in a session of its own, so an error in one is
    logged, counted in ``RunSummary.errors`` and left for the next run while
    the others go on. Needs an app context for the processor and emails.
    """
    if processor is None:
        from portal.processors import get_processor

        processor = get_processor()
    billers = BILLERS if billers is None else billers
    with session_factory() as session:
        work = [
            (biller, item_id)
            for biller in billers
            for item_id in biller.due(session, as_of)
        ]
    logger.info("billing run as of %s found %d due items", as_of, len(work))

    summary = RunSummary()
    for done, (biller, item_id) in enumerate(work, start=1):
        with session_factory() as session:
            try:
                biller.bill(session, processor, item_id, as_of, summary)
            except Exception:
                logger.exception("billing %s %s failed", biller.name, item_id)
                summary.errors += 1
        if progress is not None:
            progress(done, len(work))
    logger.info("billing run as of %s finished: %s", as_of, summary.line())
    return summary


__all__ = ["BILLERS", "Biller", "RunSummary", "bill_due", "bill_subscription"]
