"""Fee pages: add, edit and delete fees such as shipping."""

import logging

from flask import flash, redirect, render_template, url_for

from portal.catalog.amounts import amount_for_input, percent_for_input
from portal.catalog.errors import CatalogError, InvalidInput
from portal.catalog.fees import (
    create_fee,
    delete_fee,
    fee_kind,
    links_using_fee,
    read_fee,
    update_fee,
)
from portal.database import get_session
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.catalog.common import (
    can_sell,
    currency_choices,
    key_is_valid,
    load_or_404,
    save_changes,
    start_key,
    tax_rate_choices,
)
from portal.merchant.catalog.forms import ActionForm, FeeForm
from portal.merchant.context import record_staff_action
from portal.merchant.editing import (
    attach_errors,
    created_before,
    record_created,
    require_business,
)
from portal.merchant.permissions import Permission
from portal.models import Fee

logger = logging.getLogger(__name__)


def _render(form: FeeForm, fee: Fee | None = None, errors=None, status=200):
    business = require_business()
    session = get_session()
    form.currency.choices = currency_choices(business, fee.currency if fee else None)
    form.tax_rate_id.choices = tax_rate_choices(
        session, fee.tax_rate_id if fee else None
    )
    if fee is None:
        start_key(form)
    page = render_template(
        "merchant/catalog/fee.html",
        form=form,
        fee=fee,
        link_count=links_using_fee(session, fee.id) if fee else 0,
        action_form=ActionForm(),
        errors=errors or [],
        can_sell=can_sell(),
    )
    return page, status


def _form_for(fee: Fee) -> FeeForm:
    return FeeForm(
        formdata=None,
        name=fee.name,
        kind=fee_kind(fee).value,
        currency=fee.currency,
        amount=amount_for_input(fee.flat_amount, fee.currency)
        if fee.flat_amount is not None and fee.currency
        else "",
        percent=percent_for_input(fee.percent) if fee.percent is not None else "",
        tax_rate_id=str(fee.tax_rate_id or ""),
    )


@blueprint.get("/catalogue/fees/new")
@requires(Permission.SELL)
def new_fee():
    business = require_business()
    return _render(FeeForm(formdata=None, currency=business.currency))


@blueprint.post("/catalogue/fees/new")
@requires(Permission.SELL)
def create_fee_view():
    business = require_business()
    form = FeeForm()
    if not form.validate_on_submit() or not key_is_valid(form):
        return _render(form, status=422)
    session = get_session()
    existing = created_before(session, "fee", form.key.data)
    if existing is not None:
        session.rollback()
        return redirect(url_for("merchant.catalogue"), 303)
    try:
        values = read_fee(session, form.data, currency_choices(business))
    except InvalidInput as error:
        session.rollback()
        return _render(form, errors=attach_errors(form, error.errors), status=422)

    fee = create_fee(session, values)
    details = {
        "name": fee.name,
        "flat_amount": str(fee.flat_amount or ""),
        "currency": fee.currency or "",
        "percent": str(fee.percent or ""),
    }
    record_created(session, "fee", fee.id, form.key.data, details)
    session.commit()
    logger.info("fee %s created", fee.id)
    flash(f"Fee {fee.name} is added.", "success")
    return redirect(url_for("merchant.catalogue"), 303)


@blueprint.get("/catalogue/fees/<int:fee_id>")
@requires(Permission.VIEW)
def fee_detail(fee_id: int):
    fee = load_or_404(Fee, fee_id)
    return _render(_form_for(fee), fee)


@blueprint.post("/catalogue/fees/<int:fee_id>")
@requires(Permission.SELL)
def update_fee_view(fee_id: int):
    fee = load_or_404(Fee, fee_id)
    business = require_business()
    form = FeeForm()
    if not form.validate_on_submit():
        return _render(form, fee, status=422)
    session = get_session()
    currencies = currency_choices(business, fee.currency)
    try:
        values = read_fee(session, form.data, currencies, current=fee)
        changes = update_fee(session, fee, values)
    except InvalidInput as error:
        session.rollback()
        return _render(form, fee, attach_errors(form, error.errors), 422)
    except CatalogError as error:
        session.rollback()
        errors = attach_errors(form, {error.field or "kind": error.message})
        return _render(form, fee, errors, 409)
    save_changes(session, "fee", fee.id, changes, "Fee saved.")
    return redirect(url_for("merchant.catalogue"), 303)


@blueprint.post("/catalogue/fees/<int:fee_id>/delete")
@requires(Permission.SELL)
def delete_fee_view(fee_id: int):
    session = get_session()
    fee = session.get(Fee, fee_id)
    if fee is None:
        # Already deleted, as by a second click on Delete.
        return redirect(url_for("merchant.catalogue"), 303)
    form = ActionForm()
    if not form.validate_on_submit():
        return _render(_form_for(fee), fee, ["Reload the page and try again."], 400)
    name = fee.name
    try:
        delete_fee(session, fee)
    except CatalogError as error:
        session.rollback()
        return _render(_form_for(fee), fee, [error.message], 409)
    record_staff_action(
        session,
        subject_type="fee",
        subject_id=fee_id,
        action="deleted",
        details={"name": name},
    )
    session.commit()
    logger.info("fee %s deleted", fee_id)
    flash(f"Fee {name} is deleted.", "success")
    return redirect(url_for("merchant.catalogue"), 303)
