"""The quotes index: status, contact, total, currency, expiration and creation.

Its status filter offers the statuses that ``shown_status`` returns. A quote
still open for signatures shows as expired once the business's local date is
past its expiration date, even while its stored status is still open. It then
no longer counts under that stored status, so the filter matches the status
column.
"""

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import contains_eager

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
    amount_between,
)
from portal.models import Contact, IndexName, Order, Quote, QuoteStatus
from portal.models.quotes import OPEN_STATUSES
from portal.money import to_major

# The back office is in English, so these labels are not translated.
STATUS_LABELS = {
    QuoteStatus.DRAFT.value: "Draft",
    QuoteStatus.PENDING_APPROVAL.value: "Pending approval",
    QuoteStatus.PUBLISHED.value: "Published",
    QuoteStatus.VIEWED.value: "Viewed",
    QuoteStatus.SIGNED.value: "Awaiting countersignature",
    QuoteStatus.ACCEPTED.value: "Accepted",
    QuoteStatus.PAID.value: "Paid",
    QuoteStatus.DECLINED.value: "Declined",
    QuoteStatus.EXPIRED.value: "Expired",
    QuoteStatus.VOID.value: "Void",
}


def shown_status(quote: Quote, context: ListingContext) -> str:
    """Return the status value shown for the quote, "expired" for a lapsed open one."""
    if quote.status in OPEN_STATUSES and quote.expires_on < context.today:
        return QuoteStatus.EXPIRED.value
    return quote.status.value


def _status_condition(
    values: tuple[str, ...], context: ListingContext
) -> ColumnElement[bool]:
    """Return the SQL form of ``shown_status`` for the chosen status values."""
    open_values = [status.value for status in OPEN_STATUSES]
    lapsed = and_(Quote.status.in_(open_values), Quote.expires_on < context.today)
    conditions = []
    for value in values:
        if value == QuoteStatus.EXPIRED:
            conditions.append(or_(Quote.status == QuoteStatus.EXPIRED, lapsed))
        elif value in open_values:
            conditions.append(and_(Quote.status == QuoteStatus(value), ~lapsed))
        else:
            conditions.append(Quote.status == QuoteStatus(value))
    return or_(false(), *conditions)


def _statement():
    return select(Quote).join(Quote.contact).join(Quote.order)


def _major_total(row: Listed, _context: ListingContext):
    return to_major(row.record.order.total, row.record.currency)


QUOTES = IndexDefinition(
    name=IndexName.QUOTES,
    title="Quotes",
    noun=("quote", "quotes"),
    record=Quote,
    statement=_statement,
    filters=(
        ChoiceFilter(
            "status",
            "Status",
            [Choice(value, label) for value, label in STATUS_LABELS.items()],
            where=_status_condition,
        ),
        ContainsFilter(
            "contact", "Contact email or name", [Contact.email, Contact.name]
        ),
        CurrencyFilter(
            "currency", "Currency", where=lambda code, _: Quote.currency == code
        ),
        AmountRangeFilter("amount", "One-time total", amount_between(Order.total)),
        DateRangeFilter("expires", "Expires", Quote.expires_on, timestamp=False),
        DateRangeFilter("created", "Created", Quote.created_at, timestamp=True),
    ),
    sorts=(
        SortKey("created", "Created", Quote.created_at, ValueKind.TIMESTAMP),
        SortKey("expires", "Expires", Quote.expires_on, ValueKind.DATE),
        SortKey("total", "One-time total", Order.total, ValueKind.INTEGER),
        SortKey("number", "Number", func.coalesce(Quote.number, ""), ValueKind.TEXT),
    ),
    default_sort="-created",
    columns=(
        Column("Quote", sort="number"),
        Column("Contact"),
        Column("Status"),
        Column("Created", sort="created"),
        Column("Expires", sort="expires"),
        Column("One-time total", sort="total", numeric=True),
    ),
    csv_columns=(
        CsvColumn("id", lambda row, _: row.record.id),
        CsvColumn("number", lambda row, _: row.record.number),
        CsvColumn("version", lambda row, _: row.record.version),
        CsvColumn("title", lambda row, _: row.record.title),
        CsvColumn("contact_email", lambda row, _: row.record.contact.email),
        CsvColumn("contact_name", lambda row, _: row.record.contact.name),
        CsvColumn("status", lambda row, context: shown_status(row.record, context)),
        CsvColumn("created", lambda row, _: row.record.created_at),
        CsvColumn("expires_on", lambda row, _: row.record.expires_on),
        CsvColumn("one_time_total", _major_total),
        CsvColumn("currency", lambda row, _: row.record.currency),
        CsvColumn("published", lambda row, _: row.record.published_at),
        CsvColumn("accepted", lambda row, _: row.record.accepted_at),
        CsvColumn("paid", lambda row, _: row.record.paid_at),
    ),
    load_options=(contains_eager(Quote.contact), contains_eager(Quote.order)),
)
