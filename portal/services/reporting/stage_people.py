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

Participation ends at the exit (`support_end`), or at the last support when the person has not
left; month by month a person counts from the month of their first support, never before.

The kinds of support are one UNION ALL reduced per person (MIN/MAX) by the database: every figure
is one statement whatever the number of people or records.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from portal.extensions import db
from portal.models import (
    CaseworkEntry,
    CounsellingSession,
    CourseAssignment,
    DiagnosisTest,
    Event,
    Participant,
    Placement,
    ProjectStage,
    Registration,
    SocialContract,
)
from portal.models.base import UTCDateTime, utcnow
from portal.models.enums import ContractStatus, CourseStatus, EventStatus, RegistrationStatus
from portal.models.support import GroupInstrument
from portal.services.common import dates

# A draft is not yet support; every contract that was signed is, however it ended.
SIGNED_STATUSES = (
    ContractStatus.SIGNED,
    ContractStatus.ACTIVE,
    ContractStatus.COMPLETED,
    ContractStatus.TERMINATED,
)
# An attended registration is support only for an event that took place as published.
HAPPENING = (EventStatus.PUBLISHED, EventStatus.HELD)
COURSE_STARTED = (CourseStatus.ENROLLED, CourseStatus.COMPLETED)

# The kinds of support, as the statements tell them apart.
CONTRACT, PAL, GROUP, INDIVIDUAL = 1, 2, 3, 4


@dataclass(frozen=True)
class StageCounts:
    activated: int
    on_contract: int
    in_pal: int


@dataclass(frozen=True)
class Participation:
    """One person's participation in the project, as the exports state it."""

    start: date  # the first support delivered in the project
    end: date | None  # the exit, else the last support (a contract's last day, maybe to come)
    exit: date | None  # the exit as recorded, when the person left
    on_contract: bool  # a signed contract in force in the stage
    in_pal: bool  # took part in a PAL activity of the stage


@dataclass(frozen=True)
class _Scope:
    """Whose support: one project's, or (for the centre-wide lists) one centre's."""

    project_id: int | None = None
    centre_id: int | None = None

    def of(self, project_column: Any, centre_column: Any) -> ColumnElement[bool]:
        if self.project_id is not None:
            return project_column == self.project_id  # type: ignore[no-any-return]
        return centre_column == self.centre_id  # type: ignore[no-any-return]


@dataclass(frozen=True)
class _Source:
    """One kind of support delivered: the person, when it began and ended (days, or for events
    the moment they started), and the FROM and WHERE that say it was delivered."""

    kind: int
    person: Any  # a column, or an expression over columns
    first: Any
    last: Any
    base: Select[Any]
    moment: bool = False

    def select(self, *columns: Any) -> Select[Any]:
        return self.base.with_only_columns(*columns)

    def within(self, first_day: date, last_day: date) -> list[ColumnElement[bool]]:
        """Delivered on one of the days first_day..last_day (Warsaw days)."""
        if self.moment:
            return [
                self.first >= dates.local_to_utc(first_day, time(0)),
                self.first < dates.local_to_utc(last_day + timedelta(days=1), time(0)),
            ]
        return [self.first <= last_day, self.last >= first_day]


