"""The shape of a stage report's facts (frozen dataclasses of plain values) and their JSON form,
in which a closed report keeps them. Kinds are enum values, not labels, so a frozen report still
reads in either language. Computed by `yearly_figures.figures`."""

import dataclasses
import typing
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class PalEvent:
    title: str
    event_type: str
    starts_on: date
    place: str
    description: str
    attended: int


@dataclass(frozen=True)
class GroupSessions:
    """Sessions of one group instrument (an `Event.instrument` value)."""

    instrument: str
    meetings: int
    minutes: int
    people: int


@dataclass(frozen=True)
class TestUse:
    name: str
    tests: int
    people: int


@dataclass(frozen=True)
class PlacementUse:
    kind: str
    placements: int
    people: int


@dataclass(frozen=True)
class CourseUse:
    name: str
    people: int
    completed: int


@dataclass(frozen=True)
class AllowancePaid:
    kind: str
    people: int
    paid_grosze: int


@dataclass(frozen=True)
class Posts:
    title: str
    count: int


@dataclass(frozen=True)
class Line:
    kind: str
    funding_source: str
    name: str
    planned_grosze: int
    spent_grosze: int
    # The task of the funding agreement ("1. Aktywna integracja"); empty for a line of none,
    # and in reports closed before lines had tasks.
    task: str = ""


@dataclass(frozen=True)
class Figures:
    stage_id: int
    year: int
    start_date: date
    end_date: date
    centre_name: str
    town: str
    title: str
    number: str
    programme: str
    priority: str
    measure: str
    submeasure: str
    funder: str
    villages: tuple[str, ...]
    events: tuple[PalEvent, ...]
    activated: int
    on_contract: int
    in_pal: int
    group_instruments: tuple[GroupSessions, ...]
    counselling_sessions: int
    counselled_people: int
    tests: tuple[TestUse, ...]
    placements: tuple[PlacementUse, ...]
    casework_contacts: int
    casework_people: int
    casework_minutes: int
    courses: tuple[CourseUse, ...]
    allowances: tuple[AllowancePaid, ...]
    posts: tuple[Posts, ...]
    lines: tuple[Line, ...]
    planned_grosze: int
    spent_grosze: int
    salaries_grosze: int
    # Which of its project's stages this is, by start (1: the first); 0 in reports closed
    # before it was kept, whose text then names no order.
    stage_number: int = 0

    @property
    def posts_count(self) -> int:
        return sum(p.count for p in self.posts)

    @property
    def allowances_grosze(self) -> int:
        return sum(a.paid_grosze for a in self.allowances)


def to_json(facts: Figures) -> dict[str, Any]:
    """Plain JSON values: dates as ISO text, tuples as lists."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    result: dict[str, Any] = plain(dataclasses.asdict(facts))
    return result


def _load(kind: Any, value: Any) -> Any:
    if kind is date:
        return date.fromisoformat(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        # A field added later is missing from reports closed before: it keeps its default.
        return kind(
            **{
                f.name: _load(hints[f.name], value[f.name])
                for f in dataclasses.fields(kind)
                if f.name in value
            }
        )
    if typing.get_origin(kind) is tuple:
        inner = typing.get_args(kind)[0]
        return tuple(_load(inner, v) for v in value)
    return value


def from_json(data: dict[str, Any]) -> Figures:
    """The figures as frozen at closing, read back into the same dataclass."""
    loaded: Figures = _load(Figures, data)
    return loaded
