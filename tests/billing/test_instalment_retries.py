"""Failed and held instalment charges: retried, authenticated, given up, in yen."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from portal.checkout.payments import authenticate_payment
from portal.models import (
    InstalmentStatus,
    InvoiceStatus,
    PaymentStatus,
    QuoteStatus,
    StaffRole,
)
from tests.billing.quote_instalments import (
    DECLINED_LATER,
    accepted_quote,
    intent_keys,
    payments_of,
    quote_actions,
    run,
    set_saved_card_behaviour,
)
from tests.fixtures.app import build_app

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


def helsinki_midnight(day) -> datetime:
    """Return 00:00 of ``day`` in Helsinki as UTC, in winter or summer time."""
    local = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Europe/Helsinki"))
    return local.astimezone(UTC)


def test_failed_charge_schedules_retry(app, client, db):
    quote = accepted_quote(app, client, db, card=DECLINED_LATER)
    second = quote.instalments[1]

    summary = run(app, second.due_on)

    db.expire_all()
    assert second.status is InstalmentStatus.FAILED
    assert second.attempts == 1
    assert second.next_attempt_at == helsinki_midnight(
        second.due_on + timedelta(days=1)
    )
    assert second.invoice.status is InvoiceStatus.OPEN
    assert second.payment.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert second.payment.failure_message == (
        "Your card was declined. Try another card."
    )
    assert quote.status is QuoteStatus.ACCEPTED
    assert summary.failed == 1
    assert summary.charged == 0
    assert quote_actions(db, quote)[-1] == "instalment_failed"


def test_failure_emails_buyer_and_staff(app, client, db, smtp_server):
    quote = accepted_quote(app, client, db, card=DECLINED_LATER)
    second = quote.instalments[1]
    smtp_server.messages.clear()

    run(app, second.due_on)

    db.expire_all()
    invoice = second.invoice
    buyer, staff = smtp_server.messages
    assert buyer.recipients == ["aino@example.com"]
    assert buyer.message["Subject"] == (
        f"Your payment to Nordlys Studio for quote {quote.number} failed"
    )
    text = buyer.message.get_body(("plain",)).get_content()
    assert f"{PUBLIC_URL}/invoices/{invoice.token}?lang=en" in text
    assert "€868.00 for instalment 2 of 2" in text
    assert "Your card was declined." in text
    retry_on = second.due_on + timedelta(days=1)
    assert f"again on {retry_on.strftime('%B')} {retry_on.day}," in text
    html = buyer.message.get_body(("html",)).get_content()
    assert f"{PUBLIC_URL}/invoices/{invoice.token}?lang=en" in html
    assert staff.recipients == ["sales@nordlys.example"]
    assert staff.message["Subject"] == (
        f"Instalment payment failed: €868.00 of quote {quote.number}"
    )
    staff_text = staff.message.get_body(("plain",)).get_content()
    assert "to Aino Virtanen failed" in staff_text
    assert f"{PUBLIC_URL}/merchant/quotes/{quote.id}" in staff_text


def test_failed_retry_later_succeeds(app, client, db, smtp_server):
    quote = accepted_quote(app, client, db, card=DECLINED_LATER)
    second = quote.instalments[1]
    due_on = second.due_on
    run(app, due_on)
    same_day = run(app, due_on)
    assert same_day.failed == 0
    set_saved_card_behaviour(db, quote, "succeed")
    smtp_server.messages.clear()

    summary = run(app, due_on + timedelta(days=1))

    db.expire_all()
    assert second.status is InstalmentStatus.PAID
    assert second.attempts == 2
    assert second.next_attempt_at is None
    assert second.invoice.status is InvoiceStatus.PAID
    assert second.payment.status is PaymentStatus.SUCCEEDED
    assert quote.status is QuoteStatus.PAID
    assert summary.charged == 1
    assert summary.instalments_billed == 0
    assert intent_keys(db)[-2:] == [
        f"quote-{quote.id}-instalment-1-attempt-1",
        f"quote-{quote.id}-instalment-1-attempt-2",
    ]
    succeeded = [
        payment
        for payment in payments_of(db, quote)
        if payment.status is PaymentStatus.SUCCEEDED
    ]
    assert len(succeeded) == 2  # the first instalment and this one
    assert smtp_server.messages[0].message["Subject"].startswith("Receipt from")
    actions = quote_actions(db, quote)
    assert actions[-4:] == [
        "instalment_invoiced",
        "instalment_failed",
        "instalment_paid",
        "paid",
    ]


def test_retries_exhausted_mark_uncollectible(app, client, db, smtp_server):
    quote = accepted_quote(app, client, db, card=DECLINED_LATER)
    second = quote.instalments[1]
    due_on = second.due_on
    # The business's default retry days are 1, 3, 5 and 7 after the failure.
    for days in (0, 1, 3, 5):
        assert run(app, due_on + timedelta(days=days)).failed == 1
    db.expire_all()
    assert second.status is InstalmentStatus.FAILED
    assert second.attempts == 4
    smtp_server.messages.clear()

    summary = run(app, due_on + timedelta(days=7))

    db.expire_all()
    assert summary.failed == 1
    assert second.status is InstalmentStatus.UNCOLLECTIBLE
    assert second.attempts == 5
    assert second.next_attempt_at is None
    assert second.invoice.status is InvoiceStatus.OPEN
    assert quote.status is QuoteStatus.ACCEPTED
    assert quote_actions(db, quote)[-1] == "instalment_uncollectible"
    buyer, staff = smtp_server.messages
    text = buyer.message.get_body(("plain",)).get_content()
    assert "Every retry failed" in text
    assert f"{PUBLIC_URL}/invoices/{second.invoice.token}" in text
    assert staff.message["Subject"] == (
        f"Instalment not collected: €868.00 of quote {quote.number}"
    )
    assert "marked uncollectible" in staff.message.get_body(("plain",)).get_content()
    assert run(app, due_on + timedelta(days=60)).failed == 0
    assert len(intent_keys(db)) == 6  # the first instalment and five charges


def test_catch_up_spreads_retries(app, client, db):
    quote = accepted_quote(app, client, db, card=DECLINED_LATER)
    second = quote.instalments[1]

    summary = run(app, second.due_on + timedelta(days=20))

    db.expire_all()
    assert summary.failed == 1
    assert second.attempts == 1
    assert second.status is InstalmentStatus.FAILED
    assert second.next_attempt_at == helsinki_midnight(
        second.due_on + timedelta(days=21)
    )


def test_held_charge_emails_authentication_link(app, client, db, smtp_server):
    quote = accepted_quote(app, client, db)
    set_saved_card_behaviour(db, quote, "authenticate")
    second = quote.instalments[1]
    smtp_server.messages.clear()

    summary = run(app, second.due_on)

    db.expire_all()
    assert summary.requires_action == 1
    assert second.status is InstalmentStatus.REQUIRES_ACTION
    assert second.payment.status is PaymentStatus.REQUIRES_ACTION
    assert second.next_attempt_at == helsinki_midnight(
        second.due_on + timedelta(days=1)
    )
    assert quote_actions(db, quote)[-1] == "instalment_requires_action"
    [received] = smtp_server.messages
    assert received.recipients == ["aino@example.com"]
    text = received.message.get_body(("plain",)).get_content()
    assert f"{PUBLIC_URL}/pay/authenticate/{second.payment.token}" in text
    invoice_page = client.get(f"/invoices/{second.invoice.token}")
    assert f"/pay/authenticate/{second.payment.token}" in invoice_page.get_data(
        as_text=True
    )


def test_authenticated_charge_pays_quote(app, client, db):
    quote = accepted_quote(app, client, db)
    set_saved_card_behaviour(db, quote, "authenticate")
    second = quote.instalments[1]
    run(app, second.due_on)
    db.expire_all()

    with app.test_request_context():
        authenticate_payment(
            db,
            app.extensions["kassa.processor"],
            second.payment,
            approved=True,
            client_address="127.0.0.1",
        )

    db.expire_all()
    assert second.status is InstalmentStatus.PAID
    assert second.next_attempt_at is None
    assert second.invoice.status is InvoiceStatus.PAID
    assert quote.status is QuoteStatus.PAID
    assert run(app, second.due_on + timedelta(days=1)).charged == 0


def test_unauthenticated_charge_retried(app, client, db):
    quote = accepted_quote(app, client, db)
    set_saved_card_behaviour(db, quote, "authenticate")
    second = quote.instalments[1]
    run(app, second.due_on)
    db.expire_all()
    held = second.payment
    set_saved_card_behaviour(db, quote, "succeed")

    summary = run(app, second.due_on + timedelta(days=1))

    db.expire_all()
    assert summary.charged == 1
    assert held.status is PaymentStatus.CANCELED
    assert second.status is InstalmentStatus.PAID
    assert second.payment_id != held.id
    assert second.attempts == 2
    assert quote.status is QuoteStatus.PAID
    actions = quote_actions(db, quote)
    assert actions[-4:] == [
        "instalment_requires_action",
        "instalment_failed",
        "instalment_paid",
        "paid",
    ]


def test_declined_authentication_keeps_retry(app, client, db):
    quote = accepted_quote(app, client, db)
    set_saved_card_behaviour(db, quote, "authenticate")
    second = quote.instalments[1]
    run(app, second.due_on)
    db.expire_all()
    retry_at = second.next_attempt_at

    with app.test_request_context():
        authenticate_payment(
            db,
            app.extensions["kassa.processor"],
            second.payment,
            approved=False,
            client_address="127.0.0.1",
        )

    db.expire_all()
    assert second.status is InstalmentStatus.FAILED
    assert second.next_attempt_at == retry_at
    assert quote_actions(db, quote)[-1] == "instalment_failed"


def test_jpy_instalment_charged_in_yen(app, client, db, smtp_server):
    quote = accepted_quote(app, client, db, currency="JPY", unit_amount=50000)
    first, second = quote.instalments
    assert first.amount == 37200
    assert second.amount == 86800
    smtp_server.messages.clear()

    summary = run(app, second.due_on)

    db.expire_all()
    assert summary.charged == 1
    assert second.status is InstalmentStatus.PAID
    assert second.payment.currency == "JPY"
    assert second.payment.amount == 86800
    assert second.invoice.total == 86800
    assert quote.status is QuoteStatus.PAID
    receipt = smtp_server.messages[0].message.get_body(("plain",)).get_content()
    assert "¥86,800" in receipt


def test_jpy_failure_emails_yen_amount(app, client, db, smtp_server):
    quote = accepted_quote(
        app, client, db, card=DECLINED_LATER, currency="JPY", unit_amount=50000
    )
    smtp_server.messages.clear()

    run(app, quote.instalments[1].due_on)

    buyer, staff = smtp_server.messages
    assert (
        "¥86,800 for instalment 2 of 2"
        in buyer.message.get_body(("plain",)).get_content()
    )
    assert staff.message["Subject"] == (
        f"Instalment payment failed: ¥86,800 of quote {quote.number}"
    )


def test_staff_page_shows_failed_instalment(app, client, db, signed_in):
    quote = accepted_quote(app, client, db, card=DECLINED_LATER)
    second = quote.instalments[1]
    run(app, second.due_on)
    signed_in(StaffRole.VIEWER)

    page = client.get(f"/merchant/quotes/{quote.id}").get_data(as_text=True)

    db.expire_all()
    assert "Payment failed, retry scheduled" in page
    assert "1 charge attempts, next" in page
    assert second.invoice.number in page
