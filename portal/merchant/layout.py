"""The frame of every back-office page: business, staff member, navigation."""

from flask import Response, current_app
from flask_login import current_user

from portal.businesses import BusinessMissing, get_business
from portal.database import get_session
from portal.merchant.nav import visible_entries
from portal.models import Business
from portal.money import format_money


def template_context() -> dict[str, object]:
    staff = current_user if current_user.is_authenticated else None
    nav = visible_entries(staff.role, current_app.view_functions) if staff else []
    return {
        "business": business_or_none(),
        "staff": staff,
        "nav_entries": nav,
        "merchant_money": merchant_money,
    }


def merchant_money(amount: int, currency: str) -> str:
    """Format minor units for the back office, which is in English."""
    return format_money(amount, currency, "en")


def business_or_none() -> Business | None:
    """Return the business, or None before one is set up."""
    try:
        return get_business(get_session())
    except BusinessMissing:
        return None


def forbid_storing(response: Response) -> Response:
    """Keep back-office pages, which show buyers' details and sales, out of caches."""
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response
