"""Reading the pay form of the hosted invoice page into a checkout submission."""

from datetime import date

from werkzeug.datastructures import MultiDict

from portal.checkout.form import (
    CheckoutSubmission,
    Selection,
    control_character_errors,
    read_payment_details,
    safe_values,
)
from portal.contacts import ContactDetails
from portal.documents.facts import bill_to
from portal.models import Invoice


def read_invoice_submission(
    form: MultiDict[str, str], invoice: Invoice, today: date
) -> CheckoutSubmission:
    """Read the payment method and its card or bank details from the pay form.

    The buyer is the invoice's bill-to. The page has no contact fields,
    because the invoice already names the buyer.
    """
    submission = CheckoutSubmission(selection=Selection(), values=safe_values(form))
    billing = bill_to(invoice.order)
    submission.buyer = ContactDetails(
        email=billing.email,
        name=billing.name or "",
        phone=billing.phone or "",
        address_line1=billing.address_line1 or "",
        address_line2=billing.address_line2 or "",
        postal_code=billing.postal_code or "",
        city=billing.city or "",
        country=billing.country or "",
    )
    submission.method, submission.details = read_payment_details(
        form, today, submission.errors, allow_bank_debit=True
    )
    submission.errors.update(control_character_errors(form))
    return submission
