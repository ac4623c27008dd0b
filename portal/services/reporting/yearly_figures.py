"""The facts of a stage's yearly report, computed from the data: who was activated and how, the
PAL and its events, the instruments in the order the centres' reports tell them, courses,
allowances paid, posts and money.

Each figure is one query whatever the data size (a dozen in all); nothing is typed in by hand.
The result is a frozen dataclass of plain values (`yearly_facts`), so a closed report keeps it
as JSON and regenerating it later gives the same figures.
"""

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import (
    Allowance,
    CaseworkEntry,
    Centre,
    CounsellingSession,
    Course,
    CourseAssignment,
    DiagnosisTest,
    DiagnosisTestType,
    Event,
    Instalment,
    Participant,
    Placement,
    Project,
    ProjectPost,
    ProjectStage,
    Registration,
    Village,
    event_villages,
)
from portal.models.enums import (
    AllowanceKind,
    BudgetLineKind,
    CounsellingKind,
    CourseStatus,
    EventStatus,
    InstalmentStatus,
    RegistrationStatus,
)
from portal.models.support import GroupInstrument as Instrument
from portal.models.support import PlacementKind
from portal.services.common import loading
from portal.services.common.dates import local_date, local_to_utc
from portal.services.money import ledger_reports
from portal.services.reporting import stage_people
from portal.services.reporting.yearly_facts import (
    AllowancePaid,
    CourseUse,
    Figures,
    GroupSessions,
    Line,
    PalEvent,
    PlacementUse,
    Posts,
    TestUse,
)

HELD_OR_PLANNED = (EventStatus.PUBLISHED, EventStatus.HELD)


def _between(column: Any, stage: ProjectStage) -> Any:
    return column.between(stage.start_date, stage.end_date)


def _of_project(stage: ProjectStage) -> Any:
    return select(Participant.id).where(Participant.project_id == stage.project_id)


def _stage(stage_id: int) -> tuple[ProjectStage, Project, Centre]:
    # The join keeps the session's centre scope on the stage (a stage has no centre_id itself).
    stage = loading.one(
        select(ProjectStage)
        .join(Project, Project.id == ProjectStage.project_id)
        .where(ProjectStage.id == stage_id)
        .options(joinedload(ProjectStage.project).joinedload(Project.centre))
    )
    return stage, stage.project, stage.project.centre


def _pal_event_ids(stage: ProjectStage) -> Any:
    """The stage's PAL events (not group-instrument sessions), published or held."""
    return select(Event.id).where(
        Event.project_id == stage.project_id,
        Event.instrument.is_(None),
        Event.status.in_(HELD_OR_PLANNED),
        Event.starts_at >= local_to_utc(stage.start_date, time(0)),
        Event.starts_at < local_to_utc(stage.end_date + timedelta(days=1), time(0)),
    )


def _events(stage: ProjectStage) -> tuple[tuple[PalEvent, ...], tuple[str, ...]]:
    """The PAL events in the stage with their attendance, and the villages they were for."""
    attended = (
        select(func.count(Registration.id))
        .where(
            Registration.event_id == Event.id,
            Registration.status == RegistrationStatus.ATTENDED,
        )
        .correlate(Event)
        .scalar_subquery()
    )
    in_stage = _pal_event_ids(stage)
    rows = db.session.execute(
        select(Event, attended).where(Event.id.in_(in_stage)).order_by(Event.starts_at, Event.id)
    ).all()
    events = tuple(
        PalEvent(
            title=e.title,
            event_type=e.event_type.value,
            starts_on=local_date(e.starts_at),
            place=e.place,
            description=e.description or "",
            attended=count,
        )
        for e, count in rows
    )
    names = db.session.execute(
        select(Village.name, func.min(Village.id))
        .join(event_villages, event_villages.c.village_id == Village.id)
        .where(event_villages.c.event_id.in_(in_stage))
        .group_by(Village.name)
        .order_by(func.min(Village.id))
    ).all()
    return events, tuple(name for name, _first in names)


