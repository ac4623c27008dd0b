"""Staff pages: the coordinator's dashboard, participants, accounts and (for admins) centres."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import role_required
from portal.extensions import db
from portal.models import Centre, Village
from portal.models.base import utcnow
from portal.models.enums import STAFF_ROLES, CentreKind, Role
from portal.services import (
    account_requests,
    accounts,
    audit,
    budget,
    centres,
    courses,
    participants,
    plans,
)
from portal.services.errors import NotFound, PortalError
from portal.staff import bp
from portal.staff.event_forms import ReasonForm
from portal.staff.forms import CentreForm, ParticipantForm, StaffUserForm
from portal.staff.money_forms import CourseCompletionForm, CourseForm, DropForm
from portal.staff.plan_forms import AdvisorForm


def show_error(form, error: PortalError) -> None:
    """Put a rule's refusal next to the field it concerns, or on top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "error")


@bp.get("/")
@role_required(Role.COORDINATOR, Role.ADMIN)
def dashboard():
    centre_id = current_user.centre_id
    return render_template(
        "staff/dashboard.html",
        stages=budget.stages_with_lines(centre_id),
        counts=participants.path_counts(centre_id),
        totals=budget.line_totals,
    )


@bp.get("/participants", endpoint="participants")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER, Role.ADMIN)
def participants_list():
    search = request.args.get("q", "")[:100]
    people = participants.list_for_staff(current_user, search=search)
    return render_template("staff/participants.html", people=people, search=search)


@bp.get("/caseload")
@role_required(Role.ADVISOR, Role.COORDINATOR)
def caseload():
    search = request.args.get("q", "")[:100]
    return render_template(
        "staff/caseload.html", rows=plans.caseload(current_user, search=search), search=search
    )


def _participant_form() -> ParticipantForm:
    form = ParticipantForm()
    centre_id = current_user.centre_id
    form.village_id.choices = [(0, _("— none —"))] + [
        (v.id, v.name) for v in participants.list_villages(centre_id)
    ]
    form.advisor_id.choices = [(0, _("— none —"))] + [
        (u.id, u.full_name) for u in participants.list_staff(centre_id, Role.ADVISOR)
    ]
    return form


