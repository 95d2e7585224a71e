"""Field-by-field edits of catalogue records, as the audit log records them."""

from collections.abc import Iterable


def changed_fields(record: object, values: object, fields: Iterable[str]) -> dict:
    """Return the new value of each of ``fields`` that differs on ``values``."""
    return {
        field: new
        for field in fields
        if getattr(record, field) != (new := getattr(values, field))
    }


def apply_changes(
    record: object, values: object, fields: Iterable[str]
) -> dict[str, str]:
    """Copy ``fields`` from ``values`` onto ``record``.

    Returns the changed fields with their new values as text, for the audit
    row of the edit.
    """
    changes = changed_fields(record, values, fields)
    for field, new in changes.items():
        setattr(record, field, new)
    return {field: str(new) for field, new in changes.items()}
