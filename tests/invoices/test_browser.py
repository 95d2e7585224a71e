"""Paying the hosted invoice page in Chromium, as a buyer clicks through it."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import InvoiceStatus
from tests.invoices.conftest import open_invoice

pytestmark = pytest.mark.browser


def fill_card(page, number: str) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry date").fill("12 / 40")
    page.get_by_label("Security code (CVC)").fill("123")


def test_pay_invoice_with_card(page, live_server, db, contact):
    invoice = open_invoice(db, contact)
    page.goto(f"{live_server}/invoices/{invoice.token}")
    expect(page.locator("#invoice-status")).to_have_text("Open")
    expect(page.locator("#pay-amount")).to_have_text("€1,000.00")
    fill_card(page, "4242 4242 4242 4242")

    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(
        page.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    expect(page.locator("#invoice-number")).to_have_text("INV-000001")
    expect(page.locator("#payment-method")).to_have_text("Visa ending in 4242")
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.payment is not None

    page.goto(f"{live_server}/invoices/{invoice.token}")
    expect(page.locator("#invoice-status")).to_have_text("Paid")
    expect(page.locator("#pay-button")).to_have_count(0)


def test_authenticated_card_pays_invoice(page, live_server, db, contact):
    invoice = open_invoice(db, contact)
    page.goto(f"{live_server}/invoices/{invoice.token}")
    fill_card(page, "4000 0025 0000 3155")
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(
        page.get_by_role("heading", name="Authenticate your payment")
    ).to_be_visible()

    page.get_by_role("button", name="Approve payment").click()

    expect(page.locator("#invoice-number")).to_have_text("INV-000001")
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID


def test_declined_card_shows_message_on_invoice(page, live_server, db, contact):
    invoice = open_invoice(db, contact)
    page.goto(f"{live_server}/invoices/{invoice.token}")
    fill_card(page, "4000 0000 0000 0002")

    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(page.get_by_role("alert")).to_contain_text("Your card was declined.")
    expect(page.locator("#invoice-status")).to_have_text("Open")
    expect(page.get_by_label("Card number")).to_have_value("")
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.OPEN
