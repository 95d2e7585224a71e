"""Locale choice for buyer-facing text and amounts."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, get_locale

from portal.money import format_money

babel = Babel()


def select_locale() -> str:
    """Pick the buyer's locale: ``?lang=`` first, then Accept-Language."""
    supported = current_app.config["KASSA_LOCALES"]
    if not has_request_context():
        return supported[0]
    asked = request.args.get("lang")
    if asked in supported:
        return asked
    return request.accept_languages.best_match(supported) or supported[0]


def current_locale() -> str:
    return str(get_locale() or "en")


def money_filter(amount: int, currency: str) -> str:
    return format_money(amount, currency, current_locale())


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["money"] = money_filter
    app.jinja_env.filters["local_datetime"] = local_datetime_filter
    app.context_processor(lambda: {"locale": current_locale()})


def local_datetime_filter(
    value: datetime, timezone: str, format: str = "medium"
) -> str:
    """Format a UTC timestamp in the business's time zone and the buyer's locale."""
    return format_datetime(
        value, format=format, tzinfo=ZoneInfo(timezone), locale=current_locale()
    )


def country_choices(locale: str) -> list[tuple[str, str]]:
    """Return (ISO 3166 alpha-2 code, name) pairs, sorted by name in the locale."""
    names = Locale.parse(locale).territories
    pairs = [
        (code, name)
        for code, name in names.items()
        if len(code) == 2 and code.isalpha()
    ]
    return sorted(pairs, key=lambda pair: pair[1])
