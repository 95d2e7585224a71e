"""A long unbroken name or address wraps inside the page instead of pushing
the document's facts off it."""

import re
from dataclasses import replace

import pytest

from portal.documents import render_invoice_pdf, render_receipt_pdf
from tests.documents import builders
from tests.documents.pdf_text import pdf_text

# No other text on the documents contains this letter, so counting it shows
# whether the whole name made it onto the page.
NAME_LETTER = "Ø"
LONG_NAME = NAME_LETTER * 200  # the maximum length of a billing name
LONG_ADDRESS = "Aleksanterinkatu" * 12 + "5B"  # 194 characters, no space
LONG_DESCRIPTION = "Workshopkit" * 27  # 297 characters, no space


@pytest.fixture
def long_words_payment():
    payment = builders.card_payment()
    payment.order.billing = replace(
        builders.billing(), name=LONG_NAME, address_line1=LONG_ADDRESS
    )
    payment.order.lines[0].description = LONG_DESCRIPTION
    return payment


def test_invoice_keeps_number_and_date_beside_long_name(
    document_app, long_words_payment
):
    pdf = render_invoice_pdf(long_words_payment.invoice, builders.business())

    text = pdf_text(pdf)
    assert re.search(r"Invoice number +INV-000123", text)
    assert re.search(r"Issue date +December 5, 2026", text)
    assert re.search(r"Date paid +December 5, 2026", text)
    assert text.count(NAME_LETTER) == len(LONG_NAME)
    assert "00170 Helsinki" in text
    assert "€195.00" in text  # the amount of the line with the long description


def test_receipt_keeps_facts_beside_long_name(document_app, long_words_payment):
    pdf = render_receipt_pdf(long_words_payment, builders.business())

    text = pdf_text(pdf)
    assert re.search(r"Receipt number +RCT-000042", text)
    assert re.search(r"Invoice number +INV-000123", text)
    assert text.count(NAME_LETTER) == len(LONG_NAME)
    assert "aino@example.com" in text
    assert "€195.00" in text
