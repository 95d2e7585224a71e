"""Access rules: pages that need a signed-in customer, and headers on every page."""

from flask import Response, redirect, render_template, request, url_for

from portal.account.current import current_customer
from portal.account.next_page import requested_page

# Views that work without a signed-in customer: signing in and out.
PUBLIC_ENDPOINTS = frozenset(
    {
        "account.sign_in",
        "account.request_sign_in_link",
        "account.sign_in_link",
        "account.sign_out",
    }
)


def require_customer() -> Response | None:
    """Send a request without a live customer session to the sign-in page."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if current_customer() is None:
        return redirect(url_for("account.sign_in", next=requested_page()), 303)
    return None


def forbid_storing(response: Response) -> Response:
    """Keep account pages, which show the customer's records, out of caches.

    The app's own headers already forbid framing (``frame-ancestors 'none'``
    and ``X-Frame-Options: DENY``).
    """
    response.headers["Cache-Control"] = "private, no-store"
    response.headers.add("Vary", "Cookie")
    return response


def template_context() -> dict[str, object]:
    return {"customer": current_customer()}


def refused(business, message: str):
    """Render the 403 page of an action the business does not allow customers."""
    page = render_template("account/refused.html", business=business, message=message)
    return page, 403
