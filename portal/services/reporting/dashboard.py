"""The coordinator's figures for one project stage: people, events, group sessions, courses,
plans and ESF data (money is in dashboard_money). Reads only.

Every figure is a fixed number of statements whatever the data size: rows are counted and summed
by the database, grouped by month with a CASE over the stage's month boundaries (the months are
computed here, so the SQL is the same on SQLite and PostgreSQL). Who took part in the stage is
stage_people's definition (support actually delivered), applied to the stage and to each of its
months: a person counts from the month of their first support, never before.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, FunctionElement, Integer, and_, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import contains_eager
from sqlalchemy.sql.compiler import SQLCompiler

from portal.extensions import db
from portal.models import (
    Course,
    CourseAssignment,
    Event,
    IndividualPlan,
    Participant,
    Project,
    ProjectStage,
    Registration,
)
from portal.models.enums import CourseStatus, EventStatus, PlanStatus, RegistrationStatus
from portal.models.support import GroupInstrument
from portal.services.common import dates
from portal.services.people import exits, monitoring
from portal.services.reporting import stage_people

# --- The stage and its months ----------------------------------------------------------------


def stages(centre_id: int) -> list[ProjectStage]:
    """The centre's stages for the chooser, newest first (one query, projects with them)."""
    return list(
        db.session.scalars(
            select(ProjectStage)
            .join(Project)
            .where(Project.centre_id == centre_id)
            .options(contains_eager(ProjectStage.project))
            .order_by(ProjectStage.year.desc(), ProjectStage.start_date.desc(), ProjectStage.id)
        )
    )


def current_stage(choices: Sequence[ProjectStage], today: date) -> ProjectStage | None:
    """The stage whose dates hold today, else the one that started last."""
    for stage in choices:
        if stage.start_date <= today <= stage.end_date:
            return stage
    return max(choices, key=lambda s: (s.start_date, s.id), default=None)


def months(stage: ProjectStage) -> list[date]:
    """The first day of every month the stage touches, in order."""
    result, current = [], stage.start_date.replace(day=1)
    while current <= stage.end_date:
        result.append(current)
        current = dates.next_month(current)
    return result


def month_index(column: Any, month_starts: Sequence[Any]) -> ColumnElement[Any]:
    """The index of the month a value falls in (the list holds each month's first moment, and
    one more for the end); None outside them."""
    whens = [
        (and_(column >= start, column < end), index)
        for index, (start, end) in enumerate(pairwise(month_starts))
    ]
    return case(*whens, else_=None)


def day_bounds(stage: ProjectStage) -> list[date]:
    """Each month's first day within the stage, then the day after the stage."""
    firsts = [max(m, stage.start_date) for m in months(stage)]
    return [*firsts, stage.end_date + timedelta(days=1)]


def moment_bounds(stage: ProjectStage) -> list[datetime]:
    """The same boundaries as moments: midnight in Warsaw, in UTC."""
    return [dates.local_to_utc(day, time(0)) for day in day_bounds(stage)]


# --- Who had support ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PeopleFigures:
    counts: stage_people.StageCounts
    # Per month of the stage: (first day, on a contract, in the PAL, activated).
    months: list[tuple[date, int, int, int]]


def people(stage: ProjectStage, *, now: datetime | None = None) -> PeopleFigures:
    """The stage's counts, and per month who took part: from the month of their first support
    to their exit or last support (two statements)."""
    bounds = day_bounds(stage)
    periods = [(start, end - timedelta(days=1)) for start, end in pairwise(bounds)]
    monthly = stage_people.per_period(stage.project_id, periods, now=now)
    per_month = [
        (first, counts.on_contract, counts.in_pal, counts.activated)
        for first, counts in zip(months(stage), monthly, strict=True)
    ]
    return PeopleFigures(counts=stage_people.counts(stage, now=now), months=per_month)


# --- Events of the Local Activity Programme and group sessions ---------------------------------


@dataclass(frozen=True)
class EventFigures:
    held: int
    attended: int
    absent: int
    # Per month: (first day, events held, attended, absent).
    months: list[tuple[date, int, int, int]]


def _held_in(stage: ProjectStage) -> ColumnElement[bool]:
    bounds = moment_bounds(stage)
    return and_(
        Event.project_id == stage.project_id,
        Event.status == EventStatus.HELD,
        Event.starts_at >= bounds[0],
        Event.starts_at < bounds[-1],
    )


def events(stage: ProjectStage) -> EventFigures:
    """PAL events held in the stage (group sessions are not events) and their attendance, per
    month: one statement."""
    month = month_index(Event.starts_at, moment_bounds(stage)).label("month")
    came = func.sum(case((Registration.status == RegistrationStatus.ATTENDED, 1), else_=0))
    missed = func.sum(case((Registration.status == RegistrationStatus.ABSENT, 1), else_=0))
    rows = db.session.execute(
        select(month, func.count(func.distinct(Event.id)), came, missed)
        .select_from(Event)
        .outerjoin(Registration, Registration.event_id == Event.id)
        .where(_held_in(stage), Event.instrument.is_(None))
        .group_by(month)
    ).all()
    found = {index: (held, attended or 0, absent or 0) for index, held, attended, absent in rows}
    per_month = [(first, *found.get(index, (0, 0, 0))) for index, first in enumerate(months(stage))]
    return EventFigures(
        held=sum(m[1] for m in per_month),
        attended=sum(m[2] for m in per_month),
        absent=sum(m[3] for m in per_month),
        months=per_month,
    )


