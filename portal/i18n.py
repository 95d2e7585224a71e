"""Locale choice for buyer-facing text and amounts."""

from datetime import datetime
from functools import cache

from babel import Locale
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, get_locale

from portal.documents.facts import local_datetime
from portal.money import format_money

babel = Babel()

# Two-letter territories in CLDR that are not countries a buyer lives in:
# groupings (EU, EZ, UN, QO), unknown and pseudo regions (ZZ, XA, XB), and
# codes ISO 3166-1 only reserves (AC, CP, CQ, DG, EA, IC, TA). Kosovo's XK
# stays, as processors accept it.
NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)
COUNTRY_CODES = frozenset(
    code
    for code in Locale.parse("en").territories
    if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
)


def select_locale() -> str:
    """Pick the buyer's locale: ``?lang=`` first, then Accept-Language."""
    supported = current_app.config["KASSA_LOCALES"]
    if not has_request_context():
        return supported[0]
    return (
        chosen_language()
        or request.accept_languages.best_match(supported)
        or supported[0]
    )


def chosen_language() -> str | None:
    """Return the ``?lang=`` of this request when it names a supported locale."""
    if not has_request_context():
        return None
    asked = request.args.get("lang")
    return asked if asked in current_app.config["KASSA_LOCALES"] else None


def keep_chosen_language(endpoint: str, values: dict) -> None:
    """Carry ``?lang=`` into the app's own links, forms and redirects."""
    language = chosen_language()
    if language and endpoint != "static":
        values.setdefault("lang", language)


def current_locale() -> str:
    return str(get_locale() or "en")


def money_filter(amount: int, currency: str) -> str:
    return format_money(amount, currency, current_locale())


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.url_defaults(keep_chosen_language)
    app.jinja_env.filters["money"] = money_filter
    app.jinja_env.filters["local_datetime"] = local_datetime_filter
    app.context_processor(lambda: {"locale": current_locale()})


def local_datetime_filter(value: datetime, timezone: str) -> str:
    """Format a UTC timestamp in the business's time zone and the buyer's locale."""
    return local_datetime(value, timezone, current_locale())


@cache
def country_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """Return (ISO 3166 alpha-2 code, name) pairs, sorted by name in the locale.

    Cached per locale, as every checkout page lists all the countries.
    """
    names = Locale.parse(locale).territories
    pairs = [(code, names[code]) for code in COUNTRY_CODES]
    return tuple(sorted(pairs, key=lambda pair: pair[1]))
