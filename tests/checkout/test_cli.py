"""``flask --app wsgi payments settle-test-debits`` run through the CLI runner."""

from portal.models import PaymentStatus
from tests.checkout.conftest import kit_form, open_checkout, payments

BANK = {
    "method": "bank_debit",
    "routing_number": "110000000",
    "account_number": "000123456789",
    "account_holder": "Aino Virtanen",
}
FAILING_ACCOUNT = "000111111116"


def pay_by_debit(client, account_number: str = BANK["account_number"]) -> None:
    html, token = open_checkout(client, "workshop-kit")
    form = kit_form(html, token, **{**BANK, "account_number": account_number})
    response = client.post("/pay/workshop-kit", data=form)
    assert response.status_code == 303


def settle(app, *options: str):
    runner = app.test_cli_runner()
    return runner.invoke(args=["payments", "settle-test-debits", *options])


def test_settle_reports_each_payment(app, client, db, kit_link):
    pay_by_debit(client)
    pay_by_debit(client, FAILING_ACCOUNT)
    settled, failed = payments(db)

    result = settle(app, "--all")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Settled payment {settled.id} (€281.91): paid.",
        f"Settled payment {failed.id} (€281.91): failed.",
        "Settled 2 test debits: 1 paid, 1 failed.",
    ]


def test_settle_updates_payment_status(app, client, db, kit_link):
    pay_by_debit(client)

    settle(app, "--all")

    [payment] = payments(db)
    assert payment.status is PaymentStatus.SUCCEEDED


def test_settle_one_uses_singular(app, client, db, kit_link):
    pay_by_debit(client, FAILING_ACCOUNT)

    result = settle(app, "--all")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Settled 1 test debit: 0 paid, 1 failed."


def test_settle_nothing_due_suggests_all(app, client, db, kit_link):
    pay_by_debit(client)

    result = settle(app)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "No test debits were due, so none were settled. "
        "Run again with --all to settle the ones that are not due yet."
    ]
    assert payments(db)[0].status is PaymentStatus.PROCESSING


def test_settle_as_of_later_time(app, client, db, kit_link):
    pay_by_debit(client)
    [payment] = payments(db)

    result = settle(app, "--as-of", "2999-01-01")

    assert result.exit_code == 0, result.output
    assert f"Settled payment {payment.id} (€281.91): paid." in result.output
    assert "Settled 1 test debit: 1 paid, 0 failed." in result.output


def test_settle_all_with_none_processing(app, db, kit_link):
    result = settle(app, "--all")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "No test debits are processing, so none were settled."
    ]
