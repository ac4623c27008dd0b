"""Staff run sessions of group instruments: create, edit, cancel, enrol, un-enrol, walk-ins.

Attendance and the printable attendance list are the event pages' own (staff/events.py).
"""

from collections.abc import Iterable
from typing import cast

from flask import abort, flash, get_template_attribute, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from portal import boundary
from portal.auth.access import role_required
from portal.forms import CsrfForm
from portal.models import Event, Participant, Project, Registration
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.models.support import GroupInstrument
from portal.services.centres import projects
from portal.services.common import dates, loading
from portal.services.events import events, session_changes, sessions, signups
from portal.services.people import exits, participants
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.events.session_forms import (
    CancelForm,
    EnrolForm,
    SessionEditForm,
    SessionForm,
    WalkInForm,
)

# Career advisors run group counselling; social workers and coordinators the rest.
SESSION_STAFF = (Role.COORDINATOR, Role.ADVISOR, Role.SOCIAL_WORKER)


def _choices(people: Iterable[Participant]) -> list[tuple[int, Markup]]:
    """People as options, namesakes told apart as elsewhere: masked PESEL or birth year, village."""
    who = get_template_attribute("staff/people/participant_macros.html", "who")
    return [
        (person.id, Markup("{} {} ({})").format(person.last_name, person.first_name, who(person)))
        for person in people
    ]


@bp.app_template_filter("hours")
def hours(minutes: int) -> str:
    """Minutes as hours, e.g. 1,5 in Polish (the pages of both audiences use it)."""
    return cast(str, format_decimal(minutes / 60, format="0.##"))


