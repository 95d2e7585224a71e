"""Payment link pages: create, edit, view, deactivate. The list of links is
``merchant.payment_links``.

Staff with VIEW see a link's page; creating and changing links takes SELL.
"""

# Importing the view modules registers their routes on the merchant blueprint.
from portal.merchant.links import detail, rows, views  # noqa: F401
