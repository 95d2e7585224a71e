"""Rendering the checkout page, or just its order summary for htmx."""

from functools import partial

from flask import make_response, render_template, request

from portal.businesses import get_business
from portal.checkout.form import Selection
from portal.checkout.order import build_order, price_link
from portal.checkout.recurrence_text import every_interval, long_date
from portal.checkout.saving import saves_payment_method
from portal.checkout.stripe_payment import consent_text
from portal.checkout.subscription_plan import (
    business_today,
    items_charged_now,
    plan_subscription,
    price_period,
    recurring_items,
)
from portal.checkout.tokens import issue_token
from portal.database import get_session, now_utc
from portal.discounts import DiscountCodeError, find_code
from portal.documents.summary import summarise_order
from portal.i18n import country_choices, current_locale
from portal.models import PaymentLink
from portal.processors import get_processor


def checkout_context(link: PaymentLink, selection: Selection) -> dict:
    """Price the link for a selection; a bad code is reported, not applied."""
    discount = None
    code_error = None
    if selection.discount_code and link.allow_discount_codes:
        try:
            discount = find_code(
                get_session(), selection.discount_code, link.currency, now_utc()
            )
        except DiscountCodeError as error:
            code_error = error.message
    quantities = {
        item.id: selection.quantities.get(item.id, item.quantity) for item in link.items
    }
    business = get_business(get_session())
    plan = plan_subscription(link, business_today(business.timezone, now_utc()))
    charged = items_charged_now(link, plan)
    # The total due today, and the amount of every line, charged today or not.
    totals = price_link(link, selection.quantities, discount, charged)
    line_totals = price_link(link, selection.quantities, discount)
    preview = build_order(link, totals, discount, custom_answers={}, items=charged)
    return {
        "link": link,
        "totals": totals,
        "line_totals": line_totals,
        "plan": plan,
        "period_totals": (
            price_period(link, selection.quantities, discount) if plan else None
        ),
        "recurring_item_ids": {item.id for item in recurring_items(link)},
        "summary": summarise_order(preview, current_locale()),
        "discount": discount,
        "code_error": code_error,
        "quantities": quantities,
        "selection": selection,
        "countries": country_choices(current_locale()),
        "processor_is_test": get_processor().name == "test",
        "saves_payment_method": saves_payment_method(link),
        "consent_text": consent_text() if saves_payment_method(link) else "",
        "every_interval": every_interval,
        "long_date": partial(long_date, locale=current_locale()),
    }


def render_checkout(
    link: PaymentLink,
    selection: Selection,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int | None = None,
    attempt_key: str | None = None,
):
    """Render the whole page, or the order summary when htmx asks for it.

    Both carry ``Vary: HX-Request`` because one URL answers with either.
    """
    context = checkout_context(link, selection)
    errors = {**selection.errors, **(errors or {})}
    if context["code_error"]:
        errors.setdefault("discount_code", context["code_error"])
    if status is None:
        status = 422 if errors else 200
    context.update(
        values=values or {},
        errors=errors,
        message=message,
        business=get_business(get_session()),
        token=issue_token(link.slug, attempt_key),
    )
    if request.htmx and not request.htmx.boosted:
        body = render_template(
            "checkout/partials/order_summary.html", oob=True, **context
        )
    else:
        body = render_template("checkout/page.html", **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