@bp.route("/participants/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def participant_new():
    form = _participant_form()
    if form.validate_on_submit():
        centre = db.session.get(Centre, current_user.centre_id)
        project = participants.current_project(centre.id)
        if project is None:
            flash(_("The centre has no project yet."), "error")
            return render_template("staff/participant_new.html", form=form)
        advisor = (
            participants.get_staff_member(centre.id, form.advisor_id.data, Role.ADVISOR)
            if form.advisor_id.data
            else None
        )
        village = (
            centres.get_owned(Village, form.village_id.data, centre.id)
            if form.village_id.data
            else None
        )
        try:
            person = participants.create_participant(
                centre=centre,
                project=project,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                pesel_number=form.pesel.data or None,
                village=village,
                on_contract_path=form.on_contract_path.data,
                on_pal_path=form.on_pal_path.data,
                advisor=advisor,
                social_worker=current_user if current_user.has_role(Role.SOCIAL_WORKER) else None,
                actor=current_user,
            )
            if form.email.data:
                user = participants.create_account(
                    person, email=form.email.data, actor=current_user
                )
                accounts.invite(user, actor=current_user)
        except PortalError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The participant has been recorded."), "success")
            return redirect(url_for("staff.participant_detail", participant_id=person.id))
    return render_template("staff/participant_new.html", form=form)


@bp.get("/participants/<int:participant_id>")
def participant_detail(participant_id: int):
    try:
        person = participants.get_for_staff(current_user, participant_id)
    except NotFound:
        abort(404)
    return detail_page(person, pesel_shown=False)


def detail_page(person, *, pesel_shown: bool = False, course_form: CourseForm | None = None):
    """The participant's page for staff; a course form sent back with its errors is kept."""
    course_form = course_form or CourseForm()
    course_form.course_id.choices = [(c.id, c.name) for c in courses.catalogue(person.centre_id)]
    return render_template(
        "staff/participant_detail.html",
        person=person,
        pesel_shown=pesel_shown,
        assignments=courses.list_for_participant(person.id),
        course_form=course_form,
        completion_form=CourseCompletionForm(),
        drop_form=DropForm(),
        advisor_form=_advisor_form(person),
    )


def _advisor_form(person) -> AdvisorForm:
    form = AdvisorForm(advisor_id=person.advisor_id or 0)
    form.advisor_id.choices = [(0, "—")] + [
        (a.id, a.full_name) for a in participants.list_staff(person.centre_id, Role.ADVISOR)
    ]
    return form


@bp.post("/participants/<int:participant_id>/pesel")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def participant_pesel(participant_id: int):
    """Show the full PESEL once, to staff who need it; the viewing is recorded (ASVS 8.3.5)."""
    try:
        person = participants.get_for_staff(current_user, participant_id)
    except NotFound:
        abort(404)
    audit.record("participant.pesel_viewed", person, actor=current_user)
    db.session.commit()
    return detail_page(person, pesel_shown=True)


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.COORDINATOR, Role.ADMIN)
def users():
    if current_user.centre_id is None:
        abort(404)  # an installation administrator without a centre has no staff of its own
    form = StaffUserForm()
    centre = db.session.get(Centre, current_user.centre_id)
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                email=form.email.data,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                roles={Role(value) for value in form.roles.data},
                centre=centre,
                actor=current_user,
            )
            accounts.invite(user, actor=current_user)
        except PortalError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The account has been created and an invitation sent."), "success")
            return redirect(url_for("staff.users"))
    staff = participants.list_staff(centre.id, *STAFF_ROLES)
    return render_template("staff/users.html", form=form, staff=staff)


@bp.route("/centres", methods=["GET", "POST"], endpoint="centres")
@role_required(Role.ADMIN)
def centres_view():
    form = CentreForm()
    if form.validate_on_submit():
        try:
            centre = centres.create_centre(
                name=form.name.data,
                short_name=form.short_name.data,
                kind=CentreKind(form.kind.data),
                town=form.town.data,
                actor=current_user,
            )
            coordinator = accounts.create_user(
                email=form.coordinator_email.data,
                first_name=form.coordinator_first_name.data,
                last_name=form.coordinator_last_name.data,
                roles={Role.COORDINATOR},
                centre=centre,
                actor=current_user,
            )
            accounts.invite(coordinator, actor=current_user)
        except PortalError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The centre has been created and its coordinator invited."), "success")
            return redirect(url_for("staff.centres"))
    return render_template("staff/centres.html", form=form, centres=centres.list_centres())


@bp.get("/account-requests", endpoint="account_requests")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def account_requests_list():
    return render_template(
        "staff/account_requests.html",
        requests=account_requests.list_pending(current_user.centre_id),
        form=ReasonForm(),
    )


@bp.post("/account-requests/<int:request_id>/accept")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def account_request_accept(request_id: int):
    try:
        user = account_requests.accept(
            request_id, current_user.centre_id, actor=current_user, now=utcnow()
        )
    except NotFound:
        abort(404)
    except PortalError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(
            _("%(name)s is recorded and has been sent an invitation.", name=user.full_name),
            "success",
        )
    return redirect(url_for("staff.account_requests"))


@bp.post("/account-requests/<int:request_id>/refuse")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def account_request_refuse(request_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Enter the reason for refusing."), "error")
        return redirect(url_for("staff.account_requests"))
    try:
        account_requests.refuse(
            request_id,
            current_user.centre_id,
            reason=form.reason.data,
            actor=current_user,
            now=utcnow(),
        )
    except NotFound:
        abort(404)
    except PortalError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The request is refused and the person has been told."), "success")
    return redirect(url_for("staff.account_requests"))
