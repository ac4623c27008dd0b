"""Who took part in a project stage, from the support actually delivered: the one definition the
dashboard, the yearly report, the ESF export, the funder's exports and the results-due list share.

A person takes part from the first support delivered to them:
- a social contract from its start, once signed (signed, active, completed or terminated; never a
  draft; nor before its start, when it was signed ahead), until its end or the day it was
  terminated;
- a PAL event or a group session attended: a registration marked attended, for an event that has
  started and was not cancelled (a sign-up for an event still to come is not support);
- an individual support given: a diagnosis test, a counselling session, a casework contact, a
  course started (enrolled or completed, from its start), a placement started.

In a stage:
- activated: anybody with support delivered within the stage's days, each person once;
- on a social contract: a signed contract in force on a day of the stage;
- in the Local Activity Programme: took part in a PAL activity of the stage (a PAL event, or a
  meeting of the youth self-help club, which is part of the PAL).
The paths ticked on a person's record are what staff intend: they are shown as planned and are
never counted.

The start of participation is the day of the first support, unless staff corrected it with a
reason (`support_start`, services/people/participation_start: it stays within the stage of the
first support, so who is counted in a stage never changes, only from when). Participation ends at
the exit (`support_end`), or at the last support when the person has not left; month by month a
person counts from the month of their start, never before.

The kinds of support (services/support/delivered) are one UNION ALL reduced per person (MIN/MAX)
by the database, the start being COALESCE(corrected start, first support): every figure is one
statement whatever the number of people or records.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
    union_all,
)

from portal.extensions import db
from portal.models import (
    Participant,
    ProjectStage,
)
from portal.models.base import utcnow
from portal.services.common import dates
from portal.services.support import delivered
from portal.services.support.delivered import CONTRACT, PAL


@dataclass(frozen=True)
class StageCounts:
    activated: int
    on_contract: int
    in_pal: int


@dataclass(frozen=True)
class Participation:
    """One person's participation in the project, as the exports state it."""

    start: date  # the first support delivered in the project, or the start staff corrected
    end: date | None  # the exit, else the last support (a contract's last day, maybe to come)
    exit: date | None  # the exit as recorded, when the person left
    on_contract: bool  # a signed contract in force in the stage
    in_pal: bool  # took part in a PAL activity of the stage


def _stage_sources(stage: ProjectStage, now: datetime | None) -> list[delivered.Source]:
    return delivered.sources(delivered.Scope(project_id=stage.project_id), now or utcnow())


def _of_kind(sources: Iterable[delivered.Source], kind: int) -> delivered.Source:
    return next(source for source in sources if source.kind == kind)


# --- Who: ids of people, for IN (...) --------------------------------------------------------


def on_contract(stage: ProjectStage, *, now: datetime | None = None) -> Select[Any]:
    """Ids of the people with a signed contract in force on a day of the stage (a select from
    the contracts, so a caller may take their numbers too)."""
    source = _of_kind(_stage_sources(stage, now), CONTRACT)
    return source.select(source.person).where(*source.within(stage.start_date, stage.end_date))


def in_pal(stage: ProjectStage, *, now: datetime | None = None) -> Select[Any]:
    """Ids of the people who took part in a PAL activity of the stage."""
    source = _of_kind(_stage_sources(stage, now), PAL)
    return source.select(source.person).where(*source.within(stage.start_date, stage.end_date))


def _kinds_within(sources: Sequence[delivered.Source], first: date, last: date) -> Select[Any]:
    """(person, kind) for every support delivered on the days first..last."""
    parts = [
        source.select(
            source.person.label("person"), literal(source.kind, Integer).label("kind")
        ).where(*source.within(first, last))
        for source in sources
    ]
    return union_all(*parts)  # type: ignore[return-value]


def activated(stage: ProjectStage, *, now: datetime | None = None) -> Select[Any]:
    """Ids of everybody with support delivered in the stage (a person may appear more than
    once: use it with IN)."""
    rows = _kinds_within(_stage_sources(stage, now), stage.start_date, stage.end_date).subquery()
    return select(rows.c.person)


