from portal.documents import render_invoice_pdf
from portal.models import InvoiceStatus
from tests.documents import builders
from tests.documents.pdf_text import pdf_text


def invoice_text(locale: str = "en", **business_overrides) -> str:
    invoice = builders.card_payment().invoice
    business = builders.business(**business_overrides)
    return pdf_text(render_invoice_pdf(invoice, business, locale))


def test_invoice_starts_as_pdf(document_app):
    invoice = builders.card_payment().invoice

    pdf = render_invoice_pdf(invoice, builders.business())

    assert pdf.startswith(b"%PDF-")


def test_invoice_has_number_status_and_dates(document_app):
    text = invoice_text()

    assert "INV-000123" in text
    assert "PAID" in text
    assert "Issue date" in text
    assert "December 5, 2026" in text  # 22:30 UTC on 4 December, in Helsinki


def test_invoice_bills_the_contact(document_app):
    text = invoice_text()

    assert "Aino Virtanen" in text
    assert "aino@example.com" in text
    assert "Aleksanterinkatu 5 B 12" in text
    assert "00170 Helsinki" in text
    assert "Finland" in text


def test_invoice_shows_business_address_and_tax_id(document_app):
    text = invoice_text()

    assert "Mannerheimintie 12" in text
    assert "FI12345678" in text


def test_invoice_has_lines_totals_and_method(document_app):
    text = invoice_text()

    assert "Workshop kit" in text
    assert "Glaze set: sävy yö" in text
    assert "Shipping" in text
    assert "VAT 14% (included)" in text
    assert "€269.10" in text
    assert "€0.00" in text  # amount due
    assert "Payment method: Visa ending in 4242." in text


def test_invoice_in_finnish_formats_total(document_app):
    text = invoice_text("fi")

    assert "269,10 €" in text
    assert "0,00 €" in text
    assert "5. joulukuuta 2026" in text
    assert "Suomi" in text  # the contact's country, named in Finnish


def test_open_invoice_is_not_marked_paid(document_app):
    invoice = builders.card_payment().invoice
    invoice.status = InvoiceStatus.OPEN
    invoice.paid_at = None

    text = pdf_text(render_invoice_pdf(invoice, builders.business()))

    assert "OPEN" in text
    assert "PAID" not in text
    assert "Payment method" not in text
    assert "€269.10" in text  # total and amount due
