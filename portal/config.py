"""Settings read from the environment (``KASSA_*`` and ``DATABASE_URL``)."""

import os
from pathlib import Path


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_settings(instance_path: Path) -> dict[str, object]:
    """Build the Flask config mapping from environment variables."""
    default_database = f"sqlite:///{instance_path / 'kassa.sqlite3'}"
    production = _flag("KASSA_PRODUCTION")
    return {
        "SECRET_KEY": os.environ.get("KASSA_SECRET_KEY")
        or _instance_secret(instance_path),
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_database),
        "KASSA_PRODUCTION": production,
        "KASSA_PROCESSOR": os.environ.get("KASSA_PROCESSOR", "test"),
        # Stripe, used when KASSA_PROCESSOR=stripe. The webhook secret may list
        # several secrets, separated by commas, while one replaces another.
        "KASSA_STRIPE_SECRET_KEY": os.environ.get("KASSA_STRIPE_SECRET_KEY", ""),
        "KASSA_STRIPE_PUBLISHABLE_KEY": os.environ.get(
            "KASSA_STRIPE_PUBLISHABLE_KEY", ""
        ),
        "KASSA_STRIPE_WEBHOOK_SECRET": os.environ.get(
            "KASSA_STRIPE_WEBHOOK_SECRET", ""
        ),
        "KASSA_STRIPE_API_BASE": os.environ.get(
            "KASSA_STRIPE_API_BASE", "https://api.stripe.com"
        ),
        "KASSA_STRIPE_JS_URL": os.environ.get(
            "KASSA_STRIPE_JS_URL", "https://js.stripe.com/v3/"
        ),
        # Seconds to wait for one response from Stripe's API.
        "KASSA_STRIPE_TIMEOUT": float(os.environ.get("KASSA_STRIPE_TIMEOUT", "20")),
        "KASSA_SMTP_URL": os.environ.get("KASSA_SMTP_URL", ""),
        "KASSA_MAIL_FROM": os.environ.get("KASSA_MAIL_FROM", "kassa@localhost"),
        "KASSA_OUTBOX": os.environ.get("KASSA_OUTBOX", str(instance_path / "outbox")),
        "KASSA_PUBLIC_URL": os.environ.get("KASSA_PUBLIC_URL", ""),
        # Limits on payment attempts, in the notation Flask-Limiter parses.
        "KASSA_PAY_LIMIT_PER_ADDRESS": os.environ.get(
            "KASSA_PAY_LIMIT_PER_ADDRESS", "20 per minute"
        ),
        "KASSA_PAY_LIMIT_PER_LINK": os.environ.get(
            "KASSA_PAY_LIMIT_PER_LINK", "120 per minute"
        ),
        # Limit on discount code look-ups, so that codes cannot be guessed.
        "KASSA_CODE_LIMIT_PER_ADDRESS": os.environ.get(
            "KASSA_CODE_LIMIT_PER_ADDRESS", "30 per minute"
        ),
        # Failed back-office sign-ins allowed per account and per client address.
        "KASSA_SIGN_IN_LIMIT_PER_ACCOUNT": os.environ.get(
            "KASSA_SIGN_IN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"
        ),
        "KASSA_SIGN_IN_LIMIT_PER_ADDRESS": os.environ.get(
            "KASSA_SIGN_IN_LIMIT_PER_ADDRESS", "20 per 15 minutes"
        ),
        # Sign-in links of the customer account area that one email address and
        # one client address may request, counted over stored requests.
        "KASSA_ACCOUNT_LINK_LIMIT_PER_EMAIL": os.environ.get(
            "KASSA_ACCOUNT_LINK_LIMIT_PER_EMAIL", "5 per 15 minutes"
        ),
        "KASSA_ACCOUNT_LINK_LIMIT_PER_ADDRESS": os.environ.get(
            "KASSA_ACCOUNT_LINK_LIMIT_PER_ADDRESS", "20 per 15 minutes"
        ),
        "RATELIMIT_STORAGE_URI": os.environ.get("KASSA_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Seconds a test-mode bank debit stays processing before it is due to settle.
        "KASSA_TEST_DEBIT_DELAY": int(os.environ.get("KASSA_TEST_DEBIT_DELAY", "60")),
        # Seconds a signed checkout token stays valid.
        "KASSA_CHECKOUT_TOKEN_MAX_AGE": int(
            os.environ.get("KASSA_CHECKOUT_TOKEN_MAX_AGE", str(6 * 3600))
        ),
        # No form takes files, so a request body never needs more than this.
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "KASSA_LOCALES": ["en", "fi"],
    }


def _instance_secret(instance_path: Path) -> str:
    """Read the instance's secret key, creating it on first use.

    A key kept in the instance folder survives restarts, so signed checkout
    tokens stay valid, and never needs to be typed by hand in development.
    """
    import secrets

    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
