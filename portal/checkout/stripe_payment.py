"""The checkout's Stripe mode: the Payment Element, its CSP, and what it submits.

Test mode keeps its own card and bank fields. In Stripe mode the page shows
Stripe's Payment Element instead, and the form carries the id of the
PaymentMethod that Stripe.js created, which is all the server receives.
"""

import re

from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from portal.checkout import blueprint
from portal.i18n import current_locale
from portal.processors import get_processor
from portal.processors.base import PaymentMethodReference
from portal.processors.stripe import StripeProcessor
from portal.processors.stripe.browser import csp_sources
from portal.processors.stripe.intents import payment_method_types
from portal.security import allow_sources

PAYMENT_METHOD_ID = re.compile(r"pm_[A-Za-z0-9_]{1,250}")
# Stripe.js takes these locales; any other falls back to the browser's.
STRIPE_LOCALES = {"en", "fi"}
MAX_USER_AGENT = 500


def stripe_processor() -> StripeProcessor | None:
    """Return the configured processor when it is Stripe, else None."""
    processor = get_processor()
    return processor if isinstance(processor, StripeProcessor) else None


def payment_element(
    amount: int, currency: str, *, allow_bank_debit: bool, save_method: bool = False
) -> dict | None:
    """Return the Payment Element's settings, or None in test mode.

    Also adds Stripe.js's sources to this response's CSP, so only pages that
    show the element allow them. ``amount`` is in minor units, as Stripe.js
    takes it. A method saved with nothing to pay today puts the element in
    setup mode, for a card only, because a bank account is saved only with
    a payment.
    """
    processor = stripe_processor()
    if processor is None:
        return None
    settings = processor.settings
    allow_sources(csp_sources(settings))
    locale = current_locale()
    setup = save_method and amount == 0
    method_types = payment_method_types(currency, allow_bank_debit and not setup)
    return {
        "publishable_key": settings.publishable_key,
        "js_url": settings.js_url,
        "live_mode": settings.live_mode,
        "amount": amount,
        "currency": currency.lower(),
        "mode": "setup" if setup else "payment",
        "payment_method_types": method_types,
        "locale": locale if locale in STRIPE_LOCALES else "auto",
        "save_method": save_method,
        "consent_text": consent_text() if save_method else "",
    }


def consent_text() -> str:
    """Return the words a buyer agrees to when a payment method is saved."""
    from portal.businesses import get_business
    from portal.database import get_session

    business = get_business(get_session())
    name = business.name if business else ""
    if stripe_processor() is None:
        return _(
            "Save my payment details and let %(business)s charge them for the "
            "later payments of this order, such as renewals and instalments.",
            business=name,
        )
    return _(
        "Save my payment details with Stripe and let %(business)s charge them "
        "for the later payments of this order, such as renewals and instalments.",
        business=name,
    )


def read_payment_method(
    form: MultiDict[str, str], errors: dict[str, str], *, allow_bank_debit: bool
) -> PaymentMethodReference | None:
    """Read the PaymentMethod id that Stripe.js put in the form.

    Card or bank fields sent with it are ignored: in Stripe mode they never
    reach Stripe from this server.
    """
    value = form.get("payment_method", "").strip()
    if not PAYMENT_METHOD_ID.fullmatch(value):
        errors["payment_method"] = _("Enter your payment details.")
        return None
    kinds = {"card", "bank_debit"} if allow_bank_debit else {"card"}
    return PaymentMethodReference(
        id=value,
        allowed_kinds=frozenset(kinds),
        client_address=request.remote_addr,
        user_agent=request.user_agent.string[:MAX_USER_AGENT] or None,
    )


def render_authentication(payment, business, form_token: str):
    """Render the page where Stripe.js runs the bank's check of ``payment``.

    Reads the intent's client secret from Stripe; raises
    ``ProcessorUnavailable`` when Stripe cannot be reached.
    """
    processor = stripe_processor()
    step = processor.authentication_step(payment.processor_ref)
    allow_sources(csp_sources(processor.settings))
    return render_template(
        "checkout/authenticate_stripe.html",
        payment=payment,
        link=payment.link,
        business=business,
        step=step,
        form_token=form_token,
        publishable_key=processor.settings.publishable_key,
        js_url=processor.settings.js_url,
    )


# Any page that includes checkout/partials/payment_fields.html can ask for it.
blueprint.add_app_template_global(payment_element, name="stripe_payment_element")
