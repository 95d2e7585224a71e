"""Stripe events in the current API shape, signed with a secret as Stripe does."""

import json
import secrets
import time

import stripe

from tests.fixtures.localstripe import WEBHOOK_SECRET

API_VERSION = "2026-10-28.endive"


def make_event(
    event_type: str, obj: dict, *, created: int | None = None, **fields
) -> dict:
    """Build an event of ``event_type`` about ``obj``, as Stripe sends it today."""
    return {
        "id": f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": API_VERSION,
        "created": created or int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        **fields,
    }


def encode(event: dict) -> bytes:
    """Serialise an event the way Stripe does: indented JSON in UTF-8."""
    return json.dumps(event, indent=2, ensure_ascii=False).encode("utf-8")


def signature(
    body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> str:
    return stripe.WebhookSignature.generate_signature_header(
        body.decode("utf-8"), secret, timestamp=timestamp
    )


def post_event(client, event: dict, **signing):
    """POST a signed event to the webhook endpoint and return the closed response.

    Closing the response runs what the endpoint does after responding, such
    as sending emails, as a real server does once the response is sent.
    """
    body = encode(event)
    return post_body(client, body, signature(body, **signing))


def post_body(client, body: bytes, header: str | None):
    headers = {"Stripe-Signature": header} if header else {}
    response = client.post(
        "/webhooks/stripe", data=body, headers=headers, content_type="application/json"
    )
    response.close()
    return response


def payout(status: str = "pending", **fields) -> dict:
    return {
        "id": "po_kassa1",
        "object": "payout",
        "amount": 123456,
        "arrival_date": 1796428800,  # 2026-12-05 00:00 UTC
        "automatic": True,
        "created": 1796256000,
        "currency": "eur",
        "failure_code": None,
        "failure_message": None,
        "method": "standard",
        "status": status,
        "type": "bank_account",
        **fields,
    }
