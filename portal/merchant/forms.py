"""Forms of the back office's own pages: sign-in, account, staff, settings."""

from collections.abc import Callable
from pathlib import Path

from flask import current_app
from wtforms import (
    EmailField,
    Field,
    Form,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portal.business_settings import (
    check_brand_color,
    check_logo_url,
    check_timezone,
    parse_currencies,
    timezone_names,
)
from portal.merchant.base_form import BackOfficeForm
from portal.models import StaffRole
from portal.staff.accounts import MAX_NAME_LENGTH, validated_email
from portal.staff.passwords import MAX_LENGTH, MIN_LENGTH, check_new_password


class SignInForm(BackOfficeForm):
    email = EmailField(
        "Email",
        validators=[DataRequired("Enter your email address."), Length(max=320)],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=MAX_LENGTH)],
    )
    next = HiddenField()


def _check_with(check: Callable[[str], object]) -> Callable[[Form, Field], None]:
    """Make a WTForms validator of a domain check that raises ValueError."""

    def validate(form: Form, field: Field) -> None:
        try:
            check(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None

    return validate


class PasswordChangeForm(BackOfficeForm):
    current_password = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password."),
            Length(max=MAX_LENGTH),
        ],
    )
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a new password."),
            _check_with(check_new_password),
        ],
    )
    confirm_password = PasswordField(
        "New password again",
        validators=[
            DataRequired("Enter the new password again."),
            EqualTo("new_password", "The two new passwords differ: type them again."),
        ],
    )


def _check_static_logo(value: str) -> str | None:
    return check_logo_url(value, Path(current_app.static_folder or "static"))


ROLE_CHOICES = [role.value for role in StaffRole]


class StaffCreateForm(BackOfficeForm):
    email = EmailField(
        "Email",
        validators=[DataRequired("Enter the email address."), Length(max=320)],
    )
    name = StringField("Name", validators=[Length(max=MAX_NAME_LENGTH)])
    role = SelectField(
        "Role",
        choices=ROLE_CHOICES,
        default=StaffRole.SALES.value,
        validate_choice=True,
    )
    password = PasswordField(
        "Initial password",
        validators=[
            DataRequired("Enter an initial password."),
            _check_with(check_new_password),
        ],
        description=(
            f"At least {MIN_LENGTH} characters. Give it to them yourself: "
            "they can change it under My account."
        ),
    )
    confirm_password = PasswordField(
        "Initial password again",
        validators=[
            DataRequired("Enter the initial password again."),
            EqualTo("password", "The two passwords differ: type them again."),
        ],
    )


class RoleForm(BackOfficeForm):
    role = SelectField("Role", choices=ROLE_CHOICES, validate_choice=True)


class SettingsForm(BackOfficeForm):
    name = StringField(
        "Business name",
        validators=[DataRequired("Enter the business name."), Length(max=200)],
    )
    email = EmailField(
        "Email for sale notifications",
        validators=[
            DataRequired("Enter the email address."),
            Length(max=320),
            _check_with(validated_email),
        ],
    )
    address = TextAreaField("Address", validators=[Length(max=1000)])
    tax_id = StringField("Tax ID", validators=[Length(max=64)])
    timezone = SelectField(
        "Time zone",
        choices=timezone_names,
        validators=[DataRequired("Choose a time zone."), _check_with(check_timezone)],
    )
    accepted_currencies = StringField(
        "Other accepted currencies",
        validators=[Length(max=200), _check_with(parse_currencies)],
    )
    brand_color = StringField(
        "Brand colour",
        validators=[DataRequired("Enter a colour."), _check_with(check_brand_color)],
    )
    logo_url = StringField(
        "Logo",
        validators=[Length(max=500), _check_with(_check_static_logo)],
    )
    # Checked in the view, because the amount is in the business currency.
    quote_approval_threshold = StringField(
        "Quote approval threshold", validators=[Length(max=30)]
    )
