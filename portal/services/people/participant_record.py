"""A participant's details after recording: every field editable, every change audited, and a
save based on an old version of the record refused instead of silently overwriting another's."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db
from portal.models import Participant, User, Village
from portal.models.people import Sex
from portal.services.accounts import accounts
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.people import duplicates, pesel


class RecordConflict(PortalError):
    message = _l(
        "Someone else changed this record while you were editing it. Nothing was saved: your "
        "text is kept below. Compare it with the record and save again."
    )


@dataclass
class Details:
    """What staff type into the participant's details form."""

    first_name: str
    last_name: str
    pesel: str  # empty when the person has none
    no_pesel_country: str
    birth_date: date | None
    sex: Sex | None
    email: str
    phone: str
    village: Village | None
    on_contract_path: bool
    on_pal_path: bool
    advisor: User | None
    social_worker: User | None


def check_version(person: Participant, version: int) -> None:
    """A form opened on an older version of the record may not overwrite the newer one."""
    if person.version_id != version:
        raise RecordConflict()


def identity(
    pesel_number: str,
    country: str,
    birth_date: date | None,
    sex: Sex | None,
    *,
    country_required: bool = True,
) -> dict[str, Any]:
    """PESEL or "no PESEL" with a country; with a PESEL, birth date and sex follow from it and
    what was typed beside it must agree."""
    country_or_none = country.strip() or None
    if not pesel_number:
        if country_or_none is None and country_required:
            raise PortalError(
                _l("Enter the country of a person without a PESEL number."),
                field="no_pesel_country",
            )
        return {
            "pesel": None,
            "no_pesel_country": country_or_none,
            "birth_date": birth_date,
            "sex": sex,
        }
    number = pesel.normalise(pesel_number)
    born, sex_of_number = pesel.birth_date(number), pesel.sex(number)
    if country_or_none is not None:
        raise PortalError(
            _l("Leave the country empty when the person has a PESEL number."),
            field="no_pesel_country",
        )
    if birth_date is not None and birth_date != born:
        raise PortalError(
            _l(
                "The date of birth does not agree with the PESEL number, which gives %(day)s.",
                day=format_date(born, "long"),
            ),
            field="birth_date",
        )
    if sex is not None and sex != sex_of_number:
        raise PortalError(_l("The sex does not agree with the PESEL number."), field="sex")
    return {"pesel": number, "no_pesel_country": None, "birth_date": born, "sex": sex_of_number}


def update_details(
    person: Participant,
    details: Details,
    *,
    version: int,
    warn_namesakes: bool,
    actor: User,
    now: datetime,
) -> dict[str, tuple[Any, Any]]:
    """Save the details; a PESEL held by another record is refused, namesakes are warned of."""
    check_version(person, version)
    loading.same_centre(person.centre_id, details.village, details.advisor, details.social_worker)
    values = {
        "first_name": details.first_name.strip(),
        "last_name": details.last_name.strip(),
        **identity(details.pesel, details.no_pesel_country, details.birth_date, details.sex),
        "email": accounts.normalise_email(details.email) if details.email else None,
        "phone": details.phone.strip() or None,
        "village_id": details.village.id if details.village else None,
        "on_contract_path": details.on_contract_path,
        "on_pal_path": details.on_pal_path,
        "advisor_id": details.advisor.id if details.advisor else None,
        "social_worker_id": details.social_worker.id if details.social_worker else None,
    }
    duplicates.refuse_taken_pesel(person.centre_id, values["pesel"], exclude_id=person.id)
    if warn_namesakes:
        duplicates.warn_of_namesakes(
            person.centre_id,
            exclude_id=person.id,
            first_name=values["first_name"],
            last_name=values["last_name"],
            birth_date=values["birth_date"],
            village_id=values["village_id"],
            pesel=values["pesel"],
        )
    changes = audit.diff(person, values)
    if changes:
        save(person)
        audit.record("participant.update", person, actor=actor, changes=changes, at=now)
    return changes


def save(person: Participant) -> None:
    """Write the changed record: a parallel save since the read is a conflict, and a PESEL
    recorded meanwhile for another person is refused beside its field."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError as error:
        raise RecordConflict() from error
    except IntegrityError:
        if person.pesel:
            duplicates.refuse_taken_pesel(person.centre_id, person.pesel, exclude_id=person.id)
        raise


def update_contact(
    person: Participant, *, email: str, phone: str, version: int, actor: User, now: datetime
) -> dict[str, tuple[Any, Any]]:
    """A participant corrects their own contact details: e-mail and telephone, nothing else
    (the address they sign in with stays as it is)."""
    check_version(person, version)
    values = {
        "email": accounts.normalise_email(email) if email else None,
        "phone": phone.strip() or None,
    }
    changes = audit.diff(person, values)
    if changes:
        save(person)
        audit.record("participant.contact", person, actor=actor, changes=changes, at=now)
    return changes


def confirm_data(person: Participant, *, actor: User, now: datetime) -> None:
    """The participant has read their monitoring data and says they are right (audited)."""
    audit.record("participant.data_confirmed", person, actor=actor, at=now)


@contextmanager
def noticed(found: dict[str, object]) -> Iterator[None]:
    """Keep what a refusal says about other records (the holder of a PESEL, namesakes, a newer
    version) so that the page can show it; the refusal itself goes on to the caller."""
    try:
        yield
    except duplicates.PeselTaken as error:
        found["pesel_holder"] = error.existing_id
        raise
    except duplicates.PossibleDuplicate as error:
        found["namesakes"] = [person.id for person in error.namesakes]
        raise
    except RecordConflict:
        found["conflict"] = True
        raise
