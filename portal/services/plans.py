"""Individual development plans (IPRZ): sections saved one at a time, every save a revision.

A save based on an old version is refused (PlanConflict) so that two people never overwrite
each other silently; the view shows both texts. The participant only ever sees the revision
the advisor shared, without the advisor's notes.
"""

import difflib
import re
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db
from portal.models import (
    CounsellingSession,
    CourseAssignment,
    DiagnosisTest,
    DiagnosisTestType,
    IndividualPlan,
    Participant,
    PlanAction,
    PlanComment,
    PlanGoal,
    PlanRevision,
    Registration,
    User,
)
from portal.models.enums import (
    ActionKind,
    ActionStatus,
    CounsellingKind,
    CourseStatus,
    GoalStatus,
    PlanStatus,
    RegistrationStatus,
)
from portal.services import audit, dates, participants
from portal.services.errors import NotFound, PortalError

P = PlanStatus
SWOT = ("strengths", "weaknesses", "opportunities", "threats")
SECTIONS: dict[str, tuple[str, ...]] = {
    "swot": SWOT,
    "potential": ("potential", "predispositions"),
    "market": ("target_occupations", "market_demand", "market_fit"),
    "notes": ("advisor_notes",),
}
PRIVATE = frozenset({"advisor_notes"})
ITEM_MAX = 200
TEXT_MAX = 5000
_HAS_CONTENT = re.compile(r"\w")


class PlanRefused(PortalError):
    message = _l("The plan cannot be changed this way.")


class PlanConflict(PlanRefused):
    """Someone saved the plan after this form was opened."""

    message = _l(
        "Someone else saved this plan after you opened it. Your text is below, next to "
        "the current version: copy what you need and save again."
    )

    def __init__(self, current: IndividualPlan):
        super().__init__()
        self.current = current


def items(text: str, *, field: str) -> list[str]:
    """One item per line; blank lines are skipped, an item with no words is refused."""
    result = []
    for line in (text or "").splitlines():
        item = line.strip().lstrip("-•*").strip() if line.strip() else ""
        if not line.strip():
            continue
        if not _HAS_CONTENT.search(item):
            raise PlanRefused(
                _l("An item cannot be empty: write a few words or remove the line."), field=field
            )
        if len(item) > ITEM_MAX:
            raise PlanRefused(
                _l("Each item may have at most %(n)d characters.", n=ITEM_MAX), field=field
            )
        result.append(item)
    return result


def snapshot(plan: IndividualPlan) -> dict[str, Any]:
    """Everything a revision keeps: the sections, goals and actions, as plain values."""
    data: dict[str, Any] = {
        field: getattr(plan, field) for fields in SECTIONS.values() for field in fields
    }
    data["goals"] = [
        {
            "description": g.description,
            "target_date": g.target_date.isoformat() if g.target_date else None,
            "status": g.status.value,
        }
        for g in plan.goals
    ]
    data["actions"] = [
        {
            "kind": a.kind.value,
            "description": a.description,
            "due_date": a.due_date.isoformat() if a.due_date else None,
            "responsible": a.responsible,
            "status": a.status.value,
        }
        for a in plan.actions
    ]
    return data


def _revise(
    plan: IndividualPlan, *, actor: User, now: datetime, changes: dict[str, tuple[Any, Any]]
) -> PlanRevision:
    db.session.flush()
    number = (
        db.session.scalar(
            select(func.max(PlanRevision.number)).where(PlanRevision.plan_id == plan.id)
        )
        or 0
    ) + 1
    db.session.refresh(plan)
    revision = PlanRevision(
        plan_id=plan.id,
        number=number,
        author_id=actor.id,
        created_at=now,
        changes={
            field: {"old": audit._plain(old), "new": audit._plain(new)}
            for field, (old, new) in changes.items()
        },
        snapshot=snapshot(plan),
    )
    db.session.add(revision)
    audit.record(
        "plan.revision",
        plan,
        actor=actor,
        at=now,
        changes={
            field: ("***", "***") if field in PRIVATE else change
            for field, change in changes.items()
        },
    )
    return revision


