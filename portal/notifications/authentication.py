"""The email that asks a customer to authenticate a payment their bank held back."""

from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import object_session

from portal.businesses import get_business
from portal.documents.facts import brand_color, known_locale
from portal.models import Business, Payment
from portal.money import format_money
from portal.notifications.logos import email_logo_url
from portal.notifications.mailer import send_message, sender_address
from portal.notifications.payments import _compose
from portal.urls import public_url


def send_authentication_request(payment: Payment) -> None:
    """Email the payment's customer a link to its authentication page."""
    business = get_business(object_session(payment))
    send_message(build_authentication_message(payment, business))


def build_authentication_message(payment: Payment, business: Business) -> EmailMessage:
    locale = known_locale(payment.locale)
    link = public_url(f"/pay/authenticate/{payment.token}?lang={payment.locale}")
    with force_locale(locale):
        context = {
            "locale": locale,
            "business": business,
            "brand_color": brand_color(business),
            "logo_src": email_logo_url(business),
            "amount": format_money(payment.amount, payment.currency, locale),
            "authenticate_url": link,
        }
        return _compose(
            "emails/buyer_authentication",
            context,
            subject=_("Confirm your payment to %(business)s", business=business.name),
            sender=sender_address(business.name),
            to=_recipient(payment),
            reply_to=business.email,
        )


def _recipient(payment: Payment) -> str:
    billing = payment.order.billing
    return billing.email if billing is not None else payment.contact.email
