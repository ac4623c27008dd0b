"""Money typed by people, as exact integer grosze."""

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from portal.services.common.errors import PortalError

# Far above any allowance or budget line of a centre; anything larger is a typing mistake.
MAX_GROSZE = 100_000_000_00  # 100 million zł
_SPACES = re.compile(r"[\s\u00a0\u202f]")
# ASCII digits only: "\d" would also take "１２３" (full width) or "٣" and read them as numbers.
_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


# Said beside an amount typed with other digits: the person sees digits and cannot tell why.
OTHER_DIGITS = _l("Type the amount with the digits 0-9 (not full-width or other scripts' digits).")


class InvalidAmount(PortalError):
    message = _l("Enter an amount in złoty, for example 1234,56.")


def has_other_digits(text: str) -> bool:
    """Digits that are not 0-9: "１２３", "٣", "²". int() and Decimal() would read some of them."""
    return any(char.isnumeric() and not char.isascii() for char in text)


def parse(text: str | None, *, field: str = "amount", allow_zero: bool = False) -> int:
    """`1234,56`, `1234.56` or `1 234,56` (zł) as grosze; refuse what cannot be meant."""
    cleaned = _SPACES.sub("", (text or "")).removesuffix("zł").replace(",", ".")
    if not cleaned:
        raise InvalidAmount(_l("Enter the amount."), field=field)
    if has_other_digits(cleaned):
        raise InvalidAmount(OTHER_DIGITS, field=field)
    if not _AMOUNT.fullmatch(cleaned):
        raise InvalidAmount(field=field)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern above rules it out
        raise InvalidAmount(field=field) from error
    if value < 0:
        raise InvalidAmount(_l("The amount cannot be negative."), field=field)
    if value == 0 and not allow_zero:
        raise InvalidAmount(_l("The amount must be more than zero."), field=field)
    # Three decimals are refused even when the last is 0: "1,500" may mean 1500 zł, not 1,50.
    # (The exponent is a letter only for NaN and infinity, which the pattern already rules out.)
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise InvalidAmount(_l("Use at most two digits after the comma (grosze)."), field=field)
    grosze = int(value * 100)
    if grosze > MAX_GROSZE:
        raise InvalidAmount(
            _l("This amount is too large. Check the number of digits."), field=field
        )
    return grosze


def to_text(grosze: int) -> str:
    """Grosze back into a form field's text, e.g. 123456 -> "1234,56", -5050 -> "-50,50"."""
    sign = "-" if grosze < 0 else ""
    zloty, rest = divmod(abs(grosze), 100)
    return f"{sign}{zloty},{rest:02d}"
