"""Staff pages of a participant's whole record: details, ESF monitoring data, the end of support,
the invitation to the portal, and the centre's lists of incomplete monitoring data and of
results at exit still due."""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import boundary, formatting
from portal.auth.access import role_required
from portal.models import Participant, User, Village
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.models.people import Sex
from portal.services.accounts import accounts
from portal.services.common import dates, loading
from portal.services.people import (
    exits,
    invitations,
    labels,
    monitoring,
    participant_record,
    participants,
    participation_start,
)
from portal.services.people.participant_record import noticed
from portal.services.reporting import stage_people
from portal.services.support import entitlements
from portal.staff import mail_limits
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.people.monitoring_forms import ExitForm, MonitoringForm
from portal.staff.people.participant_forms import DetailsForm

RECORD_KEEPERS = (Role.COORDINATOR, Role.SOCIAL_WORKER)


@bp.app_template_filter("told_apart")
def told_apart(person: Participant) -> str:
    """Birth year and village beside a name, as every picker of people shows them."""
    return labels.told_apart(person)


def namesakes_of(found: dict[str, object], centre_id: int) -> list[Participant]:
    """The namesakes a refusal named, read again after its rollback (one query)."""
    ids = found.get("namesakes")
    return participants.list_by_ids(centre_id, ids if isinstance(ids, list) else [])


def _on_current_version(
    form: DetailsForm | MonitoringForm | ExitForm, person: Participant, found: dict[str, object]
) -> None:
    """After a conflict the typed text stays, and the next save is based on the record as it
    is now: the person has been told and can compare before saving again."""
    if found.get("conflict"):
        form.version.data = person.version_id
        form.version.raw_data = [str(person.version_id)]  # what the hidden input shows


def _details_form(person: Participant) -> DetailsForm:
    data = {
        name: getattr(person, name) or ""
        for name in ("first_name", "last_name", "pesel", "no_pesel_country", "email", "phone")
    }
    data |= {
        "birth_date": None if person.pesel else person.birth_date,
        "sex": None if person.pesel or person.sex is None else person.sex.value,
        "village_id": person.village_id or 0,
        "advisor_id": person.advisor_id or 0,
        "social_worker_id": person.social_worker_id or 0,
        "on_contract_path": person.on_contract_path,
        "on_pal_path": person.on_pal_path,
        "version": person.version_id,
    }
    form = DetailsForm(data=data)
    centre_id = person.centre_id
    none = [(0, _("— none —"))]
    form.village_id.choices = none + [(v.id, v.name) for v in participants.list_villages(centre_id)]
    for name, role in (("advisor_id", Role.ADVISOR), ("social_worker_id", Role.SOCIAL_WORKER)):
        form[name].choices = none + [
            (u.id, u.full_name) for u in participants.list_staff(centre_id, role)
        ]
    return form


def _details(form: DetailsForm, centre_id: int) -> participant_record.Details:
    def staff(name: str, role: Role) -> User | None:
        chosen = form[name].data
        return participants.get_staff_member(centre_id, chosen, role) if chosen else None

    return participant_record.Details(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        pesel=form.pesel.data,
        no_pesel_country=form.no_pesel_country.data,
        birth_date=form.birth_date.data,
        sex=Sex(form.sex.data) if form.sex.data else None,
        email=form.email.data,
        phone=form.phone.data,
        village=loading.of_centre(Village, form.village_id.data, centre_id)
        if form.village_id.data
        else None,
        on_contract_path=form.on_contract_path.data,
        on_pal_path=form.on_pal_path.data,
        advisor=staff("advisor_id", Role.ADVISOR),
        social_worker=staff("social_worker_id", Role.SOCIAL_WORKER),
    )


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@role_required(*RECORD_KEEPERS)
def participant_edit(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "edit")
    form = _details_form(person)
    found: dict[str, object] = {}
    if form.validate_on_submit():
        with boundary.shown(form), noticed(found):
            changes = participant_record.update_details(
                person,
                _details(form, person.centre_id),
                version=form.version.data or 0,
                warn_namesakes=not form.different_person.data,
                actor=current_user,
                now=utcnow(),
            )
            flash(_("The participant's details are saved."), "success")
            if "email" in changes and invitations.state(person) == invitations.Invitation.READY:
                # A new address does not invite by itself: say where the invitation is.
                flash(
                    _(
                        "%(name)s has no account on the portal yet: invite them with the button "
                        "“Invite to the portal” below.",
                        name=person.full_name,
                    ),
                    "warning",
                )
            return redirect(url_for(".participant_detail", participant_id=person.id))
        _on_current_version(form, person, found)
    return render_template(
        "staff/people/participant_edit.html",
        form=form,
        person=person,
        found=found,
        namesakes=namesakes_of(found, person.centre_id),
    )


