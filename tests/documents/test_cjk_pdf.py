"""Japanese text in receipt and invoice PDFs, drawn with the Noto Sans CJK font."""

import logging
import shutil
import subprocess
from dataclasses import replace

import pytest

from portal.documents import render_invoice_pdf, render_receipt_pdf
from tests.documents import builders
from tests.documents.pdf_text import pdf_text
from tests.fixtures.required import skip_or_fail

CJK_FAMILY = "Noto Sans CJK JP"
PRODUCT = "東京 ポスター"
BUYER = "山田 花子"


def font_installed(family: str) -> bool:
    """Return whether fontconfig, which WeasyPrint uses, lists a font of this family."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    return subprocess.run([fc_list, "-q", family], check=False).returncode == 0


def embedded_fonts(pdf: bytes) -> str:
    """Return the table of fonts a PDF embeds, as poppler's pdffonts prints it."""
    result = subprocess.run(
        ["/usr/bin/pdffonts", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode()


@pytest.fixture
def cjk_font() -> None:
    if not font_installed(CJK_FAMILY):
        skip_or_fail(
            f"{CJK_FAMILY} is not installed, so CJK text in PDFs is drawn as "
            "empty boxes. Install it with: apt-get install -y fonts-noto-cjk"
        )


@pytest.fixture
def japanese_payment():
    payment = builders.card_payment()
    payment.order.lines[0].description = PRODUCT
    payment.order.billing = replace(builders.billing(), name=BUYER)
    return payment


def missing_glyph_warnings(caplog) -> list[str]:
    """Return WeasyPrint's warnings about characters drawn as empty boxes.

    pdftotext extracts such characters all the same, so a text check alone
    cannot tell a drawn glyph from an empty box.
    """
    return [
        record.getMessage()
        for record in caplog.records
        if ".notdef glyph" in record.getMessage()
    ]


def test_receipt_shows_japanese_text(document_app, cjk_font, japanese_payment, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")

    pdf = render_receipt_pdf(japanese_payment, builders.business())

    text = pdf_text(pdf)
    assert PRODUCT in text
    assert BUYER in text
    assert "€269.10" in text
    fonts = embedded_fonts(pdf)
    assert "Noto-Sans-CJK-JP" in fonts
    assert "DejaVu-Sans" in fonts
    assert missing_glyph_warnings(caplog) == []


def test_invoice_shows_japanese_text(document_app, cjk_font, japanese_payment, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")

    pdf = render_invoice_pdf(japanese_payment.invoice, builders.business())

    text = pdf_text(pdf)
    assert PRODUCT in text
    assert BUYER in text
    assert "INV-000123" in text
    assert "Noto-Sans-CJK-JP" in embedded_fonts(pdf)
    assert missing_glyph_warnings(caplog) == []
