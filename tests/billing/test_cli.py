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
        "3 periods billed, 0 retries: 3 charged, 0 failed, "
        "0 awaiting authentication, 0 invoiced; 0 renewal reminders sent; "
        "0 subscriptions ended."
    ]


def test_run_counts_failures(app, db, contact, processor):
    card = save_card(db, processor, contact, DECLINED_LATER)
    subscribe(db, contact, start=date(2027, 1, 31), saved_method=card)

    result = billing_run(app, "--as-of", "2027-01-31")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "1 period billed, 0 retries: 0 charged, 1 failed, "
        "0 awaiting authentication, 0 invoiced; 0 renewal reminders sent; "
        "0 subscriptions ended."
    )


def test_run_counts_retries_apart(app, db, contact, processor):
    declining = save_card(db, processor, contact, DECLINED_LATER)
    subscription = subscribe(
        db, contact, start=date(2027, 1, 31), saved_method=declining
    )
    billing_run(app, "--as-of", "2027-01-31")
    subscription.saved_method_id = save_card(db, processor, contact, VISA).id
    db.commit()

    # The retry on February 1 and the period of February 28 both succeed.
    result = billing_run(app, "--as-of", "2027-02-28")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "1 period billed, 1 retry: 2 charged, 0 failed, "
        "0 awaiting authentication, 0 invoiced; 0 renewal reminders sent; "
        "0 subscriptions ended."
    )


def test_run_counts_last_retry(app, db, contact, processor):
    card = save_card(db, processor, contact, DECLINED_LATER)
    subscribe(db, contact, start=date(2027, 1, 31), saved_method=card)
    for day in ("2027-01-31", "2027-02-01", "2027-02-03", "2027-02-05"):
        billing_run(app, "--as-of", day)

    # The fourth and last retry fails too, so the subscription ends.
    result = billing_run(app, "--as-of", "2027-02-07")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "0 periods billed, 1 retry: 0 charged, 1 failed, "
        "0 awaiting authentication, 0 invoiced; 0 renewal reminders sent; "
        "1 subscription ended."
    )


def test_second_run_bills_nothing(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=date(2027, 1, 31), saved_method=card)
    billing_run(app, "--as-of", "2027-02-28")

    result = billing_run(app, "--as-of", "2027-02-28")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 periods billed, 0 retries: 0 charged")
    assert len(periods_of(db, subscription)) == 2


def test_run_rejects_bad_date(app, db, business):
    result = billing_run(app, "--as-of", "31.1.2027")

    assert result.exit_code == 2
    assert "Invalid value for '--as-of'" in result.output
