"""Net proration charges show their tax per rate, and still add up."""

from pathlib import Path

import pytest

from portal.models import Invoice, Payment
from portal.models.subscriptions import CollectionMethod
from portal.subscriptions.net_lines import net_order
from portal.subscriptions.proration import ItemPrice
from tests.factories import make_tax_rate
from tests.payments.builders import ensure_business
from tests.subscriptions.test_changes import change, saved_card, subscribed


@pytest.fixture
def business(app):
    ensure_business(app)


def taxed(db, subscription, percent="25.5", inclusive=False):
    rate = make_tax_rate(db, "VAT", percent, inclusive=inclusive)
    subscription.items[0].tax_rate = rate
    db.commit()
    return rate


def test_charge_shows_vat_line(app, db, business):
    subscription = subscribed(app, db, unit_amount=1500)
    taxed(db, subscription)
    subscription.saved_method = saved_card(app, db, subscription.contact)
    db.commit()

    proration = change(app, db, subscription, subscription.items[0].price, 3)

    # 1883 and 5648 a period with VAT; 15 of 31 days: 5648 x 15/31 - 911.
    assert proration.net == 1822
    order = db.get(Payment, proration.payment_id).order
    [line] = order.lines
    assert line.tax_name == "VAT"
    assert str(line.tax_percent.normalize()) == "25.5"
    assert line.tax_inclusive is False
    assert line.tax == 370  # 1822 x 25.5 / 125.5
    assert line.gross == 1452
    assert line.total == 1822
    assert order.subtotal == 1452
    assert order.tax_total == 370
    assert order.total == 1822


def test_receipt_email_lists_vat(app, db, business):
    subscription = subscribed(app, db, unit_amount=1500)
    taxed(db, subscription)
    subscription.saved_method = saved_card(app, db, subscription.contact)
    db.commit()

    proration = change(app, db, subscription, subscription.items[0].price, 3)

    payment = db.get(Payment, proration.payment_id)
    emails = [
        path.read_text(errors="replace")
        for path in Path(app.config["KASSA_OUTBOX"]).glob("*")
    ]
    [receipt] = [
        text
        for text in emails
        if "Subject: Receipt" in text and payment.receipt_number in text
    ]
    assert "VAT 25.5%" in receipt
    assert "14.52" in receipt
    assert "3.70" in receipt
    assert "18.22" in receipt


def test_invoice_has_inclusive_vat(app, db, business):
    subscription = subscribed(
        app, db, unit_amount=3100, collection=CollectionMethod.INVOICE
    )
    taxed(db, subscription, "24", inclusive=True)

    proration = change(app, db, subscription, subscription.items[0].price, 3)

    invoice = db.get(Invoice, proration.invoice_id)
    [line] = invoice.order.lines
    assert proration.net == 3000
    assert line.tax_inclusive is True
    assert line.gross == 3000
    assert line.tax == 581  # 3000 x 24 / 124
    assert invoice.order.subtotal == 3000
    assert invoice.order.tax_total == 581
    assert invoice.total == 3000


def test_two_rates_add_up(app, db, business):
    subscription = subscribed(app, db, unit_amount=1000)
    high = make_tax_rate(db, "VAT", "25.5")
    low = make_tax_rate(db, "VAT", "10")
    items = [
        ItemPrice("Desk", 1000, 1, tax_rate=high),
        ItemPrice("Coffee", 333, 1, tax_rate=low),
        ItemPrice("Locker", 500, 1),
    ]

    order = net_order(subscription, items, 1001, "Desk: 15 of 31 days after a change")

    assert [line.tax_name for line in order.lines] == ["VAT", "VAT", None]
    assert sum(line.total for line in order.lines) == 1001
    assert order.total == 1001
    assert order.subtotal + order.tax_total == 1001
    assert order.tax_total == sum(line.tax for line in order.lines)
    assert [line.position for line in order.lines] == [0, 1, 2]
