"""Social workers prepare, sign and close social contracts."""

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.formatting import money
from portal.forms import PortalForm
from portal.models import SocialContract
from portal.models.base import utcnow
from portal.models.enums import ContractStatus, Instrument, Role
from portal.pdf import frame_of, pdf_response
from portal.services.audit import audit_trail
from portal.services.common import dates, loading
from portal.services.events import sessions
from portal.services.people import participants
from portal.services.support import allowances, contracts, entitlements
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.support.contract_forms import (
    ContractForm,
    EvaluationForm,
    SignForm,
    TerminationForm,
)

CASEWORK = (Role.SOCIAL_WORKER, Role.COORDINATOR)


def contract_of(contract_id: int, *, shown: bool = False) -> SocialContract:
    """A contract of the centre whose person this member of staff may see (else not found);
    `shown`: with what its document shows beside it."""
    contract = loading.of_centre(
        SocialContract,
        contract_id,
        current_user.centre_id,
        options=contracts.shown() if shown else (),
    )
    participants.get_for_staff(current_user, contract.participant_id)
    return contract


def _contract_fields(form: ContractForm) -> contracts.ContractFields:
    return contracts.ContractFields(
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        problem=form.problem.data.strip(),
        goal=form.goal.data.strip(),
        participant_obligations=form.participant_obligations.data.strip(),
        centre_obligations=form.centre_obligations.data.strip(),
        instruments=[Instrument(v) for v in form.instruments.data or []],
        support=(form.support.data or "").strip(),
    )


@bp.get("/participants/<int:participant_id>/casework")
@role_required(*CASEWORK)
def casework(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "casework")
    return render_template(
        "staff/support/casework.html",
        person=person,
        contracts=contracts.list_for_participant(person.id),
        allowances=allowances.list_for_participant(person.id),
        received=allowances.received_in_year(person.id, dates.local_date(utcnow()).year),
    )


@bp.route("/participants/<int:participant_id>/contracts/new", methods=["GET", "POST"])
@role_required(*CASEWORK)
def contract_new(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "contract_form")
    form = ContractForm()
    if form.validate_on_submit_with(lambda: contracts.check_period(_contract_fields(form))):
        with boundary.shown(form):
            contract = contracts.create(
                person, _contract_fields(form), social_worker=current_user, now=utcnow()
            )
            flash(
                _("The contract %(number)s is saved as a draft.", number=contract.number), "success"
            )
            return redirect(url_for(".contract_detail", contract_id=contract.id))
    return render_template(
        "staff/support/contract_form.html", form=form, person=person, contract=None
    )


@bp.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@role_required(*CASEWORK)
def contract_edit(contract_id: int) -> ResponseReturnValue:
    contract = contract_of(contract_id)
    reads.viewed(contract.participant, "contract_form", contract.id)
    form = ContractForm(obj=None if request.method == "POST" else contract)
    if request.method == "GET":
        form.version.data = contract.version_id
    if form.validate_on_submit_with(lambda: contracts.check_period(_contract_fields(form))):
        with boundary.shown(form):
            contracts.update_draft(
                contract,
                _contract_fields(form),
                actor=current_user,
                version=form.version.data or 0,
                now=utcnow(),
            )
            flash(_("The changes are saved."), "success")
            return redirect(url_for(".contract_detail", contract_id=contract.id))
    return render_template(
        "staff/support/contract_form.html",
        form=form,
        person=contract.participant,
        contract=contract,
    )


@bp.get("/contracts/<int:contract_id>")
@role_required(*CASEWORK)
def contract_detail(contract_id: int) -> ResponseReturnValue:
    contract = contract_of(contract_id, shown=True)
    reads.viewed(contract.participant, "contract", contract.id)
    return _detail_page(contract)


def _detail_page(contract: SocialContract, **sent_back: PortalForm) -> ResponseReturnValue:
    """The contract's page; a step's form sent back with its errors replaces the empty one."""
    forms: dict[str, PortalForm] = {
        "sign_form": SignForm(formdata=None),
        "evaluation_form": EvaluationForm(formdata=None),
    }
    forms |= sent_back
    ending = None
    if contract.status in contracts.CURRENT:  # what completing it today cancels, said beside
        ending = contracts.ending(contract, now=utcnow())
        forms["evaluation_form"].cancels.data = ending.fingerprint
    return render_template(
        "staff/support/contract_detail.html",
        contract=contract,
        ending=ending,
        paid_after_end=entitlements.paid_after_end_of_contract(contract),
        instruments=[Instrument(v) for v in contract.instruments],
        instrument_minutes=sessions.hours_by_instrument(contract.participant_id),
        **forms,
    ), (400 if sent_back else 200)