def supported(centre_id: int, *, now: datetime | None = None) -> Select[Any]:
    """Ids of the centre's people who have had any support delivered, in any project or stage
    (a person may appear more than once: use it with IN)."""
    rows = _kinds_within(
        delivered.sources(delivered.Scope(centre_id=centre_id), now or utcnow()),
        dates.EARLIEST,
        dates.LATEST,
    ).subquery()
    return select(rows.c.person)


# --- How many ---------------------------------------------------------------------------------


def _counted(rows: Select[Any]) -> StageCounts:
    table = rows.subquery()
    person, kind = table.c.person, table.c.kind
    found = db.session.execute(
        select(
            func.count(distinct(person)),
            func.count(distinct(case((kind == CONTRACT, person)))),
            func.count(distinct(case((kind == PAL, person)))),
        )
    ).one()
    return StageCounts(activated=found[0], on_contract=found[1], in_pal=found[2])


def counts(stage: ProjectStage, *, now: datetime | None = None) -> StageCounts:
    """The stage's three figures, in one statement."""
    return _counted(_kinds_within(_stage_sources(stage, now), stage.start_date, stage.end_date))


def centre_counts(centre_id: int, *, now: datetime | None = None) -> StageCounts:
    """The same three figures over all of a centre's projects and years (the overview)."""
    return _counted(
        _kinds_within(
            delivered.sources(delivered.Scope(centre_id=centre_id), now or utcnow()),
            dates.EARLIEST,
            dates.LATEST,
        )
    )


def _index(column: Any, bounds: Sequence[Any]) -> ColumnElement[Any]:
    """The index of the period a value falls in (bounds: each period's first day or moment,
    then the one after the last); None outside them."""
    whens = [
        (and_(column >= start, column < end), index)
        for index, (start, end) in enumerate(pairwise(bounds))
    ]
    return case(*whens, else_=None)


def _spans(sources: Sequence[delivered.Source], days: Sequence[date]) -> Select[Any]:
    """(person, kind, first, last) per support delivered within the periods, its first and last
    period as indexes (a contract that began before the first or ends after the last is cut)."""
    moments = [dates.local_to_utc(day, time(0)) for day in days]
    final = len(days) - 2
    parts = []
    for source in sources:
        if source.moment:
            first = last = _index(source.first, moments)
        else:
            first = case((source.first < days[0], 0), else_=_index(source.first, days))
            last = case((source.last >= days[-1], final), else_=_index(source.last, days))
        parts.append(
            source.select(
                source.person.label("person"),
                literal(source.kind, Integer).label("kind"),
                first.label("first"),
                last.label("last"),
            ).where(*source.within(days[0], days[-1] - timedelta(days=1)))
        )
    return union_all(*parts)  # type: ignore[return-value]


