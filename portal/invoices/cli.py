"""``flask --app wsgi invoices ...``: invoice commands for cron."""

import click
from flask.cli import AppGroup

from portal.database import new_session
from portal.invoices.reminders import SentReminder, describe_offset, send_due_reminders


@click.group("invoices", cls=AppGroup, help="Invoices.")
def invoices_group() -> None:
    pass


@invoices_group.command(
    "remind",
    help="Email the invoice reminders that are due. Each reminder is sent once, "
    "so the command can run as often as cron likes.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Send the reminders due by this date (YYYY-MM-DD) in the business's "
    "time zone, instead of today.",
)
def remind_command(as_of) -> None:
    with new_session() as session:
        sent = send_due_reminders(session, as_of.date() if as_of else None)
        for reminder in sent:
            click.echo(describe_sent(reminder))
    delivered = sum(1 for reminder in sent if reminder.delivered)
    noun = "reminder" if delivered == 1 else "reminders"
    click.echo(f"Sent {delivered} {noun}.")
    if delivered < len(sent):
        raise click.ClickException(
            f"{len(sent) - delivered} could not be emailed; see the log. "
            "The next run tries them again."
        )


def describe_sent(reminder: SentReminder) -> str:
    invoice = reminder.invoice
    when = describe_offset(reminder.offset_days).lower()
    outcome = "sent" if reminder.delivered else "failed"
    return f"Invoice {invoice.number}, reminder {when}: {outcome}."
