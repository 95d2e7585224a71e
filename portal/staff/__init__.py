"""Staff accounts of the back office: passwords, sign-in sessions, throttling.

These modules need no request, so commands and tests use them directly.
"""
