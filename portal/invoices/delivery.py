"""Sending an invoice: finalize it, then email the buyer after the commit."""

import logging

from sqlalchemy.orm import Session

from portal.businesses import get_business
from portal.invoices.lifecycle import send_invoice
from portal.models import Invoice
from portal.notifications import MailConfigError, MailDeliveryError
from portal.notifications.invoices import send_invoice_email

logger = logging.getLogger(__name__)


def send_and_email(
    session: Session,
    invoice: Invoice,
    *,
    actor: str,
    client_address: str | None = None,
) -> bool:
    """Send a draft and email it to the buyer; return whether the email went out.

    An invoice sent before is not emailed again, so a repeated submit sends
    one email; that case returns True as well. A failed email leaves the
    invoice sent, is logged, and returns False so staff can send it again.
    """
    if not send_invoice(session, invoice, actor=actor, client_address=client_address):
        return True
    return email_invoice(session, invoice)


def email_invoice(session: Session, invoice: Invoice) -> bool:
    """Email an open invoice to the buyer; return False when delivery failed."""
    try:
        send_invoice_email(invoice, get_business(session))
    except (MailDeliveryError, MailConfigError, OSError):
        logger.exception("emailing invoice %s failed", invoice.id)
        return False
    logger.info("invoice %s emailed to the buyer", invoice.id)
    return True
