"""Staff actions on a subscription: cancel, pause, resume and change items.

Each is a CSRF-protected POST that redirects back to the detail page. The
lifecycle functions make a repeated submit change nothing. An action that
the status does not allow gets its message back with a 4xx status.
"""

import logging
from collections.abc import Callable

from flask import flash, redirect, request, url_for

from portal.database import get_session, now_utc
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.invoice_detail import staff_action_context
from portal.merchant.permissions import Permission
from portal.merchant.subscriptions import load_subscription, render_detail
from portal.models import RefundReason
from portal.models.subscriptions import Subscription
from portal.money import format_money
from portal.subscriptions import lifecycle
from portal.subscriptions.errors import SubscriptionError
from portal.subscriptions.proration import Proration

logger = logging.getLogger(__name__)


@blueprint.post("/subscriptions/<int:subscription_id>/cancel")
@requires(Permission.SELL)
def cancel_subscription_now(subscription_id: int):
    refund = request.form.get("refund_unused") == "yes"
    values = {"refund_reason": request.form.get("refund_reason", "")}
    reason = _refund_reason(values["refund_reason"])
    if reason is None:
        return render_detail(
            load_subscription(subscription_id),
            errors={"refund_reason": "Choose a refund reason from the list."},
            values=values,
            status=422,
        )
    return _act(
        subscription_id,
        lambda session, subscription, context: lifecycle.cancel_now(
            session,
            subscription,
            refund_unused=refund,
            refund_reason=reason,
            notify_customer=True,
            **context,
        ),
        "The subscription is canceled"
        + (", and its unused time is refunded." if refund else ".")
        + " The customer is emailed.",
        values=values,
    )


def _refund_reason(text: str) -> RefundReason | None:
    """Read the refund reason field; empty means no reason given (other)."""
    if not text:
        return RefundReason.OTHER
    try:
        return RefundReason(text)
    except ValueError:
        return None


@blueprint.post("/subscriptions/<int:subscription_id>/cancel-at-period-end")
@requires(Permission.SELL)
def cancel_subscription_at_period_end(subscription_id: int):
    reason = request.form.get("reason", "")
    return _act(
        subscription_id,
        lambda session, subscription, context: lifecycle.cancel_at_period_end(
            session, subscription, reason=reason, notify_customer=True, **context
        ),
        "The subscription ends at the end of the current period. The customer "
        "is emailed the end date.",
        values={"reason": reason},
    )


@blueprint.post("/subscriptions/<int:subscription_id>/keep-renewing")
@requires(Permission.SELL)
def keep_subscription_renewing(subscription_id: int):
    return _act(
        subscription_id,
        lambda session, subscription, context: lifecycle.keep_renewing(
            session, subscription, **context
        ),
        "The subscription renews again.",
    )


@blueprint.post("/subscriptions/<int:subscription_id>/pause")
@requires(Permission.SELL)
def pause_subscription(subscription_id: int):
    return _act(
        subscription_id,
        lambda session, subscription, context: lifecycle.pause(
            session, subscription, **context
        ),
        "The subscription is paused; it is not billed until resumed.",
    )


@blueprint.post("/subscriptions/<int:subscription_id>/resume")
@requires(Permission.SELL)
def resume_subscription(subscription_id: int):
    return _act(
        subscription_id,
        lambda session, subscription, context: lifecycle.resume(
            session, subscription, **context
        ),
        "The subscription is resumed.",
    )


@blueprint.post("/subscriptions/<int:subscription_id>/items")
@requires(Permission.SELL)
def change_subscription_items(subscription_id: int):
    values = {
        name: request.form.get(name, "").strip()
        for name in ("item_id", "price_id", "quantity")
    }
    subscription = load_subscription(subscription_id)
    errors = _check_change(values)
    if errors:
        return render_detail(subscription, errors=errors, values=values, status=422)

    session = get_session()
    try:
        proration = lifecycle.change_items(
            session,
            subscription,
            price_id=int(values["price_id"]),
            quantity=int(values["quantity"]),
            item_id=int(values["item_id"]) if values["item_id"] else None,
            now=now_utc(),
            **staff_action_context(),
        )
    except SubscriptionError as error:
        return _rejected(subscription, error, values)
    flash(describe_proration(proration), "success")
    return redirect(_detail_url(subscription), 303)


def describe_proration(proration: Proration) -> str:
    """Return the message staff see after a change of items."""
    if proration.period_index is None:
        return "The items are changed; the next bill charges the new price."
    currency = proration.currency
    credit = format_money(proration.credit, currency)
    charge = format_money(proration.charge, currency)
    message = (
        f"The items are changed. {proration.days_unused} of "
        f"{proration.days_total} days were left: a credit of {credit} and a "
        f"charge of {charge}."
    )
    net = format_money(abs(proration.net), currency)
    if proration.payment_id is not None:
        return f"{message} {net} was charged to the saved payment method."
    if proration.invoice_id is not None:
        return f"{message} An invoice for {net} was emailed."
    if proration.credited:
        return f"{message} {net} was added to the credit balance."
    return message


Action = Callable[..., Subscription]


def _act(
    subscription_id: int,
    action: Action,
    success: str,
    values: dict[str, str] | None = None,
):
    subscription = load_subscription(subscription_id)
    session = get_session()
    context = {"now": now_utc(), **staff_action_context()}
    try:
        action(session, subscription, context)
    except SubscriptionError as error:
        return _rejected(subscription, error, values or {})
    flash(success, "success")
    return redirect(_detail_url(subscription), 303)


def _rejected(subscription: Subscription, error: SubscriptionError, values):
    """Re-render the page with the message; nothing was saved."""
    session = get_session()
    session.rollback()
    session.refresh(subscription)
    logger.info("action on subscription %s rejected", subscription.id)
    errors = {error.field: error.message} if error.field else {}
    return render_detail(
        subscription,
        error=None if error.field else error.message,
        errors=errors,
        values=values,
        status=error.status_code,
    )


def _check_change(values: dict[str, str]) -> dict[str, str]:
    errors = {}
    if not values["price_id"].isdigit():
        errors["price_id"] = "Choose a price from the list."
    if not values["quantity"].isdigit():
        errors["quantity"] = "Enter the quantity as a whole number, such as 2."
    if values["item_id"] and not values["item_id"].isdigit():
        errors["item_id"] = "Choose an item from the list."
    return errors


def _detail_url(subscription: Subscription) -> str:
    return url_for("merchant.subscription_detail", subscription_id=subscription.id)