# The steps below are small forms on the contract's page. What cannot be read (a date, control
# characters, too long) is shown beside its field on the page; a rule's refusal (a date in the
# future, a blank evaluation, another current contract) is flashed on top of it.


@bp.post("/contracts/<int:contract_id>/sign")
@role_required(*CASEWORK)
def contract_sign(contract_id: int) -> ResponseReturnValue:
    contract = contract_of(contract_id)
    form = SignForm()
    if not form.validate_on_submit():
        return _detail_page(contract, sign_form=form)
    with boundary.shown():
        contracts.sign(contract, signed_on=form.signed_on.data, actor=current_user, now=utcnow())
        flash(_("The contract is signed."), "success")
    return redirect(url_for(".contract_detail", contract_id=contract.id))


@bp.post("/contracts/<int:contract_id>/activate")
@role_required(*CASEWORK)
def contract_activate(contract_id: int) -> ResponseReturnValue:
    contract = contract_of(contract_id)
    with boundary.shown():
        contracts.activate(contract, actor=current_user, now=utcnow())
        flash(_("The contract is active."), "success")
    return redirect(url_for(".contract_detail", contract_id=contract.id))


@bp.post("/contracts/<int:contract_id>/complete")
@role_required(*CASEWORK)
def contract_complete(contract_id: int) -> ResponseReturnValue:
    contract = contract_of(contract_id)
    form = EvaluationForm()
    if not form.validate_on_submit():
        return _detail_page(contract, evaluation_form=form)
    with boundary.shown():
        ending = contracts.complete(
            contract,
            evaluation=form.evaluation.data,
            confirmed=form.cancels.data or None,
            actor=current_user,
            now=utcnow(),
        )
        flash(_("The contract is completed."), "success")
        _flash_cancelled(ending)
    return redirect(url_for(".contract_detail", contract_id=contract.id))


def _flash_cancelled(ending: entitlements.Ending) -> None:
    if ending.count:
        flash(
            ngettext(
                "%(num)d instalment of the periodic allowance after the end, %(amount)s, is "
                "cancelled; the money is back on the budget line.",
                "%(num)d instalments of the periodic allowance after the end, %(amount)s in "
                "all, are cancelled; the money is back on the budget line.",
                ending.count,
                amount=money(ending.total_grosze),
            ),
            "success",
        )


@bp.get("/contracts/<int:contract_id>/terminate")
@role_required(*CASEWORK)
def contract_terminate_confirm(contract_id: int) -> ResponseReturnValue:
    """What ending the contract early does, with the reason to give; the POST below does it."""
    contract = contract_of(contract_id)
    reads.viewed(contract.participant, "contract_termination", contract.id)
    return _termination_page(contract, TerminationForm(formdata=None))


def _termination_page(
    contract: SocialContract, form: TerminationForm, status: int = 200
) -> ResponseReturnValue:
    now = utcnow()
    # The figures are always those of now: a page sent back after a change shows the new ones.
    ending = contracts.ending(contract, now=now)
    form.cancels.data = ending.fingerprint
    return render_template(
        "staff/support/contract_terminate.html",
        contract=contract,
        form=form,
        ends_on=dates.local_date(now),
        ending=ending,
        ended_label=ContractStatus.TERMINATED.label,
    ), status


@bp.post("/contracts/<int:contract_id>/terminate")
@role_required(*CASEWORK)
def contract_terminate(contract_id: int) -> ResponseReturnValue:
    contract = contract_of(contract_id)
    form = TerminationForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            ending = contracts.terminate(
                contract,
                reason=form.reason.data,
                confirmed=form.cancels.data or None,
                actor=current_user,
                now=utcnow(),
            )
            flash(_("The contract is ended early."), "success")
            _flash_cancelled(ending)
            return redirect(url_for(".contract_detail", contract_id=contract.id))
    return _termination_page(contract, form, 400)


@bp.get("/contracts/<int:contract_id>/contract.pdf")
@role_required(*CASEWORK)
def contract_pdf(contract_id: int) -> ResponseReturnValue:
    contract = contract_of(contract_id, shown=True)
    audit_trail.record_download(
        contract, actor=current_user, document="contract", file_format="pdf"
    )
    return pdf_response(
        "pdf/contract.html",
        f"kontrakt-{contract.number.replace('/', '-')}.pdf",
        frame=frame_of(
            contract.centre_id,
            [contract.project],
            dated=contract.signed_on,
            version=contract.version_id,
        ),
        contract=contract,
        instruments=[Instrument(v) for v in contract.instruments],
    )
