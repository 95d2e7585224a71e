"""Discount pages: add, edit and deactivate discounts and their codes."""

import logging

from flask import flash, redirect, render_template, url_for
from sqlalchemy.exc import IntegrityError

from portal.catalog.amounts import amount_for_input, percent_for_input
from portal.catalog.discounts import (
    create_discount,
    discount_kind,
    read_discount,
    update_discount,
)
from portal.catalog.errors import CatalogError, InvalidInput
from portal.catalog.local_time import local_input
from portal.database import get_session, now_utc
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.catalog.common import (
    can_sell,
    currency_choices,
    key_is_valid,
    load_or_404,
    start_key,
)
from portal.merchant.catalog.forms import DiscountForm
from portal.merchant.editing import (
    attach_errors,
    created_before,
    record_changed,
    record_created,
    require_business,
)
from portal.merchant.permissions import Permission
from portal.models import Business, Discount

logger = logging.getLogger(__name__)

CODE_TAKEN = "Another discount already has this code. Choose another code."


def _render(
    form: DiscountForm, discount: Discount | None = None, errors=None, status=200
):
    business = require_business()
    current_currency = discount.currency if discount else None
    form.currency.choices = currency_choices(business, current_currency)
    if discount is None:
        start_key(form)
    page = render_template(
        "merchant/catalog/discount.html",
        form=form,
        discount=discount,
        timezone=business.timezone,
        errors=errors or [],
        can_sell=can_sell(),
    )
    return page, status


def _form_for(discount: Discount, business: Business) -> DiscountForm:
    amount = ""
    if discount.amount_off is not None and discount.currency:
        amount = amount_for_input(discount.amount_off, discount.currency)
    return DiscountForm(
        formdata=None,
        name=discount.name,
        code=discount.code or "",
        kind=discount_kind(discount).value,
        percent=percent_for_input(discount.percent) if discount.percent else "",
        currency=discount.currency or business.currency,
        amount_off=amount,
        expires_at=local_input(discount.expires_at, business.timezone),
        max_redemptions=str(discount.max_redemptions or ""),
        active=discount.active,
    )


@blueprint.get("/catalogue/discounts/new")
@requires(Permission.SELL)
def new_discount():
    business = require_business()
    return _render(DiscountForm(formdata=None, currency=business.currency))


@blueprint.post("/catalogue/discounts/new")
@requires(Permission.SELL)
def create_discount_view():
    business = require_business()
    form = DiscountForm()
    if not form.validate_on_submit() or not key_is_valid(form):
        return _render(form, status=422)
    session = get_session()
    existing = created_before(session, "discount", form.key.data)
    if existing is not None:
        session.rollback()
        return redirect(url_for("merchant.catalogue"), 303)
    try:
        values = read_discount(
            {**form.data, "active": True},
            currency_choices(business),
            business.timezone,
            now_utc(),
        )
        discount = create_discount(session, values)
    except InvalidInput as error:
        session.rollback()
        return _render(form, errors=attach_errors(form, error.errors), status=422)
    except CatalogError as error:
        session.rollback()
        errors = attach_errors(form, {error.field or "code": error.message})
        return _render(form, errors=errors, status=409)

    details = {"name": discount.name, "code": discount.code or ""}
    record_created(session, "discount", discount.id, form.key.data, details)
    try:
        session.commit()
    except IntegrityError:
        # Another discount took the code between the check and the commit.
        session.rollback()
        logger.warning("new discount's code was taken before commit")
        return _render(
            form, errors=attach_errors(form, {"code": CODE_TAKEN}), status=409
        )
    logger.info("discount %s created", discount.id)
    flash(f"Discount {discount.name} is added.", "success")
    return redirect(url_for("merchant.catalogue"), 303)


@blueprint.get("/catalogue/discounts/<int:discount_id>")
@requires(Permission.VIEW)
def discount_detail(discount_id: int):
    discount = load_or_404(Discount, discount_id)
    return _render(_form_for(discount, require_business()), discount)


@blueprint.post("/catalogue/discounts/<int:discount_id>")
@requires(Permission.SELL)
def update_discount_view(discount_id: int):
    discount = load_or_404(Discount, discount_id)
    business = require_business()
    form = DiscountForm()
    if not form.validate_on_submit():
        return _render(form, discount, status=422)
    session = get_session()
    try:
        values = read_discount(
            form.data,
            currency_choices(business, discount.currency),
            business.timezone,
            now_utc(),
            current=discount,
        )
        changes = update_discount(session, discount, values)
    except InvalidInput as error:
        session.rollback()
        return _render(form, discount, attach_errors(form, error.errors), 422)
    except CatalogError as error:
        session.rollback()
        errors = attach_errors(form, {error.field or "code": error.message})
        return _render(form, discount, errors, 409)
    if changes:
        record_changed(session, "discount", discount.id, changes)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            logger.warning("discount %s: code was taken before commit", discount_id)
            errors = attach_errors(form, {"code": CODE_TAKEN})
            return _render(form, discount, errors, 409)
        logger.info("discount %s changed: %s", discount.id, sorted(changes))
    flash("Discount saved." if changes else "Nothing was changed.", "success")
    return redirect(url_for("merchant.catalogue"), 303)
