"""The card form that subscribing again requires when the old card cannot be used.

The saved card of a subscription that was canceled because its payments
failed, or whose card was removed, is not charged again. The customer saves
a new card here, and the new subscription's first period is charged to it at
once. The form carries a signed token naming the attempt, so a double submit
saves one card and starts one subscription.
"""

import logging
import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.account import blueprint, clock
from portal.account.access import refused
from portal.account.card_authentication import authentication_url
from portal.account.method_views import decline_message, save_submitted_card
from portal.account.payment_methods import (
    Consent,
    start_setup,
)
from portal.account.subscription_facts import resubscribe_amount
from portal.account.subscription_views import load_subscription, subscribed_message
from portal.businesses import get_business
from portal.checkout.stripe_payment import stripe_processor
from portal.checkout.tokens import InvalidCheckoutToken, issue_token, read_token
from portal.database import get_session
from portal.extensions import client_address
from portal.models import Subscription, SubscriptionStatus
from portal.money import format_money
from portal.processors import get_processor
from portal.processors.base import PaymentError, ProcessorUnavailable
from portal.processors.stripe.browser import csp_sources
from portal.processors.testmode import AuthenticationRequired
from portal.security import allow_sources
from portal.subscriptions.errors import SubscriptionError
from portal.subscriptions.resubscribing import resubscribe, resubscribe_key

logger = logging.getLogger(__name__)

ACTOR = "buyer"


def token_scope(subscription: Subscription) -> str:
    return f"account-resubscribe:{subscription.token}"


def consent_text(business) -> str:
    return _(
        "Save my card and let %(business)s charge it now and for this "
        "subscription's renewals.",
        business=business.name,
    )


@blueprint.route("/subscriptions/<token>/resubscribe/card", methods=["GET", "POST"])
def resubscribe_card(token: str):
    subscription = load_subscription(token)
    session = get_session()
    business = get_business(session)
    if not business.account_allows_cancel:
        return refused(
            business,
            _("Contact %(business)s to subscribe again.", business=business.name),
        )
    started = _started(subscription)
    if started is not None:
        return redirect(url_for("account.subscription", token=started.token), 303)
    if subscription.status is not SubscriptionStatus.CANCELED:
        return redirect(url_for("account.subscription", token=subscription.token), 303)
    if request.method == "GET":
        return _render(subscription, business)

    try:
        attempt = read_token(request.form.get("token", ""), token_scope(subscription))
    except InvalidCheckoutToken:
        message = _("This page has expired. Enter your card again.")
        return _render(subscription, business, message=message, status=400)
    if request.form.get("consent") != "yes":
        errors = {"consent": _("Agree to save your card to subscribe again.")}
        return _render(subscription, business, errors=errors, status=422)
    return _save_and_resubscribe(subscription, business, attempt)


def _save_and_resubscribe(subscription: Subscription, business, attempt: str):
    session = get_session()
    consent = Consent(text=consent_text(business), client_address=client_address())
    now = clock.now()
    processor = get_processor()
    try:
        saved, errors = save_submitted_card(
            session, processor, subscription, business, attempt, consent, now
        )
        if saved is None:
            return _render(subscription, business, errors=errors, status=422)
        session.commit()
        started = resubscribe(
            session,
            subscription,
            actor=ACTOR,
            now=now,
            saved_method=saved,
            processor=processor,
            client_address=client_address(),
        )
    except ProcessorUnavailable:
        session.rollback()
        logger.warning(
            "resubscribing to subscription %s stopped: processor unavailable",
            subscription.id,
        )
        message = _(
            "The payment service is unavailable, so no card can be saved now. "
            "Nothing was charged. Try again in a few minutes."
        )
        return _render(subscription, business, message=message, status=503)
    except AuthenticationRequired as waiting:
        session.rollback()
        return redirect(
            authentication_url(subscription, "resubscribe", waiting.setup_id), 303
        )
    except PaymentError as error:
        session.rollback()
        logger.info(
            "card for resubscribing to subscription %s not saved: %s",
            subscription.id,
            error.code,
        )
        return _render(
            subscription, business, message=decline_message(error), status=402
        )
    except SubscriptionError:
        session.rollback()
        logger.info("subscription %s not resubscribed", subscription.id)
        message = _(
            "This subscription cannot be changed that way in its current state."
        )
        return _render(subscription, business, message=message, status=409)
    flash(*subscribed_message(started))
    return redirect(url_for("account.subscription", token=started.token), 303)


def _started(subscription: Subscription) -> Subscription | None:
    return (
        get_session()
        .scalars(
            select(Subscription).where(
                Subscription.idempotency_key == resubscribe_key(subscription)
            )
        )
        .first()
    )


def _render(subscription, business, *, message=None, errors=None, status=200):
    stripe_setup = None
    processor = stripe_processor()
    if processor is not None:
        try:
            setup = start_setup(
                get_session(),
                processor,
                subscription.contact,
                secrets.token_urlsafe(24),
            )
        except ProcessorUnavailable:
            get_session().rollback()
            logger.warning(
                "no SetupIntent to resubscribe to %s: processor unavailable",
                subscription.id,
            )
            message = _(
                "The payment service is unavailable, so no card can be saved now. "
                "Nothing was charged. Try again in a few minutes."
            )
            return _page(subscription, business, message=message, show_form=False), 503
        allow_sources(csp_sources(processor.settings))
        stripe_setup = {
            "publishable_key": processor.settings.publishable_key,
            "js_url": processor.settings.js_url,
            "client_secret": setup.client_secret,
            "live_mode": processor.settings.live_mode,
        }
        form_token = issue_token(token_scope(subscription), attempt=setup.id)
    else:
        form_token = issue_token(token_scope(subscription))
    page = _page(
        subscription,
        business,
        message=message,
        show_form=True,
        stripe_setup=stripe_setup,
        token=form_token,
        errors=errors or {},
    )
    return page, status


def _page(subscription, business, *, message, show_form, **form):
    amount = format_money(resubscribe_amount(subscription), subscription.currency)
    return render_template(
        "account/payment_method.html",
        business=business,
        subscription=subscription,
        heading=_("Subscribe again"),
        intro=_(
            "Your saved card cannot be charged again. Enter a new card: the "
            "first payment of %(amount)s is charged to it right away, and "
            "renewals after that.",
            amount=amount,
        ),
        form_action=url_for("account.resubscribe_card", token=subscription.token),
        submit_label=_("Save card and pay %(amount)s", amount=amount),
        current_method=None,
        consent_text=consent_text(business),
        message=message,
        values={},
        processor_is_test=get_processor().name == "test",
        show_form=show_form,
        errors=form.pop("errors", {}),
        **form,
    )
