"""A payment link's page: its URL, options and payments; deactivating it."""

import logging

from flask import current_app, flash, redirect, render_template, url_for

from portal.catalog.local_time import local_display, local_time
from portal.catalog.products import price_label
from portal.catalog.taxes import tax_rate_label
from portal.database import get_session, now_utc
from portal.links.history import (
    RECENT_PAYMENTS,
    collected_by_currency,
    payment_count,
    recent_payments,
)
from portal.links.recurrence import describe_recurrence
from portal.links.saving import set_active
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.catalog.common import can_sell
from portal.merchant.context import record_staff_action
from portal.merchant.editing import require_business
from portal.merchant.links.forms import ActionForm
from portal.merchant.links.loading import load_link
from portal.merchant.permissions import Permission
from portal.models import Payment, PaymentStatus
from portal.urls import public_url

logger = logging.getLogger(__name__)

STATUS_LABELS = {
    PaymentStatus.SUCCEEDED: "succeeded",
    PaymentStatus.PROCESSING: "processing",
    PaymentStatus.REQUIRES_ACTION: "awaiting authentication",
    PaymentStatus.REQUIRES_PAYMENT_METHOD: "failed",
    PaymentStatus.CANCELED: "canceled",
}


def status_label(payment: Payment) -> str:
    """Name a payment's state for staff, with its refunds: "succeeded, refunded"."""
    label = STATUS_LABELS[payment.status]
    refund_state = payment.refund_state
    if refund_state == "refunded":
        return f"{label}, refunded"
    if refund_state == "partially_refunded":
        return f"{label}, partly refunded"
    return label


@blueprint.get("/links/<int:link_id>")
@requires(Permission.VIEW)
def link_detail(link_id: int):
    business = require_business()
    link = load_link(link_id)
    session = get_session()
    endpoints = current_app.view_functions
    return render_template(
        "merchant/links/detail.html",
        link=link,
        checkout_url=public_url(url_for("checkout.checkout_page", slug=link.slug)),
        expired=link.expires_at is not None and link.expires_at <= now_utc(),
        expires=local_display(link.expires_at, business.timezone),
        timezone=business.timezone,
        local_time=local_time,
        status_label=status_label,
        payments=recent_payments(session, link.id),
        payment_total=payment_count(session, link.id),
        recent_limit=RECENT_PAYMENTS,
        totals=collected_by_currency(session, link.id),
        tax_rate_label=tax_rate_label,
        price_label=price_label,
        recurrence=describe_recurrence(link),
        action_form=ActionForm(),
        can_sell=can_sell(),
        has_payment_detail="merchant.payment_detail" in endpoints,
        has_link_index="merchant.payment_links" in endpoints,
    )


@blueprint.post("/links/<int:link_id>/deactivate")
@requires(Permission.SELL)
def deactivate_link(link_id: int):
    return _set_active(link_id, active=False)


@blueprint.post("/links/<int:link_id>/reactivate")
@requires(Permission.SELL)
def reactivate_link(link_id: int):
    return _set_active(link_id, active=True)


def _set_active(link_id: int, *, active: bool):
    link = load_link(link_id)
    target = url_for("merchant.link_detail", link_id=link.id)
    session = get_session()
    # A second click finds the link already switched and changes nothing.
    if set_active(link, active):
        record_staff_action(
            session,
            subject_type="payment_link",
            subject_id=link.id,
            action="reactivated" if active else "deactivated",
            from_state="inactive" if active else "active",
            to_state="active" if active else "inactive",
        )
        session.commit()
        logger.info("payment link %s active set to %s", link.id, active)
    if active:
        flash("The link takes payments again.", "success")
    else:
        flash(
            "The link is deactivated: its checkout no longer takes payments.", "success"
        )
    return redirect(target, 303)
