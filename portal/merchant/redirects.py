"""Where to go after signing in."""

from urllib.parse import urlsplit

PREFIX = "/merchant"


def safe_next(value: str | None) -> str | None:
    """Return ``value`` if it is a path inside the back office, otherwise None.

    Only a relative path under ``/merchant`` is accepted, so a crafted sign-in
    link cannot send the staff member to another site afterwards.
    """
    if not value or "\\" in value or value.startswith("//"):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    if parts.path != PREFIX and not parts.path.startswith(PREFIX + "/"):
        return None
    return value
