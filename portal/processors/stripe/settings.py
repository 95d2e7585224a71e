"""Stripe's settings, read from the app's config and checked at start-up.

Nothing here calls Stripe, so the app starts while Stripe is unreachable.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

# Key prefixes: secret (sk_) or restricted (rk_) keys for the server,
# publishable (pk_) keys for Stripe.js, each in test or live mode.
SERVER_KEY_PREFIXES = {
    "sk_test_": False,
    "rk_test_": False,
    "sk_live_": True,
    "rk_live_": True,
}
PUBLISHABLE_KEY_PREFIXES = {"pk_test_": False, "pk_live_": True}


class StripeConfigError(RuntimeError):
    """A Stripe setting that is missing or does not fit the others."""


@dataclass(frozen=True)
class StripeSettings:
    secret_key: str
    publishable_key: str
    webhook_secrets: tuple[str, ...]
    api_base: str
    js_url: str
    timeout: float  # seconds per request
    live_mode: bool

    def __repr__(self) -> str:
        mode = "live" if self.live_mode else "test"
        return f"StripeSettings(mode={mode!r}, api_base={self.api_base!r})"

    @property
    def js_origin(self) -> str:
        parts = urlsplit(self.js_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def uses_stripe_js(self) -> bool:
        """True when pages load Stripe's own Stripe.js rather than a stand-in."""
        return self.js_origin == "https://js.stripe.com"


def read_settings(config: Mapping[str, object]) -> StripeSettings:
    """Build the settings from ``KASSA_STRIPE_*``.

    Raises ``StripeConfigError`` naming the setting to fix when a key is
    missing, has an unknown prefix, or belongs to the other mode than its
    partner key.
    """
    secret_key = str(config.get("KASSA_STRIPE_SECRET_KEY") or "").strip()
    publishable_key = str(config.get("KASSA_STRIPE_PUBLISHABLE_KEY") or "").strip()
    secrets = str(config.get("KASSA_STRIPE_WEBHOOK_SECRET") or "")
    webhook_secrets = tuple(part.strip() for part in secrets.split(",") if part.strip())

    live = _key_mode("KASSA_STRIPE_SECRET_KEY", secret_key, SERVER_KEY_PREFIXES)
    publishable_live = _key_mode(
        "KASSA_STRIPE_PUBLISHABLE_KEY", publishable_key, PUBLISHABLE_KEY_PREFIXES
    )
    if live != publishable_live:
        raise StripeConfigError(
            "KASSA_STRIPE_SECRET_KEY and KASSA_STRIPE_PUBLISHABLE_KEY belong to "
            "different modes; use both test keys or both live keys."
        )
    if not webhook_secrets:
        raise StripeConfigError(
            "KASSA_STRIPE_WEBHOOK_SECRET is not set; copy the signing secret "
            "(whsec_...) of the webhook endpoint from Stripe's dashboard."
        )
    return StripeSettings(
        secret_key=secret_key,
        publishable_key=publishable_key,
        webhook_secrets=webhook_secrets,
        api_base=_url("KASSA_STRIPE_API_BASE", config).rstrip("/"),
        js_url=_url("KASSA_STRIPE_JS_URL", config),
        timeout=float(config.get("KASSA_STRIPE_TIMEOUT") or 20),
        live_mode=live,
    )


def _key_mode(name: str, key: str, prefixes: Mapping[str, bool]) -> bool:
    if not key:
        raise StripeConfigError(f"{name} is not set; copy it from Stripe's dashboard.")
    for prefix, live in prefixes.items():
        if key.startswith(prefix) and len(key) > len(prefix):
            return live
    expected = " or ".join(prefixes)
    raise StripeConfigError(f"{name} does not start with {expected}; check the key.")


def _url(name: str, config: Mapping[str, object]) -> str:
    value = str(config.get(name) or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StripeConfigError(f"{name} must be an http(s) URL, not {value!r}.")
    return value
