"""``flask --app wsgi billing run``: the billing run for cron."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from portal.billing.run import bill_due
from portal.billing.states import local_date
from portal.businesses import get_business
from portal.database import new_session, now_utc


@click.group("billing", cls=AppGroup, help="Subscription and quote instalment billing.")
def billing_group() -> None:
    pass


@billing_group.command(
    "run",
    help="Bill every subscription period, quote instalment, retry and renewal "
    "reminder due by today, catching up on days the run missed. Running it "
    "again bills nothing twice, and several hosts may run it at once on "
    "PostgreSQL.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Bill what is due by this date (YYYY-MM-DD) in the business's time "
    "zone, instead of today.",
)
def run_command(as_of) -> None:
    if as_of is not None:
        day = as_of.date()
    else:
        with new_session() as session:
            day = local_date(now_utc(), get_business(session).timezone)
    sessions = current_app.extensions["kassa.sessionmaker"]
    bar = _ProgressBar() if sys.stdout.isatty() else None
    try:
        summary = bill_due(sessions, day, progress=bar.update if bar else None)
    finally:
        if bar is not None:
            bar.close()
    click.echo(summary.line())
    if summary.errors:
        raise click.ClickException(
            "Some subscriptions or quotes could not be billed; see the log. The "
            "next run tries them again."
        )


class _ProgressBar:
    """A click progress bar opened once the run has counted the items that are due."""

    def __init__(self) -> None:
        self._bar = None
        self._shown = 0

    def update(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=total, label="Billing")
            self._bar.__enter__()
        self._bar.update(done - self._shown)
        self._shown = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
