"""Career advisors keep individual development plans, diagnosis tests and counselling."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import role_required
from portal.extensions import db
from portal.http import attempt
from portal.models import IndividualPlan, Participant
from portal.models.base import utcnow
from portal.models.enums import ActionKind, ActionStatus, CounsellingKind, GoalStatus, Role
from portal.pdf import pdf_response
from portal.services import courses, participants, plans
from portal.services.errors import NotFound, PortalError
from portal.staff import bp
from portal.staff.event_forms import ReasonForm
from portal.staff.plan_forms import (
    SECTION_FORMS,
    ActionForm,
    AdvisorForm,
    DiagnosisTestForm,
    GoalForm,
    SessionForm,
)
from portal.staff.views import show_error

PLAN_STAFF = (Role.ADVISOR, Role.COORDINATOR)


def _person(participant_id: int) -> Participant:
    try:
        return participants.get_for_staff(current_user, participant_id)
    except NotFound:
        abort(404)


def _plan(plan_id: int) -> IndividualPlan:
    try:
        plan = plans.get(current_user.centre_id, plan_id)
        participants.get_for_staff(current_user, plan.participant_id)
    except NotFound:
        abort(404)
    return plan


def _section_forms(plan: IndividualPlan, posted: str | None = None, posted_form=None) -> dict:
    forms = {}
    for name, form_class in SECTION_FORMS.items():
        if name == posted:
            forms[name] = posted_form
            continue
        form = form_class(formdata=None, prefix=name)
        for field in plans.SECTIONS[name]:
            value = getattr(plan, field)
            getattr(form, field).data = "\n".join(value) if isinstance(value, list) else value
        form.version.data = str(plan.version_id)
        forms[name] = form
    return forms


def _plan_page(person: Participant, plan: IndividualPlan | None, status: int = 200, **forms):
    tests, sessions = plans.diagnosis(person.id)
    test_form = forms.pop("test_form", None) or DiagnosisTestForm(prefix="test")
    test_form.test_type_id.choices = [(t.id, t.name) for t in plans.test_types(person.centre_id)]
    context = {
        "person": person,
        "plan": plan,
        "tests": tests,
        "sessions": sessions,
        "test_form": test_form,
        "session_form": forms.pop("session_form", None) or SessionForm(prefix="session"),
        "assignments": courses.list_for_participant(person.id),
        "reason_form": ReasonForm(),
    }
    if plan is not None:
        found = plans.progress(person.id)
        version = str(plan.version_id)
        goal_form = forms.pop("goal_form", None) or GoalForm(prefix="goal", version=version)
        action_form = forms.pop("action_form", None) or ActionForm(prefix="action", version=version)
        context |= {
            "sections": forms.pop("sections", None) or _section_forms(plan),
            "goal_form": goal_form,
            "action_form": action_form,
            "progress": found,
            "evidence": plans.action_evidence(plan, found),
            "comments": plans.comments(plan.id),
            "goal_statuses": GoalStatus,
            "action_statuses": ActionStatus,
        }
    return render_template("staff/plan.html", **context), status


@bp.get("/participants/<int:participant_id>/plan")
@role_required(*PLAN_STAFF)
def plan_page(participant_id: int):
    person = _person(participant_id)
    return _plan_page(person, plans.get_for(person.id))


@bp.post("/participants/<int:participant_id>/plan")
@role_required(*PLAN_STAFF)
def plan_start(participant_id: int):
    person = _person(participant_id)
    plans.start(person, advisor=current_user, now=utcnow())
    db.session.commit()
    flash(_("The plan is started as a draft."), "success")
    return redirect(url_for(".plan_page", participant_id=person.id))


def _back(plan: IndividualPlan, anchor: str = ""):
    return redirect(url_for(".plan_page", participant_id=plan.participant_id) + anchor)


@bp.post("/plans/<int:plan_id>/sections/<section>")
@role_required(*PLAN_STAFF)
def plan_section(plan_id: int, section: str):
    plan = _plan(plan_id)
    if section not in SECTION_FORMS:
        abort(404)
    form = SECTION_FORMS[section](prefix=section)
    person = db.session.get(Participant, plan.participant_id)
    if not form.validate_on_submit():
        return _plan_page(person, plan, 400, sections=_section_forms(plan, section, form))
    values = {field: getattr(form, field).data for field in plans.SECTIONS[section]}
    try:
        plans.save_section(
            plan,
            section,
            values,
            version=int(form.version.data or 0),
            actor=current_user,
            now=utcnow(),
        )
    except plans.PlanConflict as conflict:
        db.session.rollback()
        current = db.session.get(IndividualPlan, conflict.current.id)
        db.session.refresh(current)
        retry = SECTION_FORMS[section](formdata=None, prefix=section)
        for field in plans.SECTIONS[section]:
            getattr(retry, field).data = values[field]
        retry.version.data = str(current.version_id)
        theirs = {field: getattr(current, field) for field in plans.SECTIONS[section]}
        return render_template(
            "staff/plan_conflict.html",
            plan=current,
            person=person,
            section=section,
            form=retry,
            mine=values,
            theirs=theirs,
            message=conflict.message,
        ), 409
    except PortalError as error:
        db.session.rollback()
        show_error(form, error)
        return _plan_page(person, plan, 400, sections=_section_forms(plan, section, form))
    db.session.commit()
    flash(_("Saved."), "success")
    return _back(plan, f"#section-{section}")


def _plan_change(plan: IndividualPlan, form, action, message: str, anchor: str, form_key: str):
    person = db.session.get(Participant, plan.participant_id)
    if not form.validate_on_submit():
        return _plan_page(person, plan, 400, **{form_key: form})
    try:
        action()
    except plans.PlanConflict as conflict:
        # Nothing typed is lost: the form comes back as sent, on the current version.
        db.session.rollback()
        flash(str(conflict.message), "error")
        current = db.session.get(IndividualPlan, plan.id)
        form.version.data = str(current.version_id)
        return _plan_page(person, current, 409, **{form_key: form})
    except PortalError as error:
        db.session.rollback()
        show_error(form, error)
        return _plan_page(person, plan, 400, **{form_key: form})
    db.session.commit()
    flash(message, "success")
    return _back(plan, anchor)


@bp.post("/plans/<int:plan_id>/goals")
@role_required(*PLAN_STAFF)
def plan_goal_add(plan_id: int):
    plan = _plan(plan_id)
    form = GoalForm(prefix="goal")
    return _plan_change(
        plan,
        form,
        lambda: plans.add_goal(
            plan,
            description=form.description.data,
            target_date=form.target_date.data,
            version=int(form.version.data or 0),
            actor=current_user,
            now=utcnow(),
        ),
        _("The goal is added."),
        "#goals",
        "goal_form",
    )


@bp.post("/plans/<int:plan_id>/actions")
@role_required(*PLAN_STAFF)
def plan_action_add(plan_id: int):
    plan = _plan(plan_id)
    form = ActionForm(prefix="action")
    return _plan_change(
        plan,
        form,
        lambda: plans.add_action(
            plan,
            kind=ActionKind(form.kind.data),
            description=form.description.data,
            due_date=form.due_date.data,
            responsible=form.responsible.data or "",
            version=int(form.version.data or 0),
            actor=current_user,
            now=utcnow(),
        ),
        _("The action is added."),
        "#actions",
        "action_form",
    )


def _status_change(plan: IndividualPlan, change, anchor: str):
    version = request.form.get("version", type=int) or 0
    try:
        change(version)
    except (ValueError, PortalError) as error:
        db.session.rollback()
        flash(str(getattr(error, "message", _("Choose a state."))), "error")
    else:
        db.session.commit()
        flash(_("Saved."), "success")
    return _back(plan, anchor)


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/status")
@role_required(*PLAN_STAFF)
def plan_goal_status(plan_id: int, goal_id: int):
    plan = _plan(plan_id)
    return _status_change(
        plan,
        lambda version: plans.set_goal_status(
            plan,
            goal_id,
            GoalStatus(request.form.get("status", "")),
            version=version,
            actor=current_user,
            now=utcnow(),
        ),
        "#goals",
    )


@bp.post("/plans/<int:plan_id>/actions/<int:action_id>/status")
@role_required(*PLAN_STAFF)
def plan_action_status(plan_id: int, action_id: int):
    plan = _plan(plan_id)
    return _status_change(
        plan,
        lambda version: plans.set_action_status(
            plan,
            action_id,
            ActionStatus(request.form.get("status", "")),
            version=version,
            actor=current_user,
            now=utcnow(),
        ),
        "#actions",
    )


def _lifecycle(plan_id: int, change, message: str):
    plan = _plan(plan_id)
    attempt(lambda: change(plan), message)
    return _back(plan)


@bp.post("/plans/<int:plan_id>/share")
@role_required(*PLAN_STAFF)
def plan_share(plan_id: int):
    return _lifecycle(
        plan_id,
        lambda p: plans.share(p, actor=current_user, now=utcnow()),
        _("The participant can now see this version of the plan."),
    )


@bp.post("/plans/<int:plan_id>/begin")
@role_required(*PLAN_STAFF)
def plan_begin(plan_id: int):
    return _lifecycle(
        plan_id,
        lambda p: plans.begin(p, actor=current_user, now=utcnow()),
        _("The plan is in progress."),
    )


@bp.post("/plans/<int:plan_id>/complete")
@role_required(*PLAN_STAFF)
def plan_complete(plan_id: int):
    return _lifecycle(
        plan_id,
        lambda p: plans.complete(p, actor=current_user, now=utcnow()),
        _("The plan is completed and read-only."),
    )


@bp.post("/plans/<int:plan_id>/reopen")
@role_required(*PLAN_STAFF)
def plan_reopen(plan_id: int):
    reason = request.form.get("reason", "")
    return _lifecycle(
        plan_id,
        lambda p: plans.reopen(p, reason=reason, actor=current_user, now=utcnow()),
        _("The plan is reopened."),
    )


@bp.get("/plans/<int:plan_id>/history")
@role_required(*PLAN_STAFF)
def plan_history(plan_id: int):
    plan = _plan(plan_id)
    revisions = plans.history(plan.id)
    compared = None
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a and b:
        try:
            older, newer = sorted(
                (plans.revision(plan.id, a), plans.revision(plan.id, b)), key=lambda r: r.number
            )
        except NotFound:
            abort(404)
        compared = (older, newer, plans.compare(older, newer))
    return render_template(
        "staff/plan_history.html",
        plan=plan,
        revisions=revisions,
        compared=compared,
        person=db.session.get(Participant, plan.participant_id),
    )


@bp.post("/plans/<int:plan_id>/restore/<int:number>")
@role_required(*PLAN_STAFF)
def plan_restore(plan_id: int, number: int):
    plan = _plan(plan_id)
    version = request.form.get("version", type=int) or 0
    try:
        restored = plans.restore(plan, number, version=version, actor=current_user, now=utcnow())
    except NotFound:
        abort(404)
    except PortalError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".plan_history", plan_id=plan.id))
    db.session.commit()
    flash(
        _("Version %(old)d is restored as version %(new)d.", old=number, new=restored.number),
        "success",
    )
    return _back(plan)


@bp.get("/plans/<int:plan_id>/plan.pdf")
@role_required(*PLAN_STAFF)
def plan_pdf(plan_id: int):
    plan = _plan(plan_id)
    return pdf_response(
        "pdf/plan.html",
        f"iprz-{plan.id}.pdf",
        plan=plan,
        person=db.session.get(Participant, plan.participant_id),
        assignments=courses.list_for_participant(plan.participant_id),
    )


@bp.post("/participants/<int:participant_id>/diagnosis-tests")
@role_required(*PLAN_STAFF)
def diagnosis_test_add(participant_id: int):
    person = _person(participant_id)
    form = DiagnosisTestForm(prefix="test")
    form.test_type_id.choices = [(t.id, t.name) for t in plans.test_types(person.centre_id)]
    plan = plans.get_for(person.id)
    if form.validate_on_submit():
        try:
            plans.record_test(
                person,
                test_type_id=form.test_type_id.data,
                taken_on=form.taken_on.data,
                summary=form.result_summary.data or "",
                advisor=current_user,
                now=utcnow(),
            )
        except PortalError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The test is recorded."), "success")
            return redirect(url_for(".plan_page", participant_id=person.id) + "#diagnosis")
    return _plan_page(person, plan, 400, test_form=form)


@bp.post("/participants/<int:participant_id>/counselling-sessions")
@role_required(*PLAN_STAFF)
def counselling_session_add(participant_id: int):
    person = _person(participant_id)
    form = SessionForm(prefix="session")
    plan = plans.get_for(person.id)
    if form.validate_on_submit():
        try:
            plans.record_session(
                person,
                kind=CounsellingKind(form.kind.data),
                held_on=form.held_on.data,
                duration_minutes=form.duration_minutes.data,
                notes=form.notes.data or "",
                advisor=current_user,
                now=utcnow(),
            )
        except PortalError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The session is recorded."), "success")
            return redirect(url_for(".plan_page", participant_id=person.id) + "#diagnosis")
    return _plan_page(person, plan, 400, session_form=form)


@bp.post("/participants/<int:participant_id>/advisor")
@role_required(Role.COORDINATOR)
def assign_advisor(participant_id: int):
    person = _person(participant_id)
    form = AdvisorForm()
    advisors = participants.list_staff(person.centre_id, Role.ADVISOR)
    form.advisor_id.choices = [(0, "—")] + [(a.id, a.full_name) for a in advisors]
    if form.validate_on_submit():
        participants.assign_advisor(
            person,
            next((a for a in advisors if a.id == form.advisor_id.data), None),
            actor=current_user,
        )
        db.session.commit()
        flash(_("The career advisor is assigned."), "success")
    return redirect(url_for(".participant_detail", participant_id=person.id))
