"""The invoices index: staff invoices and the paid invoices of payment links.

Its status filter offers the statuses that ``portal.invoices.status`` shows,
"overdue" included. An open invoice is overdue once the business's local
date is past its due date, and then it no longer counts as "open", so the
filter matches the status column.
"""

from datetime import date

from sqlalchemy import ColumnElement, and_, false, func, literal, or_, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.types import Date

from portal.invoices.status import DisplayStatus, display_status
from portal.listing.context import ListingContext
from portal.listing.definition import (
    Column,
    CsvColumn,
    IndexDefinition,
    Listed,
    SortKey,
    ValueKind,
)
from portal.listing.filters import (
    AmountRangeFilter,
    Choice,
    ChoiceFilter,
    ContainsFilter,
    CurrencyFilter,
    DateRangeFilter,
    ReferenceFilter,
    amount_between,
)
from portal.models import Contact, IndexName, Invoice, InvoiceStatus
from portal.money import to_major

# The back office is in English, so these labels are not translated.
STATUS_LABELS = {
    DisplayStatus.DRAFT.value: "Draft",
    DisplayStatus.OPEN.value: "Open",
    DisplayStatus.OVERDUE.value: "Overdue",
    DisplayStatus.PAID.value: "Paid",
    DisplayStatus.VOID.value: "Void",
    DisplayStatus.UNCOLLECTIBLE.value: "Uncollectible",
}
# Invoices without a due date sort as if due on the last representable day.
_NO_DUE_DATE = literal(date.max, Date)


def shown_status(invoice: Invoice, context: ListingContext) -> str:
    """Return the status value shown for the invoice, "overdue" for a late open one."""
    return display_status(invoice, context.now, context.timezone).value


def _status_condition(
    values: tuple[str, ...], context: ListingContext
) -> ColumnElement[bool]:
    """Return the SQL form of ``display_status``: ``is_overdue`` as a condition."""
    today = context.today
    late = and_(Invoice.due_date.is_not(None), Invoice.due_date < today)
    conditions = []
    for value in values:
        if value == DisplayStatus.OVERDUE:
            conditions.append(and_(Invoice.status == InvoiceStatus.OPEN, late))
        elif value == DisplayStatus.OPEN:
            conditions.append(and_(Invoice.status == InvoiceStatus.OPEN, ~late))
        else:
            conditions.append(Invoice.status == InvoiceStatus(value))
    return or_(false(), *conditions)


def _statement():
    return select(Invoice).join(Invoice.contact)


def _major_total(row: Listed, _context: ListingContext):
    return to_major(row.record.total, row.record.currency)


INVOICES = IndexDefinition(
    name=IndexName.INVOICES,
    title="Invoices",
    noun=("invoice", "invoices"),
    record=Invoice,
    statement=_statement,
    filters=(
        ChoiceFilter(
            "status",
            "Status",
            [Choice(value, label) for value, label in STATUS_LABELS.items()],
            where=_status_condition,
        ),
        DateRangeFilter("created", "Created", Invoice.created_at, timestamp=True),
        DateRangeFilter("due", "Due", Invoice.due_date, timestamp=False),
        CurrencyFilter(
            "currency", "Currency", where=lambda code, _: Invoice.currency == code
        ),
        AmountRangeFilter("amount", "Total", amount_between(Invoice.total)),
        ContainsFilter("contact", "Contact email", [Contact.email]),
        ReferenceFilter(
            "link", "Payment link", where=lambda link_id, _: Invoice.link_id == link_id
        ),
    ),
    sorts=(
        SortKey("created", "Created", Invoice.created_at, ValueKind.TIMESTAMP),
        SortKey(
            "due", "Due", func.coalesce(Invoice.due_date, _NO_DUE_DATE), ValueKind.DATE
        ),
        SortKey("total", "Total", Invoice.total, ValueKind.INTEGER),
        SortKey("number", "Number", func.coalesce(Invoice.number, ""), ValueKind.TEXT),
    ),
    default_sort="-created",
    columns=(
        Column("Number", sort="number"),
        Column("Contact"),
        Column("Status"),
        Column("Created", sort="created"),
        Column("Due", sort="due"),
        Column("Total", sort="total", numeric=True),
    ),
    csv_columns=(
        CsvColumn("id", lambda row, _: row.record.id),
        CsvColumn("number", lambda row, _: row.record.number),
        CsvColumn("contact_email", lambda row, _: row.record.contact.email),
        CsvColumn("contact_name", lambda row, _: row.record.contact.name),
        CsvColumn("status", lambda row, context: shown_status(row.record, context)),
        CsvColumn("created", lambda row, _: row.record.created_at),
        CsvColumn("issue_date", lambda row, _: row.record.issue_date),
        CsvColumn("due_date", lambda row, _: row.record.due_date),
        CsvColumn("total", _major_total),
        CsvColumn("currency", lambda row, _: row.record.currency),
        CsvColumn("paid", lambda row, _: row.record.paid_at),
    ),
    load_options=(contains_eager(Invoice.contact),),
)
