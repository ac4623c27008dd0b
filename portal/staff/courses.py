"""Courses proposed to a participant, enrolled (charged to the course line), completed, dropped."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import role_required
from portal.extensions import db
from portal.http import attempt, flash_form_errors
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services import courses, money, participants
from portal.services.errors import NotFound, PortalError
from portal.staff import bp
from portal.staff.money_forms import CourseCompletionForm, CourseForm, DropForm
from portal.staff.views import detail_page, show_error

COURSE_STAFF = (Role.ADVISOR, Role.SOCIAL_WORKER, Role.COORDINATOR)


def _back(participant_id: int):
    return redirect(url_for(".participant_detail", participant_id=participant_id) + "#courses")


def _assignment(assignment_id: int):
    try:
        assignment = courses.get(current_user.centre_id, assignment_id)
        participants.get_for_staff(current_user, assignment.participant_id)
    except NotFound:
        abort(404)
    return assignment


@bp.post("/participants/<int:participant_id>/courses")
@role_required(*COURSE_STAFF)
def course_propose(participant_id: int):
    try:
        person = participants.get_for_staff(current_user, participant_id)
    except NotFound:
        abort(404)
    form = CourseForm()
    form.course_id.choices = [(c.id, c.name) for c in courses.catalogue(person.centre_id)]
    if form.validate_on_submit():
        try:
            cost = (
                money.parse(form.cost.data, field="cost", allow_zero=True) if form.cost.data else 0
            )
            courses.propose(
                person,
                form.course_id.data,
                planned_start=form.planned_start.data,
                planned_end=form.planned_end.data,
                cost_grosze=cost,
                actor=current_user,
                now=utcnow(),
            )
        except PortalError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The course is proposed."), "success")
            return _back(person.id)
    # The refusal stands next to its field and the typed form is kept.
    return detail_page(person, course_form=form), 400


def _course_action(assignment_id: int, action, message: str, form=None):
    assignment = _assignment(assignment_id)
    if form is not None and not form.validate_on_submit():
        flash_form_errors(form)
    else:
        attempt(lambda: action(assignment), message)
    return _back(assignment.participant_id)


@bp.post("/course-assignments/<int:assignment_id>/enrol")
@role_required(*COURSE_STAFF)
def course_enrol(assignment_id: int):
    return _course_action(
        assignment_id,
        lambda a: courses.enrol(a, actor=current_user, now=utcnow()),
        _("Enrolled. The cost is charged to the course budget line."),
    )


@bp.post("/course-assignments/<int:assignment_id>/complete")
@role_required(*COURSE_STAFF)
def course_complete(assignment_id: int):
    form = CourseCompletionForm()
    return _course_action(
        assignment_id,
        lambda a: courses.complete(
            a,
            certificate_number=form.certificate_number.data,
            completed_on=form.completed_on.data,
            actor=current_user,
            now=utcnow(),
        ),
        _("The course is completed."),
        form,
    )


@bp.post("/course-assignments/<int:assignment_id>/drop")
@role_required(*COURSE_STAFF)
def course_drop(assignment_id: int):
    form = DropForm()
    return _course_action(
        assignment_id,
        lambda a: courses.drop(a, reason=form.reason.data, actor=current_user, now=utcnow()),
        _("The course is marked as dropped."),
        form,
    )
