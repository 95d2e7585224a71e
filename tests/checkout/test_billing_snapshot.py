"""A receipt and invoice keep the buyer's details as submitted with their payment,
even after a later payment from the same email address updates the contact."""

from sqlalchemy import select

from portal.models import Contact
from tests.checkout.conftest import kit_form, open_checkout, payments, text_of
from tests.documents.pdf_text import pdf_text

FIRST_BUYER = {
    "email": "Aino@Example.com",
    "name": "Aino Virtanen",
    "phone": "+358 40 123 4567",
    "address_line1": "Aleksanterinkatu 5 B 12",
    "postal_code": "00170",
    "city": "Helsinki",
    "country": "FI",
}
# The same email address in other letter case, so the first contact is found again.
SECOND_BUYER = {
    "email": "AINO@EXAMPLE.COM",
    "name": "Mallory Impostor",
    "phone": "+46 70 765 4321",
    "address_line1": "Drottninggatan 1",
    "postal_code": "111 51",
    "city": "Stockholm",
    "country": "SE",
}


def pay_as(client, buyer: dict[str, str]) -> str:
    html, token = open_checkout(client, "workshop-kit")
    response = client.post("/pay/workshop-kit", data=kit_form(html, token, **buyer))
    assert response.status_code == 303
    return response.headers["Location"]


def test_second_buyer_shares_contact_row(client, db, kit_link):
    pay_as(client, FIRST_BUYER)
    pay_as(client, SECOND_BUYER)

    [contact] = db.scalars(select(Contact)).all()
    first, second = payments(db)
    assert first.contact_id == second.contact_id == contact.id
    assert contact.name == "Mallory Impostor"
    assert first.order.billing.name == "Aino Virtanen"
    assert second.order.billing.name == "Mallory Impostor"


def test_first_invoice_keeps_first_buyer(client, kit_link):
    first_receipt = pay_as(client, FIRST_BUYER)
    pay_as(client, SECOND_BUYER)

    response = client.get(first_receipt + "/invoice.pdf")

    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "INV-000001" in text
    assert "Aino Virtanen" in text
    assert "Aino@example.com" in text
    assert "Aleksanterinkatu 5 B 12" in text
    assert "00170 Helsinki" in text
    assert "Finland" in text
    assert "Mallory" not in text
    assert "Drottninggatan" not in text
    assert "Stockholm" not in text


def test_second_invoice_bills_second_buyer(client, kit_link):
    pay_as(client, FIRST_BUYER)
    second_receipt = pay_as(client, SECOND_BUYER)

    text = pdf_text(client.get(second_receipt + "/invoice.pdf").data)

    assert "INV-000002" in text
    assert "Mallory Impostor" in text
    assert "AINO@example.com" in text
    assert "111 51 Stockholm" in text
    assert "Sweden" in text
    assert "Aino Virtanen" not in text


def test_first_receipt_pdf_keeps_first_buyer(client, kit_link):
    first_receipt = pay_as(client, FIRST_BUYER)
    pay_as(client, SECOND_BUYER)

    response = client.get(first_receipt + "/receipt.pdf")

    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "RCT-000001" in text
    assert "Aino Virtanen" in text
    assert "Aino@example.com" in text
    assert "Mallory" not in text
    assert "AINO@example.com" not in text


def test_first_receipt_page_keeps_first_email(client, kit_link):
    first_receipt = pay_as(client, FIRST_BUYER)
    pay_as(client, SECOND_BUYER)

    html = client.get(first_receipt).get_data(as_text=True)

    assert text_of(html, "receipt-number") == "RCT-000001"
    assert text_of(html, "buyer-email") == "Aino@example.com"
    assert "A confirmation has been sent to Aino@example.com." in html
    assert "AINO@example.com" not in html
