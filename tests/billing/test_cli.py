"""``flask --app wsgi billing run`` through the CLI runner."""

from datetime import date

from portal.notifications.suppression import emails_suppressed
from tests.billing.conftest import (
    DECLINED_LATER,
    VISA,
    periods_of,
    save_card,
    subscribe,
)


def billing_run(app, *options: str):
    runner = app.test_cli_runner()
    with emails_suppressed():
        return runner.invoke(args=["billing", "run", *options])


def test_run_prints_summary(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscribe(db, contact, start=date(2027, 1, 31), saved_method=card)

    result = billing_run(app, "--as-of", "2027-03-31")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Billed 3 periods: 3 charged, 0 failed, 0 awaiting authentication, "
        "0 invoiced; sent 0 renewal reminders; 0 subscriptions ended."
    ]


def test_run_counts_failures(app, db, contact, processor):
    card = save_card(db, processor, contact, DECLINED_LATER)
    subscribe(db, contact, start=date(2027, 1, 31), saved_method=card)

    result = billing_run(app, "--as-of", "2027-01-31")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Billed 1 period: 0 charged, 1 failed, 0 awaiting authentication, "
        "0 invoiced; sent 0 renewal reminders; 0 subscriptions ended."
    )


def test_second_run_bills_nothing(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=date(2027, 1, 31), saved_method=card)
    billing_run(app, "--as-of", "2027-02-28")

    result = billing_run(app, "--as-of", "2027-02-28")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Billed 0 periods: 0 charged")
    assert len(periods_of(db, subscription)) == 2


def test_run_rejects_bad_date(app, db, business):
    result = billing_run(app, "--as-of", "31.1.2027")

    assert result.exit_code == 2
    assert "Invalid value for '--as-of'" in result.output
