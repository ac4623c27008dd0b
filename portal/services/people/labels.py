"""How a person is named where staff choose one: the name with the birth year and the village,
so that two namesakes are told apart in every picker.

The label reads only the person's own columns and their village: a list of people loaded with
`with_village` (the village joined in the same statement) costs no query per row.
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from flask_babel import gettext
from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from portal.models import Participant

Query = TypeVar("Query", bound=Select[Any])


def with_village(query: Query) -> Query:
    """The query's people arrive with their village, in the same statement."""
    return query.options(joinedload(Participant.village))


def told_apart(person: Participant) -> str:
    """Birth year and village, e.g. "born 1980 · Biała Pierwsza"."""
    year = (
        gettext("born %(year)s", year=person.birth_date.year)
        if person.birth_date
        else gettext("year of birth unknown")
    )
    village = person.village.name if person.village else gettext("no village")
    return f"{year} · {village}"


def label(person: Participant, *, surname_first: bool = True, pesel: bool = False) -> str:
    """The person as a picker shows them: "Kowalski Jan (born 1980 · Biała Pierwsza)"; with
    `pesel`, the masked number is added when the person has one."""
    name = f"{person.last_name} {person.first_name}" if surname_first else person.full_name
    facts = told_apart(person)
    if pesel and person.pesel:
        facts = f"{facts} · {person.masked_pesel}"
    return f"{name} ({facts})"


def choices(people: Iterable[Participant], *, pesel: bool = False) -> list[tuple[int, str]]:
    """People as a select's options, each told apart by `label`."""
    return [(person.id, label(person, pesel=pesel)) for person in people]
