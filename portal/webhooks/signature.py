"""Checking the signature of a Stripe webhook on the raw request body."""

import json
import logging

import stripe

logger = logging.getLogger(__name__)

# Stripe's own default: a signature older than five minutes is refused, so a
# captured request cannot be replayed later.
TOLERANCE_SECONDS = 300


class InvalidWebhook(Exception):
    """A webhook whose signature, timestamp or body does not check out."""


def verify_event(payload: bytes, header: str | None, secrets: tuple[str, ...]) -> dict:
    """Return the event in ``payload`` once its signature matches one of ``secrets``.

    The signature covers the exact bytes Stripe sent, so a body that was
    changed or re-encoded (other whitespace, escapes or character set) fails.
    Several secrets are tried in turn while an endpoint's secret is rolled.
    Raises ``InvalidWebhook`` with the reason.
    """
    if not header:
        raise InvalidWebhook("missing Stripe-Signature header")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidWebhook("body is not UTF-8") from error

    reasons = []
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(
                text, header, secret, TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError as error:
            reasons.append(str(error.user_message or error))
            continue
        break
    else:
        raise InvalidWebhook(_short(reasons))

    try:
        event = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidWebhook("body is not JSON") from error
    if not _is_event(event):
        raise InvalidWebhook("body is not a Stripe event")
    return event


def _is_event(event: object) -> bool:
    if not isinstance(event, dict):
        return False
    data = event.get("data")
    return (
        isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("created"), int)
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    )


def _short(reasons: list[str]) -> str:
    """Name the cause of a failed verification, without the payload it quotes.

    A stale timestamp is named first: only the right secret gets that far.
    """
    if any("tolerance" in reason for reason in reasons):
        return "timestamp is more than five minutes old"
    if any("matching" in reason for reason in reasons):
        return "signature does not match the body"
    return "signature header is invalid"
