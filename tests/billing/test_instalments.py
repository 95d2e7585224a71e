"""Later quote instalments billed by the billing run: charged, invoiced, run twice."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal import models
from portal.models import (
    AttemptState,
    CheckoutAttempt,
    InstalmentDue,
    InstalmentStatus,
    InvoiceStatus,
    PaymentStatus,
    QuoteStatus,
)
from portal.quotes.verification import verify_quote
from tests.billing.quote_instalments import (
    accepted_quote,
    intent_keys,
    payments_of,
    quote_actions,
    run,
)
from tests.fixtures.app import build_app
from tests.quotes.published import Part
from tests.quotes.test_paying import CARD, PAY_TOKEN

PUBLIC_URL = "https://pay.nordlys.example"


@pytest.fixture
def app(database_url: str, tmp_path: Path, smtp_server):
    app = build_app(
        database_url,
        tmp_path,
        KASSA_SMTP_URL=smtp_server.url,
        KASSA_PUBLIC_URL=PUBLIC_URL,
    )
    yield app
    app.extensions["kassa.engine"].dispose()


def subjects(smtp_server) -> list[str]:
    return [received.message["Subject"] for received in smtp_server.messages]


def test_second_instalment_waits_for_due_date(app, client, db):
    quote = accepted_quote(app, client, db)
    second = quote.instalments[1]

    summary = run(app, second.due_on - timedelta(days=1))

    db.expire_all()
    assert second.status is InstalmentStatus.PENDING
    assert second.invoice_id is None
    assert second.attempts == 0
    assert summary.instalments_billed == 0
    assert summary.charged == 0
    assert quote.status is QuoteStatus.ACCEPTED


def test_second_instalment_charged_on_due_date(app, client, db, smtp_server):
    quote = accepted_quote(app, client, db)
    first, second = quote.instalments
    assert second.due_on == first.due_on + timedelta(days=30)
    smtp_server.messages.clear()

    summary = run(app, second.due_on)

    db.expire_all()
    assert second.status is InstalmentStatus.PAID
    assert second.attempts == 1
    assert second.next_attempt_at is None
    assert second.invoice.status is InvoiceStatus.PAID
    assert second.invoice.total == 86800
    assert second.invoice.due_date == second.due_on
    assert second.payment.status is PaymentStatus.SUCCEEDED
    assert second.payment.amount == 86800
    assert second.payment.card_last4 == "4242"
    assert second.invoice.payment_id == second.payment_id
    assert quote.status is QuoteStatus.PAID
    assert quote.paid_at is not None
    assert summary.instalments_billed == 1
    assert summary.charged == 1
    assert summary.failed == 0
    assert summary.errors == 0


def test_charge_uses_quote_instalment_attempt_key(app, client, db):
    quote = accepted_quote(app, client, db)
    second = quote.instalments[1]

    run(app, second.due_on)

    assert intent_keys(db)[-1] == f"quote-{quote.id}-instalment-1-attempt-1"
    intent = db.scalars(
        select(models.TestModeIntent).where(
            models.TestModeIntent.id == quote.instalments[1].payment.processor_ref
        )
    ).one()
    assert intent.amount == 86800
    assert intent.currency == "EUR"
    attempt = db.scalars(
        select(CheckoutAttempt).where(
            CheckoutAttempt.payment_id == quote.instalments[1].payment_id
        )
    ).one()
    assert attempt.invoice_id == quote.instalments[1].invoice_id
    assert attempt.state is AttemptState.SUCCEEDED


def test_charge_emails_receipt_and_merchant(app, client, db, smtp_server):
    quote = accepted_quote(app, client, db)
    smtp_server.messages.clear()

    run(app, quote.instalments[1].due_on)

    buyer, merchant = smtp_server.messages
    assert buyer.recipients == ["aino@example.com"]
    assert buyer.message["Subject"].startswith("Receipt from Nordlys Studio #")
    text = buyer.message.get_body(("plain",)).get_content()
    assert "€868.00" in text
    assert merchant.recipients == ["sales@nordlys.example"]
    assert merchant.message["Subject"].startswith("New payment: €868.00")


def test_charge_appends_quote_events(app, client, db):
    quote = accepted_quote(app, client, db)
    before = quote_actions(db, quote)

    run(app, quote.instalments[1].due_on)

    added = quote_actions(db, quote)[len(before) :]
    assert added == ["instalment_invoiced", "instalment_paid", "paid"]
    db.expire_all()
    result = verify_quote(db, quote)
    assert result.events == len(before) + 3
    assert result.problems == []


def test_run_twice_bills_once(app, client, db, smtp_server):
    quote = accepted_quote(app, client, db)
    due_on = quote.instalments[1].due_on
    run(app, due_on)
    sent = len(smtp_server.messages)
    payments = len(payments_of(db, quote))
    intents = len(intent_keys(db))

    again = run(app, due_on)
    later = run(app, due_on + timedelta(days=40))

    assert again.instalments_billed == 0
    assert again.charged == 0
    assert later.charged == 0
    assert len(payments_of(db, quote)) == payments
    assert len(intent_keys(db)) == intents
    assert len(smtp_server.messages) == sent
    assert db.scalar(select(func.count(CheckoutAttempt.id))) == 2


def test_catch_up_bills_every_missed_instalment(app, client, db):
    parts = (
        Part("20"),
        Part("40", due=InstalmentDue.DAYS_AFTER, days=10),
        Part("40", due=InstalmentDue.DAYS_AFTER, days=20),
    )
    quote = accepted_quote(app, client, db, parts=parts)
    first = quote.instalments[0]

    summary = run(app, first.due_on + timedelta(days=45))

    db.expire_all()
    assert [part.status for part in quote.instalments] == [InstalmentStatus.PAID] * 3
    assert [part.amount for part in quote.instalments] == [24800, 49600, 49600]
    assert quote.status is QuoteStatus.PAID
    assert summary.instalments_billed == 2
    assert summary.charged == 2
    assert intent_keys(db)[-2:] == [
        f"quote-{quote.id}-instalment-1-attempt-1",
        f"quote-{quote.id}-instalment-2-attempt-1",
    ]


def test_only_due_instalments_billed(app, client, db):
    parts = (
        Part("20"),
        Part("40", due=InstalmentDue.DAYS_AFTER, days=10),
        Part("40", due=InstalmentDue.DAYS_AFTER, days=20),
    )
    quote = accepted_quote(app, client, db, parts=parts)

    summary = run(app, quote.instalments[1].due_on)

    db.expire_all()
    statuses = [part.status for part in quote.instalments]
    assert statuses == [
        InstalmentStatus.PAID,
        InstalmentStatus.PAID,
        InstalmentStatus.PENDING,
    ]
    assert quote.status is QuoteStatus.ACCEPTED
    assert summary.instalments_billed == 1


def test_no_saved_method_emails_invoice(app, client, db, smtp_server):
    quote = accepted_quote(app, client, db, card=None)
    second = quote.instalments[1]
    assert quote.saved_method_id is None
    smtp_server.messages.clear()

    summary = run(app, second.due_on)

    db.expire_all()
    assert second.status is InstalmentStatus.INVOICED
    assert second.attempts == 0
    assert second.payment_id is None
    invoice = second.invoice
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.total == 86800
    assert summary.invoiced == 1
    assert summary.charged == 0
    assert intent_keys(db) == []
    [received] = smtp_server.messages
    assert received.recipients == ["aino@example.com"]
    assert received.message["Subject"] == (
        f"Invoice {invoice.number} from Nordlys Studio"
    )
    text = received.message.get_body(("plain",)).get_content()
    assert f"{PUBLIC_URL}/invoices/{invoice.token}" in text
    assert quote_actions(db, quote)[-1] == "instalment_invoice_emailed"


def test_emailed_invoice_not_sent_twice(app, client, db, smtp_server):
    quote = accepted_quote(app, client, db, card=None)
    due_on = quote.instalments[1].due_on
    run(app, due_on)
    smtp_server.messages.clear()

    summary = run(app, due_on + timedelta(days=3))

    assert summary.invoiced == 0
    assert smtp_server.messages == []


def test_removed_method_emails_invoice(app, client, db):
    quote = accepted_quote(app, client, db)
    quote.saved_method.removed_at = quote.accepted_at
    db.commit()

    summary = run(app, quote.instalments[1].due_on)

    db.expire_all()
    assert quote.instalments[1].status is InstalmentStatus.INVOICED
    assert summary.invoiced == 1


def test_paid_emailed_invoice_pays_quote(app, client, db):
    quote = accepted_quote(app, client, db)
    quote.saved_method.removed_at = quote.accepted_at
    db.commit()
    run(app, quote.instalments[1].due_on)
    db.expire_all()
    invoice = quote.instalments[1].invoice
    page = client.get(f"/invoices/{invoice.token}").get_data(as_text=True)
    assert "€868.00" in page
    token = PAY_TOKEN.search(page).group(1)

    response = client.post(f"/invoices/{invoice.token}", data={"token": token, **CARD})

    assert response.status_code == 303
    db.expire_all()
    assert quote.instalments[1].status is InstalmentStatus.PAID
    assert quote.status is QuoteStatus.PAID


def test_unpaid_quote_statuses_skipped(app, client, db):
    quote = accepted_quote(app, client, db)
    quote.collect_payment = False
    db.commit()

    summary = run(app, quote.instalments[1].due_on)

    db.expire_all()
    assert quote.instalments[1].status is InstalmentStatus.PENDING
    assert summary.instalments_billed == 0


def test_cli_summary_counts_instalments(app, client, db):
    quote = accepted_quote(app, client, db)
    due_on = quote.instalments[1].due_on
    runner = app.test_cli_runner()

    result = runner.invoke(args=["billing", "run", "--as-of", due_on.isoformat()])

    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    assert "0 periods and 1 instalment" in line
    assert "1 charged, 0 failed, 0 awaiting authentication, 0 invoiced" in line
    db.expire_all()
    assert quote.status is QuoteStatus.PAID
