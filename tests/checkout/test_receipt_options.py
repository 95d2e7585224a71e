"""Receipt settings on the buyer's receipt page and receipt PDF, and refunds there."""

import re
import secrets
import zlib

import pytest
from sqlalchemy import select

from portal.models import Business, Payment, RefundReason, StaffRole
from portal.payments.refunds import RefundInput, refund_payment
from portal.processors import get_processor
from tests.documents.pdf_text import pdf_text
from tests.fixtures.staff import make_staff
from tests.payments.builders import paid_payment

ALL_SHOWN = {
    "receipt_show_business_address": True,
    "receipt_show_tax_id": True,
    "receipt_show_payment_method": True,
    "receipt_show_custom_fields": True,
    "receipt_show_buyer_phone": True,
    "receipt_show_buyer_address": True,
    "receipt_footer": "Returns within 30 days.\nThank you for shopping local.",
}
NONE_SHOWN = {
    "receipt_show_business_address": False,
    "receipt_show_tax_id": False,
    "receipt_show_payment_method": False,
    "receipt_show_custom_fields": False,
    "receipt_show_buyer_phone": False,
    "receipt_show_buyer_address": False,
    "receipt_footer": None,
}
# Text of each optional fact, as the test payment and business give it.
FACTS = {
    "business address": "Mannerheimintie 12",
    "tax ID": "FI12345678",
    "payment method": "Visa ending in 4242",
    "custom field": "Frame size",
    "buyer phone": "+358 40 123 4567",
    "buyer address": "Aleksanterinkatu 5 B 12",
    "footer": "Returns within 30 days.",
}


@pytest.fixture
def payment_token(app, db):
    payment_id = paid_payment(app, amount=5000)
    return db.get(Payment, payment_id).token


def configure(db, settings: dict) -> None:
    business = db.scalars(select(Business)).one()
    for name, value in settings.items():
        setattr(business, name, value)
    db.commit()


def receipt_page(client, token: str) -> str:
    response = client.get(f"/receipts/{token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def receipt_pdf(client, token: str) -> str:
    response = client.get(f"/receipts/{token}/receipt.pdf")
    assert response.status_code == 200
    return pdf_text(response.data)


@pytest.mark.parametrize("render", [receipt_page, receipt_pdf])
def test_every_fact_shown(client, db, payment_token, render):
    configure(db, ALL_SHOWN)

    text = render(client, payment_token)

    for fact, shown in FACTS.items():
        assert shown in text, fact


@pytest.mark.parametrize("render", [receipt_page, receipt_pdf])
def test_every_fact_hidden(client, db, payment_token, render):
    configure(db, NONE_SHOWN)

    text = render(client, payment_token)

    for fact, shown in FACTS.items():
        assert shown not in text, fact


@pytest.mark.parametrize("render", [receipt_page, receipt_pdf])
def test_default_settings(client, payment_token, render):
    text = render(client, payment_token)

    assert FACTS["business address"] in text
    assert FACTS["tax ID"] in text
    assert FACTS["payment method"] in text
    assert FACTS["custom field"] in text
    assert FACTS["buyer phone"] not in text
    assert FACTS["buyer address"] not in text


def test_page_uses_brand_colour(client, db, payment_token):
    configure(db, {"brand_color": "#aa3300"})

    html = receipt_page(client, payment_token)

    assert "--brand: #aa3300;" in html


def test_pdf_uses_brand_colour(client, db, payment_token):
    configure(db, {"brand_color": "#aa3300"})

    response = client.get(f"/receipts/{payment_token}/receipt.pdf")

    # The heading and its rule are drawn in the brand colour, which PDF
    # operators write as RGB fractions: #aa3300 is 0.667 0.2 0.
    drawing = b"".join(pdf_streams(response.data))
    assert re.search(rb"0\.666\d* 0\.2 0 (RG|rg)", drawing)


def pdf_streams(pdf: bytes) -> list[bytes]:
    """Return the decompressed content streams of a PDF."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return streams


def test_refunds_listed_on_receipt_page(app, client, db, payment_token):
    staff = make_staff(db, role=StaffRole.ADMIN)
    db.commit()
    payment = db.scalars(select(Payment)).one()
    with app.app_context():
        refund_payment(
            db,
            get_processor(),
            RefundInput(
                payment_id=payment.id,
                amount=2000,
                reason=RefundReason.REQUESTED_BY_CUSTOMER,
                note=None,
                idempotency_key=secrets.token_urlsafe(24),
            ),
            actor=f"staff:{staff.id}",
            staff_id=staff.id,
            client_address=None,
        )

    html = receipt_page(client, payment_token)
    pdf = receipt_pdf(client, payment_token)

    assert re.search(r'id="payment-state">Partially refunded<', html)
    assert "RFD-000001" in html
    assert re.search(r'id="remaining-after-refunds">€30.00<', html)
    assert f"/receipts/{payment_token}/refunds/RFD-000001.pdf" in html
    assert "PARTIALLY REFUNDED" in pdf.upper()
    assert "Refund RFD-000001" in pdf
    assert "€30.00" in pdf


def test_unknown_refund_receipt_is_not_found(client, payment_token):
    response = client.get(f"/receipts/{payment_token}/refunds/RFD-000001.pdf")

    assert response.status_code == 404
