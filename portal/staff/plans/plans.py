"""Career advisors change individual development plans and record diagnosis and counselling.

Each view validates its form and calls one service; the app commits a response below 400 and
rolls back anything else. A stale save is answered by the conflict page (409): the typed text
beside the plan as saved now. The pages themselves are in `portal.staff.plans.plan_pages`.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.forms import PortalForm
from portal.models import IndividualPlan, User
from portal.models.base import utcnow
from portal.models.enums import ActionKind, ActionStatus, CounsellingKind, GoalStatus, Role
from portal.services.common import loading
from portal.services.people import participants
from portal.services.plans import diagnosis, plan_goals, plan_history, plans
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.plans.plan_forms import (
    SECTION_FORMS,
    ActionForm,
    ActionStatusForm,
    AdvisorForm,
    DiagnosisTestForm,
    GoalForm,
    GoalStatusForm,
    ReopenForm,
    RestoreForm,
    SessionForm,
    VersionedForm,
)
from portal.staff.plans.plan_pages import (
    PLAN_STAFF,
    TITLES,
    diagnosis_test_form,
    plan_for_staff,
    render_conflict,
    render_part,
    render_plan,
)

Versioned = TypeVar("Versioned", bound=VersionedForm)


class _Move(Protocol):
    """A service that moves a plan on (share, begin, complete)."""

    def __call__(self, plan: IndividualPlan, *, actor: User, now: datetime) -> None: ...


def _on_version(form: Versioned, plan: IndividualPlan, part: str) -> Versioned:
    """The form as typed, but carrying the plan's current version and part, as if opened just
    now."""
    version = plan.version_id
    form.version.data, form.version.raw_data = version, [str(version)]
    form.base.data = plans.fingerprint(plan, part)
    return form


def _flash_refusal(form: PortalForm) -> None:
    """A small form posted from a list (a state, a restore button) has no field on the page it
    returns to: its first error is shown on top."""
    errors = [error for field in form for error in field.errors]
    flash(str(errors[0]) if errors else _("The form is damaged. Reload the page."), "error")


def _back(plan: IndividualPlan) -> ResponseReturnValue:
    """To the task list, where the confirmation is shown on top."""
    return redirect(url_for(".plan_page", participant_id=plan.participant_id))


@bp.post("/participants/<int:participant_id>/plan")
@role_required(*PLAN_STAFF)
def plan_start(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    plans.start(person, advisor=current_user, now=utcnow())
    flash(_("The plan is started as a draft."), "success")
    return redirect(url_for(".plan_page", participant_id=person.id))


@bp.post("/plans/<int:plan_id>/sections/<section>")
@role_required(*PLAN_STAFF)
def plan_section(plan_id: int, section: str) -> ResponseReturnValue:
    plan, person = plan_for_staff(plan_id)
    form = SECTION_FORMS[loading.known(section, SECTION_FORMS)](prefix=section)
    if form.validate_on_submit():
        values = {field: getattr(form, field).data for field in plans.SECTIONS[section]}
        with boundary.shown(form):
            try:
                plans.save_section(
                    plan,
                    section,
                    values,
                    version=form.version.data or 0,
                    actor=current_user,
                    now=utcnow(),
                    base=form.base.data,
                )
            except plans.PlanConflict as conflict:
                return render_conflict(conflict, person, section, values)
            flash(_("The section “%(section)s” is saved.", section=TITLES[section]), "success")
            return _back(plan)
    return render_part(person, plan, section, form, 400)


def _plan_change(
    plan_id: int,
    form: VersionedForm,
    change: Callable[[IndividualPlan], object],
    message: str,
    part: str,
) -> ResponseReturnValue:
    """Add a goal or an action: on an old version the typed form comes back, nothing lost.
    Saved, it is back on its own page (to add another), with the confirmation on top."""
    plan, person = plan_for_staff(plan_id)
    if form.validate_on_submit():
        with boundary.shown(form):
            try:
                change(plan)
            except plans.PlanConflict as conflict:
                flash(str(conflict.message), "error")
                form = _on_version(form, conflict.current, part)
                return render_part(person, conflict.current, part, form, 409)
            flash(message, "success")
            return _part(plan, part)
    return render_part(person, plan, part, form, 400)


def _part(plan: IndividualPlan, part: str) -> ResponseReturnValue:
    return redirect(url_for(f".plan_{part}_page", plan_id=plan.id))


@bp.post("/plans/<int:plan_id>/goals")
@role_required(*PLAN_STAFF)
def plan_goal_add(plan_id: int) -> ResponseReturnValue:
    form = GoalForm(prefix="goal")
    return _plan_change(
        plan_id,
        form,
        lambda plan: plan_goals.add_goal(
            plan,
            description=form.description.data,
            target_date=form.target_date.data,
            version=form.version.data or 0,
            actor=current_user,
            now=utcnow(),
            base=form.base.data,
        ),
        _("The goal is added."),
        "goals",
    )


@bp.post("/plans/<int:plan_id>/actions")
@role_required(*PLAN_STAFF)
def plan_action_add(plan_id: int) -> ResponseReturnValue:
    form = ActionForm(prefix="action")
    return _plan_change(
        plan_id,
        form,
        lambda plan: plan_goals.add_action(
            plan,
            kind=ActionKind(form.kind.data),
            description=form.description.data,
            due_date=form.due_date.data,
            responsible=form.responsible.data or "",
            version=form.version.data or 0,
            actor=current_user,
            now=utcnow(),
            base=form.base.data,
            course_assignment_id=form.course_assignment_id.data or None,
            event_id=form.event_id.data or None,
        ),
        _("The action is added."),
        "actions",
    )


def _status_change(
    plan_id: int,
    form: GoalStatusForm | ActionStatusForm,
    change: Callable[[IndividualPlan, str, int, str | None], None],
    part: str,
) -> ResponseReturnValue:
    """A state chosen on a goal's or an action's card; any refusal is shown above the list."""
    plan, _person = plan_for_staff(plan_id)
    if not form.validate_on_submit():
        _flash_refusal(form)
        return _part(plan, part)
    with boundary.shown():
        change(plan, form.status.data, form.version.data or 0, form.base.data)
        flash(_("Saved."), "success")
        return _part(plan, part)
    return _part(plan, part)


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/status")
@role_required(*PLAN_STAFF)
def plan_goal_status(plan_id: int, goal_id: int) -> ResponseReturnValue:
    return _status_change(
        plan_id,
        GoalStatusForm(),
        lambda plan, status, version, base: plan_goals.set_goal_status(
            plan,
            goal_id,
            GoalStatus(status),
            version=version,
            actor=current_user,
            now=utcnow(),
            base=base,
        ),
        "goals",
    )


@bp.post("/plans/<int:plan_id>/actions/<int:action_id>/status")
@role_required(*PLAN_STAFF)
def plan_action_status(plan_id: int, action_id: int) -> ResponseReturnValue:
    return _status_change(
        plan_id,
        ActionStatusForm(),
        lambda plan, status, version, base: plan_goals.set_action_status(
            plan,
            action_id,
            ActionStatus(status),
            version=version,
            actor=current_user,
            now=utcnow(),
            base=base,
        ),
        "actions",
    )


def _lifecycle(plan_id: int, change: _Move, message: str) -> ResponseReturnValue:
    """A button that moves the plan on; a refusal is shown above the plan."""
    plan, _person = plan_for_staff(plan_id)
    with boundary.shown():
        change(plan, actor=current_user, now=utcnow())
        flash(message, "success")
        return _back(plan)
    return _back(plan)


@bp.post("/plans/<int:plan_id>/share")
@role_required(*PLAN_STAFF)
def plan_share(plan_id: int) -> ResponseReturnValue:
    return _lifecycle(
        plan_id, plans.share, _("The participant can now see this version of the plan.")
    )


@bp.post("/plans/<int:plan_id>/begin")
@role_required(*PLAN_STAFF)
def plan_begin(plan_id: int) -> ResponseReturnValue:
    return _lifecycle(plan_id, plans.begin, _("The plan is in progress."))


@bp.post("/plans/<int:plan_id>/complete")
@role_required(*PLAN_STAFF)
def plan_complete(plan_id: int) -> ResponseReturnValue:
    return _lifecycle(plan_id, plans.complete, _("The plan is completed and read-only."))


@bp.post("/plans/<int:plan_id>/reopen")
@role_required(*PLAN_STAFF)
def plan_reopen(plan_id: int) -> ResponseReturnValue:
    plan, person = plan_for_staff(plan_id)
    form = ReopenForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            plans.reopen(plan, reason=form.reason.data, actor=current_user, now=utcnow())
            flash(_("The plan is reopened."), "success")
            return _back(plan)
    return render_plan(person, plan, 400, reason_form=form)


@bp.get("/plans/<int:plan_id>/restore/<int:number>")
@role_required(*PLAN_STAFF)
def plan_restore_confirm(plan_id: int, number: int) -> ResponseReturnValue:
    """What restoring would do, before it is done (the POST below does it)."""
    plan, person = plan_for_staff(plan_id)
    old = plans.revision(plan.id, number)
    reads.viewed(person, "plan_restore", plan.id)
    current = plan_history.history(plan.id)[0]
    return render_template(
        "staff/plans/plan_restore.html",
        plan=plan,
        person=person,
        old=old,
        current=current,
        form=RestoreForm(formdata=None, data={"version": plan.version_id}),
    )


@bp.post("/plans/<int:plan_id>/restore/<int:number>")
@role_required(*PLAN_STAFF)
def plan_restore(plan_id: int, number: int) -> ResponseReturnValue:
    plan, _person = plan_for_staff(plan_id)
    form = RestoreForm()
    if not form.validate_on_submit():
        _flash_refusal(form)
    else:
        with boundary.shown(form):
            restored = plan_history.restore(
                plan, number, version=form.version.data or 0, actor=current_user, now=utcnow()
            )
            flash(
                _(
                    "Version %(old)d is restored as version %(new)d.",
                    old=number,
                    new=restored.number,
                ),
                "success",
            )
            return _back(plan)
    return redirect(url_for(".plan_history", plan_id=plan.id))


@bp.post("/participants/<int:participant_id>/diagnosis-tests")
@role_required(*PLAN_STAFF)
def diagnosis_test_add(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    form = diagnosis_test_form(person, DiagnosisTestForm(prefix="test"))
    if form.validate_on_submit():
        with boundary.shown(form):
            diagnosis.record_test(
                person,
                test_type_id=form.test_type_id.data,
                taken_on=form.taken_on.data,
                summary=form.result_summary.data or "",
                advisor=current_user,
                now=utcnow(),
            )
            flash(_("The test is recorded."), "success")
            return redirect(url_for(".diagnosis_tests_page", participant_id=person.id))
    return render_part(person, plans.get_for(person.id), "tests", form, 400)


@bp.post("/participants/<int:participant_id>/counselling-sessions")
@role_required(*PLAN_STAFF)
def counselling_session_add(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    form = SessionForm(prefix="session")
    if form.validate_on_submit():
        with boundary.shown(form):
            diagnosis.record_session(
                person,
                kind=CounsellingKind(form.kind.data),
                held_on=form.held_on.data,
                duration_minutes=form.duration_minutes.data,
                notes=form.notes.data or "",
                advisor=current_user,
                now=utcnow(),
            )
            flash(_("The session is recorded."), "success")
            return redirect(url_for(".counselling_sessions_page", participant_id=person.id))
    return render_part(person, plans.get_for(person.id), "sessions", form, 400)


@bp.post("/participants/<int:participant_id>/advisor")
@role_required(Role.COORDINATOR)
def assign_advisor(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    form = AdvisorForm()
    advisors = participants.list_staff(person.centre_id, Role.ADVISOR)
    form.advisor_id.choices = [(0, "—")] + [(a.id, a.full_name) for a in advisors]
    if not form.validate_on_submit():
        _flash_refusal(form)
    else:
        with boundary.shown(form):
            chosen = next((a for a in advisors if a.id == form.advisor_id.data), None)
            participants.assign_advisor(person, chosen, actor=current_user)
            flash(_("The career advisor is assigned."), "success")
    return redirect(url_for(".participant_detail", participant_id=person.id))