def _editable(plan: IndividualPlan, version: int) -> None:
    if plan.status == P.COMPLETED:
        raise PlanRefused(_l("The plan is completed and read-only. Reopen it to change it."))
    if plan.version_id != version:
        raise PlanConflict(plan)


def _flush_or_conflict(plan: IndividualPlan) -> None:
    try:
        db.session.flush()
    except StaleDataError as error:  # a parallel save won between our read and our write
        db.session.rollback()
        raise PlanConflict(db.session.get(IndividualPlan, plan.id)) from error


def start(person: Participant, *, advisor: User, now: datetime) -> IndividualPlan:
    existing = get_for(person.id)
    if existing is not None:
        return existing
    plan = IndividualPlan(
        centre_id=person.centre_id, participant_id=person.id, advisor_id=advisor.id, status=P.DRAFT
    )
    try:
        with db.session.begin_nested():
            db.session.add(plan)
            db.session.flush()
    except IntegrityError:  # "Start the plan" pressed twice at once: the other press started it
        return get_for(person.id)
    _revise(plan, actor=advisor, now=now, changes={"status": (None, P.DRAFT)})
    return plan


def save_section(
    plan: IndividualPlan,
    section: str,
    values: dict[str, Any],
    *,
    version: int,
    actor: User,
    now: datetime,
) -> PlanRevision | None:
    """Save one section; refused if the plan changed since the form was opened."""
    if section not in SECTIONS:
        raise NotFound()
    _editable(plan, version)
    clean: dict[str, Any] = {}
    for field in SECTIONS[section]:
        value = values.get(field, "")
        if field in SWOT:
            clean[field] = items(value, field=field)
        else:
            value = (value or "").strip()
            if len(value) > TEXT_MAX:
                raise PlanRefused(_l("At most %(n)d characters.", n=TEXT_MAX), field=field)
            clean[field] = value
    changes = audit.diff(plan, clean)
    if not changes:
        return None
    _flush_or_conflict(plan)
    return _revise(plan, actor=actor, now=now, changes=changes)


def _touch(plan: IndividualPlan, version: int, now: datetime) -> None:
    """Goals and actions are part of the plan: changing one bumps the plan's version too."""
    _editable(plan, version)
    plan.updated_at = now
    _flush_or_conflict(plan)


def add_goal(
    plan: IndividualPlan,
    *,
    description: str,
    target_date: date | None,
    version: int,
    actor: User,
    now: datetime,
) -> PlanGoal:
    description = description.strip()
    if not _HAS_CONTENT.search(description):
        raise PlanRefused(_l("Describe the goal."), field="description")
    if target_date is not None and target_date < dates.local_date(now):
        raise PlanRefused(_l("The target date cannot be in the past."), field="target_date")
    _touch(plan, version, now)
    goal = PlanGoal(
        plan_id=plan.id,
        description=description[:500],
        target_date=target_date,
        position=len(plan.goals),
    )
    db.session.add(goal)
    _revise(plan, actor=actor, now=now, changes={"goal": (None, description)})
    return goal


def add_action(
    plan: IndividualPlan,
    *,
    kind: ActionKind,
    description: str,
    due_date: date | None,
    responsible: str,
    version: int,
    actor: User,
    now: datetime,
) -> PlanAction:
    description = description.strip()
    if not _HAS_CONTENT.search(description):
        raise PlanRefused(_l("Describe the action."), field="description")
    if due_date is not None and due_date < dates.local_date(now):
        raise PlanRefused(_l("The due date cannot be in the past."), field="due_date")
    _touch(plan, version, now)
    action = PlanAction(
        plan_id=plan.id,
        kind=kind,
        description=description[:500],
        due_date=due_date,
        responsible=responsible.strip()[:200],
    )
    db.session.add(action)
    _revise(plan, actor=actor, now=now, changes={"action": (None, description)})
    return action


def set_goal_status(
    plan: IndividualPlan,
    goal_id: int,
    status: GoalStatus,
    *,
    version: int,
    actor: User,
    now: datetime,
) -> None:
    goal = next((g for g in plan.goals if g.id == goal_id), None)
    if goal is None:
        raise NotFound()
    _touch(plan, version, now)
    old, goal.status = goal.status, status
    _revise(plan, actor=actor, now=now, changes={f"goal {goal.description}": (old, status)})


