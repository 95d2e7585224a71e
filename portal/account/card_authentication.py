"""The test-mode authentication step of a card saved in the account area.

A test card such as 4000 0025 0000 3155 is saved only after the customer
approves this stand-in for the bank's authentication page, as at checkout.
With Stripe the SetupIntent's next action runs in Stripe.js on the card
page instead, and an unconfirmed SetupIntent is never recorded.

The page carries a signed token naming the card setup and what the card is
for: replacing a subscription's card, or subscribing again.
"""

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.account import blueprint, clock
from portal.account.payment_methods import (
    Consent,
    finish_test_authentication,
    switch_method,
)
from portal.account.subscription_views import load_subscription, subscribed_message
from portal.businesses import get_business
from portal.checkout.tokens import InvalidCheckoutToken, issue_token, read_token
from portal.database import get_session
from portal.extensions import client_address
from portal.models import Subscription
from portal.processors import get_processor
from portal.processors.base import PaymentError
from portal.subscriptions.errors import SubscriptionError
from portal.subscriptions.resubscribing import resubscribe

logger = logging.getLogger(__name__)

# The purposes of an authenticated card, each with the card page to return to.
PURPOSES = {
    "update": "account.payment_method",
    "resubscribe": "account.resubscribe_card",
}


def authentication_url(subscription: Subscription, purpose: str, setup_id: str) -> str:
    """Return the address of the authentication step for a card kept unsaved."""
    token = issue_token(_scope(subscription, purpose), attempt=setup_id)
    return url_for(
        "account.authenticate_card",
        token=subscription.token,
        purpose=purpose,
        form=token,
    )


@blueprint.route(
    "/subscriptions/<token>/card-authentication/<purpose>", methods=["GET", "POST"]
)
def authenticate_card(token: str, purpose: str):
    subscription = load_subscription(token)
    if purpose not in PURPOSES:
        return redirect(url_for("account.subscription", token=token), 303)
    form_token = request.values.get("form", "")
    try:
        setup_id = read_token(form_token, _scope(subscription, purpose))
    except InvalidCheckoutToken:
        flash(_("This page has expired. Enter your card again."), "error")
        return redirect(url_for(PURPOSES[purpose], token=token), 303)
    business = get_business(get_session())
    if request.method == "GET":
        return render_template(
            "account/authenticate_card.html",
            business=business,
            subscription=subscription,
            purpose=purpose,
            form_token=form_token,
        )
    decision = request.form.get("decision")
    if decision not in ("approve", "fail"):
        return redirect(request.full_path, 303)
    consent_text = _consent_text(purpose, business)
    return _finish(subscription, purpose, setup_id, decision == "approve", consent_text)


def _finish(
    subscription: Subscription,
    purpose: str,
    setup_id: str,
    approved: bool,
    consent_text: str,
):
    session = get_session()
    now = clock.now()
    consent = Consent(text=consent_text, client_address=client_address())
    try:
        saved = finish_test_authentication(
            session,
            get_processor(),
            subscription.contact,
            setup_id,
            approved=approved,
            consent=consent,
            now=now,
        )
        if purpose == "update":
            switch_method(
                session, subscription, saved, now=now, client_address=client_address()
            )
            flash(_("Your new card is saved. Renewals are charged to it."), "success")
            return redirect(
                url_for("account.subscription", token=subscription.token), 303
            )
        session.commit()
        started = resubscribe(
            session,
            subscription,
            actor="buyer",
            now=now,
            saved_method=saved,
            client_address=client_address(),
        )
    except PaymentError:
        session.rollback()
        logger.info("card authentication for subscription %s failed", subscription.id)
        flash(
            _("The card could not be authenticated, so it was not saved. Try again."),
            "error",
        )
        return redirect(url_for(PURPOSES[purpose], token=subscription.token), 303)
    except SubscriptionError:
        session.rollback()
        logger.info("authenticated card for subscription %s not used", subscription.id)
        flash(
            _("This subscription cannot be changed that way in its current state."),
            "error",
        )
        return redirect(url_for("account.subscription", token=subscription.token), 303)
    flash(*subscribed_message(started))
    return redirect(url_for("account.subscription", token=started.token), 303)


def _consent_text(purpose: str, business) -> str:
    """Return the consent the customer ticked on the card page of ``purpose``."""
    # Imported here because both card pages import this module.
    from portal.account import method_views, resubscribe_views

    if purpose == "update":
        return method_views.consent_text(business)
    return resubscribe_views.consent_text(business)


def _scope(subscription: Subscription, purpose: str) -> str:
    return f"account-card-authentication:{purpose}:{subscription.token}"
