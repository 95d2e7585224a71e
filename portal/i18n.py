"""Locale choice for buyer-facing text and amounts."""

from flask import Flask, current_app, request
from flask_babel import Babel, get_locale

from portal.money import format_money

babel = Babel()


def select_locale() -> str:
    """Pick the buyer's locale: ``?lang=`` first, then Accept-Language."""
    supported = current_app.config["KASSA_LOCALES"]
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
