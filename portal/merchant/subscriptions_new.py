"""The New subscription page: staff start a subscription for a contact.

The form posts to itself. Buttons that add or remove a price row, or that
show the saved payment methods of the contact entered, render the form
again and save nothing. With htmx they swap only their own section. A
valid form starts the subscription, bills its first period when that is
due today, and redirects to the detail page.
"""

import logging
import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.database import get_session, now_utc
from portal.invoices.status import local_today
from portal.invoices.terms import TERMS_LABELS
from portal.listing.subscriptions import FREQUENCY_LABELS
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.invoice_detail import staff_action_context
from portal.merchant.invoice_form import LOCALES
from portal.merchant.layout import business_or_none, merchant_money
from portal.merchant.permissions import Permission
from portal.merchant.saved_methods import saved_method_label
from portal.merchant.subscription_form import (
    SUBSCRIPTION_TERMS,
    FormContext,
    SubscriptionForm,
    blank_form,
    change_rows,
    check_form,
    find_contact,
    read_form,
)
from portal.models import (
    Business,
    Contact,
    PeriodStatus,
    Price,
    PriceKind,
    Product,
    Subscription,
    TaxRate,
)
from portal.processors import get_processor
from portal.subscriptions.staff_start import (
    StaffStartResult,
    contact_methods,
    find_started,
    has_expired,
    start_for_staff,
)
from portal.subscriptions.starting import StartError

logger = logging.getLogger(__name__)

MAX_CONTACT_OPTIONS = 500  # contacts offered in the email field's list


@blueprint.get("/subscriptions/new")
@requires(Permission.SELL)
def new_subscription():
    business = business_or_none()
    if business is None:
        return _no_business()
    form = blank_form(business.locale, secrets.token_urlsafe(24))
    email = request.args.get("contact_email", "")[:320]
    if email:
        form.values["contact_email"] = email
    return _render_form(business, form)


@blueprint.post("/subscriptions/new")
@requires(Permission.SELL)
def create_subscription():
    business = business_or_none()
    if business is None:
        return _no_business()
    submitted = read_form(request.form)
    action = submitted.values.pop("action", "start")
    if action == "show_methods" or change_rows(submitted, action):
        submitted.errors.clear()
        return _render_form(business, submitted)
    key = submitted.values.get("idempotency_key", "")
    if not 16 <= len(key) <= 64:
        abort(400, description="The form is missing its key. Open a new form.")

    session = get_session()
    existing = find_started(session, key)
    if existing is not None:
        return _to_detail(existing)
    now = now_utc()
    context = _form_context(business, submitted)
    start = check_form(session, submitted, context)
    if start is None:
        logger.info("new subscription form rejected")
        return _render_form(business, submitted, context=context, status=422)
    try:
        result = start_for_staff(
            session, start, actor=staff_action_context()["actor"], now=now
        )
    except StartError as error:
        session.rollback()
        submitted.errors["form"] = str(error)
        return _render_form(business, submitted, status=422)
    if result.created:
        flash(*describe_start(result))
    return redirect(
        url_for("merchant.subscription_detail", subscription_id=result.subscription.id),
        303,
    )


def describe_start(result: StaffStartResult) -> tuple[str, str]:
    """Return the flash message and its category after a subscription started."""
    subscription = result.subscription
    started = f"Subscription {subscription.id} is started."
    if result.first_bill is None:
        when = subscription.next_billing_date
        first = when.isoformat() if when else "its first billing date"
        return f"{started} It is first billed on {first}.", "success"
    if not subscription.periods:
        message = (
            f"{started} Billing its first period failed, and the next billing "
            "run tries again."
        )
        return message, "error"

    period = subscription.periods[0]
    amount = merchant_money(period.amount, period.currency)
    if period.status is PeriodStatus.PAID:
        return f"{started} Period 0 is paid: {amount}.", "success"
    if period.status is PeriodStatus.PROCESSING:
        return (
            f"{started} The charge of {amount} for period 0 is processing.",
            "success",
        )
    if period.status is PeriodStatus.OPEN and period.invoice is not None:
        number = period.invoice.number or period.invoice.id
        message = f"{started} Invoice {number} for {amount} is issued for period 0."
        return message, "success"

    if period.status is PeriodStatus.REQUIRES_ACTION:
        message = (
            f"{started} The charge of {amount} for period 0 waits for the "
            "customer to authenticate it."
        )
    else:
        message = (
            f"{started} The charge of {amount} for period 0 failed, and it is "
            "retried on the business's retry schedule."
        )
    return message, "error"


def _to_detail(subscription: Subscription):
    return redirect(
        url_for("merchant.subscription_detail", subscription_id=subscription.id), 303
    )


def _form_context(business: Business, submitted: SubscriptionForm) -> FormContext:
    session = get_session()
    now = now_utc()
    contact = find_contact(session, submitted.values.get("contact_email", ""))
    methods = contact_methods(session, contact, get_processor()) if contact else []
    return FormContext(
        contact=contact,
        methods=methods,
        timezone=business.timezone,
        today=local_today(now, business.timezone),
        now=now,
    )


def _render_form(
    business: Business,
    submitted: SubscriptionForm,
    *,
    context: FormContext | None = None,
    status: int = 200,
):
    if context is None:
        context = _form_context(business, submitted)
    session = get_session()
    page = render_template(
        "merchant/subscriptions/new.html",
        values=submitted.values,
        items=submitted.items,
        errors=submitted.errors,
        contact=context.contact,
        methods=[
            (method, has_expired(method, context.today)) for method in context.methods
        ],
        saved_method_label=saved_method_label,
        contacts=session.scalars(
            select(Contact).order_by(Contact.email).limit(MAX_CONTACT_OPTIONS)
        ),
        prices=_recurring_prices(),
        tax_rates=session.scalars(
            select(TaxRate).where(TaxRate.active.is_(True)).order_by(TaxRate.name)
        ),
        frequency_labels=FREQUENCY_LABELS,
        terms=[(terms.value, TERMS_LABELS[terms]) for terms in SUBSCRIPTION_TERMS],
        locales=LOCALES,
    )
    return page, status


def _recurring_prices() -> list[Price]:
    return list(
        get_session().scalars(
            select(Price)
            .join(Product)
            .where(
                Price.active.is_(True),
                Product.active.is_(True),
                Price.kind == PriceKind.RECURRING,
            )
            .options(selectinload(Price.product))
            .order_by(Product.name, Price.currency, Price.unit_amount)
        )
    )


def _no_business():
    message = (
        "No business is set up yet. Run flask --app wsgi demo seed or add the "
        "business to the database first."
    )
    page = render_template(
        "merchant/error.html", title="New subscription", message=message
    )
    return page, 409