def set_action_status(
    plan: IndividualPlan,
    action_id: int,
    status: ActionStatus,
    *,
    version: int,
    actor: User,
    now: datetime,
) -> None:
    action = next((a for a in plan.actions if a.id == action_id), None)
    if action is None:
        raise NotFound()
    _touch(plan, version, now)
    old, action.status = action.status, status
    _revise(plan, actor=actor, now=now, changes={f"action {action.description}": (old, status)})


def restore(
    plan: IndividualPlan, number: int, *, version: int, actor: User, now: datetime
) -> PlanRevision:
    """Bring back an older revision's content, as a new revision (history is never rewritten)."""
    old = revision(plan.id, number)
    _editable(plan, version)
    data = old.snapshot
    changes = audit.diff(
        plan,
        {
            field: data.get(field, [] if field in SWOT else "")
            for fields in SECTIONS.values()
            for field in fields
        },
    )
    for goal in list(plan.goals):
        db.session.delete(goal)
    for action in list(plan.actions):
        db.session.delete(action)
    db.session.flush()
    for position, goal in enumerate(data.get("goals", [])):
        db.session.add(
            PlanGoal(
                plan_id=plan.id,
                position=position,
                description=goal["description"],
                target_date=date.fromisoformat(goal["target_date"])
                if goal["target_date"]
                else None,
                status=GoalStatus(goal["status"]),
            )
        )
    for action in data.get("actions", []):
        db.session.add(
            PlanAction(
                plan_id=plan.id,
                kind=ActionKind(action["kind"]),
                description=action["description"],
                due_date=date.fromisoformat(action["due_date"]) if action["due_date"] else None,
                responsible=action["responsible"],
                status=ActionStatus(action["status"]),
            )
        )
    plan.updated_at = now
    _flush_or_conflict(plan)
    db.session.expire(plan, ["goals", "actions"])
    changes["restored"] = (None, number)
    return _revise(plan, actor=actor, now=now, changes=changes)


