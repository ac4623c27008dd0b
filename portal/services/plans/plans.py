"""Individual development plans (IPRZ): sections saved one at a time, every save a revision.

Each part (a text section, the goals, the actions) is locked on its own: a form carries the
plan version it was opened on and a fingerprint of its part as it was then. A save on an old
version lands when its part is still as the form saw it (someone saved another part), and is
refused (PlanConflict) when the same part changed, so that two people never overwrite each
other silently; the view shows both texts. The participant only ever sees the revision
the advisor shared, without the advisor's notes. Goals and actions: `plan_goals`; history and
restore: `plan_history`.
"""

import hashlib
import json
import re
from datetime import date, datetime
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, case, func, null, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, load_only, selectinload
from sqlalchemy.sql.base import ExecutableOption

from portal.extensions import db
from portal.models import (
    IndividualPlan,
    Participant,
    PlanAction,
    PlanComment,
    PlanRevision,
    User,
)
from portal.models.enums import ActionStatus, PlanStatus
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.lifecycle import transitions
from portal.services.people import participants
from portal.services.plans import plan_questions

SWOT = ("strengths", "weaknesses", "opportunities", "threats")
SECTIONS: dict[str, tuple[str, ...]] = {
    "swot": SWOT,
    "potential": ("potential", "predispositions"),
    "market": ("target_occupations", "market_demand", "market_fit"),
    "notes": ("advisor_notes",),
}
# The parts locked on their own: a save conflicts only with a save of the same part.
PARTS = (*SECTIONS, "goals", "actions")
PRIVATE = frozenset({"advisor_notes"})
ITEM_MAX = 200
TEXT_MAX = 5000
HAS_CONTENT = re.compile(r"\w")


class PlanRefused(PortalError):
    message = _l("The plan cannot be changed this way.")


class PlanConflict(PlanRefused):
    """Someone saved the plan after this form was opened; `current` is the plan as saved now."""

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
        if not HAS_CONTENT.search(item):
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


def revise(
    plan: IndividualPlan, *, actor: User, now: datetime, changes: dict[str, tuple[Any, Any]]
) -> PlanRevision:
    """Every change of a plan is a numbered revision with its snapshot, and an audit entry."""
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


def fingerprint(plan: IndividualPlan, part: str) -> str:
    """What one part of the plan holds now, as a short digest: a form carries the one it was
    opened on, so a later save can tell whether its own part changed meanwhile."""
    data: list[Any]
    if part == "goals":
        data = [
            [g.id, g.description, g.target_date and g.target_date.isoformat(), g.status.value]
            for g in plan.goals
        ]
    elif part == "actions":
        data = [
            [
                a.id,
                a.kind.value,
                a.description,
                a.due_date and a.due_date.isoformat(),
                a.responsible,
                a.status.value,
            ]
            for a in plan.actions
        ]
    else:
        data = [getattr(plan, field) for field in SECTIONS[part]]
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def lock_for_edit(
    plan: IndividualPlan, version: int, *, part: str | None = None, base: str | None = None
) -> None:
    """Lock the plan's row and re-read it, then refuse a form opened on an older version
    unless its `part` is still what the form saw (`base`, its fingerprint then): a parallel
    save of the same part waits for ours and is refused, never overwrites it; a save of
    another part lands."""
    db.session.refresh(plan, with_for_update=True)
    # Goals and actions are read again under the lock: a save that waited for ours sees them.
    db.session.expire(plan, ["goals", "actions"])
    if plan.status == PlanStatus.COMPLETED:
        raise PlanRefused(_l("The plan is completed and read-only. Reopen it to change it."))
    if plan.version_id == version:
        return
    if part is None or not base or base != fingerprint(plan, part):
        raise PlanConflict(plan)