@bp.get("/sessions")
@role_required(*SESSION_STAFF)
def session_list() -> ResponseReturnValue:
    past = request.args.get("tab") == "past"
    found = sessions.list_for_staff(current_user.centre_id, now=utcnow(), past=past)
    return render_template(
        "staff/events/sessions.html",
        sessions=found,
        past=past,
        counts=sessions.counts([event.id for event in found]),
        minutes={event.id: sessions.length_minutes(event) for event in found},
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
@role_required(*SESSION_STAFF)
def session_new() -> ResponseReturnValue:
    found = projects.list_projects(current_user.centre_id)
    form = SessionForm(projects=found)
    if request.method == "GET":
        current = participants.current_project(current_user.centre_id)
        form.project_id.data = current.id if current else None
    if form.validate_on_submit():
        with boundary.shown(form):
            centre = loading.centre(current_user.centre_id)
            project = loading.of_centre(Project, form.project_id.data, centre.id)
            fields = _fields(form, GroupInstrument(form.instrument.data))
            event = sessions.create(centre, project, fields, actor=current_user, now=utcnow())
            flash(_("The session is saved. Enrol the participants."), "success")
            return redirect(url_for(".session_detail", session_id=event.id))
    return render_template("staff/events/session_form.html", form=form, event=None)


def _fields(
    form: SessionForm | SessionEditForm, instrument: GroupInstrument
) -> sessions.SessionFields:
    return sessions.SessionFields(
        instrument=instrument,
        title=form.title.data,
        place=form.place.data,
        starts_at=dates.local_to_utc(form.day.data, form.starts.data),
        ends_at=dates.local_to_utc(form.day.data, form.ends.data),
        capacity=form.capacity.data,
        trainer=form.trainer.data,
        topics=form.topics.data or "",
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@role_required(*SESSION_STAFF)
def session_edit(session_id: int) -> ResponseReturnValue:
    event = sessions.get(current_user.centre_id, session_id)
    form = SessionEditForm()
    if request.method == "GET":
        starts, ends = dates.to_local(event.starts_at), dates.to_local(event.ends_at)
        form.process(
            data={
                "title": event.title,
                "day": starts.date(),
                "starts": starts.time().replace(tzinfo=None),
                "ends": ends.time().replace(tzinfo=None),
                "place": event.place,
                "trainer": event.trainer,
                "topics": event.topics,
                "capacity": event.capacity,
                "version": event.version_id,
            }
        )
    editable = session_changes.editable(event)
    if editable and form.validate_on_submit():
        conflict = False
        with boundary.shown(form):
            try:
                session_changes.update(
                    event.id,
                    _fields(form, loading.found(event.instrument)),
                    version=form.version.data or 0,
                    actor=current_user,
                )
            except events.EventConflict:
                conflict = True
                raise
            flash(_("The changes are saved."), "success")
            return redirect(url_for(".session_detail", session_id=event.id))
        if conflict:  # the typed values stay; the next save is based on the session as it is now
            event = sessions.get(current_user.centre_id, session_id)
            form.version.data = event.version_id
            form.version.raw_data = [str(event.version_id)]
    return render_template(
        "staff/events/session_form.html", form=form, event=event, editable=editable
    ), (400 if form.errors else 200)


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@role_required(*SESSION_STAFF)
def session_cancel(session_id: int) -> ResponseReturnValue:
    event = sessions.get(current_user.centre_id, session_id)
    form = CancelForm()
    if session_changes.cancellable(event) and form.validate_on_submit():
        outlook = session_changes.cancel_outlook(event, now=utcnow())
        with boundary.shown(form):
            session_changes.cancel(
                event.id,
                centre_id=current_user.centre_id,
                reason=form.reason.data,
                actor=current_user,
                now=utcnow(),
            )
            flash(
                _(
                    "The session is cancelled. People told by e-mail: %(n)d.",
                    n=len(outlook.told),
                ),
                "success",
            )
            return redirect(url_for(".session_detail", session_id=event.id))
    outlook = session_changes.cancel_outlook(event, now=utcnow())
    cancellable = session_changes.cancellable(event)
    # Named are only those nobody e-mails (to be told in person); the rest are counted.
    reads.listed(outlook.not_told if cancellable else [], "session_cancel")
    return render_template(
        "staff/events/session_cancel.html",
        event=event,
        form=form,
        outlook=outlook,
        cancellable=cancellable,
    ), (400 if form.errors else 200)


def _listed(event: Event) -> list[Registration]:
    """The session's registrations that had a place: the attendance list names them."""
    return [r for r in events.registrations_for_staff(event.id) if r.status in sessions.ON_THE_LIST]


def _eligible(event: Event, taken: set[int]) -> list[Participant]:
    """The people this staff member may see in the session's project, not on its list yet."""
    return [
        person
        for person in participants.list_for_staff(current_user, limit=1000)
        if person.project_id == event.project_id and person.id not in taken
    ]


@bp.get("/sessions/<int:session_id>")
@role_required(*SESSION_STAFF)
def session_detail(session_id: int) -> ResponseReturnValue:
    return _detail_page(sessions.get(current_user.centre_id, session_id))


def _detail_page(
    event: Event, *, enrol_form: EnrolForm | None = None, status: int = 200
) -> tuple[str, int]:
    listed = _listed(event)
    offered: list[Participant] = []
    if enrol_form is None:
        enrol_form = EnrolForm(formdata=None)
        offered = _eligible(event, {r.participant_id for r in listed})
        enrol_form.participant_ids.choices = _choices(offered)
    now = utcnow()
    # The page names those enrolled, and, while enrolment is open, everyone offered.
    enrolling = sessions.enrolment_open(event, now=now)
    reads.listed([r.participant for r in listed] + (offered if enrolling else []), "session")
    return render_template(
        "staff/events/session_detail.html",
        event=event,
        minutes=sessions.length_minutes(event),
        registrations=listed,
        enrol_form=enrol_form,
        unenrol_form=CsrfForm(formdata=None),
        enrolment_open=enrolling,
        editable=session_changes.editable(event),
        cancellable=session_changes.cancellable(event),
        attendance_refusal=signups.attendance_refusal(event, now=now),
        left=exits.left_before_event(listed, event.starts_at),
    ), status


@bp.post("/sessions/<int:session_id>/enrol")
@role_required(*SESSION_STAFF)
def session_enrol(session_id: int) -> ResponseReturnValue:
    event = sessions.get(current_user.centre_id, session_id)
    eligible = _eligible(event, {r.participant_id for r in _listed(event)})
    form = EnrolForm()
    form.participant_ids.choices = _choices(eligible)
    if form.validate_on_submit():
        chosen = set(form.participant_ids.data)
        with boundary.shown(form):
            enrolled = sessions.enrol(
                event.id,
                [person for person in eligible if person.id in chosen],
                actor=current_user,
                now=utcnow(),
            )
            flash(_("Enrolled: %(n)d.", n=len(enrolled)), "success")
            return redirect(url_for(".session_detail", session_id=event.id))
    return _detail_page(event, enrol_form=form, status=400)


@bp.post("/sessions/registrations/<int:registration_id>/unenrol")
@role_required(*SESSION_STAFF)
def session_unenrol(registration_id: int) -> ResponseReturnValue:
    event = events.of_registration(current_user.centre_id, registration_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    sessions.unenrol(
        registration_id, centre_id=current_user.centre_id, actor=current_user, now=utcnow()
    )
    flash(_("The person is no longer enrolled."), "success")
    return redirect(url_for(".session_detail", session_id=event.id))


@bp.route("/sessions/<int:session_id>/walk-in", methods=["GET", "POST"])
@role_required(*SESSION_STAFF)
def session_walk_in(session_id: int) -> ResponseReturnValue:
    event = sessions.get(current_user.centre_id, session_id)
    listed = {r.participant_id for r in _listed(event)}
    eligible = _eligible(event, listed)
    form = WalkInForm()
    form.participant_id.choices = [(0, _("— choose —")), *_choices(eligible)]
    if form.validate_on_submit():
        person = participants.get_for_staff(current_user, form.participant_id.data)
        with boundary.shown(form):
            sessions.walk_in(
                person, event.id, reason=form.reason.data, actor=current_user, now=utcnow()
            )
            flash(
                _("%(name)s is on the attendance list as present.", name=person.full_name),
                "success",
            )
            return redirect(url_for(".attendance", event_id=event.id))
    refusal = signups.attendance_refusal(event, now=utcnow())
    reads.listed([] if refusal else eligible, "walk_in")  # the people offered to choose from
    return render_template(
        "staff/events/session_walk_in.html",
        event=event,
        form=form,
        refusal=refusal,
    ), (400 if form.errors else 200)
