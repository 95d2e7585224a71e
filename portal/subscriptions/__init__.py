"""Subscriptions: starting them, and what staff and customers change later."""
