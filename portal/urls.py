"""Absolute URLs for links that leave the app, such as those in emails."""

from flask import current_app, has_request_context, request

DEFAULT_BASE = "http://127.0.0.1:5000"


def public_url(path: str) -> str:
    """Join a path to the public base URL.

    ``KASSA_PUBLIC_URL`` wins when set; inside a request the request's own
    host is used; from the command line the demo server's address is the
    fallback.
    """
    base = current_app.config.get("KASSA_PUBLIC_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    base = (base or DEFAULT_BASE).rstrip("/")
    return f"{base}/{path.lstrip('/')}"
