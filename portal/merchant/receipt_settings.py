"""The Receipts section of the settings: footer text and which facts receipts show."""

import logging

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select
from wtforms import BooleanField, TextAreaField
from wtforms.validators import ValidationError

from portal.database import get_session
from portal.documents.receipt_options import FOOTER_MAX_LENGTH
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.base_form import BackOfficeForm
from portal.merchant.context import record_staff_action
from portal.merchant.layout import business_or_none
from portal.merchant.permissions import Permission
from portal.models import Business, Payment, PaymentStatus
from portal.receipt_settings import (
    RECEIPT_FLAGS,
    InvalidReceiptSetting,
    ReceiptSettings,
    apply_receipt_settings,
    check_footer,
)

logger = logging.getLogger(__name__)


def _validate_footer(form: BackOfficeForm, field: TextAreaField) -> None:
    try:
        check_footer(field.data or "")
    except InvalidReceiptSetting as error:
        raise ValidationError(str(error)) from None


class ReceiptSettingsForm(BackOfficeForm):
    receipt_footer = TextAreaField(
        "Footer text",
        validators=[_validate_footer],
        description=(
            f"Printed at the bottom of every receipt, up to {FOOTER_MAX_LENGTH} "
            "characters, such as a return policy or a thank-you note."
        ),
    )
    receipt_show_business_address = BooleanField(
        RECEIPT_FLAGS["receipt_show_business_address"]
    )
    receipt_show_tax_id = BooleanField(RECEIPT_FLAGS["receipt_show_tax_id"])
    receipt_show_payment_method = BooleanField(
        RECEIPT_FLAGS["receipt_show_payment_method"]
    )
    receipt_show_custom_fields = BooleanField(
        RECEIPT_FLAGS["receipt_show_custom_fields"]
    )
    receipt_show_buyer_phone = BooleanField(RECEIPT_FLAGS["receipt_show_buyer_phone"])
    receipt_show_buyer_address = BooleanField(
        RECEIPT_FLAGS["receipt_show_buyer_address"]
    )


@blueprint.get("/settings/receipts")
@requires(Permission.SETTINGS)
def receipt_settings():
    business = business_or_none()
    form = ReceiptSettingsForm(formdata=None, obj=business) if business else None
    return _render(business, form)


@blueprint.post("/settings/receipts")
@requires(Permission.SETTINGS)
def save_receipt_settings():
    business = business_or_none()
    if business is None:
        return _render(None, None, 409)
    form = ReceiptSettingsForm()
    if not form.validate_on_submit():
        return _render(business, form, 422)

    settings = ReceiptSettings(
        footer=check_footer(form.receipt_footer.data or ""),
        flags={name: bool(getattr(form, name).data) for name in RECEIPT_FLAGS},
    )
    changes = apply_receipt_settings(business, settings)
    if changes:
        session = get_session()
        record_staff_action(
            session,
            subject_type="business",
            subject_id=business.id,
            action="receipt_settings_changed",
            details={field: str(new) for field, (_old, new) in changes.items()},
        )
        session.commit()
        logger.info("business %s receipt settings changed", business.id)
    flash("Receipt settings saved." if changes else "Nothing was changed.", "success")
    return redirect(url_for("merchant.receipt_settings"), 303)


def _render(business: Business | None, form: ReceiptSettingsForm | None, status=200):
    page = render_template(
        "merchant/receipt_settings.html",
        business=business,
        form=form,
        flags=list(RECEIPT_FLAGS),
        preview=_latest_paid_payment(),
    )
    return page, status


def _latest_paid_payment() -> Payment | None:
    """Return the newest succeeded payment, whose receipt shows the settings."""
    return (
        get_session()
        .scalars(
            select(Payment)
            .where(Payment.status == PaymentStatus.SUCCEEDED)
            .order_by(Payment.id.desc())
            .limit(1)
        )
        .first()
    )
