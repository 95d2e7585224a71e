"""The staff form that starts a subscription, read into a ``StaffStart``.

Price rows are named ``items-<n>-<field>``. The numbers need not follow
each other, because removing a row leaves a gap. The start and trial
fields are the payment link editor's, checked by ``read_recurrence``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from portal.catalog.errors import InvalidInput
from portal.contacts import ContactDetails
from portal.links.recurrence import read_recurrence
from portal.listing.subscriptions import FREQUENCY_LABELS
from portal.merchant.invoice_form import LOCALES
from portal.models import (
    CollectionMethod,
    Contact,
    NetTerms,
    Price,
    PriceKind,
    SavedPaymentMethod,
    TaxRate,
)
from portal.models.subscriptions import MAX_ITEM_QUANTITY
from portal.security import CONTROL_CHARACTERS
from portal.subscriptions.staff_start import StaffStart, has_expired, start_date
from portal.subscriptions.starting import StartLine, StartTerms

ROW_NAME = re.compile(r"items-(\d{1,3})-(price_id|quantity|tax_rate_id)")
MAX_ITEMS = 20
# Invoices of a subscription are due a fixed number of days after issue, so
# a custom due date, which names one day, is not offered.
SUBSCRIPTION_TERMS = tuple(terms for terms in NetTerms if terms is not NetTerms.CUSTOM)


@dataclass
class SubscriptionForm:
    """The submitted form: values to show again, price rows, and errors by field."""

    values: dict[str, str]
    items: dict[int, dict[str, str]]
    errors: dict[str, str] = field(default_factory=dict)

    def add_blank_item(self) -> None:
        self.items[max(self.items, default=-1) + 1] = {"quantity": "1"}


def blank_form(locale: str, idempotency_key: str) -> SubscriptionForm:
    values = {
        "start": "now",
        "start_delay_unit": "days",
        "collection": CollectionMethod.AUTOMATIC.value,
        "net_terms": NetTerms.NET_30.value,
        "locale": locale,
        "idempotency_key": idempotency_key,
    }
    return SubscriptionForm(values=values, items={0: {"quantity": "1"}})


def read_form(formdata: MultiDict[str, str]) -> SubscriptionForm:
    """Collect the submitted values and price rows without checking them."""
    values: dict[str, str] = {}
    items: dict[int, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for name, raw in formdata.items():
        if name == "csrf_token":
            continue
        value = raw.strip()
        if CONTROL_CHARACTERS.search(value):
            errors[name] = "Remove the special characters from this field."
            value = CONTROL_CHARACTERS.sub("", value)
        match = ROW_NAME.fullmatch(name)
        if match is None:
            values[name] = value
        else:
            items.setdefault(int(match.group(1)), {})[match.group(2)] = value
    if len(items) > MAX_ITEMS:
        errors["items"] = f"A subscription has at most {MAX_ITEMS} prices."
    return SubscriptionForm(values=values, items=items, errors=errors)


def change_rows(submitted: SubscriptionForm, action: str) -> bool:
    """Add a row for "add_item", or remove the row "remove_item:<n>" names.

    Returns False when ``action`` changes no rows.
    """
    if action == "add_item":
        if len(submitted.items) < MAX_ITEMS:
            submitted.add_blank_item()
        return True
    match = re.fullmatch(r"remove_item:(\d{1,3})", action)
    if match is None:
        return False
    submitted.items.pop(int(match.group(1)), None)
    if not submitted.items:
        submitted.add_blank_item()
    return True


def normalise_email(text: str) -> str | None:
    """Return ``text`` as a contact's email is stored, or None when it is invalid."""
    try:
        return validate_email(
            text, check_deliverability=False, allow_smtputf8=False
        ).normalized.lower()
    except EmailNotValidError:
        return None


def find_contact(session: Session, email_text: str) -> Contact | None:
    """Return the saved contact with the email typed, if there is one."""
    email = normalise_email(email_text) if email_text else None
    if email is None:
        return None
    return session.scalars(select(Contact).where(Contact.email == email)).first()


