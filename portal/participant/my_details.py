"""The participant's own monitoring data: seen, confirmed, and contact details corrected; a
change of the account they are paid to asked for."""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.forms import CsrfForm
from portal.models.base import utcnow
from portal.participant.blueprint import bp
from portal.participant.my_details_forms import BankAccountRequestForm, ContactForm
from portal.services.people import (
    bank_accounts,
    monitoring,
    participant_record,
    participants,
    participation_start,
)
from portal.services.people.participant_record import noticed


@bp.route("/my-details", methods=["GET", "POST"])
def my_details() -> ResponseReturnValue:
    person = participants.own_record(current_user)
    form = ContactForm(
        data={
            "email": person.email or "",
            "phone": person.phone or "",
            "version": person.version_id,
        }
    )
    found: dict[str, object] = {}
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
    # The same start of participation as the report and the exports state.
    start = participation_start.of(person, now=utcnow())
    return render_template(
        "participant/my_details.html",
        person=person,
        form=form,
        confirm_form=CsrfForm(),
        start=start,
        age=monitoring.age_at_entry(person.birth_date, start),
        employer_kinds=monitoring.EMPLOYER_KINDS,
        pending_account=bank_accounts.pending_change(person),
    )


@bp.post("/my-details/confirm")
def confirm_my_details() -> ResponseReturnValue:
    form = CsrfForm()
    if form.validate_on_submit():
        participant_record.confirm_data(
            participants.own_record(current_user), actor=current_user, now=utcnow()
        )
        flash(_("Thank you: the centre knows that your data are right."), "success")
    return redirect(url_for(".my_details"))


@bp.route("/my-details/bank-account", methods=["GET", "POST"])
def my_bank_account() -> ResponseReturnValue:
    """The participant asks to be paid elsewhere; the change waits for the centre's staff."""
    person = participants.own_record(current_user)
    form = BankAccountRequestForm()
    if form.validate_on_submit_with(
        lambda: bank_accounts.checked(
            form.bank_account.data, form.bank_account_owner.data, form.paid_in_cash
        )
    ):
        with boundary.shown(form):
            bank_accounts.request_change(
                person,
                account=form.bank_account.data,
                owner=form.bank_account_owner.data,
                paid_in_cash=form.paid_in_cash,
                actor=current_user,
                now=utcnow(),
            )
            flash(
                _(
                    "Your change is sent. The centre will check it with you; until then you are "
                    "paid as before."
                ),
                "success",
            )
            return redirect(url_for(".my_details", _anchor="payment"))
    return render_template(
        "participant/my_bank_account.html",
        person=person,
        form=form,
        pending=bank_accounts.pending_change(person),
    )