def per_period(
    project_id: int, periods: Sequence[tuple[date, date]], *, now: datetime | None = None
) -> list[StageCounts]:
    """The three figures for each period (its first and last day; the periods follow each
    other day after day, as the months of a stage do), in one statement.

    A person counts from the period of their first support to the period of their exit, or of
    their last support when they have not left; on a contract in each period a contract of
    theirs is in force (until the exit); in the PAL from the period of their first PAL activity
    to the end of their participation."""
    if not periods:
        return []
    days = [first for first, _last in periods] + [periods[-1][1] + timedelta(days=1)]
    following = zip(periods, days[1:], strict=True)
    if any(last + timedelta(days=1) != after for (_first, last), after in following):
        raise ValueError("the periods must follow each other day after day")
    final = len(periods) - 1
    sources = delivered.sources(delivered.Scope(project_id=project_id), now or utcnow())
    spans = _spans(sources, days).cte("spans")
    reach = (
        select(
            spans.c.person,
            func.min(spans.c.first).label("start"),
            func.max(spans.c.last).label("last"),
            func.min(case((spans.c.kind == PAL, spans.c.first))).label("pal_from"),
        )
        .group_by(spans.c.person)
        .subquery("reach")
    )
    left = Participant.support_end
    until = case(
        (left.is_(None), reach.c.last),
        (left >= days[-1], final),
        (left < days[0], -1),
        else_=_index(left, days),
    )
    # A start staff corrected (participation_start) replaces the first support's period when it
    # falls in the periods; one before them (a stage that began earlier) leaves the periods
    # counted from support as for anybody, one after them counts the person in none.
    corrected = Participant.support_start
    start = case(
        (or_(corrected.is_(None), corrected < days[0]), reach.c.start),
        (corrected >= days[-1], final + 1),
        else_=_index(corrected, days),
    )
    # An exit before the first support in the periods (support after leaving, a fault the
    # check of the figures lists) still leaves the person in the period of that support.
    ends = case((until < start, start), else_=until)
    pal_from = case((reach.c.pal_from < start, start), else_=reach.c.pal_from)
    windows = (
        select(reach.c.person, start.label("start"), pal_from.label("pal_from"), ends.label("end"))
        .join(Participant, Participant.id == reach.c.person)
        .cte("windows")
    )
    rows = [select(literal(index, Integer).label("idx")) for index in range(len(periods))]
    table = (union_all(*rows) if len(rows) > 1 else rows[0]).subquery("periods")
    idx = table.c.idx
    anyone = 0
    held = union_all(
        select(idx, windows.c.person, literal(anyone, Integer))
        .select_from(table)
        .join(windows, and_(windows.c.start <= idx, idx <= windows.c.end)),
        select(idx, windows.c.person, literal(PAL, Integer))
        .select_from(table)
        .join(windows, and_(windows.c.pal_from <= idx, idx <= windows.c.end)),
        select(idx, spans.c.person, literal(CONTRACT, Integer))
        .select_from(table)
        .join(spans, and_(spans.c.kind == CONTRACT, spans.c.first <= idx, idx <= spans.c.last))
        .join(
            windows,
            and_(windows.c.person == spans.c.person, windows.c.start <= idx, idx <= windows.c.end),
        ),
    ).subquery("held")
    person, kind = held.c.person, held.c[2]
    query = select(
        held.c.idx,
        func.count(distinct(case((kind == anyone, person)))),
        func.count(distinct(case((kind == CONTRACT, person)))),
        func.count(distinct(case((kind == PAL, person)))),
    ).group_by(held.c.idx)
    found = {
        index: StageCounts(activated=a, on_contract=c, in_pal=p)
        for index, a, c, p in db.session.execute(query)
    }
    empty = StageCounts(activated=0, on_contract=0, in_pal=0)
    return [found.get(index, empty) for index in range(len(periods))]


# --- Each person's participation ---------------------------------------------------------------


def participation(stage: ProjectStage, *, now: datetime | None = None) -> dict[int, Participation]:
    """Person id -> participation, for everybody activated in the stage: when it started (the
    first support in the project), when it ended, and the paths taken in the stage. One
    statement; the moments of events become Warsaw days here."""
    sources = _stage_sources(stage, now)
    in_stage = _kinds_within(sources, stage.start_date, stage.end_date).subquery("in_stage")
    paths = (
        select(
            in_stage.c.person,
            func.max(case((in_stage.c.kind == CONTRACT, 1), else_=0)).label("contract"),
            func.max(case((in_stage.c.kind == PAL, 1), else_=0)).label("pal"),
        )
        .group_by(in_stage.c.person)
        .cte("paths")  # read once, though every kind of support asks it
    )
    reach = delivered.reach(sources, select(paths.c.person))
    rows = db.session.execute(
        select(
            paths.c.person,
            paths.c.contract,
            paths.c.pal,
            reach.c.first_day,
            reach.c.last_day,
            reach.c.first_at,
            reach.c.last_at,
            Participant.support_end,
            Participant.support_start,
        )
        .join(reach, reach.c.person == paths.c.person)
        .join(Participant, Participant.id == paths.c.person)
    )
    found = {}
    for person, contract, pal, first_day, last_day, first_at, last_at, left, corrected in rows:
        firsts = [d for d in (first_day, first_at and dates.local_date(first_at)) if d]
        lasts = [d for d in (last_day, last_at and dates.local_date(last_at)) if d]
        found[person] = Participation(
            start=corrected or min(firsts),
            end=left or max(lasts, default=None),
            exit=left,
            on_contract=bool(contract),
            in_pal=bool(pal),
        )
    return found
