"""Invoices that staff issue: drafts, sending, payment, void and reminders.

The modules here take a SQLAlchemy ``Session`` and plain values and read no
request. ``views`` is the buyer's hosted invoice page.
"""
