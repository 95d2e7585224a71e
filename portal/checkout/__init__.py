"""The buyer's side of payment links: checkout page, payment, receipt."""

from flask import Blueprint

blueprint = Blueprint("checkout", __name__)

from portal.checkout import receipts, views  # noqa: E402, F401  (registers the routes)
