"""The Stripe API client and the translation of its errors into ours."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import stripe

from portal.processors.base import PaymentError, ProcessorUnavailable
from portal.processors.stripe.settings import StripeSettings

logger = logging.getLogger(__name__)

# Stripe's client repeats a request that failed on the network, with the same
# Idempotency-Key, so a request Stripe already carried out is not done twice.
NETWORK_RETRIES = 2
UNAVAILABLE_MESSAGE = "The payment service is unavailable. Nothing was charged."


def make_client(settings: StripeSettings) -> stripe.StripeClient:
    http_client = stripe.RequestsClient(timeout=settings.timeout)
    return stripe.StripeClient(
        settings.secret_key,
        base_addresses={"api": settings.api_base},
        max_network_retries=NETWORK_RETRIES,
        http_client=http_client,
    )


@contextmanager
def unavailable_on_failure(action: str) -> Iterator[None]:
    """Raise ``ProcessorUnavailable`` for errors that are not about the payment.

    After a network failure, a rejected API key, Stripe's rate limit or a 5xx
    the request was not carried out, or its outcome is unknown; repeating it
    with the same idempotency key is safe either way. Card and request errors
    pass through for the caller to read. ``action`` names the call in the log.
    """
    try:
        yield
    except stripe.APIConnectionError as error:
        logger.warning(
            "Stripe could not be reached to %s: %s", action, type(error).__name__
        )
        raise ProcessorUnavailable(
            UNAVAILABLE_MESSAGE, code="processor_unavailable"
        ) from error
    except (stripe.AuthenticationError, stripe.PermissionError) as error:
        logger.critical(
            "Stripe rejected the API key to %s; check KASSA_STRIPE_SECRET_KEY", action
        )
        raise ProcessorUnavailable(
            UNAVAILABLE_MESSAGE, code="processor_unavailable"
        ) from error
    except stripe.RateLimitError as error:
        logger.error("Stripe's rate limit was reached to %s", action)
        raise ProcessorUnavailable(
            UNAVAILABLE_MESSAGE, code="processor_unavailable"
        ) from error
    except stripe.APIError as error:
        logger.error(
            "Stripe failed to %s with status %s (request %s)",
            action,
            error.http_status,
            error.request_id,
        )
        raise ProcessorUnavailable(
            UNAVAILABLE_MESSAGE, code="processor_unavailable"
        ) from error
    except stripe.IdempotencyError as error:
        logger.error("Stripe rejected a reused idempotency key to %s", action)
        raise PaymentError(
            "An earlier attempt of this payment may have gone through.",
            code="idempotency_error",
        ) from error


def error_body(error: stripe.StripeError) -> dict:
    """Return the ``error`` object of a Stripe error response, or an empty dict."""
    body = error.json_body or {}
    found = body.get("error") if isinstance(body, dict) else None
    return dict(found) if isinstance(found, dict) else {}
