"""The pages of an individual plan: the plan as a task list, one page for each of its parts,
the conflict page, the history and the PDF. The changes posted from them are in
`portal.staff.plans.plans`.

The plan page holds no text form: each part (a section of text, the goals, the actions, the
diagnosis tests, the counselling sessions) is a page of its own with only its form, so saving
one part can never drop what was typed in another. The task list shows each part's state and
when it was last saved; a save comes back to it with the confirmation on top.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import formatting
from portal.auth.access import role_required
from portal.forms import PortalForm, id_from
from portal.models import CounsellingSession, DiagnosisTest, IndividualPlan, Participant
from portal.models.base import Timestamped
from portal.models.enums import ActionStatus, GoalStatus, Role
from portal.pdf import frame_of, pdf_response
from portal.services.audit import audit_trail
from portal.services.common import loading
from portal.services.people import participants
from portal.services.plans import (
    action_progress,
    diagnosis,
    plan_history,
    plan_questions,
    plans,
    progress,
)
from portal.services.support import courses
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.plans.plan_forms import (
    SECTION_FORMS,
    ActionForm,
    DiagnosisTestForm,
    GoalForm,
    ReopenForm,
    SessionForm,
    VersionedForm,
)

PLAN_STAFF = (Role.ADVISOR, Role.COORDINATOR)

TITLES = {
    "swot": _l("Own resources (SWOT)"),
    "potential": _l("Vocational potential and predispositions"),
    "market": _l("Labour-market analysis"),
    "notes": _l("Advisor's notes"),
    "goals": _l("Goals"),
    "actions": _l("Actions in the plan"),
    "tests": _l("Diagnosis tests"),
    "sessions": _l("Counselling sessions"),
}
NOT_STARTED, IN_PROGRESS, COMPLETED = "not-started", "in-progress", "completed"
STATES = {
    NOT_STARTED: _l("Not yet started"),
    IN_PROGRESS: _l("In progress"),
    COMPLETED: _l("Completed"),
}


@dataclass
class Task:
    name: str
    title: str
    href: str
    state: str
    saved_at: datetime | None = None
    count: int | None = None

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])


def plan_for_staff(plan_id: int, *, shown: bool = False) -> tuple[IndividualPlan, Participant]:
    """The plan and its person, if the signed-in staff member may see the person (else 404);
    `shown`: with what its document shows of it."""
    plan = loading.of_centre(
        IndividualPlan, plan_id, current_user.centre_id, options=plans.shown() if shown else ()
    )
    return plan, participants.get_for_staff(current_user, plan.participant_id)


def opened_on(plan: IndividualPlan, part: str) -> dict[str, object]:
    """What a form of one part carries to be locked on its own: the plan's version and the
    part's fingerprint as the form shows it."""
    return {"version": plan.version_id, "base": plans.fingerprint(plan, part)}


def section_forms(
    plan: IndividualPlan, posted: str | None = None, posted_form: VersionedForm | None = None
) -> dict[str, VersionedForm]:
    """Each section's form with what is saved; the one just posted as it was typed."""
    forms: dict[str, VersionedForm] = {}
    for name, form_class in SECTION_FORMS.items():
        data: dict[str, object] = {
            "version": plan.version_id,
            "base": plans.fingerprint(plan, name),
        }
        for field in plans.SECTIONS[name]:
            value = getattr(plan, field)
            data[field] = "\n".join(value) if isinstance(value, list) else value
        if name == posted and posted_form is not None:
            forms[name] = posted_form
        else:
            forms[name] = form_class(None, prefix=name, data=data)
    return forms


def _last_saved(saves: plan_history.Saves) -> dict[str, datetime]:
    """When each part of the plan was last saved, from its revisions (newest first)."""
    found: dict[str, datetime] = {}
    owner = {field: name for name, fields in plans.SECTIONS.items() for field in fields}
    for created_at, changes in saves.changes:
        for key in changes:
            part = owner.get(key) or {"goal": "goals", "action": "actions"}.get(key.split()[0])
            if part is not None:
                found.setdefault(part, created_at)
    return found


def _text_state(plan: IndividualPlan, section: str) -> str:
    filled = [bool(getattr(plan, field)) for field in plans.SECTIONS[section]]
    return COMPLETED if all(filled) else IN_PROGRESS if any(filled) else NOT_STARTED