@dataclass(frozen=True, slots=True)
class FormContext:
    """The saved records and dates that checking the form needs."""

    contact: Contact | None  # the saved contact with the email entered
    methods: list[SavedPaymentMethod]  # the contact's chargeable saved methods
    timezone: str  # the business's
    today: date  # in the business's time zone
    now: datetime


def check_form(
    session: Session, submitted: SubscriptionForm, context: FormContext
) -> StaffStart | None:
    """Turn the form into a ``StaffStart``, or return None after adding errors."""
    contact = _read_contact(submitted, context)
    lines = _read_lines(session, submitted)
    terms = _read_terms(submitted, context)
    locale = submitted.values.get("locale", "")
    if locale not in dict(LOCALES):
        submitted.errors["locale"] = "Choose a language from the list."
    key = submitted.values.get("idempotency_key", "")
    if submitted.errors or contact is None or lines is None or terms is None:
        return None
    return StaffStart(
        contact=contact,
        lines=lines,
        terms=terms,
        locale=locale,
        idempotency_key=key,
    )


def _read_contact(
    submitted: SubscriptionForm, context: FormContext
) -> Contact | ContactDetails | None:
    text = submitted.values.get("contact_email", "")
    email = normalise_email(text) if text else None
    if not text:
        submitted.errors["contact_email"] = "Enter the contact's email address."
        return None
    if email is None:
        submitted.errors["contact_email"] = (
            f"{text!r} is not a valid email address. Enter one such as "
            "name@example.com."
        )
        return None
    name = submitted.values.get("contact_name", "")
    if len(name) > 200:
        submitted.errors["contact_name"] = "Use at most 200 characters."
        return None
    saved = context.contact
    if saved is not None and (saved.name or not name):
        return saved
    if saved is None and not name:
        submitted.errors["contact_name"] = (
            f"No contact has the email {email}. Enter their name to add them as "
            "a new contact."
        )
        return None
    # A new contact, or a name for a saved contact that has none.
    return ContactDetails(email=email, name=name)


def filled_rows(submitted: SubscriptionForm) -> list[int]:
    """Return the numbers of the rows with a price chosen, in order."""
    return [
        index for index, row in sorted(submitted.items.items()) if row.get("price_id")
    ]


def _read_lines(
    session: Session, submitted: SubscriptionForm
) -> list[StartLine] | None:
    errors = submitted.errors
    lines: list[tuple[int, StartLine]] = []
    seen: dict[int, int] = {}  # price id to the row it was first chosen in
    for index in filled_rows(submitted):
        row = submitted.items[index]
        prefix = f"items-{index}"
        price = _read_price(session, row["price_id"], f"{prefix}-price_id", errors)
        quantity = _read_quantity(row.get("quantity", ""), f"{prefix}-quantity", errors)
        tax_rate = _read_tax_rate(
            session, row.get("tax_rate_id", ""), f"{prefix}-tax_rate_id", errors
        )
        if price is None or quantity is None:
            continue
        if price.id in seen:
            errors[f"{prefix}-price_id"] = (
                f"{price.product.name} is chosen twice. Remove this row and set "
                "the quantity on the first one."
            )
            continue
        seen[price.id] = index
        lines.append((index, StartLine(price, quantity, tax_rate=tax_rate)))

    if not lines:
        if not any(name.startswith("items-") for name in errors):
            errors["items"] = "Choose at least one recurring price."
        return None
    _check_alike(lines, errors)
    return [line for _index, line in lines]


def _check_alike(lines: list[tuple[int, StartLine]], errors: dict[str, str]) -> None:
    """Add an error to each row whose currency or frequency differs from the first."""
    first = lines[0][1].price
    for index, line in lines[1:]:
        price = line.price
        name = f"items-{index}-price_id"
        if price.currency != first.currency:
            errors[name] = (
                f"{price.product.name} is priced in {price.currency}, but "
                f"{first.product.name} in {first.currency}. A subscription has "
                f"one currency: choose a {first.currency} price, or start a "
                "separate subscription."
            )
        elif price.frequency is not first.frequency:
            errors[name] = (
                f"{price.product.name} is billed "
                f"{FREQUENCY_LABELS[price.frequency.value].lower()}, but "
                f"{first.product.name} "
                f"{FREQUENCY_LABELS[first.frequency.value].lower()}. A "
                "subscription has one billing frequency: choose a price billed "
                f"{FREQUENCY_LABELS[first.frequency.value].lower()}, or start a "
                "separate subscription."
            )


