"""Paying an accepted quote's first instalment through the checkout."""

import re
from datetime import timedelta

from sqlalchemy import select

from portal.database import now_utc
from portal.models import (
    CollectionMethod,
    InstalmentDue,
    InstalmentStatus,
    InvoiceStatus,
    PaymentStatus,
    QuoteStatus,
    Subscription,
)
from portal.quotes.signing import SignatureInput, countersign, show_terms, sign
from tests.quotes.published import Part, publish_quote

PAY_TOKEN = re.compile(r'name="token" value="([^"]+)"')
CARD = {
    "method": "card",
    "card_number": "4242 4242 4242 4242",
    "card_expiry": "12 / 40",
    "card_cvc": "123",
}


def sign_all(app, db, quote) -> None:
    """Sign as every buyer and countersigner, as their pages would."""
    with app.test_request_context():
        for signer in quote.buyers:
            show_terms(db, signer, client_address="127.0.0.1")
            sign(
                db,
                signer,
                SignatureInput(
                    typed_name=signer.name,
                    consented=True,
                    client_address="127.0.0.1",
                    user_agent="pytest",
                ),
            )
        for signer in quote.countersigners:
            countersign(
                db,
                signer,
                staff_id=signer.staff_id,
                typed_name=signer.name,
                client_address="127.0.0.1",
                user_agent="pytest",
            )


def pay_form_token(client, quote) -> str:
    page = client.get(f"/quotes/{quote.token}").get_data(as_text=True)
    return PAY_TOKEN.search(page).group(1)


def pay(client, quote, **fields):
    data = {"token": pay_form_token(client, quote), **CARD, **fields}
    return client.post(f"/quotes/{quote.token}/pay", data=data)


def test_no_pay_form_before_signatures(client, db):
    quote = publish_quote(db)

    page = client.get(f"/quotes/{quote.token}").get_data(as_text=True)

    assert 'id="checkout-form"' not in page


def test_payment_before_signatures_is_rejected(app, client, db):
    quote = publish_quote(db)
    accepted = publish_quote(db)
    sign_all(app, db, accepted)
    token = pay_form_token(client, accepted)

    response = client.post(f"/quotes/{quote.token}/pay", data={"token": token, **CARD})

    assert response.status_code == 409
    assert "once everyone has signed" in response.get_data(as_text=True)
    db.expire_all()
    assert quote.instalments[0].invoice_id is None


def test_pay_whole_amount(app, client, db):
    quote = publish_quote(db)
    sign_all(app, db, quote)

    response = pay(client, quote)

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/receipts/")
    db.expire_all()
    instalment = quote.instalments[0]
    assert instalment.status is InstalmentStatus.PAID
    assert instalment.invoice.status is InvoiceStatus.PAID
    assert instalment.invoice.total == 124000
    assert instalment.payment.status is PaymentStatus.SUCCEEDED
    assert instalment.payment.amount == 124000
    assert quote.status is QuoteStatus.PAID
    assert quote.paid_at is not None


def test_pay_first_instalment_saves_method(app, client, db):
    quote = publish_quote(
        db,
        parts=(Part("30"), Part("70", due=InstalmentDue.DAYS_AFTER, days=30)),
    )
    sign_all(app, db, quote)

    response = pay(client, quote, save_payment_method="yes")

    assert response.status_code == 303
    db.expire_all()
    first, second = quote.instalments
    assert first.amount == 37200
    assert first.status is InstalmentStatus.PAID
    assert first.payment.amount == 37200
    assert second.status is InstalmentStatus.PENDING
    assert quote.status is QuoteStatus.ACCEPTED
    assert quote.saved_method is not None
    assert quote.saved_method.last4 == "4242"
    assert quote.saved_method.consent_address == "127.0.0.1"


