"""The payments index: every payment, newest first."""

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from portal.listing.definition import (
    Column,
    CsvColumn,
    IndexDefinition,
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
from portal.models import Contact, IndexName, Payment, PaymentStatus
from portal.money import to_major

STATUS_LABELS = {
    PaymentStatus.SUCCEEDED: "Succeeded",
    PaymentStatus.PROCESSING: "Processing",
    PaymentStatus.REQUIRES_ACTION: "Awaiting authentication",
    PaymentStatus.REQUIRES_PAYMENT_METHOD: "Failed",
    PaymentStatus.CANCELED: "Canceled",
}


def _statement():
    return select(Payment).join(Payment.contact).outerjoin(Payment.link)


PAYMENTS = IndexDefinition(
    name=IndexName.PAYMENTS,
    title="Payments",
    noun=("payment", "payments"),
    record=Payment,
    statement=_statement,
    filters=(
        ChoiceFilter(
            "status",
            "Status",
            [Choice(status.value, label) for status, label in STATUS_LABELS.items()],
            where=lambda values, _context: Payment.status.in_(values),
        ),
        DateRangeFilter("created", "Created", Payment.created_at, timestamp=True),
        CurrencyFilter(
            "currency", "Currency", where=lambda code, _: Payment.currency == code
        ),
        AmountRangeFilter("amount", "Amount", amount_between(Payment.amount)),
        ContainsFilter("contact", "Contact email", [Contact.email]),
        ReferenceFilter(
            "link", "Payment link", where=lambda link_id, _: Payment.link_id == link_id
        ),
    ),
    sorts=(
        SortKey("created", "Created", Payment.created_at, ValueKind.TIMESTAMP),
        SortKey("amount", "Amount", Payment.amount, ValueKind.INTEGER),
        SortKey("contact", "Contact", Contact.email, ValueKind.TEXT),
    ),
    default_sort="-created",
    columns=(
        Column("Payment"),
        Column("Created", sort="created"),
        Column("Contact", sort="contact"),
        Column("Payment link"),
        Column("Status"),
        Column("Amount", sort="amount", numeric=True),
    ),
    csv_columns=(
        CsvColumn("id", lambda row, _: row.record.id),
        CsvColumn("created", lambda row, _: row.record.created_at),
        CsvColumn("succeeded", lambda row, _: row.record.succeeded_at),
        CsvColumn("contact_email", lambda row, _: row.record.contact.email),
        CsvColumn("contact_name", lambda row, _: row.record.contact.name),
        CsvColumn(
            "payment_link",
            lambda row, _: row.record.link.title if row.record.link else None,
        ),
        CsvColumn("status", lambda row, _: row.record.status.value),
        CsvColumn(
            "amount",
            lambda row, _: to_major(row.record.amount, row.record.currency),
        ),
        CsvColumn("currency", lambda row, _: row.record.currency),
        CsvColumn(
            "refunded",
            lambda row, _: to_major(row.record.refunded_amount, row.record.currency),
        ),
        CsvColumn("method", lambda row, _: row.record.method.value),
        CsvColumn("receipt_number", lambda row, _: row.record.receipt_number),
    ),
    load_options=(
        contains_eager(Payment.contact),
        contains_eager(Payment.link),
        selectinload(Payment.refunds),
    ),
)


def status_label(status: PaymentStatus) -> str:
    return STATUS_LABELS[status]
