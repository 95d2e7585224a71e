"""Emails: the transport in ``mailer`` and the messages built from templates."""

from portal.notifications.mailer import MailDeliveryError, send_message
from portal.notifications.payments import send_payment_confirmations
from portal.notifications.smtp_url import MailConfigError

__all__ = [
    "MailConfigError",
    "MailDeliveryError",
    "send_message",
    "send_payment_confirmations",
]
