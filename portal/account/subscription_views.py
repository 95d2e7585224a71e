"""A customer's subscription page and what they may change on it.

Every action is a CSRF-protected POST that the lifecycle functions make
idempotent, so a double submit changes the subscription once.
"""

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.account import blueprint, clock, records
from portal.account.access import refused
from portal.account.current import current_customer
from portal.account.subscription_facts import (
    method_label,
    paused_since,
    period_price_summary,
    resubscribe_amount,
    summarise,
    unpaid_charge,
)
from portal.account.switches import section_or_404
from portal.businesses import get_business
from portal.database import get_session
from portal.documents.facts import known_locale
from portal.extensions import client_address
from portal.i18n import current_locale
from portal.models import (
    Business,
    CollectionMethod,
    PeriodStatus,
    Subscription,
    SubscriptionStatus,
)
from portal.money import format_money
from portal.subscriptions.errors import SubscriptionError, SubscriptionStateError
from portal.subscriptions.lifecycle import (
    CANCEL_REASON_MAX_LENGTH,
    CANCELABLE_AT_PERIOD_END,
    cancel_at_period_end,
    keep_renewing,
)
from portal.subscriptions.resubscribing import (
    PaymentMethodNeeded,
    needs_new_method,
    resubscribe,
    usable_saved_method,
)

logger = logging.getLogger(__name__)

ACTOR = "buyer"


def load_subscription(token: str, *, lock: bool = False) -> Subscription:
    business = get_business(get_session())
    section_or_404(business.account_shows_subscriptions)
    return records.subscription_or_404(
        get_session(), current_customer(), token, lock=lock
    )


def method_update_allowed(subscription: Subscription) -> bool:
    return (
        subscription.collection is CollectionMethod.AUTOMATIC
        and subscription.status is not SubscriptionStatus.CANCELED
    )


def render_subscription(
    subscription: Subscription,
    *,
    message: str | None = None,
    reason: str = "",
    status: int = 200,
):
    business = get_business(get_session())
    locale = known_locale(current_locale())
    page = render_template(
        "account/subscription.html",
        business=business,
        summary=summarise(subscription, locale),
        period_price=period_price_summary(subscription, locale),
        unpaid=unpaid_charge(subscription, locale, business.timezone),
        subscription=subscription,
        method=method_label(subscription.saved_method),
        can_update_method=business.account_allows_method_update
        and method_update_allowed(subscription),
        message=message,
        reason=reason,
        reason_max_length=CANCEL_REASON_MAX_LENGTH,
        resubscribe=_resubscribe_offer(subscription, business),
        can_cancel=subscription.status in CANCELABLE_AT_PERIOD_END
        and not subscription.cancel_at_period_end,
        paused_since=paused_since(subscription, business.timezone, locale),
    )
    return page, status


def _resubscribe_offer(
    subscription: Subscription, business: Business
) -> dict[str, object] | None:
    """Describe what subscribing again costs and how it is paid, once canceled.

    This mirrors ``resubscribe``: the saved card is charged when it may be
    charged again, a new card is asked for when it may not, and an invoiced
    subscription is invoiced again. None when the business does not let
    customers subscribe again.
    """
    if subscription.status is not SubscriptionStatus.CANCELED:
        return None
    if not business.account_allows_cancel:
        return None
    method = None
    if subscription.collection is CollectionMethod.AUTOMATIC:
        method = usable_saved_method(subscription)
    return {
        "amount": resubscribe_amount(subscription),
        "method": method_label(method),
        "needs_card": needs_new_method(subscription),
    }


@blueprint.get("/subscriptions/<token>")
def subscription(token: str):
    return render_subscription(load_subscription(token))


