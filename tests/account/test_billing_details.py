"""Billing details: validation, storing on the contact, use on a later invoice."""

import secrets
from datetime import date

import pytest

from portal.invoices.drafts import InvoiceDraft, LineDraft, create_draft
from portal.models import Contact, NetTerms
from tests.account.conftest import form_token

VALID = {
    "name": "Aino Virtanen Oy",
    "address_line1": "Aleksanterinkatu 5",
    "address_line2": "",
    "postal_code": "00100",
    "city": "Helsinki",
    "country": "FI",
    "tax_id": "FI12345678",
}


def submit(client, **changes):
    return client.post(
        "/account/billing-details",
        data={"csrf_token": form_token(client), **VALID, **changes},
    )


def test_details_saved_on_contact(aino_client, db, aino):
    response = submit(aino_client)

    assert response.status_code == 303
    db.expire_all()
    stored = db.get(Contact, aino.id)
    assert stored.name == "Aino Virtanen Oy"
    assert stored.address_line1 == "Aleksanterinkatu 5"
    assert stored.city == "Helsinki"
    assert stored.country == "FI"
    assert stored.tax_id == "FI12345678"
    overview = aino_client.get("/account/").get_data(as_text=True)
    assert "FI12345678" in overview


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter the name to bill."),
        ("city", "", "Enter the city."),
        ("country", "XX", "Choose a country from the list."),
        ("tax_id", "FI<123>", "Enter the tax ID with letters"),
        ("postal_code", "1" * 21, "Shorten this to at most 20 characters."),
        ("name", "Aino\tVirtanen", "Remove the line breaks"),
    ],
)
def test_invalid_details_rejected(aino_client, db, aino, field, value, message):
    response = submit(aino_client, **{field: value})

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Contact, aino.id).name == "Aino Virtanen"


def test_blank_tax_id_clears(aino_client, db, aino):
    submit(aino_client)
    submit(aino_client, tax_id="")

    db.expire_all()
    assert db.get(Contact, aino.id).tax_id is None


def test_later_invoice_uses_details(aino_client, db, aino):
    submit(aino_client)
    db.expire_all()

    invoice = create_draft(
        db,
        InvoiceDraft(
            contact_id=aino.id,
            currency="EUR",
            issue_date=date(2027, 3, 1),
            lines=(LineDraft(description="Consulting day", unit_amount=50000),),
            net_terms=NetTerms.NET_30,
        ),
        actor="staff:1",
        idempotency_key=secrets.token_urlsafe(16),
    )

    billing = invoice.order.billing
    assert billing.name == "Aino Virtanen Oy"
    assert billing.address_line1 == "Aleksanterinkatu 5"
    assert billing.city == "Helsinki"
    assert billing.country == "FI"
    assert billing.tax_id == "FI12345678"
