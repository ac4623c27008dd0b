"""Money, dates and times as the reader's language writes them, in Europe/Warsaw time.

Free of request state: usable by templates, services (messages that name an amount), PDFs,
mail and the command line alike. The locale comes from Flask-Babel (the request's, or the
installation's default outside a request).
"""

from datetime import UTC, date, datetime
from datetime import time as dt_time
from decimal import Decimal
from functools import lru_cache

from babel import Locale, dates, numbers
from babel.dates import format_interval, format_skeleton, get_datetime_format
from flask_babel import (
    format_date,
    get_locale,
    to_user_timezone,
)


def money(grosze: int | None) -> str:
    """Integer grosze as the locale writes money: `1 234,56 zł` in Polish."""
    if grosze is None:
        return ""
    return _money_in(grosze, get_locale())


def money_in(grosze: int, locale: str) -> str:
    """Integer grosze as the language `locale` writes money, whatever the request's language."""
    return _money_in(grosze, Locale.parse(locale))


# Long lists (a queue of 2 000 requests, a payment list) repeat the same amounts and days: the
# formatted text is a pure function of the value and the language, so it is made once.
@lru_cache(maxsize=4096)
def _money_in(grosze: int, locale: Locale | None) -> str:
    return numbers.format_currency(
        Decimal(grosze) / 100, "PLN", format=_currency_pattern(locale), locale=locale
    )


@lru_cache(maxsize=16)
def _currency_pattern(locale: Locale | None) -> str | None:
    """The locale's money pattern, with a space after a sign written first: English CLDR glues
    the code to the number ("PLN100,000.00"), while the labels say "Amount (PLN)"; one
    convention per language is "PLN 100,000.00" (a no-break space, kept on one line). A
    language writing the sign after the number ("100 000,00 zł") keeps its own pattern."""
    pattern: str = (locale or Locale.parse("en")).currency_formats["standard"].pattern
    if not pattern.startswith("¤") or pattern[1:2].isspace():
        return None
    return "¤\u00a0" + pattern.split(";")[0].removeprefix("¤")  # a minus goes first, as before


def short_date(value: date | None) -> str:
    if not value:
        return ""
    if isinstance(value, datetime):  # a moment: its day is the reader's time zone's
        return str(format_date(value, "medium"))
    return _short_date_in(value, get_locale())


# A caseload or a list of instalments shows a date on every row: made once per day and language.
@lru_cache(maxsize=4096)
def _short_date_in(value: date, locale: Locale | None) -> str:
    return str(dates.format_date(value, "medium", locale=locale))


def _joined(day: str, time: str) -> str:
    """A date and a time joined the way the locale joins them ("{1}, {0}" in both languages)."""
    pattern = str(get_datetime_format("medium", locale=get_locale())).replace("'", "")
    return pattern.replace("{1}", day).replace("{0}", time)


def _day(value: datetime) -> str:
    # Weekday, day and short month name in the locale's order ("czw., 3 gru 2026",
    # "Thu, Dec 3, 2026").
    return _day_in(to_user_timezone(value).date(), get_locale())


@lru_cache(maxsize=4096)
def _day_in(day: date, locale: Locale | None) -> str:
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)  # the same day in any zone
    return format_skeleton("yMMMEd", noon, locale=locale)


def date_time(value: datetime | None) -> str:
    """Day, month name and time without seconds, all in the reader's language's own forms
    (24-hour in Polish, 12-hour in English, never a mix)."""
    return _joined(_day(value), short_time(value)) if value else ""


def month(value: date | None) -> str:
    """A month as the locale names it: "grudzień 2026" (the standalone form), "December 2026".

    Babel has no "yLLLL" skeleton; Polish CLDR data maps "yMMMM" to the pattern "LLLL y", the
    standalone (nominative) month name, so "yMMMM" gives the right form in both languages."""
    return _month_in(value, get_locale()) if value else ""


@lru_cache(maxsize=1024)
def _month_in(value: date, locale: Locale | None) -> str:
    return format_skeleton("yMMMM", value, locale=locale)


def _time_skeleton() -> str:
    # The locale's clock: "HH:mm" in Polish gives "Hm", "h:mm a" in English gives "hm".
    pattern = str(get_locale().time_formats["short"])
    return "Hm" if "H" in pattern else "hm"


def time_range(start: datetime | None, end: datetime | None) -> str:
    """When something happens: "czw., 3 gru 2026, 10:00–14:00" on one day; a range of two full
    dates and times when it runs over midnight. Both ends in the same clock."""
    if start is None:
        return ""
    if end is None:
        return date_time(start)
    local_start, local_end = to_user_timezone(start), to_user_timezone(end)
    if local_start.date() != local_end.date():
        return f"{date_time(start)} – {date_time(end)}"
    hours = format_interval(
        local_start.time(), local_end.time(), _time_skeleton(), locale=get_locale()
    )
    return _joined(_day(start), hours)


def iso_date(value: str | None) -> str:
    """A date kept as text in a plan revision, formatted like every other date."""
    return format_date(date.fromisoformat(value), "medium") if value else ""


def short_time(value: datetime | None) -> str:
    """A time of day in the locale's own short form: "14:00", "2:00 PM"."""
    if not value:
        return ""
    local = to_user_timezone(value)
    return _time_in(local.hour, local.minute, get_locale())


@lru_cache(maxsize=4096)
def _time_in(hour: int, minute: int, locale: Locale | None) -> str:
    return dates.format_time(dt_time(hour, minute), "short", locale=locale)
