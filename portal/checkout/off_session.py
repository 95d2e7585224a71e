"""Payments charged while the customer is away, such as a saved card charged later.

A bank can hold back such a charge until the customer confirms it; the
processor then reports it as ``requires_action``. The customer gets an email
with a link to the payment's authentication page, where Stripe.js runs the
bank's check.
"""

import logging

from portal.models import Payment, PaymentStatus

logger = logging.getLogger(__name__)


def request_authentication(payment: Payment) -> bool:
    """Email the customer a link to authenticate ``payment``; return whether it went.

    Raises ValueError for a payment that does not need authentication. A
    failure to send is logged, and the caller may try again later.
    """
    from portal.notifications.authentication import send_authentication_request

    if payment.status is not PaymentStatus.REQUIRES_ACTION:
        raise ValueError(
            f"payment {payment.id} is {payment.status.value}, not requires_action"
        )
    try:
        send_authentication_request(payment)
    except Exception:
        logger.exception(
            "emailing the authentication link of payment %s failed", payment.id
        )
        return False
    logger.info("emailed the authentication link of payment %s", payment.id)
    return True
