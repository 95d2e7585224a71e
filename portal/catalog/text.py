"""Names and descriptions as staff type them."""

import re
from enum import StrEnum
from typing import TypeVar

from portal.catalog.errors import CatalogError
from portal.security import CONTROL_CHARACTERS

StrEnumT = TypeVar("StrEnumT", bound=StrEnum)

# The largest value of the INTEGER primary keys; PostgreSQL rejects larger ones.
MAX_ID = 2**31 - 1

# Line breaks and tabs are fine in a description; other control characters
# and the bidirectional marks are not.
_MULTILINE_REJECTED = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def clean_line(
    value: str | None, label: str, max_length: int, field: str, *, required: bool
) -> str | None:
    """Return a single-line value stripped, or None when it is empty and optional.

    Raises ``CatalogError`` when it is missing but required, too long, or
    contains a control character.
    """
    text = (value or "").strip()
    if not text:
        if required:
            raise CatalogError(f"Enter the {label}.", field)
        return None
    if CONTROL_CHARACTERS.search(text):
        raise CatalogError(
            f"The {label} contains a line break or control character. "
            "Write it on one line.",
            field,
        )
    if len(text) > max_length:
        raise CatalogError(
            f"The {label} has {len(text)} characters. Use at most {max_length}.",
            field,
        )
    return text


def clean_text(
    value: str | None, label: str, max_length: int, field: str
) -> str | None:
    """Return a multi-line value stripped, or None when it is empty."""
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        return None
    if _MULTILINE_REJECTED.search(text):
        raise CatalogError(
            f"The {label} contains a control character. Remove it.", field
        )
    if len(text) > max_length:
        raise CatalogError(
            f"The {label} has {len(text)} characters. Use at most {max_length}.",
            field,
        )
    return text


def parse_choice(enum: type[StrEnumT], value: object) -> StrEnumT | None:
    """Return the member of ``enum`` whose value is ``value``, or None."""
    try:
        return enum(str(value or ""))
    except ValueError:
        return None


def parse_id(value: object) -> int | None:
    """Return a row id typed as digits, or None when it is not a possible id."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
