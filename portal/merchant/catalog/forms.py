"""Forms of the catalogue pages.

The forms carry the CSRF token and the raw values; ``portal.catalog`` checks
the values, so choices are not validated here.
"""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from portal.catalog.discounts import DiscountKind
from portal.catalog.fees import FeeKind
from portal.catalog.products import FREQUENCY_LABELS
from portal.models import PriceKind


class CreateForm(FlaskForm):
    """A form that, when it creates a record, does so once per key.

    Create views check the key with ``key_is_valid``; edit views ignore it.
    """

    key = HiddenField()


class ProductForm(CreateForm):
    name = StringField("Name")
    description = TextAreaField("Description")
    image_url = StringField("Image URL")
    active = BooleanField("Active: can be added to new payment links", default=True)


class PriceForm(CreateForm):
    currency = SelectField("Currency", validate_choice=False)
    amount = StringField("Amount")
    kind = RadioField(
        "Billing",
        choices=[
            SelectChoice(PriceKind.ONE_TIME.value, "One-time"),
            SelectChoice(PriceKind.RECURRING.value, "Recurring"),
        ],
        default=PriceKind.ONE_TIME.value,
        validate_choice=False,
    )
    frequency = SelectField(
        "Billed",
        choices=[SelectChoice("", "Choose for a recurring price")]
        + [
            SelectChoice(frequency.value, label)
            for frequency, label in FREQUENCY_LABELS.items()
        ],
        validate_choice=False,
    )


class TaxRateForm(CreateForm):
    name = StringField("Name shown to buyers")
    percent = StringField("Percent")
    inclusive = BooleanField("Prices already include this tax")
    active = BooleanField("Active: can be added to new line items", default=True)


class FeeForm(CreateForm):
    name = StringField("Name shown to buyers")
    kind = RadioField(
        "Fee",
        choices=[
            SelectChoice(FeeKind.FLAT.value, "A flat amount"),
            SelectChoice(
                FeeKind.PERCENT.value, "A percent of the goods after discounts"
            ),
        ],
        default=FeeKind.FLAT.value,
        validate_choice=False,
    )
    currency = SelectField("Currency", validate_choice=False)
    amount = StringField("Amount")
    percent = StringField("Percent")
    tax_rate_id = SelectField("Tax rate", validate_choice=False)


class DiscountForm(CreateForm):
    name = StringField("Name")
    code = StringField("Code")
    kind = RadioField(
        "Discount",
        choices=[
            SelectChoice(DiscountKind.PERCENT.value, "A percent off"),
            SelectChoice(DiscountKind.AMOUNT.value, "An amount off"),
        ],
        default=DiscountKind.PERCENT.value,
        validate_choice=False,
    )
    percent = StringField("Percent off")
    currency = SelectField("Currency", validate_choice=False)
    amount_off = StringField("Amount off")
    expires_at = StringField("Expires")
    max_redemptions = StringField("Maximum redemptions")
    active = BooleanField("Active: buyers can use the code", default=True)


class ActionForm(FlaskForm):
    """A button that changes one record, such as Archive: only the CSRF token."""
