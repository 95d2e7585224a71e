"""Product pages: add and edit products, add, edit and archive their prices."""

import logging

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select

from portal.catalog.amounts import amount_for_input
from portal.catalog.errors import FORM, CatalogError, InvalidInput
from portal.catalog.products import (
    ProductInput,
    add_price,
    change_price,
    create_product,
    links_using_price,
    price_in_orders,
    price_label,
    read_price,
    read_product,
    update_product,
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
)
from portal.merchant.catalog.forms import ActionForm, PriceForm, ProductForm
from portal.merchant.editing import (
    attach_errors,
    created_before,
    record_created,
    record_state_change,
    require_business,
)
from portal.merchant.permissions import Permission
from portal.models import Price, Product

logger = logging.getLogger(__name__)


def _render_new(form: ProductForm, errors: list[str] | None = None, status=200):
    start_key(form)
    page = render_template(
        "merchant/catalog/product_new.html", form=form, errors=errors or []
    )
    return page, status


def _render_product(
    product: Product,
    form: ProductForm | None = None,
    price_form: PriceForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
):
    business = require_business()
    if form is None:
        form = ProductForm(formdata=None, obj=product)
    if price_form is None:
        price_form = PriceForm(formdata=None, currency=business.currency)
    price_form.currency.choices = currency_choices(business)
    start_key(price_form)
    prices = get_session().scalars(
        select(Price)
        .where(Price.product_id == product.id)
        .order_by(Price.active.desc(), Price.id)
    )
    page = render_template(
        "merchant/catalog/product.html",
        product=product,
        form=form,
        price_form=price_form,
        prices=list(prices),
        price_label=price_label,
        action_form=ActionForm(),
        errors=errors or [],
        can_sell=can_sell(),
    )
    return page, status


@blueprint.get("/catalogue/products/new")
@requires(Permission.SELL)
def new_product():
    require_business()
    return _render_new(ProductForm(formdata=None))


@blueprint.post("/catalogue/products/new")
@requires(Permission.SELL)
def create_product_view():
    require_business()
    form = ProductForm()
    if not form.validate_on_submit() or not key_is_valid(form):
        return _render_new(form, status=422)
    session = get_session()
    existing = created_before(session, "product", form.key.data)
    if existing is not None:
        session.rollback()
        return redirect(url_for("merchant.product_detail", product_id=existing), 303)
    try:
        values = read_product({**form.data, "active": True})
    except InvalidInput as error:
        session.rollback()
        return _render_new(form, attach_errors(form, error.errors), 422)

    product = create_product(session, values)
    record_created(session, "product", product.id, form.key.data, {"name": values.name})
    session.commit()
    logger.info("product %s created", product.id)
    flash(f"{product.name} is added. Add its prices below.", "success")
    return redirect(url_for("merchant.product_detail", product_id=product.id), 303)


@blueprint.get("/catalogue/products/<int:product_id>")
@requires(Permission.VIEW)
def product_detail(product_id: int):
    return _render_product(load_or_404(Product, product_id))


@blueprint.post("/catalogue/products/<int:product_id>")
@requires(Permission.SELL)
def update_product_view(product_id: int):
    product = load_or_404(Product, product_id)
    form = ProductForm()
    if not form.validate_on_submit():
        return _render_product(product, form=form, status=422)
    try:
        values: ProductInput = read_product(form.data)
    except InvalidInput as error:
        return _render_product(
            product, form=form, errors=attach_errors(form, error.errors), status=422
        )
    session = get_session()
    changes = update_product(product, values)
    save_changes(session, "product", product.id, changes, "Product saved.")
    return redirect(url_for("merchant.product_detail", product_id=product.id), 303)


@blueprint.post("/catalogue/products/<int:product_id>/prices")
@requires(Permission.SELL)
def create_price(product_id: int):
    product = load_or_404(Product, product_id)
    business = require_business()
    form = PriceForm()
    if not form.validate_on_submit() or not key_is_valid(form):
        return _render_product(product, price_form=form, status=422)
    session = get_session()
    existing = created_before(session, "price", form.key.data)
    if existing is not None:
        session.rollback()
        return redirect(url_for("merchant.product_detail", product_id=product.id), 303)
    try:
        values = read_price(form.data, currency_choices(business))
    except InvalidInput as error:
        session.rollback()
        errors = attach_errors(form, error.errors)
        return _render_product(product, price_form=form, errors=errors, status=422)

    price = add_price(session, product, values)
    details = {
        "product": str(product.id),
        "currency": price.currency,
        "unit_amount": str(price.unit_amount),
        "kind": price.kind.value,
        "frequency": price.frequency.value if price.frequency else "",
    }
    record_created(session, "price", price.id, form.key.data, details)
    session.commit()
    logger.info("price %s added to product %s", price.id, product.id)
    flash("Price added.", "success")
    return redirect(url_for("merchant.product_detail", product_id=product.id), 303)


def _render_price(price: Price, form: PriceForm | None = None, errors=None, status=200):
    business = require_business()
    session = get_session()
    if form is None:
        form = PriceForm(
            formdata=None,
            obj=price,
            amount=amount_for_input(price.unit_amount, price.currency),
            frequency=price.frequency.value if price.frequency else "",
            kind=price.kind.value,
        )
    form.currency.choices = currency_choices(business, price.currency)
    page = render_template(
        "merchant/catalog/price.html",
        price=price,
        form=form,
        price_label=price_label,
        in_orders=price_in_orders(session, price.id),
        link_count=links_using_price(session, price.id),
        action_form=ActionForm(),
        errors=errors or [],
        can_sell=can_sell(),
    )
    return page, status


@blueprint.get("/catalogue/prices/<int:price_id>")
@requires(Permission.VIEW)
def price_detail(price_id: int):
    return _render_price(load_or_404(Price, price_id))


@blueprint.post("/catalogue/prices/<int:price_id>")
@requires(Permission.SELL)
def update_price(price_id: int):
    price = load_or_404(Price, price_id)
    business = require_business()
    form = PriceForm()
    if not form.validate_on_submit():
        return _render_price(price, form, status=422)
    session = get_session()
    try:
        values = read_price(form.data, currency_choices(business, price.currency))
        changes = change_price(session, price, values)
    except InvalidInput as error:
        session.rollback()
        return _render_price(price, form, attach_errors(form, error.errors), 422)
    except CatalogError as error:
        session.rollback()
        errors = attach_errors(form, {error.field or FORM: error.message})
        return _render_price(price, form, errors, 409)
    save_changes(session, "price", price.id, changes, "Price saved.")
    return redirect(
        url_for("merchant.product_detail", product_id=price.product_id), 303
    )


@blueprint.post("/catalogue/prices/<int:price_id>/archive")
@requires(Permission.SELL)
def archive_price(price_id: int):
    return _set_price_active(load_or_404(Price, price_id), active=False)


@blueprint.post("/catalogue/prices/<int:price_id>/restore")
@requires(Permission.SELL)
def restore_price(price_id: int):
    return _set_price_active(load_or_404(Price, price_id), active=True)


def _set_price_active(price: Price, *, active: bool):
    target = url_for("merchant.product_detail", product_id=price.product_id)
    if price.active is active:
        return redirect(target, 303)
    session = get_session()
    price.active = active
    record_state_change(session, "price", price.id, active=active)
    session.commit()
    logger.info("price %s active set to %s", price.id, active)
    flash(
        "Price restored." if active else "Price archived: new links cannot use it.",
        "success",
    )
    return redirect(target, 303)