def tasks(
    person: Participant,
    plan: IndividualPlan | None,
    tests: Sequence[DiagnosisTest],
    sessions: Sequence[CounsellingSession],
    saves: plan_history.Saves | None,
) -> list[Task]:
    """The task list: a text section is completed when all its fields are filled, in progress
    when some are; a list (goals, actions, tests, sessions) is completed once it has an entry."""
    saved = _last_saved(saves) if saves is not None else {}
    found: list[Task] = []
    if plan is not None:
        for name in plans.SECTIONS:
            href = url_for(".plan_section_page", plan_id=plan.id, section=name)
            state = _text_state(plan, name)
            found.append(Task(name, str(TITLES[name]), href, state, saved.get(name)))
        for name, items in (("goals", plan.goals), ("actions", plan.actions)):
            href = url_for(f".plan_{name}_page", plan_id=plan.id)
            state = COMPLETED if items else NOT_STARTED
            found.append(Task(name, str(TITLES[name]), href, state, saved.get(name), len(items)))
    for name, recorded, endpoint in (
        ("tests", tests, ".diagnosis_tests_page"),
        ("sessions", sessions, ".counselling_sessions_page"),
    ):
        href = url_for(endpoint, participant_id=person.id)
        state = COMPLETED if recorded else NOT_STARTED
        # Not in the plan's revisions: a test or a session was last saved when its row was.
        last = last_saved(recorded)
        found.append(Task(name, str(TITLES[name]), href, state, last, len(recorded)))
    return found


def last_saved(records: Sequence[Timestamped]) -> datetime | None:
    """When the newest of these rows was saved (None for none), so that a part just saved
    never reads "Last saved: —"."""
    return max((record.updated_at for record in records), default=None)


def render_plan(
    person: Participant, plan: IndividualPlan | None, status: int = 200, **forms: PortalForm
) -> tuple[str, int]:
    """The task list of the plan (or the button that starts it)."""
    tests, sessions = diagnosis.list_for_participant(person.id)
    assignments = courses.list_for_participant(person.id)
    saves = plan_history.saves(plan) if plan is not None else None
    context: dict[str, object] = {
        "person": person,
        "plan": plan,
        "tasks": tasks(person, plan, tests, sessions, saves),
        "assignments": assignments,
        "reason_form": forms.pop("reason_form", None) or ReopenForm(formdata=None),
    }
    if plan is not None and saves is not None:
        # What this page read already is handed on, never read a second time.
        context["progress"] = progress.get_for(
            person.id, counselling=sessions, assignments=assignments
        )
        context["questions"] = plan_questions.of_plan(plan.id)
        context["changed_since_shared"] = plans.changed_since_shared(plan, saves.shared_snapshot)
    return render_template("staff/plans/plan.html", **context), status


def render_part(
    person: Participant,
    plan: IndividualPlan | None,
    part: str,
    form: PortalForm,
    status: int = 200,
) -> tuple[str, int]:
    """One part of the plan on its own page: what it holds so far and its one form."""
    context: dict[str, object] = {
        "person": person,
        "plan": plan,
        "part": part,
        "title": TITLES[part],
    }
    context["form"] = form
    if part in ("goals", "actions") and plan is not None:
        # The state forms on the cards are locked on this part, like the form below them.
        context["base"] = plans.fingerprint(plan, part)
    if part == "goals" and plan is not None:
        context |= {"items": plan.goals, "statuses": GoalStatus}
    elif part == "actions" and plan is not None:
        if isinstance(form, ActionForm):
            _offer_named(form, person)
        found = progress.get_for(person.id)
        context |= {
            "items": plan.actions,
            "statuses": ActionStatus,
            "evidence": progress.action_evidence(plan, found),
        }
    elif part in ("tests", "sessions"):
        tests, sessions = diagnosis.list_for_participant(person.id)
        context["items"] = tests if part == "tests" else sessions
    return render_template("staff/plans/plan_section.html", **context), status


def _offer_named(form: ActionForm, person: Participant) -> None:
    """The person's open courses and coming sessions, for an action to stand for."""
    assignments, events = action_progress.linkable(person.id)
    form.course_assignment_id.choices = [(0, "—")] + [(a.id, a.course.name) for a in assignments]
    form.event_id.choices = [(0, "—")] + [
        (e.id, f"{e.title}, {formatting.date_time(e.starts_at)}") for e in events
    ]


def diagnosis_test_form(
    person: Participant, form: DiagnosisTestForm | None = None
) -> DiagnosisTestForm:
    """The diagnosis test form (empty, or the one posted) with the centre's tests to choose."""
    form = form or DiagnosisTestForm(formdata=None, prefix="test")
    form.test_type_id.choices = [(t.id, t.name) for t in diagnosis.test_types(person.centre_id)]
    return form