def _sources(scope: _Scope, now: datetime) -> list[_Source]:
    """Every kind of support delivered by `now`, as rows of (person, first, last)."""
    today = dates.local_date(now)
    contract_end = case(
        (
            and_(
                SocialContract.ended_on.is_not(None),
                SocialContract.ended_on < SocialContract.end_date,
            ),
            SocialContract.ended_on,
        ),
        else_=SocialContract.end_date,
    )
    contract = _Source(
        CONTRACT,
        SocialContract.participant_id,
        SocialContract.start_date,
        contract_end,
        select(SocialContract.participant_id).where(
            scope.of(SocialContract.project_id, SocialContract.centre_id),
            SocialContract.status.in_(SIGNED_STATUSES),
            SocialContract.start_date <= today,
            contract_end >= SocialContract.start_date,  # not ended before it began
        ),
    )
    pal_activity = or_(Event.instrument.is_(None), Event.instrument == GroupInstrument.CLUB_MEETING)

    def attended(pal: bool) -> Select[Any]:
        return (
            select(Registration.participant_id)
            .select_from(Registration)
            .join(Event, Event.id == Registration.event_id)
            .where(
                scope.of(Event.project_id, Event.centre_id),
                Registration.status == RegistrationStatus.ATTENDED,
                Event.status.in_(HAPPENING),
                Event.starts_at <= now,
                pal_activity if pal else ~pal_activity,
            )
        )

    events = [
        _Source(kind, Registration.participant_id, Event.starts_at, Event.starts_at, base, True)
        for kind, base in ((PAL, attended(True)), (GROUP, attended(False)))
    ]

    def individual(table: Any, first: Any, last: Any, *delivered: Any) -> _Source:
        base = select(table.participant_id).where(*delivered)
        if scope.project_id is not None:
            base = base.join(Participant, Participant.id == table.participant_id).where(
                Participant.project_id == scope.project_id
            )
        else:
            base = base.where(table.centre_id == scope.centre_id)
        return _Source(INDIVIDUAL, table.participant_id, first, last, base)

    course_start = func.coalesce(CourseAssignment.planned_start, CourseAssignment.completed_on)
    course_end = func.coalesce(
        CourseAssignment.completed_on, CourseAssignment.planned_end, course_start
    )
    return [
        contract,
        *events,
        individual(
            DiagnosisTest, DiagnosisTest.taken_on, DiagnosisTest.taken_on,
            DiagnosisTest.taken_on <= today,
        ),
        individual(
            CounsellingSession, CounsellingSession.held_on, CounsellingSession.held_on,
            CounsellingSession.held_on <= today,
        ),
        individual(
            CaseworkEntry, CaseworkEntry.happened_on, CaseworkEntry.happened_on,
            CaseworkEntry.happened_on <= today,
        ),
        individual(
            CourseAssignment, course_start, course_end,
            CourseAssignment.status.in_(COURSE_STARTED),
            course_start.is_not(None),
            course_start <= today,
        ),
        individual(
            Placement, Placement.starts_on, Placement.ends_on, Placement.starts_on <= today
        ),
    ]  # fmt: skip


def _stage_sources(stage: ProjectStage, now: datetime | None) -> list[_Source]:
    return _sources(_Scope(project_id=stage.project_id), now or utcnow())


def _of_kind(sources: Iterable[_Source], kind: int) -> _Source:
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


def _kinds_within(sources: Sequence[_Source], first: date, last: date) -> Select[Any]:
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
        _sources(_Scope(centre_id=centre_id), now or utcnow()), dates.EARLIEST, dates.LATEST
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
            _sources(_Scope(centre_id=centre_id), now or utcnow()), dates.EARLIEST, dates.LATEST
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


def _spans(sources: Sequence[_Source], days: Sequence[date]) -> Select[Any]:
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
    sources = _sources(_Scope(project_id=project_id), now or utcnow())
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
    # An exit before the first support in the periods (support after leaving, a fault the
    # check of the figures lists) still leaves the person in the period of that support.
    ends = case((until < reach.c.start, reach.c.start), else_=until)
    windows = (
        select(reach.c.person, reach.c.start, reach.c.pal_from, ends.label("end"))
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
        .join(windows, and_(windows.c.person == spans.c.person, idx <= windows.c.end)),
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


def _reach(sources: Sequence[_Source], people: Any) -> Any:
    """Per person of `people`: the first and last day of support given on days, and the first
    and last moment of the events attended (Warsaw days are made of these by the caller)."""
    no_day, no_moment = cast(null(), Date), cast(null(), UTCDateTime)
    parts = []
    for source in sources:
        days = (no_day, no_day) if source.moment else (source.first, source.last)
        moments = (source.first, source.last) if source.moment else (no_moment, no_moment)
        parts.append(
            source.select(
                source.person.label("person"),
                days[0].label("first_day"),
                days[1].label("last_day"),
                moments[0].label("first_at"),
                moments[1].label("last_at"),
            ).where(source.person.in_(people))
        )
    every = union_all(*parts).subquery("every")
    return (
        select(
            every.c.person,
            func.min(every.c.first_day).label("first_day"),
            func.max(every.c.last_day).label("last_day"),
            func.min(every.c.first_at).label("first_at"),
            func.max(every.c.last_at).label("last_at"),
        )
        .group_by(every.c.person)
        .subquery("reach")
    )


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
    reach = _reach(sources, select(paths.c.person))
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
        )
        .join(reach, reach.c.person == paths.c.person)
        .join(Participant, Participant.id == paths.c.person)
    )
    found = {}
    for person, contract, pal, first_day, last_day, first_at, last_at, left in rows:
        firsts = [d for d in (first_day, first_at and dates.local_date(first_at)) if d]
        lasts = [d for d in (last_day, last_at and dates.local_date(last_at)) if d]
        found[person] = Participation(
            start=min(firsts),
            end=left or max(lasts, default=None),
            exit=left,
            on_contract=bool(contract),
            in_pal=bool(pal),
        )
    return found
