"""Checks and changes of the business's settings, as staff edit them."""

import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from portal.models import Business
from portal.money import KNOWN_CURRENCIES

HEX_COLOR = re.compile(r"#[0-9a-f]{6}")
# A file under static/, such as img/logo.png: no "..", no leading slash.
STATIC_PATH = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)*\.[A-Za-z0-9]+")
SEPARATORS = re.compile(r"[\s,;]+")
# ISO 4217 codes that are not a currency buyers pay in: precious metals
# (XAU, XAG, XPT, XPD), special drawing rights and settlement units (XDR,
# XSU, XUA), bond market units (XBA to XBD), and the test and no-currency
# codes (XTS, XXX).
NON_PAYMENT_CODES = frozenset(
    {"XAU", "XAG", "XPT", "XPD", "XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD"}
    | {"XTS", "XXX"}
)

EDITABLE_FIELDS = (
    "name",
    "email",
    "address",
    "tax_id",
    "timezone",
    "accepted_currencies",
    "brand_color",
    "logo_url",
    "quote_approval_threshold",
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
        if code in NON_PAYMENT_CODES:
            raise InvalidSetting(
                f"{code} is an ISO 4217 code for a metal, fund or test unit, not "
                "money that buyers pay in: remove it."
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


def check_logo_url(value: str, static_root: Path) -> str | None:
    """Return the path of an existing file under ``static_root``, or None for no logo.

    An address on another server is rejected: the Content-Security-Policy
    (img-src 'self' data:) keeps pages from showing it, and PDFs are rendered
    without fetching from other servers.
    """
    value = value.strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme or value.startswith("//"):
        raise InvalidSetting(
            f"Logo {value!r} is on another server, which pages and PDFs do not "
            "show. Put the file under static/ and enter its path, such as "
            "img/logo.png."
        )
    if ".." in value or not STATIC_PATH.fullmatch(value):
        raise InvalidSetting(
            f"Invalid logo path {value!r}: enter the path of a file under "
            "static/, such as img/logo.png."
        )
    if not (static_root / value).is_file():
        raise InvalidSetting(
            f"Logo file {value!r} not found under static/: upload it there "
            "first or correct the path."
        )
    return value


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


def timezone_names() -> list[str]:
    """Return the IANA time zone names that the settings offer, sorted."""
    return sorted(_timezones())


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())
