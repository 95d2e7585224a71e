"""Subscription emails to the customer: a failed renewal and a renewal reminder.

Both link to the customer account area: a failed renewal to the page that
updates the payment method, a reminder and a cancellation after the last
failed retry to the subscription's page, where the customer can subscribe
again.
"""

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from portal.documents.facts import brand_color, known_locale
from portal.models import Business, Subscription, SubscriptionStatus
from portal.money import format_money
from portal.notifications.logos import email_logo_url
from portal.notifications.mailer import send_message, sender_address
from portal.notifications.payments import _compose
from portal.notifications.suppression import email_suppressed
from portal.urls import public_url

# The account area's home page: the target of an account link whose page is
# not registered.
ACCOUNT_HOME_PATH = "/account/"


@dataclass(frozen=True, slots=True)
class FailedRenewal:
    """The facts of a failed renewal charge that the customer's email reports."""

    amount: int  # minor units that could not be collected
    reason: str | None  # the processor's decline message, in the customer's language
    retry_on: date | None  # the next try, or None when no retry is left
    # The subscription's status after the last retry failed: canceled or unpaid.
    final_status: SubscriptionStatus | None = None


def account_url(endpoint: str, token: str) -> str:
    """Return the absolute URL of an account-area page of a subscription.

    Falls back to the account area's home page when ``endpoint`` is not
    registered, so that an email never fails for want of that page.
    """
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/"
    )
    try:
        path = adapter.build(endpoint, {"token": token})
    except BuildError:
        path = ACCOUNT_HOME_PATH
    return public_url(path)


def send_renewal_failed(
    subscription: Subscription, business: Business, failure: FailedRenewal
) -> None:
    """Email the customer that a renewal charge failed. Raises the transport's error."""
    if email_suppressed("failed renewal", subscription.id):
        return
    send_message(build_renewal_failed_message(subscription, business, failure))


def send_renewal_reminder(
    subscription: Subscription,
    business: Business,
    renews_on: date,
    amount: int,
    *,
    trial_ends: bool = False,
) -> None:
    """Email the customer about a coming renewal. Raises the transport's error.

    With ``trial_ends`` the email announces the first charge at the end of a
    free trial instead of a renewal.
    """
    if email_suppressed("renewal reminder", subscription.id):
        return
    send_message(
        build_renewal_reminder_message(
            subscription, business, renews_on, amount, trial_ends=trial_ends
        )
    )


def build_renewal_failed_message(
    subscription: Subscription, business: Business, failure: FailedRenewal
) -> EmailMessage:
    locale = known_locale(subscription.locale)
    with force_locale(locale):
        context = _context(subscription, business, locale, failure.amount)
        canceled = failure.final_status is SubscriptionStatus.CANCELED
        context.update(
            # A decline message advises trying another card, which a canceled
            # subscription cannot take. Subscribing again requests a new card.
            reason=None if canceled else failure.reason,
            retry_on=_long_date(failure.retry_on, locale),
            canceled=canceled,
            unpaid=failure.final_status is SubscriptionStatus.UNPAID,
            update_url=account_url("account.payment_method", subscription.token),
            subscription_url=account_url("account.subscription", subscription.token),
        )
        if failure.final_status is SubscriptionStatus.CANCELED:
            subject = _(
                "Your subscription to %(business)s has been canceled",
                business=business.name,
            )
        else:
            subject = _(
                "Your payment to %(business)s failed: update your payment method",
                business=business.name,
            )
        return _compose(
            "emails/subscription_payment_failed",
            context,
            subject=subject,
            sender=sender_address(business.name),
            to=subscription.contact.email,
            reply_to=business.email,
        )


def build_renewal_reminder_message(
    subscription: Subscription,
    business: Business,
    renews_on: date,
    amount: int,
    *,
    trial_ends: bool = False,
) -> EmailMessage:
    locale = known_locale(subscription.locale)
    with force_locale(locale):
        context = _context(subscription, business, locale, amount)
        date_text = _long_date(renews_on, locale)
        context.update(
            renews_on=date_text,
            trial_ends=trial_ends,
            manage_url=account_url("account.subscription", subscription.token),
        )
        if trial_ends:
            subject = _(
                "Your free trial with %(business)s ends on %(date)s",
                business=business.name,
                date=date_text,
            )
        else:
            subject = _(
                "Your subscription to %(business)s renews on %(date)s",
                business=business.name,
                date=date_text,
            )
        return _compose(
            "emails/subscription_renewal_reminder",
            context,
            subject=subject,
            sender=sender_address(business.name),
            to=subscription.contact.email,
            reply_to=business.email,
        )


def _context(
    subscription: Subscription, business: Business, locale: str, amount: int
) -> dict[str, object]:
    return {
        "locale": locale,
        "business": business,
        "brand_color": brand_color(business),
        "logo_src": email_logo_url(business),
        "subscription": subscription,
        "items": ", ".join(item.description for item in subscription.items),
        "amount": format_money(amount, subscription.currency, locale),
    }


def _long_date(day: date | None, locale: str) -> str:
    return format_date(day, "long", locale=locale) if day is not None else ""
