"""The catalogue as staff manage it: products, prices, tax rates, fees, discounts.

These modules take a SQLAlchemy ``Session`` and plain values and read no
request state. Each check raises ``CatalogError`` with a message that tells
staff what to enter instead.
"""