def _group_instruments(stage: ProjectStage) -> tuple[GroupSessions, ...]:
    """Meetings, their length and the people who attended, per group instrument."""
    in_stage = (
        Event.project_id == stage.project_id,
        Event.instrument.is_not(None),
        Event.status.in_(HELD_OR_PLANNED),
        Event.starts_at >= local_to_utc(stage.start_date, time(0)),
        Event.starts_at < local_to_utc(stage.end_date + timedelta(days=1), time(0)),
    )
    meetings: dict[str, list[int]] = {}
    for instrument, starts, ends in db.session.execute(
        select(Event.instrument, Event.starts_at, Event.ends_at).where(*in_stage)
    ):
        seen = meetings.setdefault(str(instrument), [0, 0])
        seen[0] += 1
        seen[1] += int((ends - starts).total_seconds() // 60)
    people = dict(
        db.session.execute(
            select(Event.instrument, func.count(func.distinct(Registration.participant_id)))
            .join(Registration, Registration.event_id == Event.id)
            .where(*in_stage, Registration.status == RegistrationStatus.ATTENDED)
            .group_by(Event.instrument)
        ).all()
    )
    return tuple(
        GroupSessions(
            instrument=kind.value,
            meetings=meetings[kind.value][0],
            minutes=meetings[kind.value][1],
            people=people.get(kind, 0),
        )
        for kind in Instrument
        if kind.value in meetings
    )


def _counselling(stage: ProjectStage) -> tuple[int, int]:
    row = db.session.execute(
        select(
            func.count(CounsellingSession.id),
            func.count(func.distinct(CounsellingSession.participant_id)),
        ).where(
            CounsellingSession.kind == CounsellingKind.INDIVIDUAL,
            _between(CounsellingSession.held_on, stage),
            CounsellingSession.participant_id.in_(_of_project(stage)),
        )
    ).one()
    return row[0], row[1]


def _tests(stage: ProjectStage) -> tuple[TestUse, ...]:
    """Each test used in the stage, in the order it was first taken."""
    rows = db.session.execute(
        select(
            DiagnosisTestType.name,
            func.count(DiagnosisTest.id),
            func.count(func.distinct(DiagnosisTest.participant_id)),
        )
        .join(DiagnosisTestType, DiagnosisTestType.id == DiagnosisTest.test_type_id)
        .where(
            _between(DiagnosisTest.taken_on, stage),
            DiagnosisTest.participant_id.in_(_of_project(stage)),
        )
        .group_by(DiagnosisTestType.name)
        .order_by(func.min(DiagnosisTest.taken_on), DiagnosisTestType.name)
    ).all()
    return tuple(TestUse(name=name, tests=tests, people=people) for name, tests, people in rows)


def _placements(stage: ProjectStage) -> tuple[PlacementUse, ...]:
    rows = db.session.execute(
        select(
            Placement.kind,
            func.count(Placement.id),
            func.count(func.distinct(Placement.participant_id)),
        )
        .where(
            Placement.starts_on <= stage.end_date,
            Placement.ends_on >= stage.start_date,
            Placement.participant_id.in_(_of_project(stage)),
        )
        .group_by(Placement.kind)
    ).all()
    found = {kind: (count, people) for kind, count, people in rows}
    return tuple(
        PlacementUse(kind=kind.value, placements=found[kind][0], people=found[kind][1])
        for kind in PlacementKind
        if kind in found
    )


def _casework(stage: ProjectStage) -> tuple[int, int, int]:
    row = db.session.execute(
        select(
            func.count(CaseworkEntry.id),
            func.count(func.distinct(CaseworkEntry.participant_id)),
            func.coalesce(func.sum(CaseworkEntry.minutes), 0),
        ).where(
            _between(CaseworkEntry.happened_on, stage),
            CaseworkEntry.participant_id.in_(_of_project(stage)),
        )
    ).one()
    return row[0], row[1], int(row[2])


def _courses(stage: ProjectStage) -> tuple[CourseUse, ...]:
    """Course places taken up in the stage (not merely proposed), per course."""
    completed = func.count(
        func.distinct(
            case(
                (CourseAssignment.status == CourseStatus.COMPLETED, CourseAssignment.participant_id)
            )
        )
    )
    rows = db.session.execute(
        select(Course.name, func.count(func.distinct(CourseAssignment.participant_id)), completed)
        .join(Course, Course.id == CourseAssignment.course_id)
        .where(
            CourseAssignment.status != CourseStatus.PROPOSED,
            CourseAssignment.participant_id.in_(_of_project(stage)),
            or_(
                _between(CourseAssignment.completed_on, stage),
                (CourseAssignment.planned_start <= stage.end_date)
                & (
                    func.coalesce(CourseAssignment.planned_end, CourseAssignment.planned_start)
                    >= stage.start_date
                ),
            ),
        )
        .group_by(Course.name)
        .order_by(Course.name)
    ).all()
    return tuple(CourseUse(name=n, people=p, completed=c) for n, p, c in rows)


def _allowances(stage: ProjectStage) -> tuple[AllowancePaid, ...]:
    """What was paid out in the stage (instalments paid within it), per kind of allowance."""
    rows = db.session.execute(
        select(
            Allowance.kind,
            func.count(func.distinct(Allowance.participant_id)),
            func.sum(Instalment.amount_grosze),
        )
        .join(Allowance, Allowance.id == Instalment.allowance_id)
        .where(
            Instalment.status == InstalmentStatus.PAID,
            _between(Instalment.paid_on, stage),
            Allowance.participant_id.in_(_of_project(stage)),
        )
        .group_by(Allowance.kind)
    ).all()
    found = {kind: (people, int(paid)) for kind, people, paid in rows}
    return tuple(
        AllowancePaid(kind=kind.value, people=found[kind][0], paid_grosze=found[kind][1])
        for kind in AllowanceKind
        if kind in found
    )


def _posts(stage: ProjectStage) -> tuple[Posts, ...]:
    rows = db.session.execute(
        select(ProjectPost.title, func.count(ProjectPost.id))
        .where(
            ProjectPost.project_id == stage.project_id,
            ProjectPost.starts_on <= stage.end_date,
            or_(ProjectPost.ends_on.is_(None), ProjectPost.ends_on >= stage.start_date),
        )
        .group_by(ProjectPost.title)
        .order_by(ProjectPost.title)
    ).all()
    return tuple(Posts(title=title, count=count) for title, count in rows)


def figures(stage_id: int, *, now: datetime | None = None) -> Figures:
    """Everything the report states, computed now (a fixed number of queries). The people are
    stage_people's: those who received support in the stage, never those merely recorded."""
    stage, project, centre = _stage(stage_id)
    events, villages = _events(stage)
    people = stage_people.counts(stage, now=now)
    counselling_sessions, counselled = _counselling(stage)
    contacts, casework_people, casework_minutes = _casework(stage)
    money = ledger_reports.stage_money(stage.id)
    # The report says "the first stage" or "stage 3", never "the next stage" of a first one.
    stage_number = 1 + (
        db.session.scalar(
            select(func.count(ProjectStage.id)).where(
                ProjectStage.project_id == stage.project_id,
                ProjectStage.start_date < stage.start_date,
            )
        )
        or 0
    )
    return Figures(
        stage_number=stage_number,
        stage_id=stage.id,
        year=stage.year,
        start_date=stage.start_date,
        end_date=stage.end_date,
        centre_name=centre.name,
        town=centre.town,
        title=project.title,
        number=project.number,
        programme=project.programme,
        priority=project.priority,
        measure=project.measure,
        submeasure=project.submeasure,
        funder=project.funder,
        villages=villages,
        events=events,
        activated=people.activated,
        on_contract=people.on_contract,
        in_pal=people.in_pal,
        group_instruments=_group_instruments(stage),
        counselling_sessions=counselling_sessions,
        counselled_people=counselled,
        tests=_tests(stage),
        placements=_placements(stage),
        casework_contacts=contacts,
        casework_people=casework_people,
        casework_minutes=casework_minutes,
        courses=_courses(stage),
        allowances=_allowances(stage),
        posts=_posts(stage),
        lines=tuple(
            Line(
                kind=line.kind.value,
                funding_source=line.funding_source.value,
                name=line.name,
                planned_grosze=line.planned_grosze,
                spent_grosze=line.paid_grosze,
                task=line.task.label if line.task is not None else "",
            )
            for line in money.lines
        ),
        planned_grosze=money.total.planned,
        spent_grosze=money.total.spent,
        salaries_grosze=sum(
            line.paid_grosze for line in money.lines if line.kind is BudgetLineKind.SALARIES
        ),
    )
