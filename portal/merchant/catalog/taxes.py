"""Tax rate pages: add, edit and archive tax rates."""

import logging

from flask import flash, redirect, render_template, url_for

from portal.catalog.amounts import percent_for_input
from portal.catalog.errors import InvalidInput
from portal.catalog.taxes import create_tax_rate, read_tax_rate, update_tax_rate
from portal.database import get_session
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.catalog.common import (
    can_sell,
    key_is_valid,
    load_or_404,
    save_changes,
    start_key,
)
from portal.merchant.catalog.forms import TaxRateForm
from portal.merchant.editing import (
    attach_errors,
    created_before,
    record_created,
)
from portal.merchant.permissions import Permission
from portal.models import TaxRate

logger = logging.getLogger(__name__)


def _render(form: TaxRateForm, rate: TaxRate | None = None, errors=None, status=200):
    if rate is None:
        start_key(form)
    page = render_template(
        "merchant/catalog/tax_rate.html",
        form=form,
        rate=rate,
        errors=errors or [],
        can_sell=can_sell(),
    )
    return page, status


@blueprint.get("/catalogue/tax-rates/new")
@requires(Permission.SELL)
def new_tax_rate():
    return _render(TaxRateForm(formdata=None))


@blueprint.post("/catalogue/tax-rates/new")
@requires(Permission.SELL)
def create_tax_rate_view():
    form = TaxRateForm()
    if not form.validate_on_submit() or not key_is_valid(form):
        return _render(form, status=422)
    session = get_session()
    existing = created_before(session, "tax_rate", form.key.data)
    if existing is not None:
        session.rollback()
        return redirect(url_for("merchant.catalogue"), 303)
    try:
        values = read_tax_rate({**form.data, "active": True})
    except InvalidInput as error:
        session.rollback()
        return _render(form, errors=attach_errors(form, error.errors), status=422)

    rate = create_tax_rate(session, values)
    details = {
        "name": rate.name,
        "percent": str(rate.percent),
        "inclusive": str(rate.inclusive),
    }
    record_created(session, "tax_rate", rate.id, form.key.data, details)
    session.commit()
    logger.info("tax rate %s created", rate.id)
    flash(f"Tax rate {rate.name} is added.", "success")
    return redirect(url_for("merchant.catalogue"), 303)


@blueprint.get("/catalogue/tax-rates/<int:rate_id>")
@requires(Permission.VIEW)
def tax_rate_detail(rate_id: int):
    rate = load_or_404(TaxRate, rate_id)
    # WTForms prefers ``obj`` to keyword data, so the percent is set afterwards.
    form = TaxRateForm(formdata=None, obj=rate)
    form.percent.data = percent_for_input(rate.percent)
    return _render(form, rate)


@blueprint.post("/catalogue/tax-rates/<int:rate_id>")
@requires(Permission.SELL)
def update_tax_rate_view(rate_id: int):
    rate = load_or_404(TaxRate, rate_id)
    form = TaxRateForm()
    if not form.validate_on_submit():
        return _render(form, rate, status=422)
    try:
        values = read_tax_rate(form.data)
    except InvalidInput as error:
        return _render(form, rate, attach_errors(form, error.errors), 422)
    session = get_session()
    changes = update_tax_rate(rate, values)
    save_changes(session, "tax_rate", rate.id, changes, "Tax rate saved.")
    return redirect(url_for("merchant.catalogue"), 303)
