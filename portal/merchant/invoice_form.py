"""The staff invoice form: indexed line and fee rows read into an ``InvoiceDraft``.

Rows are named ``lines-<n>-<field>`` and ``fees-<n>-<field>``. The numbers
need not follow each other, because removing a row leaves a gap. Amounts are
typed in major units of the chosen currency, and a line's discount is
either a percent ("10%") or an amount ("5.00").
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Protocol

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from werkzeug.datastructures import MultiDict

from portal.contacts import ContactDetails
from portal.invoices.drafts import FeeDraft, InvoiceDraft, LineDraft, draft_version
from portal.models import Contact, Invoice, NetTerms, OrderLineKind, TaxRate
from portal.money import CurrencyError, normalise_currency, parse_major, to_major
from portal.security import CONTROL_CHARACTERS

ROW_NAME = re.compile(r"(lines|fees)-(\d{1,4})-([a-z_]+)")
LINE_FIELDS = (
    "price_id",
    "description",
    "quantity",
    "unit_amount",
    "discount",
    "tax_rate_id",
)
FEE_FIELDS = ("description", "amount", "tax_rate_id")
LOCALES = (("en", "English"), ("fi", "Finnish"))
MAX_ROWS = 50


@dataclass
class InvoiceForm:
    """The submitted form: its values to show again, rows, and errors by field."""

    values: dict[str, str]
    lines: dict[int, dict[str, str]]
    fees: dict[int, dict[str, str]]
    errors: dict[str, str] = field(default_factory=dict)
    # The id of the field that gets the focus when the form is shown again.
    focus: str | None = None

    def add_blank_line(self) -> None:
        index = max(self.lines, default=-1) + 1
        self.lines[index] = {"quantity": "1"}
        self.focus = f"lines-{index}-price_id"

    def add_blank_fee(self) -> None:
        index = max(self.fees, default=-1) + 1
        self.fees[index] = {}
        self.focus = f"fees-{index}-description"


def blank_form(issue_date: date, currency: str, locale: str) -> InvoiceForm:
    values = {
        "issue_date": issue_date.isoformat(),
        "currency": currency,
        "net_terms": NetTerms.NET_30.value,
        "locale": locale,
    }
    return InvoiceForm(values=values, lines={0: {"quantity": "1"}}, fees={})


def form_of_invoice(invoice: Invoice) -> InvoiceForm:
    """Fill the form from a saved draft, so that staff can edit it."""
    currency = invoice.currency
    values = {
        "contact_email": invoice.contact.email,
        "currency": currency,
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else "",
        "net_terms": invoice.net_terms.value if invoice.net_terms else "",
        "due_date": invoice.due_date.isoformat() if invoice.due_date else "",
        "memo": invoice.memo or "",
        "footer": invoice.footer or "",
        "locale": invoice.locale or "",
        "version": draft_version(invoice),
    }
    lines: dict[int, dict[str, str]] = {}
    fees: dict[int, dict[str, str]] = {}
    tax_rates = _tax_rate_ids(invoice)
    for line in invoice.order.lines:
        tax_rate_id = tax_rates.get(
            (line.tax_name, line.tax_percent, line.tax_inclusive)
        )
        row = {
            "description": line.description,
            "tax_rate_id": str(tax_rate_id) if tax_rate_id else "",
        }
        if line.kind is OrderLineKind.FEE:
            row["amount"] = str(to_major(line.unit_amount, currency))
            fees[len(fees)] = row
            continue
        row.update(
            price_id=str(line.price_id or ""),
            quantity=str(line.quantity),
            unit_amount=str(to_major(line.unit_amount, currency)),
            discount=discount_text(line.discount_percent, line.discount, currency),
        )
        lines[len(lines)] = row
    return InvoiceForm(values=values, lines=lines, fees=fees)


def read_form(form: MultiDict[str, str]) -> InvoiceForm:
    """Collect the submitted values and rows.

    A field with control characters gets an error, and the value shown again
    has them removed.
    """
    values = {}
    lines: dict[int, dict[str, str]] = {}
    fees: dict[int, dict[str, str]] = {}
    errors = {}
    for name, raw in form.items():
        if name == "csrf_token":
            continue
        multiline = name in ("memo", "footer")
        value = raw.strip().replace("\r\n", "\n")
        checked = value.replace("\n", "") if multiline else value
        if CONTROL_CHARACTERS.search(checked):
            errors[name] = "Remove the special characters from this field."
            value = _without_controls(value, multiline)
        match = ROW_NAME.fullmatch(name)
        if match is None:
            values[name] = value
            continue
        kind, index, field_name = match.group(1), int(match.group(2)), match.group(3)
        allowed = LINE_FIELDS if kind == "lines" else FEE_FIELDS
        if field_name in allowed:
            rows = lines if kind == "lines" else fees
            rows.setdefault(index, {})[field_name] = value
    if len(lines) > MAX_ROWS or len(fees) > MAX_ROWS:
        errors["lines"] = f"An invoice has at most {MAX_ROWS} line items and fees."
    return InvoiceForm(values=values, lines=lines, fees=fees, errors=errors)


def remove_row(submitted: InvoiceForm, action: str) -> bool:
    """Remove the row a "remove_line:<n>" or "remove_fee:<n>" button names.

    Returns False when ``action`` is no such button.
    """
    match = re.fullmatch(r"remove_(line|fee):(\d{1,4})", action)
    if match is None:
        return False
    rows = submitted.lines if match.group(1) == "line" else submitted.fees
    rows.pop(int(match.group(2)), None)
    return True


class ContactFields(Protocol):
    """A submitted form with contact fields: its values and its errors by field."""

    values: dict[str, str]
    errors: dict[str, str]


def resolve_contact(
    session: Session, submitted: ContactFields
) -> Contact | ContactDetails | None:
    """Find the contact by id or email, or return a new one's details.

    A new contact needs a name, and is saved only with a valid draft. A name
    typed for a saved contact that has none is returned as details too, so
    that the draft stores it. Adds a field error and returns None when the
    contact cannot be found or made. An unknown ``contact_id`` is reported
    with ``contact_not_found``.
    """
    values = submitted.values
    errors = submitted.errors
    contact_id = values.get("contact_id", "")
    if contact_id:
        contact = (
            session.get(Contact, int(contact_id)) if contact_id.isdigit() else None
        )
        if contact is None:
            errors["contact_email"] = (
                f"Contact {contact_id} was not found. Choose a contact by email."
            )
            errors["contact_not_found"] = "1"
        return contact

    email = values.get("contact_email", "")
    if not email:
        errors["contact_email"] = "Enter the contact's email address."
        return None
    try:
        email = validate_email(
            email, check_deliverability=False, allow_smtputf8=False
        ).normalized
    except EmailNotValidError:
        errors["contact_email"] = (
            "Enter a valid email address, such as name@example.com."
        )
        return None
    contact = session.scalars(
        select(Contact).where(Contact.email == email.lower())
    ).first()
    name = values.get("contact_name", "")
    if contact is not None and (contact.name or not name):
        return contact
    if not name:
        errors["contact_name"] = (
            f"No contact has the email {email}. Enter their name to add them as "
            "a new contact."
        )
        return None
    if len(name) > 200:
        errors["contact_name"] = "Use at most 200 characters."
        return None
    return ContactDetails(email=email, name=name)


def to_draft(
    submitted: InvoiceForm, contact: Contact | ContactDetails
) -> InvoiceDraft | None:
    """Turn the form into an ``InvoiceDraft``, or return None after adding errors."""
    values = submitted.values
    errors = submitted.errors
    try:
        currency = normalise_currency(values.get("currency", ""))
    except CurrencyError:
        errors["currency"] = "Choose a currency from the list."
        return None
    issue_date = read_date(values, "issue_date", errors, required=True)
    terms = _read_terms(values, errors)
    due_date = None
    if terms is NetTerms.CUSTOM:
        due_date = read_date(values, "due_date", errors, required=True)
    locale = values.get("locale") or None
    if locale is not None and locale not in dict(LOCALES):
        errors["locale"] = "Choose a language from the list."

    lines = [
        read_line_row(index, submitted.lines[index], currency, errors)
        for index in filled_rows(submitted, "lines")
    ]
    fees = [
        read_fee_row(index, submitted.fees[index], currency, errors)
        for index in filled_rows(submitted, "fees")
    ]
    if not lines and "lines" not in errors:
        errors["lines"] = "Add at least one line item."
    if errors:
        return None
    saved = isinstance(contact, Contact)
    return InvoiceDraft(
        contact_id=contact.id if saved else None,
        new_contact=None if saved else contact,
        currency=currency,
        issue_date=issue_date,
        lines=tuple(lines),
        fees=tuple(fees),
        net_terms=terms,
        custom_due_date=due_date,
        memo=values.get("memo", ""),
        footer=values.get("footer", ""),
        locale=locale,
    )


def field_of_row(name: str, submitted: InvoiceForm) -> str:
    """Map a domain error's field, such as "lines-1-unit_amount", to the form's row.

    The domain numbers only the rows it was given, in order, while the form
    keeps the numbers the rows were typed with.
    """
    match = re.fullmatch(r"(lines|fees)-(\d+)-([a-z_]+)", name)
    if match is None:
        return name
    kind, position, field_name = match.group(1), int(match.group(2)), match.group(3)
    filled = filled_rows(submitted, kind)
    if position < len(filled):
        return f"{kind}-{filled[position]}-{field_name}"
    return name


def filled_rows(submitted: InvoiceForm, kind: str) -> list[int]:
    """Return the numbers of the rows that have content, in order.

    A row with neither a product, a description nor an amount is an unused
    blank row and is left out.
    """
    rows = submitted.lines if kind == "lines" else submitted.fees
    keys = ("price_id", "description", "unit_amount", "amount")
    return [
        index
        for index, row in sorted(rows.items())
        if any(row.get(key) for key in keys)
    ]


def read_line_row(
    index: int, row: dict[str, str], currency: str, errors: dict[str, str]
) -> LineDraft:
    prefix = f"lines-{index}"
    price_id = read_id(row.get("price_id", ""), f"{prefix}-price_id", errors)
    unit_amount = None
    if row.get("unit_amount") and price_id is None:
        unit_amount = read_amount(
            row["unit_amount"], currency, f"{prefix}-unit_amount", errors
        )
    quantity_text = row.get("quantity") or "1"
    quantity = int(quantity_text) if re.fullmatch(r"\d{1,7}", quantity_text) else None
    if quantity is None or quantity < 1:
        errors[f"{prefix}-quantity"] = "Enter a whole number of at least 1."
    percent, amount_off = _read_discount(
        row.get("discount", ""), currency, prefix, errors
    )
    return LineDraft(
        description=row.get("description", ""),
        unit_amount=unit_amount,
        quantity=quantity or 1,
        price_id=price_id,
        discount_percent=percent,
        discount_amount=amount_off,
        tax_rate_id=read_id(
            row.get("tax_rate_id", ""), f"{prefix}-tax_rate_id", errors
        ),
    )


def read_fee_row(
    index: int, row: dict[str, str], currency: str, errors: dict[str, str]
) -> FeeDraft:
    prefix = f"fees-{index}"
    amount = read_amount(row.get("amount", ""), currency, f"{prefix}-amount", errors)
    return FeeDraft(
        description=row.get("description", ""),
        amount=amount if amount is not None else 0,
        tax_rate_id=read_id(
            row.get("tax_rate_id", ""), f"{prefix}-tax_rate_id", errors
        ),
    )


def read_amount(
    text: str, currency: str, name: str, errors: dict[str, str]
) -> int | None:
    if not text:
        errors[name] = "Enter an amount, such as 120.00."
        return None
    try:
        return parse_major(text, currency)
    except ValueError as error:
        errors[name] = str(error)
        return None


def _read_discount(
    text: str, currency: str, prefix: str, errors: dict[str, str]
) -> tuple[Decimal | None, int | None]:
    """Read "10%" as a percent and "5.00" as an amount off; empty means none."""
    name = f"{prefix}-discount"
    if not text:
        return None, None
    if text.endswith("%"):
        try:
            percent = Decimal(text[:-1].strip().replace(",", "."))
        except InvalidOperation:
            percent = None
        if percent is None or not percent.is_finite() or not 0 < percent <= 100:
            errors[name] = "Enter a percent above 0 and up to 100, such as 10%."
            return None, None
        return percent, None
    amount = read_amount(text, currency, name, errors)
    return None, amount


def read_id(text: str, name: str, errors: dict[str, str]) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        errors[name] = "Choose an entry from the list."
        return None
    return int(text)


def read_date(
    values: dict[str, str], name: str, errors: dict[str, str], *, required: bool
) -> date | None:
    text = values.get(name, "")
    if not text:
        if required:
            errors[name] = "Enter a date."
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{text!r} is not a valid date. Use the form YYYY-MM-DD."
        return None


def _read_terms(values: dict[str, str], errors: dict[str, str]) -> NetTerms:
    try:
        return NetTerms(values.get("net_terms", ""))
    except ValueError:
        errors["net_terms"] = "Choose net terms from the list."
        return NetTerms.NET_30


def discount_text(percent: Decimal | None, amount: int, currency: str) -> str:
    if percent is not None:
        return f"{percent.normalize():f}%"
    if amount:
        return str(to_major(amount, currency))
    return ""


def _tax_rate_ids(invoice: Invoice) -> dict[tuple, int]:
    """Find the tax rate of each saved line again by its name, percent and kind."""
    session = object_session(invoice)
    rates = session.scalars(select(TaxRate)).all()
    return {(rate.name, rate.percent, rate.inclusive): rate.id for rate in rates}


def _without_controls(value: str, multiline: bool) -> str:
    if not multiline:
        return CONTROL_CHARACTERS.sub("", value)
    lines = value.split("\n")
    return "\n".join(CONTROL_CHARACTERS.sub("", line) for line in lines)
