"""The check of a stage's figures before they are signed: a second, independent count.

Every rule recomputes something the report or a budget line states from the records themselves,
by statements written apart from the report's own (stage_people, yearly_figures, ledger_reports,
budget), and lists each discrepancy with the records behind it as (kind, id): never a name or a
PESEL, since the list goes to an administrator's terminal and to logs.

The rules:
- `counted-without-support`: a person the report counts as supported in the stage (stage_people's
  set) with no support delivered in it by this module's own query; `support-not-counted`: the
  reverse, a person with support delivered in the stage whom the report leaves out. A start of
  participation corrected by staff (people/participation_start) stays in the stage of the first
  support: it moves the month a person is first counted, never whether they count in the stage,
  so both sides read support delivered and a correction is no discrepancy;
- `instalment-after-end`: a periodic instalment not cancelled, dated in a month after its
  contract's end or the person's exit (the month after the end day's month on: entitlements);
- `attended-before-start`: an attended registration for an event that had not started when the
  attendance was recorded (or has not started yet); `held-before-start`: an event marked held
  before its start;
- `course-place-at-zero`: a course place at 0 zł whose course has a catalogue price;
- `line-committed` / `line-paid`: a budget line whose committed or paid amount differs from the
  sum of what is charged to it: allowance instalments granted (not cancelled) and paid, course
  places bought (spent at enrolment; a dropped enrolment stays bought), ledger expenses (event
  costs and salaries are expenses too).
Payment lists store no total of their own (it is always the sum of their instalments), so there
is nothing of theirs to compare.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    BudgetLine,
    CaseworkEntry,
    CounsellingSession,
    Course,
    CourseAssignment,
    DiagnosisTest,
    Event,
    Expense,
    Instalment,
    Participant,
    Placement,
    ProjectStage,
    Registration,
    SocialContract,
)
from portal.models.enums import (
    AllowanceKind,
    BudgetLineKind,
    ContractStatus,
    CourseStatus,
    EventStatus,
    InstalmentStatus,
    RegistrationStatus,
)
from portal.services.common import dates
from portal.services.reporting import stage_people


@dataclass(frozen=True)
class Record:
    kind: str  # the table, in the singular: "participant", "instalment", "budget_line"...
    id: int

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


@dataclass(frozen=True)
class Discrepancy:
    rule: str
    stage_id: int
    records: tuple[Record, ...]
    detail: str = ""  # ids, dates and amounts only
    # The same facts for a reader: dates as dates, amounts in grosze ("month", "ended", "price",
    # "stated", "charged"), worded by `discrepancies` in the reader's language.
    values: tuple[tuple[str, date | int], ...] = ()

    def line(self) -> str:
        """One line of the command's output."""
        named = ", ".join(str(record) for record in self.records)
        return f"stage {self.stage_id}: {self.rule}: {named}" + (
            f" ({self.detail})" if self.detail else ""
        )


def check(*, now: datetime, stage_id: int | None = None) -> list[Discrepancy]:
    """Every discrepancy of one stage, or of every stage of every centre (stage by stage)."""
    query = select(ProjectStage).order_by(ProjectStage.id)
    if stage_id is not None:
        query = query.where(ProjectStage.id == stage_id)
    found: list[Discrepancy] = []
    for stage in db.session.scalars(query).all():
        found.extend(check_stage(stage, now=now))
    return found


def check_stage(stage: ProjectStage, *, now: datetime) -> list[Discrepancy]:
    return [
        *_people(stage, now),
        *_instalments_after_end(stage),
        *_attendance(stage, now),
        *_free_course_places(stage),
        *_lines(stage),
    ]


# --- People: the report's set against support found here --------------------------------------