def _read_price(
    session: Session, text: str, name: str, errors: dict[str, str]
) -> Price | None:
    price = session.get(Price, int(text)) if _is_id(text) else None
    if price is None or not price.active or not price.product.active:
        errors[name] = "Choose an active price from the list."
        return None
    if price.kind is not PriceKind.RECURRING:
        errors[name] = (
            f"{price.product.name} is a one-time price. Choose a recurring price."
        )
        return None
    return price


def _read_quantity(text: str, name: str, errors: dict[str, str]) -> int | None:
    text = text or "1"
    if (
        not (text.isascii() and text.isdigit())
        or not 1 <= int(text) <= MAX_ITEM_QUANTITY
    ):
        errors[name] = f"Enter a whole number from 1 to {MAX_ITEM_QUANTITY}."
        return None
    return int(text)


def _read_tax_rate(
    session: Session, text: str, name: str, errors: dict[str, str]
) -> TaxRate | None:
    if not text:
        return None
    tax_rate = session.get(TaxRate, int(text)) if _is_id(text) else None
    if tax_rate is None or not tax_rate.active:
        errors[name] = "Choose an active tax rate from the list, or No tax."
        return None
    return tax_rate


def _read_terms(submitted: SubscriptionForm, context: FormContext) -> StartTerms | None:
    values = submitted.values
    errors = submitted.errors
    try:
        recurrence = read_recurrence(
            values, recurring=True, timezone=context.timezone, now=context.now
        )
    except InvalidInput as error:
        errors.update(error.errors)
        recurrence = None

    collection = None
    saved_method = None
    net_terms = None
    if values.get("collection") == CollectionMethod.AUTOMATIC.value:
        collection = CollectionMethod.AUTOMATIC
        saved_method = _read_method(submitted, context)
    elif values.get("collection") == CollectionMethod.INVOICE.value:
        collection = CollectionMethod.INVOICE
        net_terms = _read_net_terms(submitted)
    else:
        errors["collection"] = (
            "Choose how the subscription is paid: charge a saved payment method, "
            "or send an invoice."
        )
    if recurrence is None or collection is None:
        return None
    return StartTerms(
        start=start_date(recurrence, context.today),
        today=context.today,
        trial_days=recurrence.trial_days,
        collection=collection,
        saved_method=saved_method,
        net_terms=net_terms,
    )


def _read_method(
    submitted: SubscriptionForm, context: FormContext
) -> SavedPaymentMethod | None:
    errors = submitted.errors
    if not context.methods:
        email = submitted.values.get("contact_email") or "This contact"
        errors["saved_method_id"] = (
            f"{email} has no saved payment method, so nothing can be charged "
            "automatically. Choose Send an invoice instead."
        )
        return None
    text = submitted.values.get("saved_method_id", "")
    method = next((m for m in context.methods if str(m.id) == text), None)
    if method is None:
        errors["saved_method_id"] = "Choose one of the contact's payment methods."
        return None
    if has_expired(method, context.today):
        errors["saved_method_id"] = (
            f"The card ending {method.last4} expired at the end of "
            f"{method.exp_month:02d}/{method.exp_year}. Choose another payment "
            "method, or send an invoice."
        )
        return None
    return method


def _read_net_terms(submitted: SubscriptionForm) -> NetTerms | None:
    text = submitted.values.get("net_terms", "")
    for terms in SUBSCRIPTION_TERMS:
        if terms.value == text:
            return terms
    submitted.errors["net_terms"] = "Choose payment terms from the list."
    return None


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18
