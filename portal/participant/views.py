"""The participant's own pages: only ever their own record."""

import json

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.forms import CsrfForm, PortalForm, id_from
from portal.models import Event, IndividualPlan, Participant, Registration
from portal.models.base import utcnow
from portal.models.enums import EventType, Instrument, RegistrationStatus
from portal.participant.blueprint import _me, bp, feed_url
from portal.participant.forms import CalendarForm, DisagreeForm, PlanCommentForm, SignUpForm
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.links import site_domain
from portal.services.events import calendar, events, sessions, signups
from portal.services.people import participants
from portal.services.plans import plan_questions, plans
from portal.services.privacy import personal_data
from portal.services.support import allowances, contracts, courses


@bp.get("/")
def home() -> ResponseReturnValue:
    person = participants.own_record_as_shown(current_user)
    now = utcnow()
    upcoming = events.my_events(person, now=now, past=False)
    active = [r for r in upcoming if r.status in signups.ACTIVE]
    return render_template(
        "participant/home.html",
        person=person,
        contract=contracts.current_for(person.id),
        plan=plans.shared_version_for(person.id),
        allowance_rows=allowances.list_for_participant(person.id, limit=5),
        upcoming=active[:5],
        positions=signups.waiting_positions([r.event_id for r in active[:5]]),
    )


@bp.get("/contract")
def contract() -> ResponseReturnValue:
    person = _me()
    current = contracts.current_for(person.id)
    return render_template(
        "participant/contract.html",
        contract=current,
        instruments=[Instrument(value) for value in current.instruments] if current else [],
        instrument_minutes=sessions.hours_by_instrument(person.id),
    )


@bp.get("/plan")
def plan() -> ResponseReturnValue:
    person = _me()
    return _plan_page(person, plans.get_for(person.id))


def _plan_page(
    person: Participant, found: IndividualPlan | None, status: int = 200, **sent_back: PortalForm
) -> ResponseReturnValue:
    """The plan page; a form sent back with its errors replaces its empty one."""
    shared = plans.shared_version(found) if found else None
    forms = {
        "form": PlanCommentForm(formdata=None),
        "disagree_form": DisagreeForm(prefix="disagree", formdata=None),
    }
    return render_template(
        "participant/plan.html",
        plan=found,
        questions=plan_questions.of_plan(found.id if found else None),
        shared=shared,
        assignments=courses.list_for_participant(person.id) if shared else [],
        **(forms | sent_back),
    ), status


@bp.post("/plan/acknowledge")
def plan_acknowledge() -> ResponseReturnValue:
    found = _shared_plan_of(_me())
    plans.acknowledge(
        found,
        participant_user=current_user,
        now=utcnow(),
        seen=id_from(request.form.get("seen_revision")),
    )
    flash(_("Thank you. Your advisor can see that you have read your plan."), "success")
    return redirect(url_for(".plan"))


def _shared_plan_of(person: Participant) -> IndividualPlan:
    """The person's plan once it was shared with them; before that there is nothing to act on."""
    plan = loading.found(plans.get_for(person.id))
    loading.found(plan.shared_revision_number)  # not shared yet
    return plan


@bp.post("/plan/comments")
def plan_comment() -> ResponseReturnValue:
    person = _me()
    found = _shared_plan_of(person)
    form = PlanCommentForm()
    if form.validate_on_submit():
        plans.comment(found, author=current_user, body=form.body.data, now=utcnow())
        flash(_("Your message is sent to your advisor."), "success")
        return redirect(url_for(".plan"))
    return _plan_page(person, found, 400, form=form)


@bp.post("/plan/disagree")
def plan_disagree() -> ResponseReturnValue:
    """The participant does not agree with the plan shown: their words reach the advisor as a
    question on the plan (one channel, `plans.comment`), opening with a marker that says so."""
    person = _me()
    found = _shared_plan_of(person)
    form = DisagreeForm(prefix="disagree")
    if form.validate_on_submit():
        body = _("I do not agree with my plan: %(text)s", text=form.body.data.strip())
        with boundary.shown(form):
            plans.comment(found, author=current_user, body=body, now=utcnow())
            flash(_("Your advisor is told that you do not agree, with your words."), "success")
            return redirect(url_for(".plan"))
    return _plan_page(person, found, 400, disagree_form=form)


@bp.get("/allowances")
def allowance_list() -> ResponseReturnValue:
    person = _me()
    return render_template(
        "participant/allowances.html",
        allowances=allowances.list_for_participant(person.id),
        total=allowances.total,
    )


