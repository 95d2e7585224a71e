"""The Settings page: the business's name, contact details, time zone and brand."""

import logging
from pathlib import Path

from flask import current_app, flash, redirect, render_template, url_for

from portal.business_settings import (
    apply_settings,
    check_brand_color,
    check_logo_url,
    check_timezone,
    parse_currencies,
)
from portal.database import get_session
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import record_staff_action
from portal.merchant.forms import SettingsForm
from portal.merchant.layout import business_or_none
from portal.merchant.permissions import Permission
from portal.models import Business
from portal.quotes.approval import parse_threshold, threshold_text

logger = logging.getLogger(__name__)


def _form_for(business: Business) -> SettingsForm:
    form = SettingsForm(formdata=None, obj=business)
    form.accepted_currencies.data = ", ".join(business.accepted_currencies)
    form.logo_url.data = business.logo_url or ""
    form.quote_approval_threshold.data = threshold_text(
        business.quote_approval_threshold, business.currency
    )
    return form


def _render_settings(business: Business | None, form: SettingsForm | None, status=200):
    page = render_template("merchant/settings.html", business=business, form=form)
    return page, status


@blueprint.get("/settings")
@requires(Permission.SETTINGS)
def settings():
    business = business_or_none()
    return _render_settings(business, _form_for(business) if business else None)


@blueprint.post("/settings")
@requires(Permission.SETTINGS)
def save_settings():
    business = business_or_none()
    if business is None:
        return _render_settings(None, None, 409)
    form = SettingsForm()
    valid = form.validate_on_submit()
    threshold = _read_threshold(form, business.currency)
    if not valid or form.quote_approval_threshold.errors:
        return _render_settings(business, form, 422)

    values = {
        "name": form.name.data.strip(),
        "email": form.email.data.strip().lower(),
        "address": (form.address.data or "").strip() or None,
        "tax_id": (form.tax_id.data or "").strip() or None,
        "timezone": check_timezone(form.timezone.data),
        "accepted_currencies": parse_currencies(form.accepted_currencies.data or ""),
        "brand_color": check_brand_color(form.brand_color.data),
        "logo_url": check_logo_url(
            form.logo_url.data or "", Path(current_app.static_folder or "static")
        ),
        "quote_approval_threshold": threshold,
    }
    changes = apply_settings(business, values)
    session = get_session()
    if changes:
        record_staff_action(
            session,
            subject_type="business",
            subject_id=business.id,
            action="settings_changed",
            details={field: str(new) for field, (_old, new) in changes.items()},
        )
        session.commit()
        logger.info("business %s settings changed: %s", business.id, sorted(changes))
    flash("Settings saved." if changes else "Nothing was changed.", "success")
    return redirect(url_for("merchant.settings"))


def _read_threshold(form: SettingsForm, currency: str) -> int | None:
    """Read the quote approval threshold, adding a field error when it is invalid."""
    field = form.quote_approval_threshold
    try:
        return parse_threshold(field.data or "", currency)
    except ValueError as error:
        field.errors = [*field.errors, str(error)]
        return None
