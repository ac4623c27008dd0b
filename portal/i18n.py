"""Language choice and locale-aware formatting of dates, times and money (Europe/Warsaw)."""

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import (
    Babel,
    format_currency,
    format_date,
    format_datetime,
    format_time,
    get_locale,
)
from flask_login import current_user

LANG_KEY = "lang"


def select_locale() -> str:
    """?lang=, then this session's choice, the saved preference, the browser's, then Polish."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: the installation's language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    # A choice made in this session wins over the saved preference, which catches up with it
    # on the session's next change (a GET never writes).
    if session.get(LANG_KEY) in languages:
        return session[LANG_KEY]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def money(grosze: int | None) -> str:
    """Integer grosze as the locale writes money: `1 234,56 zł` in Polish."""
    if grosze is None:
        return ""
    return format_currency(Decimal(grosze) / 100, "PLN")


def short_date(value: date | None) -> str:
    return format_date(value, "medium") if value else ""


def date_time(value: datetime | None) -> str:
    # Day, month name and time without seconds, in the reader's language.
    return format_datetime(value, "EEE d MMM y, HH:mm") if value else ""


def iso_date(value: str | None) -> str:
    """A date kept as text in a plan revision, formatted like every other date."""
    return format_date(date.fromisoformat(value), "medium") if value else ""


def short_time(value: datetime | None) -> str:
    return format_time(value, "short") if value else ""


def init_app(app: Flask, babel: Babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        money=money, date=short_date, isodate=iso_date, datetime=date_time, time=short_time
    )
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.globals["get_locale"] = get_locale
