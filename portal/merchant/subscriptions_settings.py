"""The Subscriptions section of the settings: retries, reminders, account area."""

import logging

from flask import flash, redirect, render_template, url_for
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, StopValidation, ValidationError

from portal.database import get_session
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.base_form import BackOfficeForm
from portal.merchant.context import record_staff_action
from portal.merchant.layout import business_or_none
from portal.merchant.permissions import Permission
from portal.models import Business
from portal.subscriptions.settings import (
    ACCOUNT_SWITCHES,
    AFTER_RETRIES,
    MAX_REMINDER_DAYS,
    InvalidSubscriptionSetting,
    apply_subscription_settings,
    check_reminder_days,
    parse_retry_days,
)

logger = logging.getLogger(__name__)

# Labels of the ``AFTER_RETRIES`` choices, in the words staff read.
AFTER_RETRIES_LABELS = {
    "canceled": "Cancel the subscription",
    "unpaid": "Mark it unpaid",
}


def _validate_retry_days(form: BackOfficeForm, field: StringField) -> None:
    try:
        parse_retry_days(field.data or "")
    except InvalidSubscriptionSetting as error:
        raise ValidationError(str(error)) from None


REMINDER_DAYS_MESSAGE = (
    f"Enter the reminder days as a whole number from 0 to {MAX_REMINDER_DAYS}, "
    "such as 14."
)
AFTER_RETRIES_MESSAGE = (
    "Choose what happens when every retry failed: cancel the subscription or "
    "mark it unpaid."
)


class DaysField(IntegerField):
    """A whole number of days, whose parse error names the expected input."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(REMINDER_DAYS_MESSAGE) from None


def _validate_reminder_days(form: BackOfficeForm, field: IntegerField) -> None:
    if field.process_errors:
        # The parse error is the field's message already; add no second one.
        raise StopValidation()
    try:
        check_reminder_days(field.data)
    except InvalidSubscriptionSetting as error:
        raise ValidationError(str(error)) from None


class SubscriptionSettingsForm(BackOfficeForm):
    subscription_retry_days = StringField(
        "Retry a failed renewal on these days",
        validators=[_validate_retry_days],
        description=(
            "Days after the first failed charge, separated by commas, such as "
            "1, 3, 5, 7. Leave empty to try once."
        ),
    )
    subscription_after_retries = SelectField(
        "When every retry failed",
        choices=[
            SelectChoice(value, AFTER_RETRIES_LABELS[value]) for value in AFTER_RETRIES
        ],
    )
    renewal_reminder_days = DaysField(
        "Remind customers this many days before a yearly or longer renewal, "
        "or before its first charge after a free trial",
        validators=[
            InputRequired(f"Enter a number of days from 0 to {MAX_REMINDER_DAYS}."),
            _validate_reminder_days,
        ],
    )
    account_shows_invoices = BooleanField(ACCOUNT_SWITCHES["account_shows_invoices"])
    account_shows_payments = BooleanField(ACCOUNT_SWITCHES["account_shows_payments"])
    account_shows_subscriptions = BooleanField(
        ACCOUNT_SWITCHES["account_shows_subscriptions"]
    )
    account_allows_cancel = BooleanField(ACCOUNT_SWITCHES["account_allows_cancel"])
    account_allows_method_update = BooleanField(
        ACCOUNT_SWITCHES["account_allows_method_update"]
    )
    account_allows_billing_details = BooleanField(
        ACCOUNT_SWITCHES["account_allows_billing_details"]
    )
    account_shows_quotes = BooleanField(ACCOUNT_SWITCHES["account_shows_quotes"])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.subscription_after_retries.invalid_choice_message = AFTER_RETRIES_MESSAGE


@blueprint.get("/settings/subscriptions")
@requires(Permission.SETTINGS)
def subscription_settings():
    business = business_or_none()
    form = None
    if business is not None:
        form = SubscriptionSettingsForm(formdata=None, obj=business)
        form.subscription_retry_days.data = ", ".join(
            str(day) for day in business.subscription_retry_days
        )
    return _render(business, form)


@blueprint.post("/settings/subscriptions")
@requires(Permission.SETTINGS)
def save_subscription_settings():
    business = business_or_none()
    if business is None:
        return _render(None, None, 409)
    form = SubscriptionSettingsForm()
    if not form.validate_on_submit():
        return _render(business, form, 422)

    values: dict[str, object] = {
        "subscription_retry_days": parse_retry_days(form.subscription_retry_days.data),
        "subscription_after_retries": form.subscription_after_retries.data,
        "renewal_reminder_days": form.renewal_reminder_days.data,
        **{name: bool(getattr(form, name).data) for name in ACCOUNT_SWITCHES},
    }
    changes = apply_subscription_settings(business, values)
    if changes:
        session = get_session()
        record_staff_action(
            session,
            subject_type="business",
            subject_id=business.id,
            action="subscription_settings_changed",
            details={field: str(new) for field, (_old, new) in changes.items()},
        )
        session.commit()
        logger.info("business %s subscription settings changed", business.id)
    flash(
        "Subscription settings saved." if changes else "Nothing was changed.",
        "success",
    )
    return redirect(url_for("merchant.subscription_settings"), 303)


def _render(
    business: Business | None, form: SubscriptionSettingsForm | None, status=200
):
    page = render_template(
        "merchant/subscription_settings.html",
        business=business,
        form=form,
        switches=list(ACCOUNT_SWITCHES),
    )
    return page, status
