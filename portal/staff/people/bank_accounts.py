"""Where a participant is paid: the one staff page that shows the account in full (its viewing
is on the audit trail), and the participants' changes waiting for staff to confirm them."""

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.forms import CsrfForm
from portal.models import Participant
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.people import bank_accounts, participants
from portal.services.people.participant_record import noticed
from portal.staff import paging
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.people.bank_account_forms import BankAccountForm

# Who keeps the payment details: those who prepare and pay allowances.
PAYERS = (Role.COORDINATOR, Role.SOCIAL_WORKER)


def _form(person: Participant) -> BankAccountForm:
    return BankAccountForm(
        data={
            "version": person.version_id,
            "method": "cash" if person.paid_in_cash else "account",
            "bank_account": bank_accounts.grouped(person.bank_account),
            "bank_account_owner": person.bank_account_owner or "",
        }
    )


@bp.route("/participants/<int:participant_id>/bank-account", methods=["GET", "POST"])
@role_required(*PAYERS)
def participant_bank_account(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "bank_account")
    form = _form(person)
    found: dict[str, object] = {}
    if form.validate_on_submit_with(
        lambda: bank_accounts.checked(
            form.bank_account.data, form.bank_account_owner.data, form.paid_in_cash
        )
    ):
        with boundary.shown(form), noticed(found):
            changes = bank_accounts.set_account(
                person,
                account=form.bank_account.data,
                owner=form.bank_account_owner.data,
                paid_in_cash=form.paid_in_cash,
                version=form.version.data or 0,
                actor=current_user,
                now=utcnow(),
            )
            flash(
                _("The payment details are saved and the person has been told.")
                if changes
                else _("Nothing has changed."),
                "success",
            )
            return redirect(url_for(".participant_detail", participant_id=person.id))
        if found.get("conflict"):
            form.version.data = person.version_id
            form.version.raw_data = [str(person.version_id)]
    return render_template(
        "staff/people/bank_account.html",
        person=person,
        form=form,
        pending=bank_accounts.pending_change(person),
        grouped=bank_accounts.grouped,
        decide_form=CsrfForm(),
    )


@bp.get("/bank-account-changes")
@role_required(*PAYERS)
def bank_account_changes() -> ResponseReturnValue:
    pages = paging.page(bank_accounts.count_pending(current_user.centre_id))
    pending = bank_accounts.list_pending(current_user.centre_id, pages)
    reads.listed([change.participant for change in pending], "bank_account_changes")
    return render_template(
        "staff/people/bank_account_changes.html",
        changes=pending,
        pages=pages,
        decide_form=CsrfForm(),
    )


def _back(person_id: int) -> ResponseReturnValue:
    """Back where the decision was taken: the person's payment page or the list."""
    if request.form.get("back") == "person":
        return redirect(url_for(".participant_bank_account", participant_id=person_id))
    return redirect(url_for(".bank_account_changes"))


@bp.post("/bank-account-changes/<int:change_id>/confirm")
@role_required(*PAYERS)
def bank_account_change_confirm(change_id: int) -> ResponseReturnValue:
    form = CsrfForm()
    if form.validate_on_submit():
        change = bank_accounts.confirm(
            change_id, current_user.centre_id, actor=current_user, now=utcnow()
        )
        flash(
            _(
                "The new payment details of %(name)s are in force; the person has been told.",
                name=change.participant.full_name,
            ),
            "success",
        )
        return _back(change.participant_id)
    return redirect(url_for(".bank_account_changes"))


@bp.post("/bank-account-changes/<int:change_id>/refuse")
@role_required(*PAYERS)
def bank_account_change_refuse(change_id: int) -> ResponseReturnValue:
    form = CsrfForm()
    if form.validate_on_submit():
        change = bank_accounts.refuse(
            change_id, current_user.centre_id, actor=current_user, now=utcnow()
        )
        flash(
            _(
                "The change is refused: %(name)s is paid as before and has been told.",
                name=change.participant.full_name,
            ),
            "success",
        )
        return _back(change.participant_id)
    return redirect(url_for(".bank_account_changes"))
