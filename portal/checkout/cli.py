"""``flask --app wsgi payments ...``: payment maintenance commands."""

from collections import Counter
from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from portal.checkout.payments import settle_test_debits
from portal.database import new_session
from portal.models import Payment, PaymentStatus
from portal.money import format_money
from portal.processors import get_processor
from portal.processors.testmode import TestModeProcessor


@click.group("payments", cls=AppGroup, help="Payments.")
def payments_group() -> None:
    pass


@payments_group.command(
    "settle-test-debits",
    help="Settle the test-mode bank debits that are due: account 000123456789 "
    "succeeds, 000111111116 fails.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Settle debits due up to this UTC time instead of now.",
)
@click.option(
    "--all", "settle_all", is_flag=True, help="Settle every processing debit."
)
def settle_debits_command(as_of: datetime | None, settle_all: bool) -> None:
    processor = get_processor()
    if not isinstance(processor, TestModeProcessor):
        raise click.UsageError(
            "Only the test-mode processor has test debits to settle."
        )
    if settle_all:
        as_of = datetime.max.replace(tzinfo=UTC)
    elif as_of is not None:
        as_of = as_of.replace(tzinfo=UTC)
    with new_session() as session:
        payments = settle_test_debits(session, processor, as_of)
        for payment in payments:
            click.echo(describe_settled(payment))
        click.echo(summarise_settled(payments, settle_all))


def outcome(payment: Payment) -> str:
    """Name a settled debit's outcome as the command prints it."""
    if payment.status is PaymentStatus.SUCCEEDED:
        return "paid"
    if payment.failed:
        return "failed"
    return f"still {payment.status.value}"


def describe_settled(payment: Payment) -> str:
    amount = format_money(payment.amount, payment.currency)
    return f"Settled payment {payment.id} ({amount}): {outcome(payment)}."


def summarise_settled(payments: list[Payment], settle_all: bool) -> str:
    if not payments:
        if settle_all:
            return "No test debits are processing, so none were settled."
        return (
            "No test debits were due, so none were settled. "
            "Run again with --all to settle the ones that are not due yet."
        )
    counts = Counter({"paid": 0, "failed": 0})
    counts.update(outcome(payment) for payment in payments)
    noun = "test debit" if len(payments) == 1 else "test debits"
    parts = ", ".join(f"{count} {name}" for name, count in counts.items())
    return f"Settled {len(payments)} {noun}: {parts}."
