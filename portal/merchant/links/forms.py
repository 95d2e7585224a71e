"""The payment link form, with rows of line items and custom fields.

The form carries the CSRF token and the raw values; ``portal.links.reading``
checks them, so choices are not validated here. Row names such as
``items-3`` keep their number when other rows are removed.
"""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from portal.links.inputs import DEFAULT_MAX_QUANTITY
from portal.links.recurrence import DelayUnit, StartMode
from portal.models import Collect, CustomFieldKind

COLLECT_CHOICES = [
    SelectChoice(Collect.OFF.value, "Off"),
    SelectChoice(Collect.OPTIONAL.value, "Optional"),
    SelectChoice(Collect.REQUIRED.value, "Required"),
]
KIND_CHOICES = [
    SelectChoice(CustomFieldKind.TEXT.value, "Text"),
    SelectChoice(CustomFieldKind.NUMBER.value, "Number"),
    SelectChoice(CustomFieldKind.DROPDOWN.value, "Dropdown"),
]

START_CHOICES = [
    SelectChoice(StartMode.NOW.value, "When the buyer pays"),
    SelectChoice(StartMode.ON_DATE.value, "On a date"),
    SelectChoice(StartMode.AFTER_DELAY.value, "After a delay"),
]
DELAY_UNIT_CHOICES = [
    SelectChoice(DelayUnit.DAYS.value, "days"),
    SelectChoice(DelayUnit.MONTHS.value, "months"),
]


class ItemRow(Form):
    price_id = SelectField("Product and price", validate_choice=False)
    quantity = StringField("Quantity", default="1")
    adjustable_quantity = BooleanField("The buyer can change the quantity")
    min_quantity = StringField("Minimum", default="1")
    max_quantity = StringField("Maximum", default=str(DEFAULT_MAX_QUANTITY))
    tax_rate_id = SelectField("Tax rate", validate_choice=False)
    discount_id = SelectField("Discount on this line", validate_choice=False)


class CustomFieldRow(Form):
    label = StringField("Label")
    kind = SelectField("Type", choices=KIND_CHOICES, validate_choice=False)
    required = BooleanField("Required")
    options = TextAreaField("Dropdown options, one per line")


class LinkForm(FlaskForm):
    key = HiddenField()  # only on a new link; the create view checks it
    # Only on a saved link: the revision the form was opened at.
    revision = HiddenField()
    title = StringField("Title")
    description = TextAreaField("Description")
    currency = SelectField("Currency", validate_choice=False)
    slug = StringField("URL ending")
    items = FieldList(FormField(ItemRow))
    fee_ids = SelectMultipleField(
        "Fees",
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    allow_discount_codes = BooleanField("Buyers can enter a discount code")
    allow_bank_debit = BooleanField("Buyers can pay by bank debit", default=True)
    collect_name = SelectField("Name", choices=COLLECT_CHOICES, validate_choice=False)
    collect_address = SelectField(
        "Billing address", choices=COLLECT_CHOICES, validate_choice=False
    )
    collect_phone = SelectField("Phone", choices=COLLECT_CHOICES, validate_choice=False)
    custom_fields = FieldList(FormField(CustomFieldRow))
    after_payment_message = TextAreaField("Message on the receipt page")
    after_payment_url = StringField("Or send the buyer to this URL")
    expires_at = StringField("Expires")
    max_payments = StringField("Maximum number of payments")
    allowed_origins = TextAreaField("Sites allowed to embed the checkout")
    # Only for links with a recurring price; portal.links.recurrence checks them.
    start = RadioField(
        "The subscription starts",
        choices=START_CHOICES,
        default=StartMode.NOW.value,
        validate_choice=False,
    )
    start_on = StringField("Start date")
    start_delay = StringField("Delay")
    start_delay_unit = SelectField(
        "Unit",
        choices=DELAY_UNIT_CHOICES,
        default=DelayUnit.MONTHS.value,
        validate_choice=False,
    )
    trial_days = StringField("Free trial, in days")


class ActionForm(FlaskForm):
    """A button that changes the link, such as Deactivate: only the CSRF token."""
