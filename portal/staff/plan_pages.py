"""The pages of an individual plan: the plan with its forms, the conflict page, the history
and the PDF. The changes posted from them are in `portal.staff.plans`."""

from flask import render_template, request
from flask_login import current_user

from portal.auth.access import role_required
from portal.forms import id_from
from portal.models import IndividualPlan, Participant
from portal.models.enums import ActionStatus, GoalStatus, Role
from portal.pdf import frame_of, pdf_response
from portal.services import courses, diagnosis, participants, plan_history, plans, progress
from portal.staff import bp
from portal.staff.plan_forms import (
    SECTION_FORMS,
    ActionForm,
    DiagnosisTestForm,
    GoalForm,
    ReopenForm,
    SessionForm,
)

PLAN_STAFF = (Role.ADVISOR, Role.COORDINATOR)


def plan_for_staff(plan_id: int) -> tuple[IndividualPlan, Participant]:
    """The plan and its person, if the signed-in staff member may see the person (else 404)."""
    plan = plans.get(current_user.centre_id, plan_id)
    return plan, participants.get_for_staff(current_user, plan.participant_id)


def section_forms(plan: IndividualPlan, posted: str | None = None, posted_form=None) -> dict:
    """Each section's form with what is saved; the one just posted as it was typed."""
    forms = {}
    for name, form_class in SECTION_FORMS.items():
        data = {"version": plan.version_id}
        for field in plans.SECTIONS[name]:
            value = getattr(plan, field)
            data[field] = "\n".join(value) if isinstance(value, list) else value
        forms[name] = posted_form if name == posted else form_class(None, prefix=name, data=data)
    return forms


def render_plan(person: Participant, plan: IndividualPlan | None, status: int = 200, **forms):
    tests, sessions = diagnosis.list_for_participant(person.id)
    test_form = forms.pop("test_form", None) or DiagnosisTestForm(prefix="test")
    test_form.test_type_id.choices = [
        (t.id, t.name) for t in diagnosis.test_types(person.centre_id)
    ]
    context = {
        "person": person,
        "plan": plan,
        "tests": tests,
        "sessions": sessions,
        "test_form": test_form,
        "session_form": forms.pop("session_form", None) or SessionForm(prefix="session"),
        "assignments": courses.list_for_participant(person.id),
        "reason_form": forms.pop("reason_form", None) or ReopenForm(formdata=None),
    }
    if plan is not None:
        found = progress.get_for(person.id)
        version = {"version": plan.version_id}
        context |= {
            "sections": forms.pop("sections", None) or section_forms(plan),
            "goal_form": forms.pop("goal_form", None)
            or GoalForm(formdata=None, prefix="goal", data=version),
            "action_form": forms.pop("action_form", None)
            or ActionForm(formdata=None, prefix="action", data=version),
            "progress": found,
            "evidence": progress.action_evidence(plan, found),
            "comments": plans.comments(plan.id),
            "goal_statuses": GoalStatus,
            "action_statuses": ActionStatus,
        }
    return render_template("staff/plan.html", **context), status


def render_conflict(conflict: plans.PlanConflict, person: Participant, section: str, mine: dict):
    """Both texts side by side, and the form again with what was typed, on the current version.

    Rendered before the app rolls the request back (409): the plan was re-read under lock
    when the conflict was found, so it shows what is saved now.
    """
    current = conflict.current
    retry = SECTION_FORMS[section](
        formdata=None, prefix=section, data=mine | {"version": current.version_id}
    )
    return render_template(
        "staff/plan_conflict.html",
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
def plan_page(participant_id: int):
    person = participants.get_for_staff(current_user, participant_id)
    return render_plan(person, plans.get_for(person.id))


@bp.get("/plans/<int:plan_id>/history", endpoint="plan_history")
@role_required(*PLAN_STAFF)
def history_page(plan_id: int):
    plan, person = plan_for_staff(plan_id)
    compared = None
    if "a" in request.args or "b" in request.args:
        a, b = id_from(request.args.get("a")), id_from(request.args.get("b"))
        compared = plan_history.compared(plan.id, a, b)
    return render_template(
        "staff/plan_history.html",
        plan=plan,
        revisions=plan_history.history(plan.id),
        compared=compared,
        person=person,
    )


@bp.get("/plans/<int:plan_id>/plan.pdf")
@role_required(*PLAN_STAFF)
def plan_pdf(plan_id: int):
    plan, person = plan_for_staff(plan_id)
    return pdf_response(
        "pdf/plan.html",
        f"iprz-{plan.id}.pdf",
        frame=frame_of(plan.centre_id, [person.project], version=plan.version_id),
        plan=plan,
        person=person,
        tests=diagnosis.list_for_participant(person.id)[0],
        assignments=courses.list_for_participant(plan.participant_id),
    )