def test_saving_consent_required_for_later_charges(app, client, db):
    quote = publish_quote(
        db,
        parts=(Part("50"), Part("50", due=InstalmentDue.DAYS_AFTER, days=30)),
    )
    sign_all(app, db, quote)

    response = pay(client, quote)

    assert response.status_code == 422
    assert "Agree to save your payment details" in response.get_data(as_text=True)
    db.expire_all()
    assert quote.instalments[0].status is InstalmentStatus.PENDING
    assert quote.instalments[0].payment_id is None


def test_single_instalment_asks_no_consent(app, client, db):
    quote = publish_quote(db)
    sign_all(app, db, quote)

    page = client.get(f"/quotes/{quote.token}").get_data(as_text=True)

    assert 'name="save_payment_method"' not in page
    assert 'id="pay-amount">€1,240.00' in page


def test_declined_card_keeps_instalment_unpaid(app, client, db):
    quote = publish_quote(db)
    sign_all(app, db, quote)

    response = pay(client, quote, card_number="4000 0000 0000 0002")

    assert response.status_code == 402
    assert "Your card was declined." in response.get_data(as_text=True)
    db.expire_all()
    assert quote.instalments[0].status is InstalmentStatus.PENDING
    assert quote.status is QuoteStatus.ACCEPTED


def test_paid_quote_takes_no_second_payment(app, client, db):
    quote = publish_quote(db)
    sign_all(app, db, quote)
    token = pay_form_token(client, quote)
    pay(client, quote)

    response = client.post(f"/quotes/{quote.token}/pay", data={"token": token, **CARD})

    assert response.status_code == 409
    db.expire_all()
    payments = [quote.instalments[0].payment_id]
    assert payments == [quote.instalments[0].invoice.payment_id]
    page = client.get(f"/quotes/{quote.token}").get_data(as_text=True)
    assert 'id="view-receipt"' in page
    assert 'id="checkout-form"' not in page


def test_paid_quote_starts_subscription(app, client, db):
    quote = publish_quote(
        db,
        parts=(Part("100"),),
        recurring=True,
    )
    sign_all(app, db, quote)

    pay(client, quote, save_payment_method="yes")

    db.expire_all()
    line = quote.recurring_lines[0]
    assert quote.status is QuoteStatus.PAID
    assert line.started_subscription_id is not None
    subscription = db.get(Subscription, line.started_subscription_id)
    assert subscription.contact_id == quote.contact_id
    assert subscription.items[0].unit_amount == 2500
    assert subscription.saved_method_id == quote.saved_method_id
    assert subscription.collection is CollectionMethod.AUTOMATIC


def test_accepted_without_payment_starts_subscription(app, db):
    quote = publish_quote(db, collect_payment=False, recurring=True)

    sign_all(app, db, quote)

    db.expire_all()
    assert quote.status is QuoteStatus.ACCEPTED
    line = quote.recurring_lines[0]
    subscription = db.get(Subscription, line.started_subscription_id)
    assert subscription.collection is CollectionMethod.INVOICE
    started = db.scalars(select(Subscription)).all()
    assert len(started) == 1


def test_unpaid_quote_shows_no_pay_form(app, client, db):
    quote = publish_quote(db, collect_payment=False)
    sign_all(app, db, quote)

    page = client.get(f"/quotes/{quote.token}").get_data(as_text=True)

    assert 'id="checkout-form"' not in page
    assert "nothing to pay online" in page


def test_accepted_quote_payable_after_expiry(app, client, db):
    quote = publish_quote(db)
    sign_all(app, db, quote)
    quote.expires_on = now_utc().date() - timedelta(days=3)
    db.commit()

    response = pay(client, quote)

    assert response.status_code == 303
    db.expire_all()
    assert quote.status is QuoteStatus.PAID


def test_pay_form_needs_its_token(app, client, db):
    quote = publish_quote(db)
    sign_all(app, db, quote)

    response = client.post(f"/quotes/{quote.token}/pay", data={"token": "x", **CARD})

    assert response.status_code == 400
    db.expire_all()
    assert quote.instalments[0].status is InstalmentStatus.PENDING
