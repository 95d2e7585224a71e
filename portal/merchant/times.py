"""The one way the back office shows a moment: local time in the business's zone."""

from datetime import datetime

from babel.dates import format_datetime
from flask import g

from portal.documents.facts import business_zone
from portal.merchant import blueprint
from portal.merchant.layout import business_or_none


def format_back_office_time(value: datetime | None, timezone: str) -> str:
    """Format a UTC timestamp such as "4 Dec 2026, 20:22 EET" in ``timezone``.

    The abbreviation comes from the tz database, which uses a numeric one
    such as "+03" for zones that have no common letters.
    """
    if value is None:
        return ""
    local = value.astimezone(business_zone(timezone))
    return f"{format_datetime(local, 'd MMM y, HH:mm', locale='en')} {local.tzname()}"


@blueprint.app_template_filter("back_office_time")
def back_office_time(value: datetime | None) -> str:
    """Format ``value`` in the business's time zone, or UTC before one is set up."""
    if "back_office_timezone" not in g:
        business = business_or_none()
        g.back_office_timezone = business.timezone if business else "UTC"
    return format_back_office_time(value, g.back_office_timezone)
