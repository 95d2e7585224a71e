"""The refund receipt emailed to the buyer when a refund succeeds."""

from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import object_session

from portal.businesses import get_business
from portal.documents.facts import bill_to, known_locale
from portal.documents.refunds import refund_facts, render_refund_receipt_pdf
from portal.models import Business, Refund
from portal.notifications.logos import email_logo_url
from portal.notifications.mailer import send_message, sender_address
from portal.notifications.payments import _compose
from portal.notifications.suppression import email_suppressed
from portal.urls import public_url


def send_refund_receipt(refund: Refund) -> None:
    """Email the buyer the receipt of a refund, in the payment's language."""
    if email_suppressed("refund receipt", refund.id):
        return
    business = get_business(object_session(refund))
    send_message(build_refund_message(refund, business))


def build_refund_message(refund: Refund, business: Business) -> EmailMessage:
    """Build the refund receipt email, with the refund receipt PDF attached."""
    payment = refund.payment
    locale = known_locale(payment.locale)
    with force_locale(locale):
        context = refund_facts(refund, business, locale)
        context["logo_src"] = email_logo_url(business)
        context["receipt_url"] = public_url(
            f"/receipts/{payment.token}?lang={payment.locale}"
        )
        message = _compose(
            "emails/buyer_refund",
            context,
            subject=_(
                "Refund from %(business)s #%(number)s",
                business=business.name,
                number=refund.receipt_number,
            ),
            sender=sender_address(business.name),
            to=bill_to(payment.order).email,
            reply_to=business.email,
        )
        message.add_attachment(
            render_refund_receipt_pdf(refund, business, locale),
            maintype="application",
            subtype="pdf",
            filename=f"refund-{refund.receipt_number}.pdf",
        )
    return message
