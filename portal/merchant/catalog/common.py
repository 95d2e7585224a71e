"""Helpers of the catalogue views: permissions, choices and create-form keys."""

import logging

from flask import abort, flash
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from portal.catalog.amounts import percent_for_input
from portal.catalog.idempotency import new_key, valid_key
from portal.catalog.text import MAX_ID
from portal.database import get_session
from portal.merchant.context import current_staff
from portal.merchant.editing import KEY_MISSING, record_changed
from portal.merchant.permissions import Permission, has_permission
from portal.models import Business, TaxRate

logger = logging.getLogger(__name__)


def can_sell() -> bool:
    return has_permission(current_staff().role, Permission.SELL)


def currency_choices(business: Business, current: str | None = None) -> list[str]:
    """Return the accepted currencies, plus ``current`` when it is no longer one."""
    choices = list(business.currencies)
    if current and current not in choices:
        choices.append(current)
    return choices


def tax_rate_choices(
    session: Session, current_id: int | None = None
) -> list[SelectChoice]:
    """Return the active tax rates, and the current one even when inactive."""
    rates = session.scalars(
        select(TaxRate)
        .where(TaxRate.active.is_(True) | (TaxRate.id == current_id))
        .order_by(TaxRate.name, TaxRate.id)
    )
    return [SelectChoice("", "No tax")] + [
        SelectChoice(str(rate.id), f"{rate.name} {percent_for_input(rate.percent)}%")
        for rate in rates
    ]


def load_or_404(model: type, record_id: int):
    record = get_session().get(model, record_id) if record_id <= MAX_ID else None
    if record is None:
        abort(404)
    return record


def start_key(form: FlaskForm) -> None:
    """Give a new create form its key, unless it is shown again with one."""
    if not form.key.data:
        form.key.data = new_key()


def key_is_valid(form: FlaskForm) -> bool:
    """Tell whether the submitted key can be used; add an error to it otherwise."""
    if valid_key(form.key.data):
        return True
    form.key.errors = [*form.key.errors, KEY_MISSING]
    return False


def save_changes(
    session: Session,
    subject_type: str,
    subject_id: int,
    changes: dict[str, str],
    saved_message: str,
) -> None:
    """Audit and commit the changes of an edit form, then flash the outcome.

    An edit that changes nothing writes no audit row and commits nothing.
    """
    if changes:
        record_changed(session, subject_type, subject_id, changes)
        session.commit()
        logger.info("%s %s changed: %s", subject_type, subject_id, sorted(changes))
    flash(saved_message if changes else "Nothing was changed.", "success")
