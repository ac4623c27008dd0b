"""The support delivered to a person: the one definition every figure and every person's start
of participation share (reporting/stage_people explains it; this is its statement).

A person is supported by:
- a social contract from its start, once signed (never a draft, nor before its start), until its
  end or the day it was terminated;
- a PAL event or a group session attended (a registration marked attended, for an event that has
  started and was not cancelled);
- an individual support given: a diagnosis test, a counselling session, a casework contact, a
  course started (enrolled or completed, from its start), a placement started.

Each kind is a `Source`: the person, when the support began and ended, and the FROM and WHERE that
say it was delivered. The callers reduce their UNION ALL per person in the database (MIN/MAX), so
a figure is one statement whatever the number of people or records.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    cast,
    func,
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
    Registration,
    SocialContract,
)
from portal.models.base import UTCDateTime
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
class Scope:
    """Whose support: one project's, one centre's (the centre-wide lists), or, with neither,
    each person's own project's (a person's start, read for people of several projects)."""

    project_id: int | None = None
    centre_id: int | None = None

    def of(self, project_column: Any, centre_column: Any, person: Any) -> ColumnElement[bool]:
        if self.project_id is not None:
            return project_column == self.project_id  # type: ignore[no-any-return]
        if self.centre_id is not None:
            return centre_column == self.centre_id  # type: ignore[no-any-return]
        own = select(Participant.project_id).where(Participant.id == person).scalar_subquery()
        return project_column == own  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Source:
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


def sources(scope: Scope, now: datetime) -> list[Source]:
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
    contract = Source(
        CONTRACT,
        SocialContract.participant_id,
        SocialContract.start_date,
        contract_end,
        select(SocialContract.participant_id).where(
            scope.of(
                SocialContract.project_id,
                SocialContract.centre_id,
                SocialContract.participant_id,
            ),
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
                scope.of(Event.project_id, Event.centre_id, Registration.participant_id),
                Registration.status == RegistrationStatus.ATTENDED,
                Event.status.in_(HAPPENING),
                Event.starts_at <= now,
                pal_activity if pal else ~pal_activity,
            )
        )

    events = [
        Source(kind, Registration.participant_id, Event.starts_at, Event.starts_at, base, True)
        for kind, base in ((PAL, attended(True)), (GROUP, attended(False)))
    ]

    def individual(table: Any, first: Any, last: Any, *delivered: Any) -> Source:
        base = select(table.participant_id).where(*delivered)
        if scope.project_id is not None:
            base = base.join(Participant, Participant.id == table.participant_id).where(
                Participant.project_id == scope.project_id
            )
        elif scope.centre_id is not None:
            base = base.where(table.centre_id == scope.centre_id)
        # Else each person's own: an individual support has no project but its person's.
        return Source(INDIVIDUAL, table.participant_id, first, last, base)

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


def reach(sources: Sequence[Source], people: Any) -> Any:
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


def first_days(people: Any, *, now: datetime, scope: Scope | None = None) -> dict[int, date]:
    """Person id -> the day of the first support delivered to them by `now` (a Warsaw day), for
    the people of `people` (ids, or a select of ids) who have had any: in `scope`, by default
    each person's own project. One statement."""
    found = reach(sources(scope or Scope(), now), people)
    rows = db.session.execute(select(found.c.person, found.c.first_day, found.c.first_at))
    return {
        person: min(day for day in (first_day, first_at and dates.local_date(first_at)) if day)
        for person, first_day, first_at in rows
    }


def first_day(person: Participant, *, now: datetime) -> date | None:
    """The day of the first support delivered to one person in their project, None before any."""
    return first_days([person.id], now=now).get(person.id)
