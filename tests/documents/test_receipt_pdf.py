from portal.documents import render_receipt_pdf
from portal.documents.summary import MINUS_SIGN
from tests.documents import builders
from tests.documents.pdf_text import pdf_text


def test_receipt_starts_as_pdf(document_app):
    pdf = render_receipt_pdf(builders.card_payment(), builders.business())

    assert pdf.startswith(b"%PDF-")


def test_receipt_has_numbers_lines_and_total(document_app):
    text = pdf_text(render_receipt_pdf(builders.card_payment(), builders.business()))

    assert "Nordlys Studio Oy" in text
    assert "RCT-000042" in text
    assert "INV-000123" in text
    assert "Workshop kit" in text
    assert "Glaze set: sävy yö" in text
    assert "Shipping" in text
    assert "€269.10" in text


def test_receipt_shows_every_total_row(document_app):
    text = pdf_text(render_receipt_pdf(builders.card_payment(), builders.business()))

    assert "€65.00" in text  # unit amount of the kit
    assert "€195.00" in text  # 3 kits
    assert "€244.00" in text  # subtotal
    assert "Discount (TEN)" in text
    assert f"{MINUS_SIGN}€24.40" in text
    assert "€5.95" in text  # shipping fee
    assert "VAT 24%" in text
    assert "€43.55" in text  # VAT on the kits and on shipping
    assert "VAT 14% (included)" in text
    assert "€5.42" in text


def test_receipt_shows_buyer_method_and_answers(document_app):
    text = pdf_text(render_receipt_pdf(builders.card_payment(), builders.business()))

    assert "Aino Virtanen" in text
    assert "aino@example.com" in text
    assert "Visa ending in 4242" in text
    assert "PAID" in text
    assert "T-shirt size" in text
    assert "Gluten-free" in text


def test_receipt_date_is_in_business_time_zone(document_app):
    """The payment at 22:30 UTC on 4 December falls on 5 December in Helsinki."""
    text = pdf_text(render_receipt_pdf(builders.card_payment(), builders.business()))

    assert "Dec 5, 2026" in text
    assert "Dec 4, 2026" not in text


def test_receipt_in_finnish_formats_amounts(document_app):
    payment = builders.card_payment()

    text = pdf_text(render_receipt_pdf(payment, builders.business(), "fi"))

    assert "269,10 €" in text
    assert f"{MINUS_SIGN}24,40 €" in text
    assert "VAT 24 %" in text
    assert "5.12.2026" in text
    assert "Visa, loppunumerot 4242" in text


def test_processing_debit_receipt_shows_status(document_app):
    payment = builders.processing_debit()

    text = pdf_text(render_receipt_pdf(payment, builders.business()))

    assert "PROCESSING" in text
    assert "Bank debit ending in 6789" in text
    assert "€269.10" in text
    assert "RCT-" not in text


def test_unknown_locale_falls_back_to_english(document_app):
    text = pdf_text(
        render_receipt_pdf(builders.card_payment(), builders.business(), "xx-nope")
    )

    assert "€269.10" in text
    assert "Receipt" in text


def test_receipt_escapes_buyer_text(document_app):
    payment = builders.card_payment()
    payment.order.custom_fields = {"Note": "<b>bold</b> & more"}

    text = pdf_text(render_receipt_pdf(payment, builders.business()))

    assert "<b>bold</b> & more" in text