def _delivered(stage: ProjectStage, now: datetime) -> dict[int, list[Record]]:
    """person -> the records of support delivered to them in the stage (by `now`)."""
    today = dates.local_date(now)
    first_day, last_day = stage.start_date, min(stage.end_date, today)
    project_id = stage.project_id
    found: dict[int, list[Record]] = defaultdict(list)

    def take(kind: str, rows: Iterable[Any]) -> None:
        for person, record_id in rows:
            found[person].append(Record(kind, record_id))

    signed = (
        ContractStatus.SIGNED,
        ContractStatus.ACTIVE,
        ContractStatus.COMPLETED,
        ContractStatus.TERMINATED,
    )
    for person, record_id, start, end, ended_on in db.session.execute(
        select(
            SocialContract.participant_id,
            SocialContract.id,
            SocialContract.start_date,
            SocialContract.end_date,
            SocialContract.ended_on,
        ).where(
            SocialContract.project_id == project_id,
            SocialContract.status.in_(signed),
            SocialContract.start_date <= last_day,
        )
    ):
        until = min(end, ended_on) if ended_on is not None else end
        if until >= start and until >= first_day:
            found[person].append(Record("social_contract", record_id))

    opens = dates.local_to_utc(first_day, time(0))
    closes = min(dates.local_to_utc(stage.end_date + timedelta(days=1), time(0)), now)
    take(
        "registration",
        db.session.execute(
            select(Registration.participant_id, Registration.id)
            .join(Event, Event.id == Registration.event_id)
            .where(
                Event.project_id == project_id,
                Event.status.in_((EventStatus.PUBLISHED, EventStatus.HELD)),
                Registration.status == RegistrationStatus.ATTENDED,
                Event.starts_at >= opens,
                or_(Event.starts_at < closes, Event.starts_at == now),
            )
        ),
    )

    def of_project(table: Any, kind: str, day: Any) -> None:
        take(
            kind,
            db.session.execute(
                select(table.participant_id, table.id)
                .join(Participant, Participant.id == table.participant_id)
                .where(
                    Participant.project_id == project_id,
                    day >= first_day,
                    day <= last_day,
                )
            ),
        )

    of_project(DiagnosisTest, "diagnosis_test", DiagnosisTest.taken_on)
    of_project(CounsellingSession, "counselling_session", CounsellingSession.held_on)
    of_project(CaseworkEntry, "casework_entry", CaseworkEntry.happened_on)

    for person, record_id, planned_start, planned_end, completed_on in db.session.execute(
        select(
            CourseAssignment.participant_id,
            CourseAssignment.id,
            CourseAssignment.planned_start,
            CourseAssignment.planned_end,
            CourseAssignment.completed_on,
        )
        .join(Participant, Participant.id == CourseAssignment.participant_id)
        .where(
            Participant.project_id == project_id,
            CourseAssignment.status.in_((CourseStatus.ENROLLED, CourseStatus.COMPLETED)),
        )
    ):
        began = planned_start or completed_on
        if began is None or began > last_day:
            continue
        if (completed_on or planned_end or began) >= first_day:
            found[person].append(Record("course_assignment", record_id))

    take(
        "placement",
        db.session.execute(
            select(Placement.participant_id, Placement.id)
            .join(Participant, Participant.id == Placement.participant_id)
            .where(
                Participant.project_id == project_id,
                Placement.starts_on <= last_day,
                Placement.ends_on >= first_day,
            )
        ),
    )
    return found


def _people(stage: ProjectStage, now: datetime) -> list[Discrepancy]:
    counted = set(db.session.scalars(stage_people.activated(stage, now=now)))
    delivered = _delivered(stage, now)
    found = [
        Discrepancy("counted-without-support", stage.id, (Record("participant", person),))
        for person in sorted(counted - delivered.keys())
    ]
    found += [
        Discrepancy(
            "support-not-counted",
            stage.id,
            (Record("participant", person), *delivered[person]),
        )
        for person in sorted(delivered.keys() - counted)
    ]
    return found


# --- Instalments after the end of their entitlement -------------------------------------------


