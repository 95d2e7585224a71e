"""The contacts index: buyers by email, with what they paid.

The amount filter compares the contact's total paid in one currency, with
refunds deducted and manual invoice payments included (see
``contact_facts``). The currency filter alone keeps the contacts who paid
anything in that currency.
"""

from sqlalchemy import select

from portal.listing import contact_facts
from portal.listing.definition import (
    Column,
    CsvColumn,
    IndexDefinition,
    SortKey,
    ValueKind,
)
from portal.listing.filters import (
    AmountRange,
    AmountRangeFilter,
    ContainsFilter,
    CurrencyFilter,
    DateRangeFilter,
    ReferenceFilter,
)
from portal.models import Contact, IndexName

PAYMENT_COUNT = contact_facts.succeeded_payment_count()


def contacts_statement():
    """Select contacts with their succeeded payment count and latest payment time."""
    return select(
        Contact,
        PAYMENT_COUNT.label("payments"),
        contact_facts.last_payment_at().label("last_payment_at"),
    )


def _total_paid(value: AmountRange, _context):
    return contact_facts.total_paid_between(
        value.currency, value.minimum, value.maximum
    )


CONTACTS = IndexDefinition(
    name=IndexName.CONTACTS,
    title="Contacts",
    noun=("contact", "contacts"),
    record=Contact,
    statement=contacts_statement,
    filters=(
        ContainsFilter("contact", "Email or name", [Contact.email, Contact.name]),
        DateRangeFilter("created", "Created", Contact.created_at, timestamp=True),
        CurrencyFilter(
            "currency",
            "Currency",
            where=lambda code, _: contact_facts.paid_in_currency(code),
        ),
        AmountRangeFilter("amount", "Total paid", _total_paid),
        ReferenceFilter(
            "link",
            "Paid through payment link",
            where=lambda link_id, _: contact_facts.paid_through_link(link_id),
        ),
    ),
    sorts=(
        SortKey("email", "Email", Contact.email, ValueKind.TEXT),
        SortKey("created", "Created", Contact.created_at, ValueKind.TIMESTAMP),
        SortKey("payments", "Payments", PAYMENT_COUNT, ValueKind.INTEGER),
    ),
    default_sort="email",
    columns=(
        Column("Email", sort="email"),
        Column("Name"),
        Column("Country"),
        Column("Created", sort="created"),
        Column("Last payment"),
        Column("Payments", sort="payments", numeric=True),
    ),
    csv_columns=(
        CsvColumn("id", lambda row, _: row.record.id),
        CsvColumn("email", lambda row, _: row.record.email),
        CsvColumn("name", lambda row, _: row.record.name),
        CsvColumn("phone", lambda row, _: row.record.phone),
        CsvColumn("address_line1", lambda row, _: row.record.address_line1),
        CsvColumn("address_line2", lambda row, _: row.record.address_line2),
        CsvColumn("postal_code", lambda row, _: row.record.postal_code),
        CsvColumn("city", lambda row, _: row.record.city),
        CsvColumn("country", lambda row, _: row.record.country),
        CsvColumn("created", lambda row, _: row.record.created_at),
        CsvColumn("succeeded_payments", lambda row, _: row.extra["payments"]),
        CsvColumn("last_payment", lambda row, _: row.extra["last_payment_at"]),
    ),
)
