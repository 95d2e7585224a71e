"""The business's logo as an HTML email shows it."""

from portal.models import Business
from portal.urls import public_url


def email_logo_url(business: Business) -> str | None:
    """Return an absolute URL of the business's logo, or None without a logo.

    A logo under ``static/`` is served by this app, so mail clients load it
    from the public base URL.
    """
    logo = (business.logo_url or "").strip()
    if not logo:
        return None
    if logo.startswith(("https://", "http://")):
        return logo
    return public_url(f"/static/{logo.lstrip('/')}")
