"""The page where a customer saves a new card for a subscription.

The form carries a signed token naming the attempt, so a double submit
saves one card. In Stripe mode the token names the SetupIntent instead, and
the browser never sends card details to this server.
"""

import logging
import secrets
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.account import blueprint, clock, open_setups
from portal.account.access import refused
from portal.account.card_authentication import authentication_url
from portal.account.payment_methods import (
    Consent,
    finish_setup,
    save_test_card,
    start_setup,
    switch_method,
)
from portal.account.subscription_facts import method_label
from portal.account.subscription_views import load_subscription, method_update_allowed
from portal.businesses import get_business
from portal.checkout.form import read_payment_details
from portal.checkout.stripe_payment import stripe_processor
from portal.checkout.tokens import InvalidCheckoutToken, issue_token, read_token
from portal.database import get_session
from portal.extensions import client_address
from portal.invoices.status import local_today
from portal.models import (
    Business,
    SavedPaymentMethod,
    Subscription,
    SubscriptionStatus,
)
from portal.processors import get_processor
from portal.processors.base import PaymentError, Processor, ProcessorUnavailable
from portal.processors.stripe.browser import csp_sources
from portal.processors.testmode import AuthenticationRequired
from portal.security import allow_sources
from portal.subscriptions.errors import SubscriptionError

logger = logging.getLogger(__name__)


def token_scope(subscription) -> str:
    return f"account-method:{subscription.token}"


def consent_text(business) -> str:
    return _(
        "Save my card and let %(business)s charge it for this subscription's renewals.",
        business=business.name,
    )


def decline_message(error: PaymentError) -> str:
    messages = {
        "card_declined": _("Your card was declined. Try another card."),
        "insufficient_funds": _("Your card has insufficient funds. Try another card."),
        "expired_card": _("Your card has expired. Use another card."),
        "incorrect_cvc": _("The security code (CVC) is incorrect. Check it."),
        "setup_incomplete": _("The card was not saved. Enter it again."),
        "invalid_number": _(
            "This is test mode: use a test card such as 4242 4242 4242 4242."
        ),
    }
    return messages.get(
        error.code, _("The card could not be saved. Check it or use another card.")
    )


@blueprint.route("/subscriptions/<token>/payment-method", methods=["GET", "POST"])
def payment_method(token: str):
    subscription = load_subscription(token)
    session = get_session()
    business = get_business(session)
    if not business.account_allows_method_update:
        return refused(
            business,
            _(
                "Contact %(business)s to change how this subscription is paid.",
                business=business.name,
            ),
        )
    if subscription.status is SubscriptionStatus.CANCELED:
        # Reached from an older failed-payment email after the retries ran out.
        flash(
            _("This subscription has ended, so its payment method cannot change."),
            "error",
        )
        return redirect(url_for("account.subscription", token=subscription.token), 303)
    if not method_update_allowed(subscription):
        return refused(
            business,
            _(
                "This subscription is not charged to a card, so there is no card "
                "to update."
            ),
        )
    if request.method == "GET":
        return _render(subscription, business)

    try:
        attempt = read_token(request.form.get("token", ""), token_scope(subscription))
    except InvalidCheckoutToken:
        message = _("This page has expired. Enter your card again.")
        return _render(subscription, business, message=message, status=400)
    if request.form.get("consent") != "yes":
        errors = {"consent": _("Agree to save your card to use it for renewals.")}
        return _render(subscription, business, errors=errors, status=422)

    consent = Consent(text=consent_text(business), client_address=client_address())
    now = clock.now()
    processor = get_processor()
    try:
        saved, errors = save_submitted_card(
            session, processor, subscription, business, attempt, consent, now
        )
        if saved is None:
            return _render(subscription, business, errors=errors, status=422)
        switch_method(
            session, subscription, saved, now=now, client_address=client_address()
        )
    except ProcessorUnavailable:
        session.rollback()
        logger.warning(
            "card of subscription %s not saved: processor unavailable", subscription.id
        )
        return _render_unavailable(subscription, business)
    except AuthenticationRequired as waiting:
        session.rollback()
        return redirect(
            authentication_url(subscription, "update", waiting.setup_id), 303
        )
    except PaymentError as error:
        session.rollback()
        logger.info(
            "saving a card for subscription %s failed: %s", subscription.id, error.code
        )
        return _render(
            subscription, business, message=decline_message(error), status=402
        )
    except SubscriptionError:
        session.rollback()
        logger.info("payment method of subscription %s not replaced", subscription.id)
        message = _(
            "This subscription cannot be changed that way in its current state."
        )
        return _render(subscription, business, message=message, status=409)

    open_setups.forget(subscription.token)
    flash(_("Your new card is saved. Renewals are charged to it."), "success")
    return redirect(url_for("account.subscription", token=subscription.token), 303)


def _render_unavailable(subscription, business):
    """Render the page without a form, because the processor cannot be reached."""
    message = _(
        "The payment service is unavailable, so no card can be saved now. Your "
        "current payment method stays in use. Try again in a few minutes."
    )
    page = render_template(
        "account/payment_method.html",
        business=business,
        subscription=subscription,
        current_method=method_label(subscription.saved_method),
        message=message,
        show_form=False,
    )
    return page, 503


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
                open_setup_id=open_setups.get(subscription.token),
            )
        except ProcessorUnavailable:
            get_session().rollback()
            logger.warning(
                "no SetupIntent for subscription %s: processor unavailable",
                subscription.id,
            )
            return _render_unavailable(subscription, business)
        open_setups.remember(subscription.token, setup.id)
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
    page = render_template(
        "account/payment_method.html",
        business=business,
        subscription=subscription,
        current_method=method_label(subscription.saved_method),
        consent_text=consent_text(business),
        stripe_setup=stripe_setup,
        token=form_token,
        message=message,
        errors=errors or {},
        values={},
        processor_is_test=get_processor().name == "test",
        show_form=True,
    )
    return page, status


def save_submitted_card(
    session: Session,
    processor: Processor,
    subscription: Subscription,
    business: Business,
    attempt: str,
    consent: Consent,
    now: datetime,
) -> tuple[SavedPaymentMethod | None, dict[str, str]]:
    """Save the card this form submitted for the subscription's customer.

    Stripe mode records the card that Stripe.js confirmed with a SetupIntent,
    and test mode reads the card fields. Returns the saved method, or None
    with the field errors of a card form that could not be read. Processor
    errors are raised for the caller to show.
    """
    if stripe_processor() is not None:
        saved = finish_setup(
            session,
            processor,
            subscription.contact,
            attempt,
            consent=consent,
            idempotency_key=attempt,
            now=now,
        )
        return saved, {}
    errors: dict[str, str] = {}
    today = local_today(now, business.timezone)
    _kind, card = read_payment_details(
        request.form, today, errors, allow_bank_debit=False
    )
    if card is None:
        return None, errors
    saved = save_test_card(
        session,
        processor,
        subscription.contact,
        card,
        consent=consent,
        idempotency_key=attempt,
        now=now,
    )
    return saved, {}
