"""Money, dates and times as the reader's language writes them, in Europe/Warsaw time.

Free of request state: usable by templates, services (messages that name an amount), PDFs,
mail and the command line alike. The locale comes from Flask-Babel (the request's, or the
installation's default outside a request).
"""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_currency, format_date, format_datetime, format_time


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
