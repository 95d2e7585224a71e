"""The payment links index, with each link's count of succeeded payments."""

from sqlalchemy import ColumnElement, and_, false, func, or_, select

from portal.listing.context import ListingContext
from portal.listing.definition import (
    Column,
    CsvColumn,
    IndexDefinition,
    SortKey,
    ValueKind,
)
from portal.listing.filters import (
    Choice,
    ChoiceFilter,
    ContainsFilter,
    CurrencyFilter,
    DateRangeFilter,
)
from portal.models import IndexName, Payment, PaymentLink, PaymentStatus

ACTIVE = "active"
EXPIRED = "expired"
INACTIVE = "inactive"
STATUS_LABELS = {ACTIVE: "Active", EXPIRED: "Expired", INACTIVE: "Inactive"}


def _payment_count() -> ColumnElement[int]:
    return (
        select(func.count(Payment.id))
        .where(
            Payment.link_id == PaymentLink.id,
            Payment.status == PaymentStatus.SUCCEEDED,
        )
        .correlate(PaymentLink)
        .scalar_subquery()
    )


PAYMENT_COUNT = _payment_count()


def shown_status(link: PaymentLink, context: ListingContext) -> str:
    """Return "inactive", "expired" or "active" for the link at the context's time.

    A link at its payment limit still counts as active here; the payments
    column shows the limit.
    """
    if not link.active:
        return INACTIVE
    if link.expires_at is not None and link.expires_at <= context.now:
        return EXPIRED
    return ACTIVE


def _status_condition(
    values: tuple[str, ...], context: ListingContext
) -> ColumnElement[bool]:
    expired = and_(
        PaymentLink.expires_at.is_not(None), PaymentLink.expires_at <= context.now
    )
    conditions = {
        ACTIVE: and_(PaymentLink.active.is_(True), ~expired),
        EXPIRED: and_(PaymentLink.active.is_(True), expired),
        INACTIVE: PaymentLink.active.is_(False),
    }
    return or_(false(), *(conditions[value] for value in values))


def _statement():
    return select(PaymentLink, PAYMENT_COUNT.label("payments"))


PAYMENT_LINKS = IndexDefinition(
    name=IndexName.PAYMENT_LINKS,
    title="Payment links",
    noun=("payment link", "payment links"),
    record=PaymentLink,
    statement=_statement,
    filters=(
        ChoiceFilter(
            "status",
            "Status",
            [Choice(value, label) for value, label in STATUS_LABELS.items()],
            where=_status_condition,
        ),
        ContainsFilter(
            "search", "Title or slug", [PaymentLink.title, PaymentLink.slug]
        ),
        DateRangeFilter("created", "Created", PaymentLink.created_at, timestamp=True),
        CurrencyFilter(
            "currency", "Currency", where=lambda code, _: PaymentLink.currency == code
        ),
    ),
    sorts=(
        SortKey("created", "Created", PaymentLink.created_at, ValueKind.TIMESTAMP),
        SortKey("title", "Title", PaymentLink.title, ValueKind.TEXT),
        SortKey("payments", "Payments", PAYMENT_COUNT, ValueKind.INTEGER),
    ),
    default_sort="-created",
    columns=(
        Column("Title", sort="title"),
        Column("Address"),
        Column("Status"),
        Column("Currency"),
        Column("Created", sort="created"),
        Column("Payments", sort="payments", numeric=True),
    ),
    csv_columns=(
        CsvColumn("id", lambda row, _: row.record.id),
        CsvColumn("title", lambda row, _: row.record.title),
        CsvColumn("slug", lambda row, _: row.record.slug),
        CsvColumn("status", lambda row, context: shown_status(row.record, context)),
        CsvColumn("currency", lambda row, _: row.record.currency),
        CsvColumn("created", lambda row, _: row.record.created_at),
        CsvColumn("expires", lambda row, _: row.record.expires_at),
        CsvColumn("max_payments", lambda row, _: row.record.max_payments),
        CsvColumn("succeeded_payments", lambda row, _: row.extra["payments"]),
    ),
)
