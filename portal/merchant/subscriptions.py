"""The subscriptions index, its CSV, and the subscription detail page."""

from flask import abort, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.billing.states import period_end
from portal.database import get_session, now_utc
from portal.invoices.terms import TERMS_LABELS
from portal.listing.registry import INDEXES
from portal.listing.subscriptions import (
    COLLECTION_LABELS,
    FREQUENCY_LABELS,
    STATUS_LABELS,
)
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff
from portal.merchant.index_page import export_csv
from portal.merchant.indexes import ROUTES, show_index
from portal.merchant.payment_forms import REASON_CHOICES
from portal.merchant.permissions import Permission, has_permission
from portal.merchant.processor_mode import processor_mode
from portal.merchant.saved_methods import saved_method_label
from portal.merchant.subscription_history import actor_label, subscription_history
from portal.models import IndexName, Price, PriceKind, RefundReason
from portal.models.subscriptions import (
    RENEWING_STATUSES,
    Subscription,
    SubscriptionStatus,
)
from portal.subscriptions.actions import subscription_today
from portal.subscriptions.lifecycle import PAUSABLE
from portal.subscriptions.proration import price_items

# The refund reasons staff may record when cancelling with a refund. Leaving
# the field empty records "other", which the refund receipt does not name.
REFUND_REASONS = [
    (choice.value, choice.label)
    for choice in REASON_CHOICES
    if choice.value != RefundReason.OTHER.value
]


@blueprint.get("/subscriptions")
@requires(Permission.VIEW)
def subscriptions():
    new_subscription = None
    if has_permission(current_staff().role, Permission.SELL):
        new_subscription = url_for("merchant.new_subscription")
    return show_index(
        INDEXES[IndexName.SUBSCRIPTIONS],
        new_record_url=new_subscription,
        new_record_label="New subscription",
    )


@blueprint.get("/subscriptions.csv")
@requires(Permission.VIEW)
def subscriptions_csv():
    return export_csv(
        INDEXES[IndexName.SUBSCRIPTIONS], ROUTES[IndexName.SUBSCRIPTIONS].filename
    )


@blueprint.get("/subscriptions/<int:subscription_id>")
@requires(Permission.VIEW)
def subscription_detail(subscription_id: int):
    return render_detail(load_subscription(subscription_id))


def load_subscription(subscription_id: int) -> Subscription:
    subscription = get_session().get(
        Subscription,
        subscription_id,
        options=[selectinload(Subscription.items), selectinload(Subscription.periods)],
    )
    if subscription is None:
        abort(404)
    return subscription


def render_detail(
    subscription: Subscription,
    *,
    error: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
):
    """Render the detail page, with ``error`` at the top and ``errors`` by field."""
    session = get_session()
    staff = current_staff()
    totals = price_items(subscription, subscription.items)
    page = render_template(
        "merchant/subscriptions/detail.html",
        subscription=subscription,
        totals=totals,
        next_amount=max(totals.total - subscription.credit_balance, 0),
        history=subscription_history(session, subscription.id),
        created_by=actor_label(session, subscription.created_by),
        status_labels=STATUS_LABELS,
        frequency_labels=FREQUENCY_LABELS,
        collection_labels=COLLECTION_LABELS,
        terms=TERMS_LABELS.get(subscription.net_terms)
        if subscription.net_terms
        else None,
        prices=_change_prices(subscription),
        today=subscription_today(session, subscription, now_utc()),
        can_sell=has_permission(staff.role, Permission.SELL),
        test_clock=not processor_mode().live,
        renews=subscription.status in RENEWING_STATUSES,
        pausable=subscription.status in PAUSABLE,
        saved_method_label=saved_method_label,
        # The first day without service, the date a cancel at period end takes effect.
        cancels_on=period_end(subscription),
        Status=SubscriptionStatus,
        error=error,
        errors=errors or {},
        values=values or {},
        refund_reasons=REFUND_REASONS,
    )
    return page, status


def _change_prices(subscription: Subscription) -> list[Price]:
    """Return the prices an item can change to: same currency and frequency."""
    return list(
        get_session().scalars(
            select(Price)
            .where(
                Price.active.is_(True),
                Price.kind == PriceKind.RECURRING,
                Price.currency == subscription.currency,
                Price.frequency == subscription.frequency,
            )
            .order_by(Price.id)
        )
    )
