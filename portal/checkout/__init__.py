"""The buyer's side of payment links: checkout page, payment, receipt."""

from flask import Blueprint

blueprint = Blueprint("checkout", __name__)

# Importing these registers their routes and request hooks on the blueprint.
from portal.checkout import (  # noqa: E402, F401
    embedding,
    receipts,
    sharing,
    views,
)
