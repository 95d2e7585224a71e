"""The back office's first page: today's and the last 30 days' sales."""

from flask import current_app, render_template

from portal.database import get_session, now_utc
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff
from portal.merchant.layout import business_or_none
from portal.merchant.nav import visible_entries
from portal.merchant.permissions import Permission
from portal.sales_summary import local_day_start, succeeded_totals

RECENT_DAYS = 30


@blueprint.get("/")
@requires(Permission.VIEW)
def dashboard():
    business = business_or_none()
    timezone = business.timezone if business else "UTC"
    now = now_utc()
    session = get_session()

    today = succeeded_totals(session, local_day_start(now, timezone), now)
    recent_start = local_day_start(now, timezone, days_back=RECENT_DAYS - 1)
    recent = succeeded_totals(session, recent_start, now)
    shortcuts = [
        entry
        for entry in visible_entries(current_staff().role, current_app.view_functions)
        if entry.endpoint != "merchant.dashboard"
    ]
    return render_template(
        "merchant/dashboard.html",
        today=today,
        recent=recent,
        recent_days=RECENT_DAYS,
        timezone=timezone,
        shortcuts=shortcuts,
    )
