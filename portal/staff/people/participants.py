"""Staff pages about people: the list and its search, recording a person, their page, caseload."""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary, formatting
from portal.auth.access import role_required
from portal.models import Participant, Village
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.accounts import accounts
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.people import (
    account_requests,
    consents,
    invitations,
    monitoring,
    participants,
    participation_start,
)
from portal.services.people.participant_record import noticed
from portal.services.plans import plans
from portal.services.support import courses, entitlements
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.people import participant_record
from portal.staff.people.course_forms import CourseCompletionForm, CourseForm, DropForm
from portal.staff.people.participant_forms import NameSearchForm, ParticipantForm, SearchForm
from portal.staff.plans.plan_forms import AdvisorForm


@bp.route("/participants", methods=["GET", "POST"], endpoint="participants")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER, Role.ADMIN)
def participants_list() -> ResponseReturnValue:
    # A search is posted and its results shown at once: a PESEL never lands in an address.
    form = SearchForm.from_request()
    people = participants.list_for_staff(current_user, **form.criteria())
    reads.listed(people, "list", searched=True)
    return render_template(
        "staff/people/participants.html",
        people=people,
        search_form=form,
        # The social worker's home: the residents' requests they decide, waiting.
        waiting_requests=account_requests.pending_count(current_user.centre_id)
        if current_user.has_role(*account_requests.DECIDERS)
        else 0,
    )


@bp.get("/caseload")
@role_required(Role.ADVISOR, Role.COORDINATOR)
def caseload() -> ResponseReturnValue:
    # Names only (the plans' search has no PESEL), so the search stays a bookmarkable GET.
    form = NameSearchForm.from_request()
    rows = plans.caseload(current_user, **form.criteria())
    reads.listed([row.person for row in rows], "caseload")
    return render_template("staff/people/caseload.html", rows=rows, search_form=form)


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
def participant_new() -> ResponseReturnValue:
    form = _participant_form()
    found: dict[str, object] = {}  # what a refusal says about other records
    if form.validate_on_submit():
        with boundary.shown(form), noticed(found):
            person = _record(form)
            flash(_("The participant has been recorded."), "success")
            return redirect(url_for("staff.participant_detail", participant_id=person.id))
    return render_template(
        "staff/people/participant_new.html",
        form=form,
        found=found,
        namesakes=participant_record.namesakes_of(found, current_user.centre_id),
    )


def _record(form: ParticipantForm) -> Participant:
    """The person as the form describes them, with an invited account if an address is given."""
    centre = loading.centre(current_user.centre_id)
    advisor_id, village_id = form.advisor_id.data, form.village_id.data
    person = participants.create_participant(
        centre=centre,
        project=participants.require_project(centre.id),
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        pesel_number=form.pesel.data or None,
        no_pesel_country=form.no_pesel_country.data,
        birth_date=form.birth_date.data,
        village=loading.of_centre(Village, village_id, centre.id) if village_id else None,
        on_contract_path=form.on_contract_path.data,
        on_pal_path=form.on_pal_path.data,
        advisor=participants.get_staff_member(centre.id, advisor_id, Role.ADVISOR)
        if advisor_id
        else None,
        social_worker=current_user if current_user.has_role(Role.SOCIAL_WORKER) else None,
        warn_namesakes=not form.different_person.data,
        consent_kinds=form.consent_kinds(),
        now=utcnow(),
        actor=current_user,
    )
    if form.email.data:
        user = participants.create_account(person, email=form.email.data, actor=current_user)
        accounts.invite(user, actor=current_user)
    return person


@bp.get("/participants/<int:participant_id>")
def participant_detail(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id, shown=True)
    reads.viewed(person, "detail")
    return detail_page(person)


def detail_page(
    person: Participant, *, pesel_shown: bool = False, course_form: CourseForm | None = None
) -> str:
    """The participant's page for staff; a course form sent back with its errors is kept."""
    course_form = course_form or CourseForm()
    # The catalogue price beside each course: what an empty cost field will charge.
    course_form.course_id.choices = [
        (
            c.id,
            c.name if c.price_grosze is None else f"{c.name} – {formatting.money(c.price_grosze)}",
        )
        for c in courses.catalogue(person.centre_id)
    ]
    # The same start of participation as the report and the exports state.
    start = participation_start.of(person, now=utcnow())
    return render_template(
        "staff/people/participant_detail.html",
        person=person,
        pesel_shown=pesel_shown,
        assignments=courses.list_for_participant(person.id),
        course_form=course_form,
        completion_form=CourseCompletionForm(),
        drop_form=DropForm(),
        advisor_form=_advisor_form(person),
        start=start,
        age=monitoring.age_at_entry(person.birth_date, start),
        esf_missing=monitoring.missing(person),
        consents=consents.of_participant(person.id),
        not_emailed=consents.not_emailed([person]).get(person.id),
        invitation=invitations.state(person),
        # Money paid after the end is the business of those who handle allowances.
        paid_after_end=entitlements.paid_after_end_of_person(person)
        if current_user.has_role(Role.COORDINATOR, Role.SOCIAL_WORKER)
        else None,
    )


def _advisor_form(person: Participant) -> AdvisorForm:
    form = AdvisorForm(advisor_id=person.advisor_id or 0)
    form.advisor_id.choices = [(0, "—")] + [
        (a.id, a.full_name) for a in participants.list_staff(person.centre_id, Role.ADVISOR)
    ]
    return form


@bp.post("/participants/<int:participant_id>/pesel")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def participant_pesel(participant_id: int) -> ResponseReturnValue:
    """Show the full PESEL once, to staff who need it; the viewing is recorded (ASVS 8.3.5)."""
    person = participants.get_for_staff(current_user, participant_id)
    audit.record("participant.pesel_viewed", person, actor=current_user)
    return detail_page(person, pesel_shown=True)
