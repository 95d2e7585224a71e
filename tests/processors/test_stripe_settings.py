"""Stripe's settings: checked at start-up without calling Stripe."""

import pytest

from portal import create_app
from portal.processors.stripe import StripeConfigError, StripeProcessor, read_settings

VALID = {
    "KASSA_STRIPE_SECRET_KEY": "sk_test_abc",
    "KASSA_STRIPE_PUBLISHABLE_KEY": "pk_test_abc",
    "KASSA_STRIPE_WEBHOOK_SECRET": "whsec_new, whsec_old",
    "KASSA_STRIPE_API_BASE": "https://api.stripe.com",
    "KASSA_STRIPE_JS_URL": "https://js.stripe.com/v3/",
    "KASSA_STRIPE_TIMEOUT": 20,
}


def test_test_keys_mean_test_mode():
    settings = read_settings(VALID)

    assert settings.live_mode is False
    assert settings.webhook_secrets == ("whsec_new", "whsec_old")
    assert settings.js_origin == "https://js.stripe.com"
    assert settings.uses_stripe_js is True


def test_live_keys_mean_live_mode():
    live = {
        **VALID,
        "KASSA_STRIPE_SECRET_KEY": "rk_live_abc",
        "KASSA_STRIPE_PUBLISHABLE_KEY": "pk_live_abc",
    }

    assert read_settings(live).live_mode is True


def test_settings_repr_hides_keys():
    assert "sk_test_abc" not in repr(read_settings(VALID))
    assert "whsec" not in repr(read_settings(VALID))


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"KASSA_STRIPE_SECRET_KEY": ""}, "KASSA_STRIPE_SECRET_KEY is not set"),
        (
            {"KASSA_STRIPE_SECRET_KEY": "pk_test_abc"},
            "KASSA_STRIPE_SECRET_KEY does not",
        ),
        (
            {"KASSA_STRIPE_PUBLISHABLE_KEY": ""},
            "KASSA_STRIPE_PUBLISHABLE_KEY is not set",
        ),
        ({"KASSA_STRIPE_PUBLISHABLE_KEY": "pk_live_abc"}, "different modes"),
        ({"KASSA_STRIPE_WEBHOOK_SECRET": " , "}, "KASSA_STRIPE_WEBHOOK_SECRET"),
        ({"KASSA_STRIPE_API_BASE": "api.stripe.com"}, "KASSA_STRIPE_API_BASE"),
    ],
)
def test_bad_settings_are_named(changes, named):
    with pytest.raises(StripeConfigError, match=named):
        read_settings({**VALID, **changes})


def test_app_starts_with_stripe_unreachable(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'kassa.sqlite3'}",
            "KASSA_PROCESSOR": "stripe",
            **VALID,
            # A closed port: nothing may be called at start-up.
            "KASSA_STRIPE_API_BASE": "http://127.0.0.1:9",
        }
    )

    assert isinstance(app.extensions["kassa.processor"], StripeProcessor)


def test_app_refuses_unknown_processor(tmp_path):
    with pytest.raises(RuntimeError, match="'test' or 'stripe'"):
        create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'kassa.sqlite3'}",
                "KASSA_PROCESSOR": "paypal",
            }
        )