@bp.route("/participants/<int:participant_id>/monitoring", methods=["GET", "POST"])
@role_required(*RECORD_KEEPERS)
def participant_monitoring(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "monitoring")
    form = MonitoringForm.of(person)
    found: dict[str, object] = {}
    if form.validate_on_submit():
        with boundary.shown(form), noticed(found):
            monitoring.update(
                person,
                form.monitoring_data(),
                version=form.version.data or 0,
                actor=current_user,
                now=utcnow(),
            )
            flash(_("The monitoring data are saved."), "success")
            return redirect(url_for(".participant_detail", participant_id=person.id))
        _on_current_version(form, person, found)
    first_support = participation_start.derived(person, now=utcnow())
    return render_template(
        "staff/people/participant_monitoring.html",
        form=form,
        person=person,
        first_support=first_support,
        age=monitoring.age_at_entry(person.birth_date, person.support_start or first_support),
        missing=monitoring.missing(person),
    )


@bp.route("/participants/<int:participant_id>/exit", methods=["GET", "POST"])
@role_required(*RECORD_KEEPERS)
def participant_exit(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "exit")
    form = ExitForm.of(person)
    found: dict[str, object] = {}
    confirm: entitlements.Ending | None = None
    if form.validate_on_submit():
        data, now = form.exit_data(), utcnow()
        with boundary.shown(form), noticed(found):
            exits.check(person, data, now=now)
            ending = exits.ending(person, data.support_end)
            # Instalments already paid after a new end are said too: they cannot be cancelled.
            paid_told = ending.paid.count and data.support_end != person.support_end
            if (ending.count or paid_told) and form.cancels.data != ending.fingerprint:
                # Said before anything is saved: saving again confirms these very instalments.
                confirm, form.cancels.data = ending, ending.fingerprint
            else:
                # Refused unless what it cancels is still `ending` (what was confirmed).
                exits.record_exit(
                    person,
                    data,
                    version=form.version.data or 0,
                    confirmed=form.cancels.data or None,
                    actor=current_user,
                    now=now,
                )
                flash(_("The end of support is saved."), "success")
                if ending.count:
                    flash(
                        ngettext(
                            "%(num)d instalment of the periodic allowance after the end, "
                            "%(amount)s, is cancelled; the money is back on the budget line.",
                            "%(num)d instalments of the periodic allowance after the end, "
                            "%(amount)s in all, are cancelled; the money is back on the budget "
                            "line.",
                            ending.count,
                            amount=formatting.money(ending.total_grosze),
                        ),
                        "success",
                    )
                return redirect(url_for(".participant_detail", participant_id=person.id))
        _on_current_version(form, person, found)
        if confirm is None and form.cancels.data:  # refused: what it would cancel now
            form.cancels.data = ""
    return render_template(
        "staff/people/participant_exit.html",
        form=form,
        person=person,
        confirm=confirm,
        due=exits.result_due_on(person),
        start=participation_start.of(person, now=utcnow()),
    )


@bp.post("/participants/<int:participant_id>/invite")
@mail_limits.invitations
@role_required(*RECORD_KEEPERS)
def participant_invite(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    user, made = invitations.invite(person, actor=current_user, now=utcnow())
    if made:
        flash(
            _(
                "%(name)s has been invited to the portal: the invitation is on its way to "
                "%(email)s.",
                name=person.full_name,
                email=user.email,
            ),
            "success",
        )
    else:  # a second click, or a colleague was quicker: nothing is sent twice
        flash(_("%(name)s already has an account on the portal.", name=person.full_name), "warning")
    return redirect(url_for(".participant_detail", participant_id=person.id, _anchor="account"))


@bp.post("/participants/<int:participant_id>/invite-again")
@mail_limits.invitations
@role_required(*RECORD_KEEPERS)
def participant_invite_again(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    if person.user is None:
        return redirect(url_for(".participant_detail", participant_id=person.id))
    accounts.resend_invitation(person.user, actor=current_user, now=utcnow())
    flash(
        _(
            "A new invitation has been sent to %(email)s. The links sent before no longer work.",
            email=person.user.email,
        ),
        "success",
    )
    return redirect(url_for(".participant_detail", participant_id=person.id, _anchor="account"))


@bp.get("/participants/esf-incomplete")
@role_required(*RECORD_KEEPERS)
def esf_incomplete() -> ResponseReturnValue:
    people = monitoring.list_incomplete(current_user.centre_id)
    reads.listed(people, "esf_incomplete")
    return render_template(
        "staff/people/participants_esf_incomplete.html",
        rows=[(person, monitoring.missing(person)) for person in people],
    )


@bp.get("/participants/results-due")
@role_required(*RECORD_KEEPERS)
def results_due() -> ResponseReturnValue:
    centre_id = current_user.centre_id
    people = exits.list_results_due(centre_id, among=stage_people.supported(centre_id))
    reads.listed(people, "results_due")
    return render_template(
        "staff/people/participants_results_due.html",
        rows=[(person, exits.result_due_on(person)) for person in people],
        today=dates.local_date(utcnow()),
    )
