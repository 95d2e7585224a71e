"""Reading and checking the checkout form.

Card and bank account numbers are read into processor details and never
copied into ``values``, the dict used to fill the form again after an error.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal.checkout.saving import Consent, saves_payment_method
from portal.checkout.stripe_payment import (
    consent_text,
    read_payment_method,
    stripe_processor,
)
from portal.contacts import ContactDetails
from portal.i18n import COUNTRY_CODES
from portal.models import Collect, CustomFieldKind, PaymentLink
from portal.notifications.addresses import normalized_buyer_email
from portal.pricing import OrderTotals
from portal.processors.base import BankDetails, CardDetails, PaymentDetails
from portal.security import CONTROL_CHARACTERS

SECRET_FIELDS = frozenset({"card_number", "card_expiry", "card_cvc", "account_number"})
ADDRESS_FIELDS = ("address_line1", "address_line2", "postal_code", "city", "country")
REQUIRED_ADDRESS_FIELDS = ("address_line1", "postal_code", "city", "country")
METHODS = ("card", "bank_debit")
MAX_CODE_LENGTH = 64


@dataclass
class Selection:
    """Quantities and discount code: what changes the totals."""

    quantities: dict[int, int] = field(default_factory=dict)
    discount_code: str = ""
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class CheckoutSubmission:
    selection: Selection
    values: dict[str, str]
    buyer: ContactDetails | None = None
    custom_answers: dict[str, str] = field(default_factory=dict)
    method: str = "card"
    details: PaymentDetails | None = None
    # Set when the buyer agreed that their payment method is saved.
    save_consent: Consent | None = None
    errors: dict[str, str] = field(default_factory=dict)


def quantity_field(item_id: int) -> str:
    return f"qty-{item_id}"


def custom_field_name(key: str) -> str:
    return f"custom-{key}"


def safe_values(form: MultiDict[str, str]) -> dict[str, str]:
    """Return the submitted values that may be shown again or stored.

    Control characters are dropped, so what is shown again is printable.
    """
    return {
        name: CONTROL_CHARACTERS.sub("", value).strip()
        for name, value in form.items()
        if name not in SECRET_FIELDS
        and name not in {"token", "action", "payment_method"}
    }


def control_character_errors(form: MultiDict[str, str]) -> dict[str, str]:
    """Return an error for each field whose value contains a control character."""
    return {
        name: _("Remove the special characters from this field.")
        for name, value in form.items()
        if CONTROL_CHARACTERS.search(value)
    }


def shown_total_matches(form: MultiDict[str, str], totals: OrderTotals) -> bool:
    """Tell whether the total the buyer saw on the Pay button is still the total.

    The page sends it as "EUR:28191". A total changed since, by a quantity or
    code typed without an update, must be shown before it is charged. A form
    without the field, sent by a script rather than the page, is taken as
    agreeing to the server's total.
    """
    submitted = form.get("shown_total")
    return submitted is None or submitted == f"{totals.currency}:{totals.total}"


def read_selection(form: MultiDict[str, str], link: PaymentLink) -> Selection:
    selection = Selection(discount_code=form.get("discount_code", "").strip())
    code = selection.discount_code
    if len(code) > MAX_CODE_LENGTH or CONTROL_CHARACTERS.search(code):
        selection.discount_code = ""
        selection.errors["discount_code"] = _(
            "Enter a discount code of at most %(count)d letters and digits.",
            count=MAX_CODE_LENGTH,
        )
    for item in link.items:
        name = quantity_field(item.id)
        raw = form.get(name)
        if raw is None or not item.adjustable_quantity:
            continue
        quantity = _parse_quantity(raw)
        if quantity is None or not item.min_quantity <= quantity <= item.max_quantity:
            selection.errors[name] = _(
                "Enter a whole number from %(low)d to %(high)d.",
                low=item.min_quantity,
                high=item.max_quantity,
            )
            continue
        selection.quantities[item.id] = quantity
    if not link.allow_discount_codes:
        # The page has no code field; a code in the form was not typed there.
        selection.discount_code = ""
        selection.errors.pop("discount_code", None)
    return selection


def read_submission(
    form: MultiDict[str, str], link: PaymentLink, today: date, *, needs_payment: bool
) -> CheckoutSubmission:
    """Read the checkout form; ``needs_payment`` asks for payment details.

    A link with recurring prices needs them even when nothing is due today,
    because the payment method is saved for the renewals.
    """
    submission = CheckoutSubmission(
        selection=read_selection(form, link), values=safe_values(form)
    )
    errors = submission.errors
    errors.update(submission.selection.errors)

    email = form.get("email", "").strip()
    try:
        email = normalized_buyer_email(email)
    except ValueError:
        errors["email"] = _("Enter a valid email address, such as name@example.com.")

    buyer = {"email": email}
    for name, setting in (("name", link.collect_name), ("phone", link.collect_phone)):
        buyer[name] = _read_collected(form, name, setting, errors)
    for name in ADDRESS_FIELDS:
        required = link.collect_address is Collect.REQUIRED and (
            name in REQUIRED_ADDRESS_FIELDS
        )
        setting = Collect.REQUIRED if required else link.collect_address
        buyer[name] = _read_collected(form, name, setting, errors)
    buyer["country"] = buyer["country"].upper()
    if buyer["country"] and buyer["country"] not in COUNTRY_CODES:
        errors["country"] = _("Choose a country from the list.")
    if buyer["phone"] and not re.fullmatch(r"\+?[0-9 ()\-]{5,20}", buyer["phone"]):
        errors["phone"] = _(
            "Enter a phone number using digits, such as +358 40 123 4567."
        )
    submission.buyer = ContactDetails(**buyer)

    submission.custom_answers = _read_custom_fields(form, link, errors)
    if needs_payment:
        submission.method, submission.details = read_payment_details(
            form, today, errors, allow_bank_debit=link.allow_bank_debit
        )
        if saves_payment_method(link):
            submission.save_consent = read_consent(form, errors)
    errors.update(control_character_errors(form))
    return submission


def read_payment_details(
    form: MultiDict[str, str],
    today: date,
    errors: dict[str, str],
    *,
    allow_bank_debit: bool,
) -> tuple[str, PaymentDetails | None]:
    """Read the chosen method and its card or bank details into processor details.

    Adds a message to ``errors`` for each invalid field; the details are
    None when any is invalid. In Stripe mode the details are the id of the
    PaymentMethod that Stripe.js created, and card or bank fields are ignored.
    """
    if stripe_processor() is not None:
        reference = read_payment_method(form, errors, allow_bank_debit=allow_bank_debit)
        return "card", reference
    method = form.get("method", "card")
    if method not in METHODS or (method == "bank_debit" and not allow_bank_debit):
        errors["method"] = _("Choose how to pay.")
        return method, None
    if method == "card":
        return method, _read_card(form, today, errors)
    return method, _read_bank(form, errors)


def read_consent(form: MultiDict[str, str], errors: dict[str, str]) -> Consent | None:
    """Read the buyer's agreement to save their payment method; it is required."""
    if form.get("save_payment_method") != "yes":
        errors["save_payment_method"] = _(
            "This order is charged again later. Agree to save your payment details "
            "to pay for it."
        )
        return None
    return Consent(text=consent_text(), client_address=request.remote_addr)