class MinutesBetween(FunctionElement[int]):
    """Whole minutes from one timestamp to another, written in each database's own terms."""

    type = Integer()
    inherit_cache = True


@compiles(MinutesBetween, "sqlite")
def _minutes_sqlite(element: MinutesBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 1440) AS INTEGER)"


@compiles(MinutesBetween)
def _minutes_postgresql(element: MinutesBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start})) / 60) AS INTEGER)"


@dataclass(frozen=True)
class InstrumentFigures:
    instrument: GroupInstrument
    sessions: int
    minutes: int
    people: int


@dataclass(frozen=True)
class SessionFigures:
    instruments: list[InstrumentFigures]
    sessions: int
    minutes: int
    people: int  # each person once, however many instruments


def sessions(stage: ProjectStage) -> SessionFigures:
    """Group-instrument sessions held in the stage: how many, how long, and how many people
    attended, per instrument and in all (three statements)."""
    length = MinutesBetween(Event.starts_at, Event.ends_at)
    totals = db.session.execute(
        select(Event.instrument, func.count(Event.id), func.sum(length))
        .where(_held_in(stage), Event.instrument.is_not(None))
        .group_by(Event.instrument)
    ).all()
    attended = (
        select(Event.instrument, Registration.participant_id)
        .join(Registration, Registration.event_id == Event.id)
        .where(
            _held_in(stage),
            Event.instrument.is_not(None),
            Registration.status == RegistrationStatus.ATTENDED,
        )
        .subquery()
    )
    people_by: dict[GroupInstrument, int] = dict(
        db.session.execute(
            select(
                attended.c.instrument, func.count(func.distinct(attended.c.participant_id))
            ).group_by(attended.c.instrument)
        ).all()
    )
    everybody = db.session.scalar(select(func.count(func.distinct(attended.c.participant_id))))
    found = {instrument: (count, minutes or 0) for instrument, count, minutes in totals}
    instruments = [
        InstrumentFigures(i, found[i][0], found[i][1], people_by.get(i, 0))
        for i in GroupInstrument
        if i in found
    ]
    return SessionFigures(
        instruments=instruments,
        sessions=sum(i.sessions for i in instruments),
        minutes=sum(i.minutes for i in instruments),
        people=everybody or 0,
    )


# --- Courses and plans ------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseFigures:
    # Per course: (name, started, completed), by name.
    courses: list[tuple[str, int, int]]
    started: int
    completed: int


def courses(stage: ProjectStage) -> CourseFigures:
    """Course places of the project's people started in the stage (enrolled or completed,
    planned to start within it) and completed in it, per course: one statement."""
    within = and_(
        CourseAssignment.planned_start >= stage.start_date,
        CourseAssignment.planned_start <= stage.end_date,
        CourseAssignment.status.in_((CourseStatus.ENROLLED, CourseStatus.COMPLETED)),
    )
    done = and_(
        CourseAssignment.status == CourseStatus.COMPLETED,
        CourseAssignment.completed_on >= stage.start_date,
        CourseAssignment.completed_on <= stage.end_date,
    )
    rows = db.session.execute(
        select(
            Course.name,
            func.sum(case((within, 1), else_=0)),
            func.sum(case((done, 1), else_=0)),
        )
        .join(Course, Course.id == CourseAssignment.course_id)
        .join(Participant, Participant.id == CourseAssignment.participant_id)
        .where(Participant.project_id == stage.project_id, or_(within, done))
        .group_by(Course.name)
        .order_by(Course.name)
    ).all()
    found = [(name, started or 0, completed or 0) for name, started, completed in rows]
    return CourseFigures(
        courses=found,
        started=sum(c[1] for c in found),
        completed=sum(c[2] for c in found),
    )


def plans(stage: ProjectStage, *, now: datetime | None = None) -> list[tuple[PlanStatus, int]]:
    """The individual plans of the people supported in the stage, per state (one statement),
    in the order of the plan's life; every state is listed, with 0 where there is none."""
    rows = db.session.execute(
        select(IndividualPlan.status, func.count(IndividualPlan.id))
        .where(IndividualPlan.participant_id.in_(stage_people.activated(stage, now=now)))
        .group_by(IndividualPlan.status)
    ).all()
    found = dict(rows)
    return [(status, found.get(status, 0)) for status in PlanStatus]


# --- ESF data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EsfFigures:
    activated: int
    incomplete: int  # the minimum data set not complete (services/monitoring's MINIMUM)
    results_due: int  # left support, result at exit not recorded (services/exits)
    results_overdue: int  # of those, the four weeks after leaving are over


def esf(stage: ProjectStage, today: date, *, now: datetime | None = None) -> EsfFigures:
    """The stage's people whose ESF data is incomplete, and whose result at exit is due or
    overdue: one statement."""
    minimum = monitoring.MINIMUM.values()
    gaps = [column.is_(None) for columns, _label in minimum for column in columns]
    waiting = and_(Participant.support_end.is_not(None), Participant.exit_result_on.is_(None))
    overdue_before = today - exits.RESULT_DUE_AFTER
    row = db.session.execute(
        select(
            func.count(Participant.id),
            func.sum(case((or_(*gaps), 1), else_=0)),
            func.sum(case((waiting, 1), else_=0)),
            func.sum(case((and_(waiting, Participant.support_end < overdue_before), 1), else_=0)),
        ).where(Participant.id.in_(stage_people.activated(stage, now=now)))
    ).one()
    return EsfFigures(row[0], row[1] or 0, row[2] or 0, row[3] or 0)
