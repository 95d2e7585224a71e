"""Reading and storing the billing details a customer keeps on their contact.

Invoices drafted later copy the contact's name and address as their bill-to
details, so a change here reaches every later invoice and none issued before.
"""

import re
from dataclasses import dataclass, fields

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal.i18n import COUNTRY_CODES
from portal.models import Contact
from portal.security import CONTROL_CHARACTERS

# Letters, digits and the separators tax numbers are written with, such as
# "FI12345678", "GB 123 4567 89" or "12-3456789".
TAX_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-/]*")
MAX_LENGTHS = {
    "name": 200,
    "address_line1": 200,
    "address_line2": 200,
    "postal_code": 20,
    "city": 100,
    "country": 2,
    "tax_id": 64,
}


@dataclass(frozen=True, slots=True)
class BillingDetailsInput:
    """Billing details as the customer typed them; blank parts are None."""

    name: str | None
    address_line1: str | None
    address_line2: str | None
    postal_code: str | None
    city: str | None
    country: str | None  # ISO 3166-1 alpha-2, upper case
    tax_id: str | None


def read_billing_details(
    form: MultiDict[str, str],
) -> tuple[BillingDetailsInput | None, dict[str, str], dict[str, str]]:
    """Check the submitted details; return them, the errors and the typed values."""
    values = {name: form.get(name, "").strip() for name in MAX_LENGTHS}
    values["country"] = values["country"].upper()
    errors: dict[str, str] = {}
    for name, value in values.items():
        if CONTROL_CHARACTERS.search(value):
            errors[name] = _("Remove the line breaks and control characters.")
        elif len(value) > MAX_LENGTHS[name]:
            errors[name] = _(
                "Shorten this to at most %(count)d characters.",
                count=MAX_LENGTHS[name],
            )
    _check_required(values, errors)
    if values["country"] and values["country"] not in COUNTRY_CODES:
        errors.setdefault("country", _("Choose a country from the list."))
    if values["tax_id"] and not TAX_ID.fullmatch(values["tax_id"]):
        errors.setdefault(
            "tax_id",
            _(
                "Enter the tax ID with letters, digits, spaces, dots, hyphens "
                "or slashes."
            ),
        )
    if errors:
        return None, errors, values
    details = BillingDetailsInput(
        **{name: value or None for name, value in values.items()}
    )
    return details, errors, values


def _check_required(values: dict[str, str], errors: dict[str, str]) -> None:
    if not values["name"]:
        errors.setdefault("name", _("Enter the name to bill."))
    # An address is all or nothing: a street without a city cannot be posted.
    address = ("address_line1", "address_line2", "postal_code", "city", "country")
    if any(values[name] for name in address):
        if not values["address_line1"]:
            errors.setdefault("address_line1", _("Enter the street address."))
        if not values["city"]:
            errors.setdefault("city", _("Enter the city."))
        if not values["country"]:
            errors.setdefault("country", _("Choose a country."))


def store_billing_details(contact: Contact, details: BillingDetailsInput) -> bool:
    """Copy the details onto the contact; return whether anything changed.

    A blank part clears what was stored, so the customer can remove an old
    address line or tax ID. The caller commits. Invoices issued later copy
    these details, tax ID included, into their bill-to block.
    """
    changed = False
    for field in fields(details):
        value = getattr(details, field.name)
        if getattr(contact, field.name) != value:
            setattr(contact, field.name, value)
            changed = True
    return changed
