"""Payment links as staff create and edit them: options, slugs, payment history.

These modules take a SQLAlchemy ``Session`` and plain values and read no
request state; the checkout that buyers see is ``portal.checkout``.
"""