def _month_after(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _instalments_after_end(stage: ProjectStage) -> list[Discrepancy]:
    ended = (ContractStatus.TERMINATED, ContractStatus.COMPLETED)
    rows = db.session.execute(
        select(
            Instalment.id,
            Instalment.allowance_id,
            Instalment.month,
            SocialContract.id,
            SocialContract.status,
            SocialContract.ended_on,
            Participant.id,
            Participant.support_end,
        )
        .join(Allowance, Allowance.id == Instalment.allowance_id)
        .join(Participant, Participant.id == Allowance.participant_id)
        .outerjoin(SocialContract, SocialContract.id == Allowance.contract_id)
        .where(
            Participant.project_id == stage.project_id,
            Allowance.kind == AllowanceKind.PERIODIC,
            Instalment.status != InstalmentStatus.CANCELLED,
            Instalment.month >= stage.start_date.replace(day=1),
            Instalment.month <= stage.end_date,
            or_(
                Participant.support_end.is_not(None),
                and_(SocialContract.status.in_(ended), SocialContract.ended_on.is_not(None)),
            ),
        )
        .order_by(Instalment.id)
    )
    found = []
    for (
        instalment_id,
        allowance_id,
        month,
        contract_id,
        status,
        ended_on,
        person,
        exit_day,
    ) in rows:
        ends = [exit_day] if exit_day is not None else []
        if status in ended and ended_on is not None:
            ends.append(ended_on)
        end = min(ends)
        if month < _month_after(end):
            continue
        records = [Record("instalment", instalment_id), Record("allowance", allowance_id)]
        if contract_id is not None:
            records.append(Record("social_contract", contract_id))
        records.append(Record("participant", person))
        found.append(
            Discrepancy(
                "instalment-after-end",
                stage.id,
                tuple(records),
                f"month {month.isoformat()}, entitlement ended {end.isoformat()}",
                (("month", month), ("ended", end)),
            )
        )
    return found


# --- Attendance before an event's start -------------------------------------------------------


def _stage_events(stage: ProjectStage) -> Any:
    return and_(
        Event.project_id == stage.project_id,
        Event.starts_at >= dates.local_to_utc(stage.start_date, time(0)),
        Event.starts_at < dates.local_to_utc(stage.end_date + timedelta(days=1), time(0)),
    )


def _attendance(stage: ProjectStage, now: datetime) -> list[Discrepancy]:
    early = or_(Event.starts_at > now, Event.attendance_recorded_at < Event.starts_at)
    found = [
        Discrepancy(
            "attended-before-start",
            stage.id,
            (Record("registration", registration_id), Record("event", event_id)),
        )
        for registration_id, event_id in db.session.execute(
            select(Registration.id, Event.id)
            .join(Event, Event.id == Registration.event_id)
            .where(_stage_events(stage), Registration.status == RegistrationStatus.ATTENDED, early)
            .order_by(Registration.id)
        )
    ]
    found += [
        Discrepancy("held-before-start", stage.id, (Record("event", event_id),))
        for event_id in db.session.scalars(
            select(Event.id)
            .where(_stage_events(stage), Event.status == EventStatus.HELD, early)
            .order_by(Event.id)
        )
    ]
    return found


# --- Course places at 0 zł --------------------------------------------------------------------


def _free_course_places(stage: ProjectStage) -> list[Discrepancy]:
    rows = db.session.execute(
        select(
            CourseAssignment.id,
            CourseAssignment.course_id,
            CourseAssignment.participant_id,
            CourseAssignment.planned_start,
            CourseAssignment.created_at,
            Course.price_grosze,
        )
        .join(Course, Course.id == CourseAssignment.course_id)
        .join(Participant, Participant.id == CourseAssignment.participant_id)
        .where(
            Participant.project_id == stage.project_id,
            CourseAssignment.cost_grosze == 0,
            Course.price_grosze > 0,
        )
        .order_by(CourseAssignment.id)
    )
    found = []
    for place_id, course_id, person, planned_start, created_at, price in rows:
        # A place belongs to the stage of its start, or of the day it was proposed.
        day = planned_start or dates.local_date(created_at)
        if not stage.start_date <= day <= stage.end_date:
            continue
        found.append(
            Discrepancy(
                "course-place-at-zero",
                stage.id,
                (
                    Record("course_assignment", place_id),
                    Record("course", course_id),
                    Record("participant", person),
                ),
                f"catalogue price {price} grosze",
                (("price", int(price or 0)),),
            )
        )
    return found


# --- Budget lines against their charges -------------------------------------------------------


def _course_charges(stage: ProjectStage) -> int:
    """What the course places bought for the stage's project in its year cost: a place is
    bought at enrolment and charged to the course line of its start's year (or, without a
    start, the enrolment's); a place dropped after enrolment stays bought."""
    enrolled_at = (
        select(func.min(AuditEntry.at))
        .where(
            AuditEntry.entity_type == CourseAssignment.__tablename__,
            AuditEntry.entity_id == CourseAssignment.id,
            AuditEntry.action == "course.enrolled",
        )
        .scalar_subquery()
    )
    total = 0
    rows: Any = db.session.execute(
        select(
            CourseAssignment.status,
            CourseAssignment.cost_grosze,
            CourseAssignment.planned_start,
            enrolled_at,
        )
        .join(Participant, Participant.id == CourseAssignment.participant_id)
        .where(Participant.project_id == stage.project_id, CourseAssignment.cost_grosze > 0)
    )
    for status, cost, planned_start, enrolled in rows:
        if status == CourseStatus.PROPOSED:
            continue
        if status == CourseStatus.DROPPED and enrolled is None:
            continue  # a dropped proposal cost nothing
        year = (
            planned_start.year
            if planned_start
            else (dates.local_date(enrolled).year if enrolled else None)
        )
        if year == stage.year:
            total += cost
    return total


def _lines(stage: ProjectStage) -> list[Discrepancy]:
    lines = db.session.execute(
        select(BudgetLine.id, BudgetLine.kind, BudgetLine.committed_grosze, BudgetLine.paid_grosze)
        .where(BudgetLine.stage_id == stage.id)
        .order_by(BudgetLine.id)
    ).all()
    if not lines:
        return []
    ids = [line.id for line in lines]
    committed: dict[int, int] = defaultdict(int)
    paid: dict[int, int] = defaultdict(int)
    granted = Instalment.status != InstalmentStatus.CANCELLED
    granted_rows: Any = db.session.execute(
        select(Allowance.budget_line_id, Instalment.status, func.sum(Instalment.amount_grosze))
        .join(Allowance, Allowance.id == Instalment.allowance_id)
        .where(Allowance.budget_line_id.in_(ids), granted)
        .group_by(Allowance.budget_line_id, Instalment.status)
    )
    for line_id, status, amount in granted_rows:
        committed[line_id] += amount
        if status == InstalmentStatus.PAID:
            paid[line_id] += amount
    for line_id, amount in db.session.execute(
        select(Expense.budget_line_id, func.sum(Expense.amount_grosze))
        .where(Expense.budget_line_id.in_(ids))
        .group_by(Expense.budget_line_id)
    ):
        committed[line_id] += amount
        paid[line_id] += amount
    # The places are charged to the stage's first course line (the one enrolment finds).
    course_lines = [line.id for line in lines if line.kind == BudgetLineKind.COURSES]
    if course_lines:
        places = _course_charges(stage)
        committed[min(course_lines)] += places
        paid[min(course_lines)] += places
    found = []
    for line_id, _kind, line_committed, line_paid in lines:
        for rule, stated, charged in (
            ("line-committed", line_committed, committed[line_id]),
            ("line-paid", line_paid, paid[line_id]),
        ):
            if stated != charged:
                found.append(
                    Discrepancy(
                        rule,
                        stage.id,
                        (Record("budget_line", line_id),),
                        f"stated {stated} grosze, charges {charged} grosze",
                        # Sums come back as Decimal on PostgreSQL; the report keeps JSON.
                        (("stated", int(stated)), ("charged", int(charged))),
                    )
                )
    return found
