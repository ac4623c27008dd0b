"""The participant's own monitoring data: seen, confirmed, and contact details corrected."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.forms import CsrfForm
from portal.models.base import utcnow
from portal.participant.blueprint import bp
from portal.participant.my_details_forms import ContactForm
from portal.services.people import monitoring, participant_record, participants
from portal.services.people.participant_record import noticed


@bp.route("/my-details", methods=["GET", "POST"])
def my_details():
    person = participants.own_record(current_user)
    form, found = (
        ContactForm(
            data={
                "email": person.email or "",
                "phone": person.phone or "",
                "version": person.version_id,
            }
        ),
        {},
    )
    if form.validate_on_submit():
        with boundary.shown(form), noticed(found):
            participant_record.update_contact(
                person,
                email=form.email.data,
                phone=form.phone.data,
                version=form.version.data or 0,
                actor=current_user,
                now=utcnow(),
            )
            flash(_("Your contact details are saved."), "success")
            return redirect(url_for(".my_details"))
        if found.get("conflict"):
            form.version.data = person.version_id
            form.version.raw_data = [str(person.version_id)]
    return render_template(
        "participant/my_details.html",
        person=person,
        form=form,
        confirm_form=CsrfForm(),
        age=monitoring.age_at_entry(person.birth_date, person.support_start),
        employer_kinds=monitoring.EMPLOYER_KINDS,
    )


@bp.post("/my-details/confirm")
def confirm_my_details():
    form = CsrfForm()
    if form.validate_on_submit():
        participant_record.confirm_data(
            participants.own_record(current_user), actor=current_user, now=utcnow()
        )
        flash(_("Thank you: the centre knows that your data are right."), "success")
    return redirect(url_for(".my_details"))