def _move(
    plan: IndividualPlan,
    old: tuple[PlanStatus, ...],
    new: PlanStatus,
    *,
    actor: User,
    now: datetime,
    **values,
) -> None:
    current = plan.status
    if current not in old:
        raise PlanRefused()
    result = db.session.execute(
        update(IndividualPlan)
        .where(IndividualPlan.id == plan.id, IndividualPlan.status == current)
        .values(status=new, version_id=IndividualPlan.version_id + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise PlanRefused(_l("Someone else has just changed this plan."))
    db.session.refresh(plan)
    audit.record(
        f"plan.{new.value}",
        plan,
        actor=actor,
        at=now,
        changes={"status": (current, new)} | {k: (None, v) for k, v in values.items()},
    )


def share(plan: IndividualPlan, *, actor: User, now: datetime) -> None:
    """Show the current version to the participant (drafts and notes never reach them)."""
    latest = db.session.scalar(
        select(func.max(PlanRevision.number)).where(PlanRevision.plan_id == plan.id)
    )
    _move(
        plan,
        (P.DRAFT, P.SHARED, P.ACKNOWLEDGED, P.IN_PROGRESS),
        P.SHARED,
        actor=actor,
        now=now,
        shared_revision_number=latest,
        shared_at=now,
        acknowledged_at=None,
    )


def acknowledge(
    plan: IndividualPlan, *, participant_user: User, now: datetime, seen: int | None = None
) -> None:
    """The participant confirms the shared version; `seen` is the version their page showed."""
    if seen is not None and seen != plan.shared_revision_number:
        raise PlanRefused(
            _l("Your advisor has just shared a newer version of your plan. Please read it first.")
        )
    _move(plan, (P.SHARED,), P.ACKNOWLEDGED, actor=participant_user, now=now, acknowledged_at=now)


def begin(plan: IndividualPlan, *, actor: User, now: datetime) -> None:
    _move(plan, (P.ACKNOWLEDGED,), P.IN_PROGRESS, actor=actor, now=now)


def complete(plan: IndividualPlan, *, actor: User, now: datetime) -> None:
    _move(plan, (P.ACKNOWLEDGED, P.IN_PROGRESS), P.COMPLETED, actor=actor, now=now)


def reopen(plan: IndividualPlan, *, reason: str, actor: User, now: datetime) -> None:
    if not reason.strip():
        raise PlanRefused(_l("Give the reason for reopening the plan."), field="reason")
    _move(
        plan,
        (P.COMPLETED,),
        P.IN_PROGRESS,
        actor=actor,
        now=now,
        reopened_reason=reason.strip()[:500],
    )


def caseload(
    staff: User, *, search: str = ""
) -> list[tuple[Participant, PlanStatus | None, date | None]]:
    """The people a staff member may see, each with their plan's state and next deadline."""
    next_due = (
        select(func.min(PlanAction.due_date))
        .where(
            PlanAction.plan_id == IndividualPlan.id,
            PlanAction.status.in_((ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)),
        )
        .correlate(IndividualPlan)
        .scalar_subquery()
    )
    people = participants.visible_to(staff).subquery()
    query = (
        select(Participant, IndividualPlan.status, next_due)
        .join(people, people.c.id == Participant.id)
        .outerjoin(IndividualPlan, IndividualPlan.participant_id == Participant.id)
        .order_by(Participant.last_name, Participant.first_name)
        .limit(300)
    )
    if search.strip():
        like = f"%{search.strip()}%"
        query = query.where(Participant.last_name.ilike(like) | Participant.first_name.ilike(like))
    return [tuple(row) for row in db.session.execute(query)]


def get_for(participant_id: int) -> IndividualPlan | None:
    return db.session.scalar(
        select(IndividualPlan)
        .where(IndividualPlan.participant_id == participant_id)
        .options(selectinload(IndividualPlan.goals), selectinload(IndividualPlan.actions))
    )


def get(centre_id: int, plan_id: int) -> IndividualPlan:
    plan = db.session.scalar(
        select(IndividualPlan).where(
            IndividualPlan.id == plan_id, IndividualPlan.centre_id == centre_id
        )
    )
    if plan is None:
        raise NotFound()
    return plan


def history(plan_id: int) -> list[PlanRevision]:
    return list(
        db.session.scalars(
            select(PlanRevision)
            .where(PlanRevision.plan_id == plan_id)
            .options(selectinload(PlanRevision.author))
            .order_by(PlanRevision.number.desc())
        )
    )


def revision(plan_id: int, number: int) -> PlanRevision:
    found = db.session.scalar(
        select(PlanRevision).where(PlanRevision.plan_id == plan_id, PlanRevision.number == number)
    )
    if found is None:
        raise NotFound()
    return found


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(
            " · ".join(str(v) for v in item.values() if v) if isinstance(item, dict) else str(item)
            for item in value
        )
    return "" if value is None else str(value)


def compare(older: PlanRevision, newer: PlanRevision) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per field that differs: lines marked '-' (removed), '+' (added) or ' ' (kept)."""
    result = []
    for field in (*[f for fields in SECTIONS.values() for f in fields], "goals", "actions"):
        before = _as_text(older.snapshot.get(field)).splitlines()
        after = _as_text(newer.snapshot.get(field)).splitlines()
        if before == after:
            continue
        lines = [(line[0], line[2:]) for line in difflib.ndiff(before, after) if line[0] in "-+ "]
        result.append((field, lines))
    return result


def shared_version(plan: IndividualPlan) -> dict[str, Any] | None:
    """What the participant may see: the shared revision, never the advisor's notes."""
    if plan.shared_revision_number is None:
        return None
    data = dict(revision(plan.id, plan.shared_revision_number).snapshot)
    for field in PRIVATE:
        data.pop(field, None)
    return data


def comment(plan: IndividualPlan, *, author: User, body: str, now: datetime) -> PlanComment:
    body = body.strip()
    if not body:
        raise PlanRefused(_l("Write your question or comment."), field="body")
    if len(body) > 2000:
        raise PlanRefused(_l("At most %(n)d characters.", n=2000), field="body")
    entry = PlanComment(plan_id=plan.id, author_id=author.id, body=body, created_at=now)
    db.session.add(entry)
    audit.record("plan.comment", plan, actor=author, at=now, changes={"comment": (None, body)})
    return entry


def comments(plan_id: int) -> list[PlanComment]:
    return list(
        db.session.scalars(
            select(PlanComment).where(PlanComment.plan_id == plan_id).order_by(PlanComment.id)
        )
    )


def test_types(centre_id: int) -> list[DiagnosisTestType]:
    return list(
        db.session.scalars(
            select(DiagnosisTestType)
            .where(DiagnosisTestType.centre_id == centre_id)
            .order_by(DiagnosisTestType.name)
        )
    )


def record_test(
    person: Participant,
    *,
    test_type_id: int,
    taken_on: date,
    summary: str,
    advisor: User,
    now: datetime,
) -> DiagnosisTest:
    if test_type_id not in {t.id for t in test_types(person.centre_id)}:
        raise PlanRefused(_l("Choose a test from the list."), field="test_type_id")
    if taken_on > dates.local_date(now):
        raise PlanRefused(_l("The date cannot be in the future."), field="taken_on")
    test = DiagnosisTest(
        centre_id=person.centre_id,
        participant_id=person.id,
        test_type_id=test_type_id,
        taken_on=taken_on,
        result_summary=summary.strip()[:TEXT_MAX],
        advisor_id=advisor.id,
    )
    db.session.add(test)
    audit.record(
        "diagnosis_test.create", test, actor=advisor, at=now, changes={"taken_on": (None, taken_on)}
    )
    return test


def record_session(
    person: Participant,
    *,
    kind: CounsellingKind,
    held_on: date,
    duration_minutes: int,
    notes: str,
    advisor: User,
    now: datetime,
) -> CounsellingSession:
    if held_on > dates.local_date(now):
        raise PlanRefused(_l("The date cannot be in the future."), field="held_on")
    if not 1 <= duration_minutes <= 600:
        raise PlanRefused(_l("Enter a duration from 1 to 600 minutes."), field="duration_minutes")
    session = CounsellingSession(
        centre_id=person.centre_id,
        participant_id=person.id,
        kind=kind,
        held_on=held_on,
        duration_minutes=duration_minutes,
        notes=notes.strip()[:TEXT_MAX],
        advisor_id=advisor.id,
    )
    db.session.add(session)
    audit.record(
        "counselling_session.create",
        session,
        actor=advisor,
        at=now,
        changes={"held_on": (None, held_on), "kind": (None, kind)},
    )
    return session


def diagnosis(person_id: int) -> tuple[list[DiagnosisTest], list[CounsellingSession]]:
    tests = db.session.scalars(
        select(DiagnosisTest)
        .where(DiagnosisTest.participant_id == person_id)
        .options(selectinload(DiagnosisTest.test_type))
        .order_by(DiagnosisTest.taken_on.desc())
    ).all()
    sessions = db.session.scalars(
        select(CounsellingSession)
        .where(CounsellingSession.participant_id == person_id)
        .order_by(CounsellingSession.held_on.desc())
    ).all()
    return list(tests), list(sessions)


def progress(person_id: int) -> dict[str, list]:
    """What the person has done, recorded elsewhere once: events attended, sessions, courses."""
    attended = db.session.scalars(
        select(Registration)
        .where(
            Registration.participant_id == person_id,
            Registration.status == RegistrationStatus.ATTENDED,
        )
        .options(selectinload(Registration.event))
    ).all()
    courses_done = db.session.scalars(
        select(CourseAssignment)
        .where(
            CourseAssignment.participant_id == person_id,
            CourseAssignment.status == CourseStatus.COMPLETED,
        )
        .options(selectinload(CourseAssignment.course))
    ).all()
    _, sessions = diagnosis(person_id)
    return {"events": list(attended), "sessions": sessions, "courses": list(courses_done)}


def action_evidence(plan: IndividualPlan, found: dict[str, list]) -> dict[int, int]:
    """Action id -> how many recorded activities of its kind happened since the plan began."""
    start = dates.local_date(plan.created_at)
    counts = {
        ActionKind.COUNSELLING: sum(1 for s in found["sessions"] if s.held_on >= start),
        ActionKind.COURSE: len(found["courses"]),
        ActionKind.OTHER: sum(
            1 for r in found["events"] if dates.local_date(r.event.starts_at) >= start
        ),
    }
    return {a.id: counts.get(a.kind, 0) for a in plan.actions}
