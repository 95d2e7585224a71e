"""Checks and changes of the business's settings, as staff edit them."""

import re
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from portal.models import Business
from portal.money import KNOWN_CURRENCIES

HEX_COLOR = re.compile(r"#[0-9a-f]{6}")
# A file under static/, such as img/logo.png: no "..", no leading slash.
STATIC_PATH = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)*\.[A-Za-z0-9]+")
SEPARATORS = re.compile(r"[\s,;]+")

EDITABLE_FIELDS = (
    "name",
    "email",
    "address",
    "tax_id",
    "timezone",
    "accepted_currencies",
    "brand_color",
    "logo_url",
)


class InvalidSetting(ValueError):
    """A setting that cannot be stored; the message states what to enter instead."""


def check_timezone(value: str) -> str:
    value = value.strip()
    if value not in _timezones():
        raise InvalidSetting(
            f"Unknown time zone {value!r}: use an IANA name such as Europe/Helsinki."
        )
    return value


def parse_currencies(value: str) -> list[str]:
    """Return the ISO 4217 codes in ``value``, upper-cased and without repeats.

    Codes may be separated by commas, semicolons or spaces.
    """
    codes: list[str] = []
    for code in SEPARATORS.split(value.strip().upper()):
        if not code:
            continue
        if code not in KNOWN_CURRENCIES:
            raise InvalidSetting(
                f"Unknown currency code {code!r}: use ISO 4217 codes such as EUR, USD."
            )
        if code not in codes:
            codes.append(code)
    return codes


def check_brand_color(value: str) -> str:
    value = value.strip().lower()
    if not HEX_COLOR.fullmatch(value):
        raise InvalidSetting(
            f"Invalid colour {value!r}: use # and six hex digits, such as #0a5fff."
        )
    return value


def check_logo_url(value: str) -> str | None:
    """Return an http(s) URL or a path under static/, or None for no logo."""
    value = value.strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc:
        return value
    if not parts.scheme and ".." not in value and STATIC_PATH.fullmatch(value):
        return value
    raise InvalidSetting(
        "Invalid logo URL: use an https:// address or a file under static/, "
        "such as img/logo.png."
    )


def apply_settings(
    business: Business, values: dict[str, object]
) -> dict[str, tuple[object, object]]:
    """Store the checked ``values`` and return each changed field's old and new value.

    The business currency is never stored among the accepted currencies,
    because it is always accepted.
    """
    currencies = values.get("accepted_currencies")
    if isinstance(currencies, list):
        values = {
            **values,
            "accepted_currencies": [c for c in currencies if c != business.currency],
        }
    changes: dict[str, tuple[object, object]] = {}
    for field in EDITABLE_FIELDS:
        if field not in values:
            continue
        old, new = getattr(business, field), values[field]
        if old != new:
            setattr(business, field, new)
            changes[field] = (old, new)
    return changes


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())