@bp.get("/events")
def event_list() -> ResponseReturnValue:
    person = _me()
    past = request.args.get("tab") == "past"
    village = id_from(request.args.get("village"))
    try:
        event_type = EventType(request.args.get("type", ""))
    except ValueError:  # "all types", or an address typed by hand
        event_type = None
    found = events.list_for_participant(
        person, now=utcnow(), past=past, event_type=event_type, village_id=village
    )
    ids = [event.id for event in found]
    return render_template(
        "participant/events.html",
        events=found,
        past=past,
        event_type=event_type,
        village=village,
        villages=participants.list_villages(person.centre_id),
        mine=events.registrations_of(person, ids),
        positions=signups.waiting_positions(ids),
        waiting=events.waiting_counts(ids),
        event_types=EventType,
    )


def _event_page(
    person: Participant, event: Event, form: SignUpForm | None = None, status: int = 200
) -> ResponseReturnValue:
    registration = signups.find(event.id, person.id)
    position = None
    if registration is not None and registration.status == RegistrationStatus.WAITING:
        position = signups.waiting_positions([event.id]).get(registration.id)
    return render_template(
        "participant/event.html",
        event=event,
        registration=registration,
        position=position,
        reason=signups.refusal_reason(person, event, now=utcnow()),
        waiting=signups.waiting_count(event.id),
        form=form or SignUpForm(),
    ), status


@bp.get("/events/<int:event_id>")
def event_detail(event_id: int) -> ResponseReturnValue:
    person = _me()
    return _event_page(person, events.get_for_participant(person, event_id))


@bp.post("/events/<int:event_id>/sign-up")
def sign_up(event_id: int) -> ResponseReturnValue:
    person = _me()
    event = events.get_for_participant(person, event_id)
    form = SignUpForm()
    if not form.validate():
        return _event_page(person, event, form, status=400)
    with boundary.shown(form):
        registration = signups.sign_up(
            person,
            event.id,
            now=utcnow(),
            actor=current_user,
            companions=form.companions.data or 0,
            companion_names=form.companion_names.data or "",
        )
        flash(_signed_up_message(registration), "success")
        return redirect(url_for(".event_detail", event_id=event_id))
    if any(field.errors for field in form):
        return _event_page(person, event, form)
    # A refusal of the whole sign-up (flashed) is read on the event page itself.
    return redirect(url_for(".event_detail", event_id=event_id))


def _signed_up_message(registration: Registration) -> str:
    if registration.status == RegistrationStatus.CONFIRMED:
        return str(_("You are signed up. See you there!"))
    position = signups.waiting_positions([registration.event_id]).get(registration.id)
    return str(
        _(
            "The event is full. You are on the waiting list, number %(n)d. We will let you "
            "know if a place becomes free.",
            n=position or 0,
        )
    )


@bp.post("/events/<int:event_id>/cancel")
def cancel(event_id: int) -> ResponseReturnValue:
    person = _me()
    registration = loading.found(signups.find(event_id, person.id))
    if not CsrfForm().validate():
        abort(400)
    was_waiting = registration.status == RegistrationStatus.WAITING
    signups.cancel(registration.id, now=utcnow(), actor=current_user, owner=person)
    flash(
        _("You have left the waiting list.")
        if was_waiting
        else _("Your place is cancelled. Thank you for letting us know."),
        "success",
    )
    return redirect(url_for(".event_detail", event_id=event_id))


@bp.get("/my-events")
def my_events() -> ResponseReturnValue:
    person = _me()
    now = utcnow()
    upcoming = events.my_events(person, now=now, past=False)
    return render_template(
        "participant/my_events.html",
        upcoming=upcoming,
        past=events.my_events(person, now=now, past=True),
        positions=signups.waiting_positions([r.event_id for r in upcoming]),
    )


@bp.get("/events/<int:event_id>/event.ics")
def event_ics(event_id: int) -> ResponseReturnValue:
    event = events.get_for_participant(_me(), event_id)
    body = calendar.event_ics(event, domain=site_domain(), now=utcnow())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'},
    )


@bp.get("/my-data.json")
def my_data() -> ResponseReturnValue:
    """Everything the centre holds about me, as a file (the right of access).

    A GET that writes one thing: who downloaded the data is audited (the boundary commits it
    with the 200).
    """
    person = _me()
    audit.record("participant.data_export", person, actor=current_user)
    body = json.dumps(personal_data.export(person), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="moje-dane.json"'},
    )


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_feed() -> ResponseReturnValue:
    person = _me()
    form = CalendarForm()
    if form.validate_on_submit():
        if form.action.data == "revoke":
            calendar.revoke_feed(person)
            flash(_("The calendar address is switched off."), "success")
        else:
            calendar.new_feed_token(person)
            flash(_("Your new calendar address is ready. The old one no longer works."), "success")
        return redirect(url_for(".calendar_feed"))
    if form.errors:
        abort(400)  # only a hand-made request sends no button or an unknown one
    return render_template("participant/calendar.html", feed_url=feed_url(person), form=form)
