"""The email that informs a customer that staff canceled their subscription.

Staff cancel either at once or at the end of the current period. The email
states which, on what date, and links to the subscription's page in the
customer account area. A refund of unused time gets its own refund receipt.
"""

import logging
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.documents.facts import brand_color, known_locale
from portal.models import Business, Subscription
from portal.notifications.logos import email_logo_url
from portal.notifications.mailer import send_message, sender_address
from portal.notifications.payments import _compose
from portal.notifications.subscriptions import account_url
from portal.notifications.suppression import email_suppressed

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Cancellation:
    """The facts of a cancellation that the customer's email reports."""

    # The local date it ended on. For a cancel at period end, the end of the
    # current period, as the account area's "Ends on" shows it.
    ends_on: date
    at_period_end: bool  # False when it ended at once


def send_cancellation_notice(
    subscription: Subscription, business: Business, cancellation: Cancellation
) -> None:
    """Email the customer that their subscription was canceled.

    A failure to send is logged and never undoes the cancellation.
    """
    if email_suppressed("subscription cancellation", subscription.id):
        return
    try:
        send_message(build_cancellation_message(subscription, business, cancellation))
    except Exception:
        logger.exception(
            "sending the cancellation of subscription %s failed", subscription.id
        )


def build_cancellation_message(
    subscription: Subscription, business: Business, cancellation: Cancellation
) -> EmailMessage:
    locale = known_locale(subscription.locale)
    with force_locale(locale):
        context = {
            "locale": locale,
            "business": business,
            "brand_color": brand_color(business),
            "logo_src": email_logo_url(business),
            "subscription": subscription,
            "items": ", ".join(item.description for item in subscription.items),
            "ends_on": format_date(cancellation.ends_on, "long", locale=locale),
            "at_period_end": cancellation.at_period_end,
            "manage_url": account_url("account.subscription", subscription.token),
        }
        if cancellation.at_period_end:
            subject = _(
                "Your subscription to %(business)s ends on %(date)s",
                business=business.name,
                date=context["ends_on"],
            )
        else:
            subject = _(
                "Your subscription to %(business)s has been canceled",
                business=business.name,
            )
        return _compose(
            "emails/subscription_canceled",
            context,
            subject=subject,
            sender=sender_address(business.name),
            to=subscription.contact.email,
            reply_to=business.email,
        )
