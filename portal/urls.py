"""Absolute URLs for links that leave the app, such as those in emails."""

import os

from flask import current_app, has_request_context, request


def local_base_url() -> str:
    """Return the development server's address, with the port from ``PORT``."""
    return f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"


def public_url(path: str) -> str:
    """Join a path to the public base URL.

    ``KASSA_PUBLIC_URL`` wins when set. Inside a request the request's own
    host is used, and from the command line the development server's address
    on ``PORT``.
    """
    base = current_app.config.get("KASSA_PUBLIC_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    base = (base or local_base_url()).rstrip("/")
    return f"{base}/{path.lstrip('/')}"
