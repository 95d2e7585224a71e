"""``POST /webhooks/stripe``: verify, apply once, respond quickly.

Bad signatures, stale timestamps and bodies that are not Stripe events get
a 400 and change nothing. Emails that an event calls for are sent after the
response has gone out, so that Stripe gets its 2xx without waiting for SMTP.
"""

import logging

from flask import abort, copy_current_request_context, jsonify, request

from portal.database import get_session
from portal.models import Payment, Refund
from portal.processors import get_processor
from portal.processors.base import ProcessorUnavailable
from portal.processors.stripe import StripeProcessor
from portal.webhooks import blueprint
from portal.webhooks.events import handle_event
from portal.webhooks.outcome import Outcome, RetryLater
from portal.webhooks.signature import InvalidWebhook, verify_event

logger = logging.getLogger(__name__)


@blueprint.post("/stripe")
def stripe_webhook():
    processor = get_processor()
    if not isinstance(processor, StripeProcessor):
        abort(404)

    # The signature covers the exact bytes received, so read them unparsed.
    payload = request.get_data(cache=False)
    header = request.headers.get("Stripe-Signature")
    try:
        event = verify_event(payload, header, processor.settings.webhook_secrets)
    except InvalidWebhook as error:
        logger.warning("rejected a Stripe webhook: %s", error)
        return {"error": f"Invalid webhook: {error}."}, 400

    session = get_session()
    try:
        outcome = handle_event(session, processor, event)
    except (RetryLater, ProcessorUnavailable) as error:
        session.rollback()
        logger.warning("event %s deferred: %s", event["id"], error)
        return {"error": "The event cannot be applied yet; deliver it again."}, 503

    response = jsonify(received=True, outcome=outcome.name)
    if outcome.notify_payments or outcome.notify_refunds:
        response.call_on_close(copy_current_request_context(_notifier(outcome)))
    return response


def _notifier(outcome: Outcome):
    """Return a function that sends the emails an event's outcome calls for."""

    def send() -> None:
        from portal.checkout.payments import notify_payment
        from portal.payments.refunds import notify_refund

        session = get_session()
        for payment_id in outcome.notify_payments:
            notify_payment(session.get(Payment, payment_id))
        for refund_id in outcome.notify_refunds:
            notify_refund(session.get(Refund, refund_id))

    return send