def _parse_quantity(raw: str) -> int | None:
    raw = raw.strip()
    if not re.fullmatch(r"[0-9]{1,6}", raw):
        return None
    return int(raw)


def _read_collected(
    form: MultiDict[str, str], name: str, setting: Collect, errors: dict[str, str]
) -> str:
    if setting is Collect.OFF:
        return ""
    value = form.get(name, "").strip()
    if setting is Collect.REQUIRED and not value:
        errors[name] = _("This field is required.")
    if len(value) > 200:
        errors[name] = _("Use at most 200 characters.")
    return value


def _read_custom_fields(
    form: MultiDict[str, str], link: PaymentLink, errors: dict[str, str]
) -> dict[str, str]:
    answers = {}
    for custom in link.custom_fields:
        name = custom_field_name(custom.key)
        value = form.get(name, "").strip()
        if not value:
            if custom.required:
                errors[name] = _("This field is required.")
            continue
        if custom.kind is CustomFieldKind.NUMBER:
            try:
                number = Decimal(value.replace(",", "."))
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                errors[name] = _("Enter a number, such as 42 or 3.5.")
                continue
        elif custom.kind is CustomFieldKind.DROPDOWN and value not in custom.options:
            errors[name] = _("Choose one of the options.")
            continue
        elif len(value) > 500:
            errors[name] = _("Use at most 500 characters.")
            continue
        answers[custom.label] = value
    return answers


def _read_card(
    form: MultiDict[str, str], today: date, errors: dict[str, str]
) -> CardDetails | None:
    number = re.sub(r"[\s-]", "", form.get("card_number", ""))
    if not re.fullmatch(r"[0-9]{12,19}", number) or not luhn_valid(number):
        errors["card_number"] = _("Enter a valid card number.")

    expiry = parse_expiry(form.get("card_expiry", ""))
    if expiry is None:
        errors["card_expiry"] = _("Enter the expiry date as MM / YY.")
    elif (expiry[1], expiry[0]) < (today.year, today.month):
        errors["card_expiry"] = _("The expiry date is in the past.")

    cvc = form.get("card_cvc", "").strip()
    if not re.fullmatch(r"[0-9]{3,4}", cvc):
        errors["card_cvc"] = _("Enter the 3 or 4 digit security code.")

    if any(name in errors for name in ("card_number", "card_expiry", "card_cvc")):
        return None
    return CardDetails(number=number, exp_month=expiry[0], exp_year=expiry[1], cvc=cvc)


def _read_bank(form: MultiDict[str, str], errors: dict[str, str]) -> BankDetails | None:
    routing = re.sub(r"\s", "", form.get("routing_number", ""))
    account = re.sub(r"\s", "", form.get("account_number", ""))
    holder = form.get("account_holder", "").strip()
    if not re.fullmatch(r"[0-9]{9}", routing):
        errors["routing_number"] = _("Enter the 9 digit routing number.")
    if not re.fullmatch(r"[0-9]{4,17}", account):
        errors["account_number"] = _("Enter the account number, 4 to 17 digits.")
    if not holder:
        errors["account_holder"] = _("Enter the name of the account holder.")
    if any(
        name in errors
        for name in ("routing_number", "account_number", "account_holder")
    ):
        return None
    return BankDetails(
        routing_number=routing, account_number=account, holder_name=holder
    )


EXPIRY_PATTERNS = (
    re.compile(r"(\d{1,2})\s*[/-]\s*(\d{2}|\d{4})"),  # 12/30, 1 / 2030, 12-30
    re.compile(r"(\d{2})(\d{2}|\d{4})"),  # 1230, 122030
)


def parse_expiry(raw: str) -> tuple[int, int] | None:
    """Parse an expiry date such as "12 / 30" into (month, four-digit year).

    The month and year may be split by a slash or a hyphen, or typed together
    as "1230"; the year has two or four digits.
    """
    raw = raw.strip()
    match = next(filter(None, (p.fullmatch(raw) for p in EXPIRY_PATTERNS)), None)
    if match is None:
        return None
    month, year = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    if year < 100:
        year += 2000
    return month, year


def luhn_valid(number: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0