@blueprint.post("/subscriptions/<token>/cancel")
def cancel(token: str):
    found = load_subscription(token)
    business = get_business(get_session())
    if not business.account_allows_cancel:
        return refused(
            business,
            _(
                "Contact %(business)s to cancel this subscription.",
                business=business.name,
            ),
        )
    reason = request.form.get("reason", "").strip()
    if len(reason) > CANCEL_REASON_MAX_LENGTH:
        message = _(
            "Shorten the reason to at most %(count)d characters.",
            count=CANCEL_REASON_MAX_LENGTH,
        )
        return render_subscription(found, message=message, reason=reason, status=422)
    return _act(
        found,
        lambda session: cancel_at_period_end(
            session,
            found,
            actor=ACTOR,
            now=clock.now(),
            reason=reason,
            client_address=client_address(),
        ),
        _("Your subscription ends at the end of the current period."),
    )


@blueprint.post("/subscriptions/<token>/keep")
def keep(token: str):
    found = load_subscription(token)
    business = get_business(get_session())
    if not business.account_allows_cancel:
        return refused(
            business,
            _(
                "Contact %(business)s to change this subscription.",
                business=business.name,
            ),
        )
    return _act(
        found,
        lambda session: keep_renewing(
            session,
            found,
            actor=ACTOR,
            now=clock.now(),
            client_address=client_address(),
        ),
        _("Your subscription renews as before."),
    )


@blueprint.post("/subscriptions/<token>/resubscribe")
def resubscribe_view(token: str):
    found = load_subscription(token)
    business = get_business(get_session())
    if not business.account_allows_cancel:
        return refused(
            business,
            _(
                "Contact %(business)s to subscribe again.",
                business=business.name,
            ),
        )
    session = get_session()
    try:
        started = resubscribe(
            session,
            found,
            actor=ACTOR,
            now=clock.now(),
            client_address=client_address(),
        )
    except PaymentMethodNeeded:
        session.rollback()
        flash(_("Enter a new card to subscribe again."), "info")
        return redirect(url_for("account.resubscribe_card", token=found.token), 303)
    except SubscriptionStateError:
        session.rollback()
        logger.info("resubscribing to subscription %s rejected", found.id)
        message = _(
            "This subscription cannot be changed that way in its current state."
        )
        return render_subscription(found, message=message, status=409)
    flash(*subscribed_message(started))
    return redirect(url_for("account.subscription", token=started.token), 303)


def subscribed_message(started: Subscription) -> tuple[str, str]:
    """Return the flash message and its category after subscribing again.

    It states what the first period's bill did: charged, processing, failed
    or invoiced.
    """
    first = next((period for period in started.periods if period.index == 0), None)
    if first is None:
        return _("You are subscribed again. The first payment is billed shortly."), (
            "success"
        )
    amount = format_money(first.amount, started.currency, current_locale())
    if first.status is PeriodStatus.PAID:
        method = method_label(started.saved_method)
        if method is None:
            return _("You are subscribed again. %(amount)s was paid.", amount=amount), (
                "success"
            )
        return _(
            "You are subscribed again. %(amount)s was charged to %(method)s.",
            amount=amount,
            method=method,
        ), "success"
    if first.status is PeriodStatus.PROCESSING:
        return _(
            "You are subscribed again. The payment of %(amount)s is being processed.",
            amount=amount,
        ), "success"
    if first.status is PeriodStatus.OPEN:
        return _(
            "You are subscribed again. An invoice for %(amount)s was emailed to you.",
            amount=amount,
        ), "success"
    return _(
        "You are subscribed again, but the first payment of %(amount)s did not go "
        "through. See below for what happens next.",
        amount=amount,
    ), "error"


def _act(subscription: Subscription, action, done_message: str):
    """Run a lifecycle action and send the customer to the resulting subscription."""
    session = get_session()
    try:
        result = action(session)
    except SubscriptionStateError:
        session.rollback()
        logger.info("account action on subscription %s rejected", subscription.id)
        message = _(
            "This subscription cannot be changed that way in its current state."
        )
        return render_subscription(subscription, message=message, status=409)
    except SubscriptionError as error:
        session.rollback()
        logger.info("account action on subscription %s rejected", subscription.id)
        return render_subscription(subscription, message=error.message, status=422)
    flash(done_message, "success")
    return redirect(url_for("account.subscription", token=result.token), 303)
