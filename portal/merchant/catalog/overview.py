"""The Catalogue page: products, tax rates, fees and discounts at a glance."""

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.catalog.amounts import percent_for_input
from portal.catalog.discounts import discount_kind
from portal.catalog.fees import fee_kind
from portal.catalog.local_time import local_display
from portal.catalog.products import price_label
from portal.catalog.taxes import tax_rate_label
from portal.database import get_session
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.catalog.common import can_sell
from portal.merchant.editing import require_business
from portal.merchant.permissions import Permission
from portal.models import Discount, Fee, Product, TaxRate


@blueprint.get("/catalogue")
@requires(Permission.VIEW)
def catalogue():
    business = require_business()
    session = get_session()
    products = session.scalars(
        select(Product)
        .options(selectinload(Product.prices))
        .order_by(Product.active.desc(), Product.name, Product.id)
    )
    tax_rates = session.scalars(
        select(TaxRate).order_by(TaxRate.active.desc(), TaxRate.name, TaxRate.id)
    )
    fees = session.scalars(
        select(Fee).options(selectinload(Fee.tax_rate)).order_by(Fee.name, Fee.id)
    )
    discounts = session.scalars(
        select(Discount).order_by(Discount.active.desc(), Discount.name, Discount.id)
    )
    return render_template(
        "merchant/catalog/index.html",
        products=list(products),
        tax_rates=list(tax_rates),
        fees=list(fees),
        discounts=list(discounts),
        price_label=price_label,
        percent_text=percent_for_input,
        tax_rate_label=tax_rate_label,
        fee_kind=fee_kind,
        discount_kind=discount_kind,
        local_display=local_display,
        timezone=business.timezone,
        can_sell=can_sell(),
    )
