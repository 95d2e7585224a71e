"""The Catalogue pages: products and prices, tax rates, fees and discounts.

Staff with VIEW read them; changing anything takes SELL.
"""

# Importing the view modules registers their routes on the merchant blueprint.
from portal.merchant.catalog import (  # noqa: F401
    discounts,
    fees,
    overview,
    products,
    taxes,
)
