"""The subscriptions index: status, billing frequency, collection and next bill.

Its amount is what the items cost per period before tax and discounts, the
sum of quantity times unit amount, computed in SQL so that it can be
filtered and sorted.
"""

from datetime import date

from sqlalchemy import func, literal, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.types import Date

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
from portal.models import BillingFrequency, Contact, IndexName
from portal.models.subscriptions import (
    CollectionMethod,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)
from portal.money import to_major

# The back office is in English, so these labels are not translated.
STATUS_LABELS = {
    SubscriptionStatus.SCHEDULED.value: "Scheduled",
    SubscriptionStatus.TRIALING.value: "Trialing",
    SubscriptionStatus.ACTIVE.value: "Active",
    SubscriptionStatus.PAST_DUE.value: "Past due",
    SubscriptionStatus.PAUSED.value: "Paused",
    SubscriptionStatus.UNPAID.value: "Unpaid",
    SubscriptionStatus.CANCELED.value: "Canceled",
}
FREQUENCY_LABELS = {
    BillingFrequency.WEEKLY.value: "Weekly",
    BillingFrequency.BIWEEKLY.value: "Every 2 weeks",
    BillingFrequency.MONTHLY.value: "Monthly",
    BillingFrequency.QUARTERLY.value: "Quarterly",
    BillingFrequency.SEMIANNUALLY.value: "Every 6 months",
    BillingFrequency.YEARLY.value: "Yearly",
    BillingFrequency.EVERY_2_YEARS.value: "Every 2 years",
    BillingFrequency.EVERY_3_YEARS.value: "Every 3 years",
    BillingFrequency.EVERY_4_YEARS.value: "Every 4 years",
    BillingFrequency.EVERY_5_YEARS.value: "Every 5 years",
}
COLLECTION_LABELS = {
    CollectionMethod.AUTOMATIC.value: "Charge saved method",
    CollectionMethod.INVOICE.value: "Send invoice",
}
# Subscriptions that no longer renew sort as if billed on the last day.
_NO_BILLING_DATE = literal(date.max, Date)

PERIOD_AMOUNT = (
    select(
        func.coalesce(
            func.sum(SubscriptionItem.quantity * SubscriptionItem.unit_amount), 0
        )
    )
    .where(SubscriptionItem.subscription_id == Subscription.id)
    .correlate(Subscription)
    .scalar_subquery()
)


def cancel_note(subscription: Subscription) -> str | None:
    """Return "Cancels at period end" for a pending cancellation, else None."""
    if subscription.cancel_at_period_end:
        return "Cancels at period end"
    return None


def _statement():
    return select(Subscription, PERIOD_AMOUNT.label("amount")).join(
        Subscription.contact
    )


def _choices(labels: dict[str, str]) -> list[Choice]:
    return [Choice(value, label) for value, label in labels.items()]


def _major_amount(row: Listed, _context: ListingContext):
    return to_major(row.extra["amount"], row.record.currency)


SUBSCRIPTIONS = IndexDefinition(
    name=IndexName.SUBSCRIPTIONS,
    title="Subscriptions",
    noun=("subscription", "subscriptions"),
    record=Subscription,
    statement=_statement,
    filters=(
        ChoiceFilter(
            "status",
            "Status",
            _choices(STATUS_LABELS),
            where=lambda values, _: Subscription.status.in_(values),
        ),
        ChoiceFilter(
            "frequency",
            "Billing frequency",
            _choices(FREQUENCY_LABELS),
            where=lambda values, _: Subscription.frequency.in_(values),
        ),
        ChoiceFilter(
            "collection",
            "Collection",
            _choices(COLLECTION_LABELS),
            where=lambda values, _: Subscription.collection.in_(values),
        ),
        CurrencyFilter(
            "currency", "Currency", where=lambda code, _: Subscription.currency == code
        ),
        ContainsFilter(
            "contact", "Contact email or name", [Contact.email, Contact.name]
        ),
        DateRangeFilter(
            "next_billing",
            "Next billing date",
            Subscription.next_billing_date,
            timestamp=False,
        ),
        AmountRangeFilter("amount", "Amount per period", amount_between(PERIOD_AMOUNT)),
    ),
    sorts=(
        SortKey("created", "Created", Subscription.created_at, ValueKind.TIMESTAMP),
        SortKey(
            "next_billing",
            "Next billing date",
            func.coalesce(Subscription.next_billing_date, _NO_BILLING_DATE),
            ValueKind.DATE,
        ),
        SortKey("amount", "Amount per period", PERIOD_AMOUNT, ValueKind.INTEGER),
    ),
    default_sort="-created",
    columns=(
        Column("Subscription"),
        Column("Contact"),
        Column("Status"),
        Column("Billing"),
        Column("Next billing date", sort="next_billing"),
        Column("Amount per period", sort="amount", numeric=True),
        Column("Created", sort="created"),
    ),
    csv_columns=(
        CsvColumn("id", lambda row, _: row.record.id),
        CsvColumn("contact_email", lambda row, _: row.record.contact.email),
        CsvColumn("contact_name", lambda row, _: row.record.contact.name),
        CsvColumn("status", lambda row, _: row.record.status.value),
        CsvColumn(
            "cancel_at_period_end",
            lambda row, _: "yes" if row.record.cancel_at_period_end else "no",
        ),
        CsvColumn("frequency", lambda row, _: row.record.frequency.value),
        CsvColumn("collection", lambda row, _: row.record.collection.value),
        CsvColumn("amount_per_period", _major_amount),
        CsvColumn("currency", lambda row, _: row.record.currency),
        CsvColumn("start_date", lambda row, _: row.record.start_date),
        CsvColumn("next_billing_date", lambda row, _: row.record.next_billing_date),
        CsvColumn("created", lambda row, _: row.record.created_at),
        CsvColumn("canceled", lambda row, _: row.record.canceled_at),
    ),
    load_options=(contains_eager(Subscription.contact),),
)
