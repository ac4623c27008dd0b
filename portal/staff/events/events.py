"""Staff run events: create, edit, publish, cancel, registrations, attendance and its list."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from portal import boundary
from portal.auth.access import role_required
from portal.models import Event, Registration, Village
from portal.models.base import utcnow
from portal.models.enums import Audience, EventStatus, EventType, RegistrationStatus, Role
from portal.pdf import frame_of, pdf_response
from portal.services.audit import audit_trail
from portal.services.common import dates, exports, loading
from portal.services.events import events, letters, signups
from portal.services.people import consents, exits, labels, participants
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.events.event_forms import (
    AddRegistrationForm,
    EventForm,
    NoteForm,
    ReasonForm,
    attendance_form,
)

EVENT_STAFF = (Role.COORDINATOR, Role.SOCIAL_WORKER)
# Attendance of a group session (staff/sessions.py) is also taken by the career advisor.
ATTENDANCE_STAFF = (*EVENT_STAFF, Role.ADVISOR)


def _utc(value: datetime | None) -> datetime | None:
    """A wall-clock time typed in a form (Warsaw) as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=dates.WARSAW).astimezone(UTC)


def _fields(form: EventForm, villages: Sequence[Village]) -> events.EventFields:
    chosen = [village for village in villages if village.id in (form.village_ids.data or [])]
    starts, ends = _utc(form.starts_at.data), _utc(form.ends_at.data)
    if starts is None or ends is None:
        # Both are required: only the form's one pass (validate_on_submit_with) gets here
        # without them, and skips the check, as it did when comparing None with a time.
        raise ValueError("an event needs its start and end")
    cutoff = _utc(form.cancellation_cutoff_at.data)
    if cutoff is None:
        centre = loading.centre(current_user.centre_id)
        cutoff = starts - timedelta(hours=centre.default_cancellation_cutoff_hours)
    return events.EventFields(
        event_type=EventType(form.event_type.data),
        title=form.title.data.strip(),
        description=(form.description.data or "").strip(),
        place=form.place.data.strip(),
        starts_at=starts,
        ends_at=ends,
        capacity=form.capacity.data,
        audience=Audience(form.audience.data),
        villages=chosen,
        registration_opens_at=_utc(form.registration_opens_at.data),
        registration_closes_at=_utc(form.registration_closes_at.data),
        cancellation_cutoff_at=cutoff,
    )


@bp.get("/events")
@role_required(*EVENT_STAFF)
def event_list() -> ResponseReturnValue:
    past = request.args.get("tab") == "past"
    found = events.list_for_staff(current_user.centre_id, now=utcnow(), past=past)
    return render_template(
        "staff/events/events.html",
        events=found,
        past=past,
        waiting=events.waiting_counts([event.id for event in found]),
    )


