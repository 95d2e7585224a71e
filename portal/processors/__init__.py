"""Payment processors, chosen by the ``KASSA_PROCESSOR`` setting.

``test`` (the default) is the built-in test-mode processor, which needs no
network; ``stripe`` takes real money through Stripe.
"""

from flask import Flask, current_app

from portal.processors.base import Processor
from portal.processors.stripe import StripeProcessor, read_settings
from portal.processors.testmode import TestModeProcessor

PROCESSORS = ("test", "stripe")


def init_app(app: Flask) -> None:
    from portal.processors.stripe.cli import stripe_group

    app.cli.add_command(stripe_group)
    name = app.config["KASSA_PROCESSOR"]
    if name == "stripe":
        # Reads and checks the settings only: Stripe is not called at start-up.
        app.extensions["kassa.processor"] = StripeProcessor(read_settings(app.config))
        _register_webhooks(app)
        return
    if name != "test":
        choices = " or ".join(repr(choice) for choice in PROCESSORS)
        raise RuntimeError(f"KASSA_PROCESSOR={name!r} is not supported; use {choices}.")
    sessions = app.extensions["kassa.sessionmaker"]
    app.extensions["kassa.processor"] = TestModeProcessor(
        sessions, app.config["KASSA_TEST_DEBIT_DELAY"]
    )


def _register_webhooks(app: Flask) -> None:
    """Serve ``POST /webhooks/stripe``, which exists only while Stripe is used."""
    from portal.extensions import csrf
    from portal.webhooks import blueprint

    app.register_blueprint(blueprint)
    csrf.exempt(blueprint)  # Stripe signs each request instead


def get_processor() -> Processor:
    return current_app.extensions["kassa.processor"]
