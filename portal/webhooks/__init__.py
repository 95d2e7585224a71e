"""Webhooks from Stripe: ``POST /webhooks/stripe``, registered in Stripe mode only.

The routes carry no CSRF token: each request proves where it comes from by
its signature instead.
"""

from flask import Blueprint

blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")

from portal.webhooks import views  # noqa: E402, F401  (registers the routes)
