"""The account page a customer requested before signing in.

A signed-out customer who opens an account link, such as the one in a
failed-payment email, signs in first. The page's path travels through the
sign-in form and the emailed link, and the customer lands on it after
signing in. Only paths inside the account area are kept, so the value can
never send anyone to another site.
"""

from urllib.parse import unquote, urlsplit

from flask import request

PREFIX = "/account/"
MAX_LENGTH = 300
# Pages that make no sense to return to after signing in.
SKIPPED_PREFIXES = ("/account/sign-in", "/account/sign-out")


def safe_next(raw: str | None) -> str | None:
    """Return ``raw`` when it is a path inside the account area, else None."""
    if not raw or len(raw) > MAX_LENGTH:
        return None
    decoded = unquote(raw)
    if "\\" in decoded or any(ord(character) < 0x20 for character in decoded):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not parts.path.startswith(PREFIX):
        return None
    # Browsers resolve dot segments, also percent-encoded ones, so a path
    # with them could leave the account area.
    if {".", ".."} & set(unquote(parts.path).split("/")):
        return None
    if raw.startswith(SKIPPED_PREFIXES) or raw == PREFIX:
        return None
    return raw


def requested_page() -> str | None:
    """Return this GET request's own path and query when it is worth returning to."""
    if request.method != "GET":
        return None
    path = request.full_path.rstrip("?")
    return safe_next(path)
