"""PDF downloads on the account receipt page: the receipt and the invoice."""

from datetime import date

from portal.models import Invoice, InvoiceStatus
from tests.account.test_other_customers import make_payment


def add_invoice(db, payment, number: str | None) -> Invoice:
    invoice = Invoice(
        number=number,
        token=f"inv-{payment.token}",
        order=payment.order,
        contact_id=payment.contact_id,
        payment=payment,
        status=InvoiceStatus.PAID if number else InvoiceStatus.DRAFT,
        currency=payment.currency,
        total=payment.amount,
        issue_date=date(2027, 3, 1) if number else None,
    )
    db.add(invoice)
    db.commit()
    return invoice


def test_receipt_links_invoice_pdf(aino_client, db, aino):
    payment = make_payment(db, aino)
    add_invoice(db, payment, "INV-000042")

    page = aino_client.get(f"/account/payments/{payment.token}")

    text = page.get_data(as_text=True)
    assert 'id="download-receipt"' in text
    assert 'id="download-invoice"' in text
    assert f"/account/payments/{payment.token}/invoice.pdf" in text


def test_invoice_pdf_downloads(aino_client, db, aino):
    payment = make_payment(db, aino)
    add_invoice(db, payment, "INV-000042")

    response = aino_client.get(f"/account/payments/{payment.token}/invoice.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert 'filename="invoice-INV-000042.pdf"' in disposition


def test_no_invoice_link_without_number(aino_client, db, aino):
    payment = make_payment(db, aino)
    add_invoice(db, payment, None)

    page = aino_client.get(f"/account/payments/{payment.token}")
    pdf = aino_client.get(f"/account/payments/{payment.token}/invoice.pdf")

    assert 'id="download-invoice"' not in page.get_data(as_text=True)
    assert pdf.status_code == 404


def test_no_invoice_link_without_invoice(aino_client, db, aino):
    payment = make_payment(db, aino)
    db.commit()

    page = aino_client.get(f"/account/payments/{payment.token}")
    pdf = aino_client.get(f"/account/payments/{payment.token}/invoice.pdf")

    text = page.get_data(as_text=True)
    assert 'id="download-invoice"' not in text
    # A payment that paid no subscription period names no period.
    assert 'id="paid-period"' not in text
    assert pdf.status_code == 404


def test_other_customers_invoice_pdf_hidden(aino_client, db, other):
    payment = make_payment(db, other)
    add_invoice(db, payment, "INV-000043")

    response = aino_client.get(f"/account/payments/{payment.token}/invoice.pdf")

    assert response.status_code == 404
