"""One person, one record: a PESEL already held in the centre is refused, a namesake is a warning.

A PESEL identifies a person, so a second record with it is refused (the unique index backs the
check). Without one, two records with the same first name and surname may be one person, even
when the birth date or village differs (a date mistyped, a move to another village): staff are
warned, see who is recorded (birth year, village, masked PESEL) and must confirm that they are
not. Names are compared without regard to case or diacritics (Łukasz, LUKASZ).
"""

import unicodedata
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
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
                "A person with the same first name and surname is already recorded. Check "
                "that this is not the same person, then confirm below."
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


# Letters that carry their stroke in the letter itself, so Unicode decomposition leaves them.
_STROKED = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ß": "ss", "ı": "i"})


def name_key(name: str) -> str:
    """A name as it is compared: no case, no diacritics, single spaces (Łukasz = lukasz)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().translate(_STROKED))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.translate(_STROKED).split())


def namesakes(
    centre_id: int,
    *,
    first_name: str,
    last_name: str,
    birth_date: date | None = None,
    village_id: int | None = None,
    pesel: str | None = None,
    exclude_id: int | None = None,
) -> list[Participant]:
    """Records of the centre with the same first name and surname, whatever their birth date or
    village (shown beside them so staff can tell); two people with PESEL numbers of their own
    are two people (the same number is refused apart).

    The names are compared in Python, where case and diacritics fold the same on every
    database: one narrow query of the centre's names, then one for the namesakes found."""
    del birth_date, village_id  # shown to staff, no longer a condition of the warning
    wanted = (name_key(first_name), name_key(last_name))
    query = (
        select(Participant.id, Participant.first_name, Participant.last_name)
        .where(Participant.centre_id == centre_id)
        .order_by(Participant.id)
    )
    if exclude_id is not None:
        query = query.where(Participant.id != exclude_id)
    if pesel:
        query = query.where(Participant.pesel.is_(None))
    ids = [
        row.id
        for row in db.session.execute(query)
        if (name_key(row.first_name), name_key(row.last_name)) == wanted
    ][:NAMESAKES_SHOWN]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Participant)
            .options(selectinload(Participant.village))
            .where(Participant.id.in_(ids))
            .order_by(Participant.id)
        )
    )


def namesakes_by_name(
    centre_id: int, names: set[tuple[str, str]]
) -> dict[tuple[str, str], list[Participant]]:
    """For each (first name, surname) key of `name_key`, the centre's records bearing it: two
    statements whatever the number of names (a page of requests asks for all at once)."""
    ids: dict[tuple[str, str], list[int]] = {}
    if names:
        rows = db.session.execute(
            select(Participant.id, Participant.first_name, Participant.last_name)
            .where(Participant.centre_id == centre_id)
            .order_by(Participant.id)
        )
        for row in rows:
            key = (name_key(row.first_name), name_key(row.last_name))
            if key in names and len(ids.setdefault(key, [])) < NAMESAKES_SHOWN:
                ids[key].append(row.id)
    wanted = [person_id for found in ids.values() for person_id in found]
    if not wanted:
        return {}
    people = {
        person.id: person
        for person in db.session.scalars(
            select(Participant)
            .options(selectinload(Participant.village))
            .where(Participant.id.in_(wanted))
        )
    }
    return {key: [people[i] for i in found] for key, found in ids.items()}


def warn_of_namesakes(centre_id: int, *, exclude_id: int | None = None, **person: Any) -> None:
    """Raise PossibleDuplicate when namesakes exist (the caller asks only until confirmed)."""
    found = namesakes(centre_id, exclude_id=exclude_id, **person)
    if found:
        raise PossibleDuplicate(found)
