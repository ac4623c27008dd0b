"""PESEL: checksum and the birth date it encodes (python-stdnum implements both)."""

from datetime import date

from flask_babel import lazy_gettext as _l
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.pl import pesel as stdnum_pesel

from portal.models.people import Sex
from portal.services.common.errors import PortalError


class InvalidPesel(PortalError):
    message = _l("Enter a valid PESEL number (11 digits).")


def normalise(value: str) -> str:
    """Return the 11 digits, or raise InvalidPesel with a reason a person can act on."""
    try:
        return stdnum_pesel.validate(value)
    except (InvalidFormat, InvalidLength) as error:
        raise InvalidPesel(_l("A PESEL number has exactly 11 digits."), field="pesel") from error
    except InvalidChecksum as error:
        raise InvalidPesel(
            _l("This PESEL number is not valid: its check digit does not match. Check for a typo."),
            field="pesel",
        ) from error
    except InvalidComponent as error:
        raise InvalidPesel(
            _l("This PESEL number does not encode an existing date of birth."), field="pesel"
        ) from error


def birth_date(value: str) -> date:
    return stdnum_pesel.get_birth_date(value)


def sex(value: str) -> Sex:
    return Sex.MALE if stdnum_pesel.get_gender(value) == "M" else Sex.FEMALE
