"""Signed checkout tokens: the CSRF protection of the checkout form.

The checkout keeps no state in cookies, because it also runs inside other
sites' iframes where browsers drop third-party cookies. Instead each form
carries a token, signed with the app's secret key, that names the link and a
random attempt key. A forged form has no valid token; a replayed form
carries the same attempt key and so ends in the same payment.
"""

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "kassa.checkout-attempt"


class InvalidCheckoutToken(Exception):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue_token(slug: str, attempt: str | None = None) -> str:
    """Sign a token for the link ``slug``, naming a new attempt unless given one.

    A form shown again after the processor could not be reached keeps its
    attempt, so that paying again reuses the processor's idempotency key.
    """
    attempt = attempt or secrets.token_urlsafe(24)
    return _serializer().dumps({"link": slug, "attempt": attempt})


def read_token(token: str, slug: str) -> str:
    """Return the attempt key of a token issued for this link.

    Raises ``InvalidCheckoutToken`` when the token is missing, forged,
    expired or issued for another link.
    """
    max_age = current_app.config["KASSA_CHECKOUT_TOKEN_MAX_AGE"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadSignature as error:
        raise InvalidCheckoutToken from error
    if not isinstance(data, dict) or data.get("link") != slug:
        raise InvalidCheckoutToken
    attempt = data.get("attempt")
    if not isinstance(attempt, str) or not attempt:
        raise InvalidCheckoutToken
    return attempt
