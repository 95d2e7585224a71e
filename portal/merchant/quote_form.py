"""The staff quote form: indexed rows read into a ``QuoteDraft``.

Rows are named ``<kind>-<n>-<field>``, such as ``lines-0-description`` or
``instalments-2-due``. The numbers need not follow each other, because
removing a row leaves a gap, and rows keep their order by number. Amounts
are typed in major units of the chosen currency. A line's discount and an
instalment's share are either a percent ("10%") or an amount ("5.00").
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from werkzeug.datastructures import MultiDict

from portal.contacts import ContactDetails
from portal.merchant.invoice_form import (
    read_amount,
    read_date,
    read_fee_row,
    read_id,
    read_line_row,
)
from portal.models import Contact, InstalmentDue, SignerRole
from portal.money import CurrencyError, normalise_currency
from portal.quotes.building import QuoteDraft, SignerDraft
from portal.quotes.lines import RecurringDraft
from portal.quotes.schedule import MAX_DAYS_AFTER, InstalmentInput
from portal.security import CONTROL_CHARACTERS

ROW_FIELDS = {
    "lines": (
        "price_id",
        "description",
        "quantity",
        "unit_amount",
        "discount",
        "tax_rate_id",
    ),
    "fees": ("description", "amount", "tax_rate_id"),
    "recurring": ("price_id", "description", "quantity", "tax_rate_id"),
    "buyers": ("name", "email"),
    "countersigners": ("staff_id",),
    "instalments": ("share", "due", "days", "due_on"),
}
# The fields whose content makes a row count. An entirely blank row is ignored.
FILLED_FIELDS = {
    "lines": ("price_id", "description", "unit_amount"),
    "fees": ("description", "amount"),
    "recurring": ("price_id",),
    "buyers": ("name", "email"),
    "countersigners": ("staff_id",),
    "instalments": ("share",),
}
# The first field of each kind of row, which gets the focus when a row is added.
FIRST_FIELDS = {
    "lines": "price_id",
    "fees": "description",
    "recurring": "price_id",
    "buyers": "name",
    "countersigners": "staff_id",
    "instalments": "share",
}
ROW_NAME = re.compile(r"([a-z]+)-(\d{1,4})-([a-z_]+)")
MULTILINE_FIELDS = ("terms", "cover_text")
MAX_ROWS = 50
DUE_LABELS = {
    InstalmentDue.ON_SIGNATURE.value: "On signature",
    InstalmentDue.DAYS_AFTER.value: "Days after signature",
    InstalmentDue.ON_DATE.value: "On a date",
}


@dataclass
class QuoteForm:
    """The submitted form: values to show again, rows by kind, and errors by field."""

    values: dict[str, str]
    rows: dict[str, dict[int, dict[str, str]]]
    errors: dict[str, str] = field(default_factory=dict)
    # The id of the field that gets the focus when the form is shown again.
    focus: str | None = None

    def add_row(self, kind: str) -> None:
        rows = self.rows[kind]
        index = max(rows, default=-1) + 1
        rows[index] = {"quantity": "1"} if kind in ("lines", "recurring") else {}
        if kind == "instalments":
            rows[index]["due"] = InstalmentDue.ON_SIGNATURE.value
        self.focus = f"{kind}-{index}-{FIRST_FIELDS[kind]}"

    def filled(self, kind: str) -> list[int]:
        """Return the numbers of the rows of ``kind`` that have content, in order."""
        keys = FILLED_FIELDS[kind]
        return [
            index
            for index, row in sorted(self.rows[kind].items())
            if any(row.get(key) for key in keys)
        ]


def empty_rows() -> dict[str, dict[int, dict[str, str]]]:
    return {kind: {} for kind in ROW_FIELDS}


def read_form(form: MultiDict[str, str]) -> QuoteForm:
    """Collect the submitted values and rows.

    A field with control characters gets an error, and the value shown again
    has them removed.
    """
    values: dict[str, str] = {}
    rows = empty_rows()
    errors: dict[str, str] = {}
    for name, raw in form.items():
        if name == "csrf_token":
            continue
        multiline = name in MULTILINE_FIELDS
        value = raw.strip().replace("\r\n", "\n")
        checked = value.replace("\n", "") if multiline else value
        if CONTROL_CHARACTERS.search(checked):
            errors[name] = "Remove the special characters from this field."
            value = "\n".join(
                CONTROL_CHARACTERS.sub("", line) for line in value.split("\n")
            )
        match = ROW_NAME.fullmatch(name)
        if match is None:
            values[name] = value
            continue
        kind, index, field_name = match.group(1), int(match.group(2)), match.group(3)
        if field_name in ROW_FIELDS.get(kind, ()):
            rows[kind].setdefault(index, {})[field_name] = value
    for kind, kind_rows in rows.items():
        if len(kind_rows) > MAX_ROWS:
            errors[kind] = f"Use at most {MAX_ROWS} rows here."
    return QuoteForm(values=values, rows=rows, errors=errors)


def change_rows(submitted: QuoteForm) -> str | None:
    """Apply an "add_<kind>" or "remove_<kind>:<n>" button, if one was pressed.

    Returns the kind of rows changed, or None when the button saves the form.
    """
    action = submitted.values.get("action", "save")
    add = re.fullmatch(r"add_([a-z]+)", action)
    if add and add.group(1) in ROW_FIELDS:
        submitted.add_row(add.group(1))
        return add.group(1)
    remove = re.fullmatch(r"remove_([a-z]+):(\d{1,4})", action)
    if remove and remove.group(1) in ROW_FIELDS:
        submitted.rows[remove.group(1)].pop(int(remove.group(2)), None)
        return remove.group(1)
    return None


def to_draft(
    submitted: QuoteForm, contact: Contact | ContactDetails, today: date
) -> QuoteDraft | None:
    """Turn the form into a ``QuoteDraft``, or return None after adding errors.

    With no buyer rows filled in, the contact signs as the only buyer.
    """
    values = submitted.values
    errors = submitted.errors
    try:
        currency = normalise_currency(values.get("currency", ""))
    except CurrencyError:
        errors["currency"] = "Choose a currency from the list."
        return None
    expires_on = read_date(values, "expires_on", errors, required=True)
    discount_id = read_id(values.get("discount_id", ""), "discount_id", errors)

    lines = [
        read_line_row(index, submitted.rows["lines"][index], currency, errors)
        for index in submitted.filled("lines")
    ]
    fees = [
        read_fee_row(index, submitted.rows["fees"][index], currency, errors)
        for index in submitted.filled("fees")
    ]
    recurring = [
        _read_recurring(index, submitted.rows["recurring"][index], errors)
        for index in submitted.filled("recurring")
    ]
    signers = _read_signers(submitted, contact)
    instalments = [
        _read_instalment(index, submitted.rows["instalments"][index], currency, errors)
        for index in submitted.filled("instalments")
    ]
    if errors:
        return None
    saved = isinstance(contact, Contact)
    return QuoteDraft(
        contact_id=contact.id if saved else None,
        new_contact=None if saved else contact,
        title=values.get("title", ""),
        currency=currency,
        expires_on=expires_on or today,
        lines=tuple(lines),
        fees=tuple(fees),
        recurring=tuple(recurring),
        signers=tuple(signers),
        discount_id=discount_id,
        terms=values.get("terms", ""),
        cover_text=values.get("cover_text", ""),
        logo_url=values.get("logo_url", ""),
        brand_color=values.get("brand_color") or None,
        collect_payment=values.get("collect_payment") == "yes",
        instalments=tuple(instalments),
        locale=values.get("locale") or None,
    )


def field_of_row(name: str, submitted: QuoteForm) -> str:
    """Map a domain error's field, such as "lines-1-unit_amount", to the form's row.

    The domain numbers only the rows it was given, in order, while the form
    keeps the numbers the rows were typed with.
    """
    match = re.fullmatch(r"([a-z]+)-(\d+)-([a-z_]+)", name)
    if match is None or match.group(1) not in ROW_FIELDS:
        return name
    kind, position, field_name = match.group(1), int(match.group(2)), match.group(3)
    filled = submitted.filled(kind)
    if position < len(filled):
        return f"{kind}-{filled[position]}-{field_name}"
    return name


def _read_recurring(
    index: int, row: dict[str, str], errors: dict[str, str]
) -> RecurringDraft:
    prefix = f"recurring-{index}"
    price_id = read_id(row.get("price_id", ""), f"{prefix}-price_id", errors)
    quantity = _read_quantity(row, prefix, errors)
    return RecurringDraft(
        price_id=price_id or 0,
        quantity=quantity,
        description=row.get("description", ""),
        tax_rate_id=read_id(
            row.get("tax_rate_id", ""), f"{prefix}-tax_rate_id", errors
        ),
    )


def _read_quantity(row: dict[str, str], prefix: str, errors: dict[str, str]) -> int:
    text = row.get("quantity") or "1"
    quantity = int(text) if re.fullmatch(r"\d{1,7}", text) else None
    if quantity is None or quantity < 1:
        errors[f"{prefix}-quantity"] = "Enter a whole number of at least 1."
        return 1
    return quantity


def _read_signers(
    submitted: QuoteForm, contact: Contact | ContactDetails
) -> list[SignerDraft]:
    buyers = [
        SignerDraft(
            SignerRole.BUYER,
            name=submitted.rows["buyers"][index].get("name", ""),
            email=submitted.rows["buyers"][index].get("email", ""),
        )
        for index in submitted.filled("buyers")
    ]
    if not buyers and contact.name:
        buyers = [SignerDraft(SignerRole.BUYER, name=contact.name, email=contact.email)]
    countersigners = []
    for index in submitted.filled("countersigners"):
        name = f"countersigners-{index}-staff_id"
        staff_id = read_id(
            submitted.rows["countersigners"][index].get("staff_id", ""),
            name,
            submitted.errors,
        )
        countersigners.append(SignerDraft(SignerRole.COUNTERSIGNER, staff_id=staff_id))
    return buyers + countersigners


def _read_instalment(
    index: int, row: dict[str, str], currency: str, errors: dict[str, str]
) -> InstalmentInput:
    """Read one instalment, ignoring days or a date typed for another due rule."""
    prefix = f"instalments-{index}"
    try:
        due = InstalmentDue(row.get("due", ""))
    except ValueError:
        errors[f"{prefix}-due"] = "Choose when the instalment is due."
        due = InstalmentDue.ON_SIGNATURE
    percent, amount = _read_share(row.get("share", ""), currency, prefix, errors)

    days = None
    if due is InstalmentDue.DAYS_AFTER:
        days = _read_days(row.get("days", ""), f"{prefix}-days", errors)
    due_on = None
    if due is InstalmentDue.ON_DATE:
        date_errors: dict[str, str] = {}
        due_on = read_date(row, "due_on", date_errors, required=True)
        if due_on is None:
            errors[f"{prefix}-due_on"] = date_errors["due_on"]
    return InstalmentInput(
        due=due, percent=percent, fixed_amount=amount, days=days, due_on=due_on
    )


def _read_days(text: str, name: str, errors: dict[str, str]) -> int | None:
    """Read the days after signature, from 1 to ``MAX_DAYS_AFTER``."""
    if re.fullmatch(r"\d{1,9}", text) and 1 <= int(text) <= MAX_DAYS_AFTER:
        return int(text)
    errors[name] = (
        f"Enter the number of days after signature, from 1 to {MAX_DAYS_AFTER}, "
        "such as 30."
    )
    return None


def _read_share(
    text: str, currency: str, prefix: str, errors: dict[str, str]
) -> tuple[Decimal | None, int | None]:
    """Read "50%" as a percent of the one-time total and "120.00" as an amount."""
    name = f"{prefix}-share"
    if text.endswith("%"):
        try:
            percent = Decimal(text[:-1].strip().replace(",", "."))
        except InvalidOperation:
            percent = None
        if percent is None or not percent.is_finite() or not 0 < percent <= 100:
            errors[name] = "Enter a percent above 0 and up to 100, such as 50%."
            return None, None
        return percent, None
    amount = read_amount(text, currency, name, errors)
    return None, amount
