"""Social workers prepare social contracts and allowance requests."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import role_required
from portal.extensions import db
from portal.http import attempt, flash_form_errors
from portal.models.base import utcnow
from portal.models.enums import AllowanceKind, Instrument, PurposeCategory, Role
from portal.pdf import pdf_response
from portal.services import allowances, contracts, dates, money, participants
from portal.services.errors import NotFound, PortalError
from portal.staff import bp
from portal.staff.money_forms import (
    AllowanceForm,
    ContractForm,
    EvaluationForm,
    SignForm,
    TerminationForm,
)
from portal.staff.views import show_error

CASEWORK = (Role.SOCIAL_WORKER, Role.COORDINATOR)


def _person(participant_id: int):
    try:
        return participants.get_for_staff(current_user, participant_id)
    except NotFound:
        abort(404)


def _contract(contract_id: int):
    try:
        contract = contracts.get(current_user.centre_id, contract_id)
        participants.get_for_staff(current_user, contract.participant_id)
    except NotFound:
        abort(404)
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
def casework(participant_id: int):
    person = _person(participant_id)
    return render_template(
        "staff/casework.html",
        person=person,
        contracts=contracts.list_for_participant(person.id),
        allowances=allowances.list_for_participant(person.id),
        received=allowances.received_in_year(person.id, dates.local_date(utcnow()).year),
    )


@bp.route("/participants/<int:participant_id>/contracts/new", methods=["GET", "POST"])
@role_required(*CASEWORK)
def contract_new(participant_id: int):
    person = _person(participant_id)
    form = ContractForm()
    if form.validate_on_submit():
        try:
            contract = contracts.create(
                person, _contract_fields(form), social_worker=current_user, now=utcnow()
            )
        except PortalError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                _("The contract %(number)s is saved as a draft.", number=contract.number), "success"
            )
            return redirect(url_for(".contract_detail", contract_id=contract.id))
    return render_template("staff/contract_form.html", form=form, person=person, contract=None)


@bp.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@role_required(*CASEWORK)
def contract_edit(contract_id: int):
    contract = _contract(contract_id)
    form = ContractForm(obj=None if request.method == "POST" else contract)
    if request.method == "GET":
        form.version.data = str(contract.version_id)
    if form.validate_on_submit():
        try:
            contracts.update_draft(
                contract,
                _contract_fields(form),
                actor=current_user,
                version=int(form.version.data or 0),
                now=utcnow(),
            )
        except PortalError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The changes are saved."), "success")
            return redirect(url_for(".contract_detail", contract_id=contract.id))
    return render_template(
        "staff/contract_form.html", form=form, person=contract.participant, contract=contract
    )


@bp.get("/contracts/<int:contract_id>")
@role_required(*CASEWORK)
def contract_detail(contract_id: int):
    contract = _contract(contract_id)
    return render_template(
        "staff/contract_detail.html",
        contract=contract,
        sign_form=SignForm(),
        evaluation_form=EvaluationForm(),
        termination_form=TerminationForm(),
        instruments=[Instrument(v) for v in contract.instruments],
    )


def _contract_action(contract_id: int, action, message: str, form=None):
    contract = _contract(contract_id)
    if form is not None and not form.validate_on_submit():
        flash_form_errors(form)
    else:
        attempt(lambda: action(contract), message)
    return redirect(url_for(".contract_detail", contract_id=contract.id))


@bp.post("/contracts/<int:contract_id>/sign")
@role_required(*CASEWORK)
def contract_sign(contract_id: int):
    form = SignForm()
    return _contract_action(
        contract_id,
        lambda c: contracts.sign(
            c, signed_on=form.signed_on.data, actor=current_user, now=utcnow()
        ),
        _("The contract is signed."),
        form,
    )


@bp.post("/contracts/<int:contract_id>/activate")
@role_required(*CASEWORK)
def contract_activate(contract_id: int):
    return _contract_action(
        contract_id,
        lambda c: contracts.activate(c, actor=current_user, now=utcnow()),
        _("The contract is active."),
    )


@bp.post("/contracts/<int:contract_id>/complete")
@role_required(*CASEWORK)
def contract_complete(contract_id: int):
    form = EvaluationForm()
    return _contract_action(
        contract_id,
        lambda c: contracts.complete(
            c, evaluation=form.evaluation.data, actor=current_user, now=utcnow()
        ),
        _("The contract is completed."),
        form,
    )


@bp.post("/contracts/<int:contract_id>/terminate")
@role_required(*CASEWORK)
def contract_terminate(contract_id: int):
    form = TerminationForm()
    return _contract_action(
        contract_id,
        lambda c: contracts.terminate(c, reason=form.reason.data, actor=current_user, now=utcnow()),
        _("The contract is ended early."),
        form,
    )


@bp.get("/contracts/<int:contract_id>/contract.pdf")
@role_required(*CASEWORK)
def contract_pdf(contract_id: int):
    contract = _contract(contract_id)
    return pdf_response(
        "pdf/contract.html",
        f"kontrakt-{contract.number.replace('/', '-')}.pdf",
        contract=contract,
        instruments=[Instrument(v) for v in contract.instruments],
    )


def _allowance_form(person, form=None) -> AllowanceForm:
    form = form or AllowanceForm()
    form.contract_id.choices = [(0, _("— none —"))] + [
        (c.id, f"{c.number} ({c.start_date} – {c.end_date})")
        for c in contracts.list_for_participant(person.id)
        if c.status in contracts.CURRENT
    ]
    return form


def _allowance_fields(form: AllowanceForm) -> allowances.AllowanceFields:
    kind = AllowanceKind(form.kind.data)
    return allowances.AllowanceFields(
        kind=kind,
        amount_grosze=money.parse(form.amount.data),
        first_month=form.first_month.data,
        last_month=form.last_month.data,
        category=PurposeCategory(form.category.data) if form.category.data else None,
        purpose=(form.purpose.data or "").strip(),
        justification=form.justification.data.strip(),
    )


@bp.route("/participants/<int:participant_id>/allowances/new", methods=["GET", "POST"])
@role_required(*CASEWORK)
def allowance_new(participant_id: int):
    person = _person(participant_id)
    form = _allowance_form(person)
    if form.validate_on_submit():
        contract = None
        try:
            if form.contract_id.data:
                contract = contracts.get(current_user.centre_id, form.contract_id.data)
            allowance = allowances.create(
                person, contract, _allowance_fields(form), prepared_by=current_user, now=utcnow()
            )
            if request.form.get("submit_now"):
                allowances.submit(allowance, actor=current_user, now=utcnow())
        except PortalError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                _("The request is saved.")
                if allowance.status.value == "draft"
                else _("The request is submitted for a decision."),
                "success",
            )
            return redirect(url_for(".allowance_detail", allowance_id=allowance.id))
    return render_template(
        "staff/allowance_form.html",
        form=form,
        person=person,
        received=allowances.received_in_year(person.id, dates.local_date(utcnow()).year),
    )


def _allowance(allowance_id: int):
    try:
        allowance = allowances.get(current_user.centre_id, allowance_id)
        participants.get_for_staff(current_user, allowance.participant_id)
    except NotFound:
        abort(404)
    return allowance


@bp.route("/allowances/<int:allowance_id>/edit", methods=["GET", "POST"])
@role_required(*CASEWORK)
def allowance_edit(allowance_id: int):
    """Correct an undecided request; whoever changes it may not decide it (four-eyes)."""
    allowance = _allowance(allowance_id)
    person = allowance.participant
    form = _allowance_form(
        person, AllowanceForm(obj=None if request.method == "POST" else allowance)
    )
    if request.method == "GET":
        form.kind.data = allowance.kind.value
        form.contract_id.data = allowance.contract_id or 0
        form.amount.data = money.to_text(allowance.amount_grosze)
        form.category.data = allowance.category.value if allowance.category else ""
    if form.validate_on_submit():
        try:
            contract = (
                contracts.get(current_user.centre_id, form.contract_id.data)
                if form.contract_id.data
                else None
            )
            allowances.update_request(
                allowance, contract, _allowance_fields(form), actor=current_user, now=utcnow()
            )
        except PortalError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The changes are saved."), "success")
            return redirect(url_for(".allowance_detail", allowance_id=allowance.id))
    return render_template(
        "staff/allowance_form.html",
        form=form,
        person=person,
        allowance=allowance,
        received=allowances.received_in_year(person.id, dates.local_date(utcnow()).year),
    )


@bp.get("/allowances/<int:allowance_id>")
@role_required(*CASEWORK)
def allowance_detail(allowance_id: int):
    allowance = _allowance(allowance_id)
    return render_template(
        "staff/allowance_detail.html",
        allowance=allowance,
        total=allowances.total(allowance),
        received=allowances.received_in_year(
            allowance.participant_id, dates.local_date(utcnow()).year
        ),
    )


@bp.post("/allowances/<int:allowance_id>/submit")
@role_required(*CASEWORK)
def allowance_submit(allowance_id: int):
    allowance = _allowance(allowance_id)
    try:
        allowances.submit(allowance, actor=current_user, now=utcnow())
    except PortalError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The request is submitted for a decision."), "success")
    return redirect(url_for(".allowance_detail", allowance_id=allowance.id))


@bp.post("/allowances/<int:allowance_id>/withdraw")
@role_required(*CASEWORK)
def allowance_withdraw(allowance_id: int):
    allowance = _allowance(allowance_id)
    try:
        allowances.withdraw(allowance, actor=current_user, now=utcnow())
    except PortalError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The request is withdrawn."), "success")
    return redirect(url_for(".allowance_detail", allowance_id=allowance.id))
