"""Forms of the payment detail page: refund and resend receipt."""

import secrets
from typing import ClassVar

from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from portal.merchant.base_form import BackOfficeForm
from portal.models import RefundReason
from portal.payments.refunds import NOTE_MAX_LENGTH

REASON_CHOICES = [
    SelectChoice(RefundReason.REQUESTED_BY_CUSTOMER.value, "Requested by the customer"),
    SelectChoice(RefundReason.DUPLICATE.value, "Duplicate payment"),
    SelectChoice(RefundReason.FRAUDULENT.value, "Fraudulent payment"),
    SelectChoice(RefundReason.OTHER.value, "Other"),
]
KEY_MISSING = "The form is missing its key. Reload the page and submit again."


def new_idempotency_key() -> str:
    """Return a fresh key for a form, so that submitting it twice acts once."""
    return secrets.token_urlsafe(24)


class RefundForm(BackOfficeForm):
    field_nouns: ClassVar[dict[str, str]] = {
        "reason": "reason for the refund",
        "note": "note",
    }

    amount = StringField(
        "Amount to refund",
        validators=[DataRequired("Enter the amount to refund."), Length(max=30)],
    )
    reason = SelectField("Reason", choices=REASON_CHOICES, validate_choice=True)
    note = TextAreaField(
        "Note for staff",
        validators=[Length(max=NOTE_MAX_LENGTH)],
        description="Kept with the refund and never shown to the buyer.",
    )
    key = HiddenField(validators=[DataRequired(KEY_MISSING)])


class ResendReceiptForm(BackOfficeForm):
    field_nouns: ClassVar[dict[str, str]] = {"to": "address"}

    to = EmailField(
        "Send to",
        validators=[Length(max=320)],
        description="Leave empty to send to the buyer's address.",
    )
    key = HiddenField(validators=[DataRequired(KEY_MISSING)])