@bp.route("/events/new", methods=["GET", "POST"])
@role_required(*EVENT_STAFF)
def event_new() -> ResponseReturnValue:
    villages = participants.list_villages(current_user.centre_id)
    form = EventForm(villages=villages)

    def check() -> None:
        events.check_new(
            participants.require_project(current_user.centre_id),
            _fields(form, villages),
            afterwards_reason=form.recorded_afterwards_reason.data,
            now=utcnow(),
        )

    if form.validate_on_submit_with(check):
        with boundary.shown(form):
            centre = loading.centre(current_user.centre_id)
            project = participants.require_project(centre.id)
            fields = _fields(form, villages)
            event = events.create(
                centre,
                project,
                fields,
                actor=current_user,
                now=utcnow(),
                afterwards_reason=form.recorded_afterwards_reason.data,
            )
            if event.recorded_afterwards_reason:
                flash(
                    _("The event is recorded afterwards. Put down who came, then take attendance."),
                    "success",
                )
            else:
                flash(_("The event is saved as a draft. Publish it when it is ready."), "success")
            return redirect(url_for(".event_detail", event_id=event.id))
    return render_template("staff/events/event_form.html", form=form, event=None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@role_required(*EVENT_STAFF)
def event_edit(event_id: int) -> ResponseReturnValue:
    event = events.get(current_user.centre_id, event_id)
    if event.instrument is not None:  # a group session is edited on its own page
        return redirect(url_for(".session_edit", session_id=event.id))
    villages = participants.list_villages(current_user.centre_id)
    form = EventForm(villages=villages, obj=None if request.method == "POST" else event)
    if request.method == "GET":
        for name in (
            "starts_at",
            "ends_at",
            "registration_opens_at",
            "registration_closes_at",
            "cancellation_cutoff_at",
        ):
            value = getattr(event, name)
            getattr(form, name).data = dates.to_local(value).replace(tzinfo=None) if value else None
        form.event_type.data = event.event_type.value
        form.audience.data = event.audience.value
        form.village_ids.data = [village.id for village in event.villages]
        form.version.data = event.version_id
    if form.validate_on_submit_with(lambda: events.check(_fields(form, villages))):
        with boundary.shown(form):
            events.update_event(
                event.id,
                _fields(form, villages),
                version=form.version.data or 0,
                actor=current_user,
            )
            flash(_("The changes are saved."), "success")
            return redirect(url_for(".event_detail", event_id=event.id))
    return render_template("staff/events/event_form.html", form=form, event=event)


@bp.get("/events/<int:event_id>")
@role_required(*EVENT_STAFF)
def event_detail(event_id: int) -> ResponseReturnValue:
    event = events.get(current_user.centre_id, event_id)
    if event.instrument is not None:  # a group session has its own page
        return redirect(url_for(".session_detail", session_id=event.id))
    return _detail_page(event)


def _detail_page(
    event: Event,
    *,
    add_form: AddRegistrationForm | None = None,
    reason_form: ReasonForm | None = None,
    row: tuple[int, str, ReasonForm | NoteForm] | None = None,
) -> str:
    """The event's page; a form sent back with its errors replaces the blank one. `row` is
    (registration id, "admit" or "cancel", form) for the buttons of one registration."""
    registrations = events.registrations_for_staff(event.id)
    add_form = add_form or AddRegistrationForm()
    registered = {r.participant_id for r in registrations if r.status in signups.ACTIVE}
    offered = [
        person
        for person in participants.list_for_staff(current_user, limit=1000)
        if person.id not in registered
    ]
    add_form.participant_id.choices = [(0, _("— choose —")), *labels.choices(offered)]
    # The page names those registered, and, while people can be signed up, everyone offered.
    signing_up = event.status == EventStatus.PUBLISHED or signups.recording_afterwards(event)
    reads.listed([r.participant for r in registrations] + (offered if signing_up else []), "event")
    return render_template(
        "staff/events/event_detail.html",
        event=event,
        registrations=registrations,
        positions=signups.waiting_positions([event.id]),
        add_form=add_form,
        reason_form=reason_form or ReasonForm(),
        row=row,
        now=utcnow(),
        not_emailed=consents.not_emailed([r.participant for r in registrations]),
        left=exits.left_before_event(registrations, event.starts_at),
        signing_up=signing_up,
        afterwards=signups.recording_afterwards(event),
    )


@bp.post("/events/<int:event_id>/publish")
@role_required(*EVENT_STAFF)
def event_publish(event_id: int) -> ResponseReturnValue:
    event = events.get(current_user.centre_id, event_id)
    events.publish(event.id, actor=current_user, now=utcnow())
    flash(_("The event is published: participants can see it and sign up."), "success")
    return redirect(url_for(".event_detail", event_id=event.id))


@bp.post("/events/<int:event_id>/cancel")
@role_required(*EVENT_STAFF)
def event_cancel(event_id: int) -> ResponseReturnValue:
    event = events.get(current_user.centre_id, event_id)
    form = ReasonForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            # An event recorded afterwards is past: nobody was told of their place, nor is now.
            told = event.recorded_afterwards_reason is None
            events.cancel_event(
                event.id, reason=form.reason.data, actor=current_user, now=utcnow(), tell=told
            )
            if told:
                flash(_("The event is cancelled and everyone registered will be told."), "success")
            else:
                flash(_("The event is cancelled."), "success")
            return redirect(url_for(".event_detail", event_id=event.id))
    return _detail_page(event, reason_form=form)


@bp.post("/events/<int:event_id>/registrations")
@role_required(*EVENT_STAFF)
def registration_add(event_id: int) -> ResponseReturnValue:
    event = events.get(current_user.centre_id, event_id)
    form = AddRegistrationForm()
    if form.validate_on_submit():
        # The person is looked up among those this staff member may see, never trusted.
        person = participants.get_for_staff(current_user, form.participant_id.data)
        with boundary.shown(form):
            registration = signups.sign_up(
                person,
                event.id,
                now=utcnow(),
                actor=current_user,
                companions=form.companions.data or 0,
                on_behalf=True,
            )
            if registration.status == RegistrationStatus.WAITING:
                message = _(
                    "The event is full: %(name)s is on the waiting list.", name=person.full_name
                )
            else:
                message = _("%(name)s has a place.", name=person.full_name)
            flash(message, "success")
            return redirect(url_for(".event_detail", event_id=event.id))
    return _detail_page(event, add_form=form)


@bp.post("/registrations/<int:registration_id>/cancel")
@role_required(*EVENT_STAFF)
def registration_cancel(registration_id: int) -> ResponseReturnValue:
    event = events.of_registration(current_user.centre_id, registration_id)
    form = NoteForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            signups.cancel(
                registration_id,
                now=utcnow(),
                actor=current_user,
                by_staff=True,
                note=form.reason.data or None,
            )
            flash(_("The registration is cancelled."), "success")
            return redirect(url_for(".event_detail", event_id=event.id))
    return _detail_page(event, row=(registration_id, "cancel", form))


@bp.post("/registrations/<int:registration_id>/admit")
@role_required(*EVENT_STAFF)
def registration_admit(registration_id: int) -> ResponseReturnValue:
    event = events.of_registration(current_user.centre_id, registration_id)
    form = ReasonForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            signups.admit(
                registration_id, reason=form.reason.data, actor=current_user, now=utcnow()
            )
            flash(_("The person has a place now."), "success")
            return redirect(url_for(".event_detail", event_id=event.id))
    return _detail_page(event, row=(registration_id, "admit", form))


def _on_the_list(event: Event) -> list[Registration]:
    """The registrations an attendance list names: everyone who had a place."""
    return [
        r
        for r in events.registrations_for_staff(event.id)
        if r.status
        in (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED, RegistrationStatus.ABSENT)
    ]


def _for_attendance(event_id: int) -> Event:
    """The event whose attendance is taken: an advisor only a group session's."""
    event = events.get(current_user.centre_id, event_id)
    if event.instrument is None and not current_user.has_role(*EVENT_STAFF):
        abort(403)
    return event


def _page_of(event: Event) -> str:
    if event.instrument is not None:
        return url_for(".session_detail", session_id=event.id)
    return url_for(".event_detail", event_id=event.id)


@bp.route("/events/<int:event_id>/attendance", methods=["GET", "POST"])
@role_required(*ATTENDANCE_STAFF)
def attendance(event_id: int) -> ResponseReturnValue:
    event = _for_attendance(event_id)
    registrations = _on_the_list(event)
    form = attendance_form(registrations)
    if form.validate_on_submit():
        with boundary.shown(form):
            signups.record_attendance(event.id, form.marks(), actor=current_user, now=utcnow())
            flash(_("The attendance list is saved."), "success")
            return redirect(_page_of(event))
    refusal = signups.attendance_refusal(event, now=utcnow())
    reads.listed([] if refusal else [r.participant for r in registrations], "attendance")
    return render_template(
        "staff/events/attendance.html",
        event=event,
        registrations=registrations,
        form=form,
        back=_page_of(event),
        refusal=refusal,
    )


@bp.get("/events/<int:event_id>/attendance.pdf")
@role_required(*ATTENDANCE_STAFF)
def attendance_pdf(event_id: int) -> ResponseReturnValue:
    event = _for_attendance(event_id)
    audit_trail.record_download(
        event, actor=current_user, document="attendance_list", file_format="pdf"
    )
    registrations = _on_the_list(event)
    registrations.sort(key=lambda r: (r.participant.last_name, r.participant.first_name))
    return pdf_response(
        "pdf/attendance.html",
        f"lista-obecnosci-{event.id}.pdf",
        frame=frame_of(
            event.centre_id,
            [event.project],
            dated=dates.local_date(event.starts_at),
            version=event.version_id,
        ),
        event=event,
        registrations=registrations,
    )


@bp.get("/events/<int:event_id>/registrations.csv")
@role_required(*EVENT_STAFF)
def registrations_csv(event_id: int) -> ResponseReturnValue:
    event = events.get(current_user.centre_id, event_id)
    audit_trail.record_download(
        event, actor=current_user, document="registrations", file_format="csv"
    )
    rows = [
        (
            r.participant.last_name,
            r.participant.first_name,
            r.participant.village.name if r.participant.village else "",
            r.status.label,
            r.companions,
            r.companion_names,
            dates.to_local(r.created_at).strftime("%Y-%m-%d %H:%M"),
        )
        for r in events.registrations_for_staff(event.id)
    ]
    header = (
        _("Last name"),
        _("First name"),
        _("Village"),
        _("Status"),
        _("Family members"),
        _("Their names"),
        _("Signed up"),
    )
    return Response(
        exports.to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="zapisy-{event.id}.csv"'},
    )


@bp.get("/events/<int:event_id>/registrations/<int:registration_id>/letter")
@role_required(*EVENT_STAFF)
def registration_letter(event_id: int, registration_id: int) -> ResponseReturnValue:
    """A letter to print about the event for one registered person (for someone without
    e-mail). The page is in the staff member's language; the letter in the participant's (their
    account's language, Polish without an account)."""
    letter = letters.letter(current_user.centre_id, event_id, registration_id)
    person = letter.person
    reads.viewed(person, "letter", letter.registration.id)
    lang = person.user.locale if person.user and person.user.locale else "pl"
    with force_locale(lang):
        body = render_template(
            "staff/events/_event_letter.html", l=letter, lang=lang, today=dates.local_date(utcnow())
        )
    return render_template(
        "staff/events/event_letter.html",
        event=letter.event,
        person=person,
        letter=Markup(body),  # noqa: S704 (an autoescaped render)
    )
