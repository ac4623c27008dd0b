"""One person, one record: a PESEL already held in the centre is refused, a namesake is a warning.

A PESEL identifies a person, so a second record with it is refused (the unique index backs the
check). Without one, two records with the same first name and surname and the same birth date
or village are probably one person: staff are warned and must confirm that they are not.
"""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Participant
from portal.services.common.errors import AlreadyExists, PortalError

# Enough namesakes to tell the person apart; more would not help anyone decide.
NAMESAKES_SHOWN = 10


class PeselTaken(AlreadyExists):
    """The PESEL belongs to a record already; `existing_id` is that record, to link to (None if
    it was removed between the refused insert and the look-up)."""

    def __init__(self, existing_id: int | None):
        super().__init__(
            _l("A participant with this PESEL number is already recorded."), field="pesel"
        )
        self.existing_id = existing_id


class PossibleDuplicate(PortalError):
    """Namesakes exist; staff must confirm that this is a different person."""

    def __init__(self, namesakes: list[Participant]):
        super().__init__(
            _l(
                "A person with the same name and the same date of birth or village is already "
                "recorded. Check that this is not the same person, then confirm below."
            ),
            field="different_person",
        )
        self.namesakes = namesakes


def pesel_holder(centre_id: int, number: str, *, exclude_id: int | None = None) -> int | None:
    """The id of the centre's record holding this PESEL, other than `exclude_id`."""
    query = select(Participant.id).where(
        Participant.centre_id == centre_id, Participant.pesel == number
    )
    if exclude_id is not None:
        query = query.where(Participant.id != exclude_id)
    return db.session.scalar(query.limit(1))


def refuse_taken_pesel(
    centre_id: int, number: str | None, *, exclude_id: int | None = None
) -> None:
    """Raise PeselTaken when another record of the centre holds `number`."""
    if number:
        holder = pesel_holder(centre_id, number, exclude_id=exclude_id)
        if holder is not None:
            raise PeselTaken(holder)


def namesakes(
    centre_id: int,
    *,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    village_id: int | None,
    pesel: str | None = None,
    exclude_id: int | None = None,
) -> list[Participant]:
    """Records of the centre with the same names and the same birth date or village; two
    people with PESEL numbers of their own are two people (the same number is refused apart)."""
    same_place = [
        condition
        for condition, known in (
            (Participant.birth_date == birth_date, birth_date is not None),
            (Participant.village_id == village_id, village_id is not None),
        )
        if known
    ]
    if not same_place:
        return []
    query = (
        select(Participant)
        .options(selectinload(Participant.village))
        .where(
            Participant.centre_id == centre_id,
            func.lower(Participant.first_name) == first_name.strip().lower(),
            func.lower(Participant.last_name) == last_name.strip().lower(),
            or_(*same_place),
        )
        .order_by(Participant.id)
        .limit(NAMESAKES_SHOWN)
    )
    if exclude_id is not None:
        query = query.where(Participant.id != exclude_id)
    if pesel:
        query = query.where(Participant.pesel.is_(None))
    return list(db.session.scalars(query))


def warn_of_namesakes(centre_id: int, *, exclude_id: int | None = None, **person: Any) -> None:
    """Raise PossibleDuplicate when namesakes exist (the caller asks only until confirmed)."""
    found = namesakes(centre_id, exclude_id=exclude_id, **person)
    if found:
        raise PossibleDuplicate(found)
