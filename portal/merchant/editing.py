"""Helpers shared by the catalogue and payment link editors: errors, audit, creates.

Every create form carries a random key (``portal.catalog.idempotency``), so
that a double submit makes one record; the audit row of the creation keeps
the key.
"""

from flask import abort
from sqlalchemy.orm import Session
from wtforms import Form
from wtforms.fields import Field, FieldList, FormField

from portal.catalog import idempotency
from portal.catalog.errors import FORM
from portal.merchant.context import record_staff_action
from portal.merchant.layout import business_or_none
from portal.models import Business

# Audit details keep this many characters of each changed value.
MAX_DETAIL_LENGTH = 200
KEY_MISSING = "The form is missing its key. Reload the page and submit again."
NO_BUSINESS = (
    "No business is set up yet. Run 'flask --app wsgi demo seed' or add the "
    "business in the database first."
)


def require_business() -> Business:
    """Return the business, or abort with 409 when none is set up."""
    business = business_or_none()
    if business is None:
        abort(409, description=NO_BUSINESS)
    return business


def leaf_fields(form: Form) -> dict[str, Field]:
    """Return every input field of ``form`` by its name, rows of lists included."""
    fields: dict[str, Field] = {}
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                fields.update(
                    leaf_fields(entry.form)
                    if isinstance(entry, FormField)
                    else {entry.name: entry}
                )
        elif isinstance(field, FormField):
            fields.update(leaf_fields(field.form))
        else:
            fields[field.name] = field
    return fields


def attach_errors(form: Form, errors: dict[str, str]) -> list[str]:
    """Put each message under its field; return those that belong to no field."""
    fields = leaf_fields(form)
    general = []
    for name, message in errors.items():
        field = fields.get(name)
        if field is None or name == FORM:
            general.append(message)
        else:
            field.errors = [*field.errors, message]
    return general


def created_before(session: Session, subject_type: str, key: str) -> int | None:
    """Return the id created with ``key`` by an earlier submit of the same form.

    Locks out concurrent creates until the caller commits or rolls back.
    """
    idempotency.serialize_creates(session)
    return idempotency.find_created(session, subject_type, key)


def record_created(
    session: Session,
    subject_type: str,
    subject_id: int,
    key: str,
    details: dict[str, str] | None = None,
) -> None:
    record_staff_action(
        session,
        subject_type=subject_type,
        subject_id=subject_id,
        action=idempotency.CREATED,
        details={**_shortened(details or {}), idempotency.KEY_DETAIL: key},
    )


def record_changed(
    session: Session,
    subject_type: str,
    subject_id: int,
    changes: dict[str, str],
    action: str = "updated",
) -> None:
    record_staff_action(
        session,
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        details=_shortened(changes),
    )


def record_state_change(
    session: Session, subject_type: str, subject_id: int, *, active: bool
) -> None:
    """Record archiving (``active`` False) or restoring a record."""
    record_staff_action(
        session,
        subject_type=subject_type,
        subject_id=subject_id,
        action="restored" if active else "archived",
        from_state="archived" if active else "active",
        to_state="active" if active else "archived",
    )


def _shortened(details: dict[str, str]) -> dict[str, str]:
    return {name: value[:MAX_DETAIL_LENGTH] for name, value in details.items()}
