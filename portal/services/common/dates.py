"""Time as people in the centres live it: stored in UTC, reasoned about in Europe/Warsaw."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


def next_month(day: date) -> date:
    """The first day of the month after the one `day` is in."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def local_date(moment: datetime) -> date:
    return moment.astimezone(WARSAW).date()


def local_to_utc(day: date, at: time) -> datetime:
    """A wall-clock time in Warsaw (as typed into a form) as an aware UTC timestamp."""
    return datetime.combine(day, at, tzinfo=WARSAW).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(WARSAW)


# The dates a centre can use in its records (events, contracts, plans, payments). Far-off years
# are typing mistakes, and month arithmetic at year 9999 would overflow.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
