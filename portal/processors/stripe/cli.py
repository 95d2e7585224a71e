"""``flask --app wsgi stripe ...``: Stripe maintenance commands."""

from datetime import UTC, datetime, timedelta

import click
from flask.cli import AppGroup

from portal.database import new_session, now_utc
from portal.processors import get_processor
from portal.processors.base import ProcessorUnavailable
from portal.processors.stripe.adapter import StripeProcessor
from portal.processors.stripe.reconcile import reconcile

DEFAULT_DAYS = 7


@click.group("stripe", cls=AppGroup, help="Stripe, when KASSA_PROCESSOR=stripe.")
def stripe_group() -> None:
    pass


@stripe_group.command(
    "reconcile",
    help="Compare the PaymentIntents and refunds made in Stripe since a date with "
    "the records here, and repair what missed webhooks left behind.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help=f"Check PaymentIntents created from this UTC date or time on; "
    f"default {DEFAULT_DAYS} days ago.",
)
def reconcile_command(since: datetime | None) -> None:
    processor = get_processor()
    if not isinstance(processor, StripeProcessor):
        raise click.UsageError(
            "KASSA_PROCESSOR is not stripe, so there is nothing to reconcile."
        )
    since = (
        since.replace(tzinfo=UTC) if since else now_utc() - timedelta(days=DEFAULT_DAYS)
    )
    click.echo(f"Checking Stripe since {since:%Y-%m-%d %H:%M} UTC.")
    with new_session() as session:
        try:
            report = reconcile(session, processor, since, on_repair=click.echo)
        except ProcessorUnavailable as error:
            raise click.ClickException(
                "Stripe could not be reached; the repairs listed above were made, "
                "nothing else was changed. Run the command again later."
            ) from error
    for problem in report.problems:
        click.echo(f"Needs a look: {problem}")
    click.echo(
        f"Checked {report.intents} PaymentIntents and {report.refunds} refunds: "
        f"{len(report.repairs)} repaired, {len(report.problems)} to look at."
    )