def start(person: Participant, *, advisor: User, now: datetime) -> IndividualPlan:
    existing = get_for(person.id)
    if existing is not None:
        return existing
    plan = IndividualPlan(
        centre_id=person.centre_id,
        participant_id=person.id,
        advisor_id=advisor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(plan)
            db.session.flush()
    except IntegrityError:  # "Start the plan" pressed twice at once: the other press started it
        return db.session.scalars(
            select(IndividualPlan).where(IndividualPlan.participant_id == person.id)
        ).one()
    revise(plan, actor=advisor, now=now, changes={"status": (None, PlanStatus.DRAFT)})
    return plan


def save_section(
    plan: IndividualPlan,
    section: str,
    values: dict[str, Any],
    *,
    version: int,
    actor: User,
    now: datetime,
    base: str | None = None,
) -> PlanRevision | None:
    """Save one section; refused if that section changed since the form was opened."""
    fields = SECTIONS[loading.known(section, SECTIONS)]
    lock_for_edit(plan, version, part=section, base=base)
    clean: dict[str, Any] = {}
    for field in fields:
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
    return revise(plan, actor=actor, now=now, changes=changes)


def latest_number(plan_id: int) -> int | None:
    """The number of the plan's newest revision: the version its current text is, the one a
    document printed from it names (the edit counter `version_id` also counts state moves)."""
    return db.session.scalar(
        select(func.max(PlanRevision.number)).where(PlanRevision.plan_id == plan_id)
    )


def share(plan: IndividualPlan, *, actor: User, now: datetime) -> None:
    """Show the current version to the participant (drafts and notes never reach them)."""
    latest = latest_number(plan.id)
    transitions.move(
        plan,
        "share",
        refusal=PlanRefused(),
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
    transitions.move(
        plan,
        "acknowledge",
        refusal=PlanRefused(),
        actor=participant_user,
        now=now,
        acknowledged_at=now,
    )


def begin(plan: IndividualPlan, *, actor: User, now: datetime) -> None:
    transitions.move(plan, "begin", refusal=PlanRefused(), actor=actor, now=now)


def complete(plan: IndividualPlan, *, actor: User, now: datetime) -> None:
    transitions.move(plan, "complete", refusal=PlanRefused(), actor=actor, now=now)


def reopen(plan: IndividualPlan, *, reason: str, actor: User, now: datetime) -> None:
    if not reason.strip():
        raise PlanRefused(_l("Give the reason for reopening the plan."), field="reason")
    transitions.move(
        plan,
        "reopen",
        refusal=PlanRefused(),
        actor=actor,
        now=now,
        reopened_reason=reason.strip()[:500],
    )


class CaseloadRow(NamedTuple):
    person: Participant
    status: PlanStatus | None
    next_due: date | None
    unanswered: int
    # When the plan was shared, if what is shared is no longer what the plan says; else None.
    changed_since: datetime | None


def caseload(staff: User, *, search: str = "") -> list[CaseloadRow]:
    """The people a staff member may see, each with their plan's state and next deadline, its
    unanswered questions and whether it changed since it was shared (one query)."""
    next_due = (
        select(func.min(PlanAction.due_date))
        .where(
            PlanAction.plan_id == IndividualPlan.id,
            PlanAction.status.in_((ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)),
        )
        .correlate(IndividualPlan)
        .scalar_subquery()
    )
    shared, latest = aliased(PlanRevision), aliased(PlanRevision)
    latest_number = (
        select(func.max(PlanRevision.number))
        .where(PlanRevision.plan_id == IndividualPlan.id)
        .correlate(IndividualPlan)
        .scalar_subquery()
    )
    people = participants.visible_to(staff).subquery()
    # Both snapshots (each the whole plan) only where a save came after the shared version:
    # most rows are shared as they stand and carry none.
    changed = latest.number != shared.number
    query = (
        select(
            Participant,
            IndividualPlan.status,
            next_due,
            plan_questions.unanswered_count(),
            IndividualPlan.shared_at,
            type_coerce(case((changed, shared.snapshot), else_=null()), JSON),
            type_coerce(case((changed, latest.snapshot), else_=null()), JSON),
        )
        # A row names the person: their name and id, not their whole record.
        .options(load_only(Participant.id, Participant.first_name, Participant.last_name))
        .join(people, people.c.id == Participant.id)
        .outerjoin(IndividualPlan, IndividualPlan.participant_id == Participant.id)
        .outerjoin(
            shared,
            (shared.plan_id == IndividualPlan.id)
            & (shared.number == IndividualPlan.shared_revision_number),
        )
        .outerjoin(latest, (latest.plan_id == IndividualPlan.id) & (latest.number == latest_number))
        .order_by(Participant.last_name, Participant.first_name)
        .limit(300)
    )
    if search.strip():
        like = f"%{search.strip()}%"
        query = query.where(Participant.last_name.ilike(like) | Participant.first_name.ilike(like))
    return [
        CaseloadRow(
            person,
            status,
            due,
            unanswered or 0,
            shared_at if shared_data is not None and _differs(shared_data, latest_data) else None,
        )
        for person, status, due, unanswered, shared_at, shared_data, latest_data in (
            db.session.execute(query)
        )
    ]


def _differs(shared: dict[str, Any], current: dict[str, Any] | None) -> bool:
    """What the participant sees differs from the plan now (the advisor's notes do not count)."""
    if current is None:
        return False
    return {k: v for k, v in shared.items() if k not in PRIVATE} != {
        k: v for k, v in current.items() if k not in PRIVATE
    }


def changed_since_shared(plan: IndividualPlan, shared: dict[str, Any] | None) -> bool:
    """The plan's content is no longer the version the participant was shown (`shared`, that
    version's snapshot: plan_history.saves reads it with the plan's other revisions)."""
    if plan.shared_revision_number is None or shared is None:
        return False
    return _differs(shared, snapshot(plan))


def shown() -> list[ExecutableOption]:
    """What a plan's document shows of it (goals, actions, its advisor's name), loaded with it."""
    return [
        selectinload(IndividualPlan.goals),
        selectinload(IndividualPlan.actions),
        *loading.names(IndividualPlan.advisor),
    ]


def get_for(participant_id: int) -> IndividualPlan | None:
    """The person's plan with its goals (joined: one plan's few rows) and its actions (a
    second statement: joining both lists would multiply their rows)."""
    return (
        db.session.scalars(
            select(IndividualPlan)
            .where(IndividualPlan.participant_id == participant_id)
            .options(joinedload(IndividualPlan.goals), selectinload(IndividualPlan.actions))
        )
        .unique()
        .one_or_none()
    )


def revision(plan_id: int, number: int) -> PlanRevision:
    return loading.one(
        select(PlanRevision).where(PlanRevision.plan_id == plan_id, PlanRevision.number == number)
    )


def shared_version_for(participant_id: int) -> dict[str, Any] | None:
    """What the participant may see of their plan (see shared_version), in one statement."""
    snapshot = db.session.scalar(
        select(PlanRevision.snapshot)
        .join(IndividualPlan, PlanRevision.plan_id == IndividualPlan.id)
        .where(
            IndividualPlan.participant_id == participant_id,
            PlanRevision.number == IndividualPlan.shared_revision_number,
        )
    )
    return None if snapshot is None else _without_private(snapshot)


def shared_version(plan: IndividualPlan) -> dict[str, Any] | None:
    """What the participant may see: the shared revision, never the advisor's notes."""
    if plan.shared_revision_number is None:
        return None
    return _without_private(revision(plan.id, plan.shared_revision_number).snapshot)


def _without_private(snapshot: dict[str, Any]) -> dict[str, Any]:
    data = dict(snapshot)
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
    plan_questions.tell_advisor(plan)
    return entry