def render_conflict(
    conflict: plans.PlanConflict, person: Participant, section: str, mine: dict[str, Any]
) -> tuple[str, int]:
    """Both texts side by side, and the form again with what was typed, on the current version.

    Rendered before the app rolls the request back (409): the plan was re-read under lock
    when the conflict was found, so it shows what is saved now.
    """
    current = conflict.current
    retry = SECTION_FORMS[section](
        formdata=None,
        prefix=section,
        data=mine | {"version": current.version_id, "base": plans.fingerprint(current, section)},
    )
    return render_template(
        "staff/plans/plan_conflict.html",
        plan=current,
        person=person,
        section=section,
        form=retry,
        mine=mine,
        theirs={field: getattr(current, field) for field in plans.SECTIONS[section]},
        message=conflict.message,
    ), 409


@bp.get("/participants/<int:participant_id>/plan")
@role_required(*PLAN_STAFF)
def plan_page(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    plan = plans.get_for(person.id)
    reads.viewed(person, "plan", plan.id if plan is not None else None)
    return render_plan(person, plan)


@bp.get("/plans/<int:plan_id>/sections/<section>")
@role_required(*PLAN_STAFF)
def plan_section_page(plan_id: int, section: str) -> ResponseReturnValue:
    plan, person = plan_for_staff(plan_id)
    loading.known(section, SECTION_FORMS)
    reads.viewed(person, "plan_part", plan.id)
    return render_part(person, plan, section, section_forms(plan)[section])


@bp.get("/plans/<int:plan_id>/goals")
@role_required(*PLAN_STAFF)
def plan_goals_page(plan_id: int) -> ResponseReturnValue:
    plan, person = plan_for_staff(plan_id)
    reads.viewed(person, "plan_part", plan.id)
    form = GoalForm(formdata=None, prefix="goal", data=opened_on(plan, "goals"))
    return render_part(person, plan, "goals", form)


@bp.get("/plans/<int:plan_id>/actions")
@role_required(*PLAN_STAFF)
def plan_actions_page(plan_id: int) -> ResponseReturnValue:
    plan, person = plan_for_staff(plan_id)
    reads.viewed(person, "plan_part", plan.id)
    form = ActionForm(formdata=None, prefix="action", data=opened_on(plan, "actions"))
    return render_part(person, plan, "actions", form)


@bp.get("/participants/<int:participant_id>/diagnosis-tests")
@role_required(*PLAN_STAFF)
def diagnosis_tests_page(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "diagnosis")
    form = diagnosis_test_form(person)
    return render_part(person, plans.get_for(person.id), "tests", form)


@bp.get("/participants/<int:participant_id>/counselling-sessions")
@role_required(*PLAN_STAFF)
def counselling_sessions_page(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "counselling")
    form = SessionForm(formdata=None, prefix="session")
    return render_part(person, plans.get_for(person.id), "sessions", form)


@bp.get("/plans/<int:plan_id>/history", endpoint="plan_history")
@role_required(*PLAN_STAFF)
def history_page(plan_id: int) -> ResponseReturnValue:
    plan, person = plan_for_staff(plan_id)
    reads.viewed(person, "plan_history", plan.id)
    compared = None
    if "a" in request.args or "b" in request.args:
        a, b = id_from(request.args.get("a")), id_from(request.args.get("b"))
        compared = plan_history.compared(plan.id, a, b)
    revisions = plan_history.history(plan.id)
    return render_template(
        "staff/plans/plan_history.html",
        plan=plan,
        revisions=revisions,
        reasons=action_progress.reasons(revisions),
        compared=compared,
        person=person,
    )


@bp.get("/plans/<int:plan_id>/plan.pdf")
@role_required(*PLAN_STAFF)
def plan_pdf(plan_id: int) -> ResponseReturnValue:
    plan, person = plan_for_staff(plan_id, shown=True)
    audit_trail.record_download(plan, actor=current_user, document="plan", file_format="pdf")
    return pdf_response(
        "pdf/plan.html",
        f"iprz-{plan.id}.pdf",
        frame=frame_of(plan.centre_id, [person.project], version=plans.latest_number(plan.id)),
        plan=plan,
        person=person,
        tests=diagnosis.list_for_participant(person.id)[0],
        assignments=courses.list_for_participant(plan.participant_id),
    )
