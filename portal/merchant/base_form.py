"""The base of back-office forms: each generic validator message names its field."""

from typing import ClassVar

from flask_wtf import FlaskForm
from wtforms import Field, SelectFieldBase
from wtforms.validators import DataRequired, InputRequired, Length


def field_noun(field: Field) -> str:
    """Return a field's label as a noun inside a sentence: "Tax ID" to "tax ID"."""
    label = field.label.text
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _named_validator(validator: object, noun: str) -> object:
    """Return ``validator`` with a message naming the field when it has none."""
    if getattr(validator, "message", "") is not None:
        return validator
    if isinstance(validator, Length):
        if validator.min > 0 and validator.max == -1:
            message = f"The {noun} must be at least {validator.min} characters."
        elif validator.min > 0:
            message = (
                f"The {noun} must be {validator.min} to {validator.max} characters."
            )
        else:
            message = f"The {noun} can be at most {validator.max} characters."
        return Length(min=validator.min, max=validator.max, message=message)
    if isinstance(validator, InputRequired):
        return InputRequired(f"Enter the {noun}.")
    if isinstance(validator, DataRequired):
        return DataRequired(f"Enter the {noun}.")
    return validator


class BackOfficeForm(FlaskForm):
    """A form whose length, required and choice messages name the field.

    The noun is the field's label, unless ``field_nouns`` maps the field's
    name to a better one, such as "address" for a field labelled "Send to".
    """

    field_nouns: ClassVar[dict[str, str]] = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self:
            noun = self.field_nouns.get(field.name) or field_noun(field)
            # A new list, because the validator objects are shared by every
            # instance of the form class.
            field.validators = [
                _named_validator(validator, noun) for validator in field.validators
            ]
            if isinstance(field, SelectFieldBase) and not getattr(
                field, "invalid_choice_message", None
            ):
                field.invalid_choice_message = f"Choose a {noun} from the list."
