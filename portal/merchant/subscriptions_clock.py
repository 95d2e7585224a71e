"""The test clock form on the subscription detail page."""

from datetime import date

from flask import flash, redirect, request, url_for

from portal.database import get_session, now_utc
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.invoice_detail import staff_action_context
from portal.merchant.permissions import Permission
from portal.merchant.processor_mode import processor_mode
from portal.merchant.subscriptions import load_subscription, render_detail
from portal.subscriptions.clock import advance_clock, one_period_ahead
from portal.subscriptions.errors import SubscriptionError


@blueprint.post("/subscriptions/<int:subscription_id>/clock")
@requires(Permission.SELL)
def advance_subscription_clock(subscription_id: int):
    subscription = load_subscription(subscription_id)
    values = {"clock_to": request.form.get("clock_to", "").strip()}
    if processor_mode().live:
        message = "The test clock works only while payments are in test mode."
        return render_detail(subscription, error=message, status=409)

    session = get_session()
    now = now_utc()
    if request.form.get("by") == "period":
        target = one_period_ahead(session, subscription, now)
    else:
        try:
            target = date.fromisoformat(values["clock_to"])
        except ValueError:
            message = "Enter the date to advance to, as YYYY-MM-DD."
            errors = {"clock_to": message}
            return render_detail(subscription, errors=errors, values=values, status=422)

    try:
        summary = advance_clock(
            session, subscription, to=target, now=now, **staff_action_context()
        )
    except SubscriptionError as error:
        session.rollback()
        errors = {error.field or "clock_to": error.message}
        return render_detail(
            subscription, errors=errors, values=values, status=error.status_code
        )
    flash(f"The clock is at {target.isoformat()}. {summary.line()}", "success")
    return redirect(
        url_for("merchant.subscription_detail", subscription_id=subscription.id), 303
    )
