"""Courses proposed to a participant, enrolled (charged to the course line), completed, dropped."""

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.models import CourseAssignment
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.common import loading
from portal.services.money import money
from portal.services.people import participants
from portal.services.plans import action_progress
from portal.services.support import courses
from portal.staff.blueprint import bp
from portal.staff.people.course_forms import CourseCompletionForm, CourseForm, DropForm
from portal.staff.people.participants import detail_page

COURSE_STAFF = (Role.ADVISOR, Role.SOCIAL_WORKER, Role.COORDINATOR)


def _back(participant_id: int) -> ResponseReturnValue:
    return redirect(url_for(".participant_detail", participant_id=participant_id) + "#courses")


def _assignment(assignment_id: int) -> CourseAssignment:
    """A course of the centre whose person this member of staff may see (else not found)."""
    assignment = loading.of_centre(CourseAssignment, assignment_id, current_user.centre_id)
    participants.get_for_staff(current_user, assignment.participant_id)
    return assignment


@bp.post("/participants/<int:participant_id>/courses")
@role_required(*COURSE_STAFF)
def course_propose(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    form = CourseForm()
    form.course_id.choices = [(c.id, c.name) for c in courses.catalogue(person.centre_id)]
    if form.validate_on_submit():
        with boundary.shown(form):
            courses.propose(
                person,
                form.course_id.data,
                planned_start=form.planned_start.data,
                planned_end=form.planned_end.data,
                # Blank is the catalogue price; a free place is typed as 0.
                cost_grosze=money.parse(form.cost.data, field="cost", allow_zero=True)
                if form.cost.data
                else None,
                actor=current_user,
                now=utcnow(),
            )
            flash(_("The course is proposed."), "success")
            return _back(person.id)
    # The refusal stands next to its field and the typed form is kept.
    return detail_page(person, course_form=form), 400


@bp.post("/course-assignments/<int:assignment_id>/enrol")
@role_required(*COURSE_STAFF)
def course_enrol(assignment_id: int) -> ResponseReturnValue:
    assignment = _assignment(assignment_id)
    with boundary.shown():
        courses.enrol(assignment, actor=current_user, now=utcnow())
        flash(_("Enrolled. The cost is charged to the course budget line."), "success")
    return _back(assignment.participant_id)


# Completing and dropping are small forms in each course's row of the participant's page, which
# cannot show one row's form again: their messages, and the rules' refusals, go on top of it.


@bp.post("/course-assignments/<int:assignment_id>/complete")
@role_required(*COURSE_STAFF)
def course_complete(assignment_id: int) -> ResponseReturnValue:
    assignment = _assignment(assignment_id)
    form = CourseCompletionForm()
    if not form.validate_on_submit():
        for message in [*form.certificate_number.errors, *form.completed_on.errors]:
            flash(message, "error")
        return _back(assignment.participant_id)
    with boundary.shown():
        courses.complete(
            assignment,
            certificate_number=form.certificate_number.data,
            completed_on=form.completed_on.data,
            actor=current_user,
            now=utcnow(),
        )
        # The plan actions naming the course are done now (the support subject's services
        # may not call the plans subject's: plans already depend on people, people on support).
        action_progress.course_completed(assignment, actor=current_user, now=utcnow())
        flash(_("The course is completed."), "success")
    return _back(assignment.participant_id)


@bp.post("/course-assignments/<int:assignment_id>/drop")
@role_required(*COURSE_STAFF)
def course_drop(assignment_id: int) -> ResponseReturnValue:
    assignment = _assignment(assignment_id)
    form = DropForm()
    if not form.validate_on_submit():
        for message in form.reason.errors:
            flash(message, "error")
        return _back(assignment.participant_id)
    with boundary.shown():
        courses.drop(assignment, reason=form.reason.data, actor=current_user, now=utcnow())
        flash(_("The course is marked as dropped."), "success")
    return _back(assignment.participant_id)
