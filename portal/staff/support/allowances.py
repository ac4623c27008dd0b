"""Social workers prepare, correct, submit and withdraw allowance requests; coordinators set
the centre's allowance limits."""

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import Field

from portal import boundary
from portal.auth.access import role_required
from portal.formatting import short_date
from portal.models import Allowance, Participant, SocialContract
from portal.models.base import utcnow
from portal.models.enums import AllowanceKind, PurposeCategory, Role
from portal.services.common import dates, loading
from portal.services.money import money
from portal.services.people import participants
from portal.services.support import allowances, contracts
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.support.allowance_forms import AllowanceForm, LimitsForm
from portal.staff.support.contracts import CASEWORK


def _allowance(allowance_id: int, *, shown: bool = False) -> Allowance:
    """A request of the centre whose person this member of staff may see (else not found);
    `shown`: with what its page shows beside it."""
    allowance = loading.of_centre(
        Allowance,
        allowance_id,
        current_user.centre_id,
        options=allowances.shown() if shown else (),
    )
    participants.get_for_staff(current_user, allowance.participant_id)
    return allowance


def _form(person: Participant, form: AllowanceForm | None = None) -> AllowanceForm:
    form = form or AllowanceForm()
    form.contract_id.choices = [(0, _("— none —"))] + [
        (c.id, f"{c.number} ({short_date(c.start_date)} – {short_date(c.end_date)})")
        for c in contracts.list_for_participant(person.id)
        if c.status in contracts.CURRENT
    ]
    return form


def _preselect_contract(form: AllowanceForm) -> None:
    """Opened from a contract (`?contract=<id>`): that contract chosen, when it is one of this
    person's current ones; any other value is ignored (the list offers only those)."""
    wanted = request.args.get("contract", type=int)
    if wanted is not None and any(wanted == value for value, _label in form.contract_id.choices):
        form.contract_id.data = wanted


def _fields(form: AllowanceForm) -> allowances.AllowanceFields:
    """The request as typed; an amount that is no amount is refused beside its field."""
    return allowances.AllowanceFields(
        kind=AllowanceKind(form.kind.data),
        amount_grosze=money.parse(form.amount.data),
        first_month=form.first_month.data,
        last_month=form.last_month.data,
        category=PurposeCategory(form.category.data) if form.category.data else None,
        purpose=(form.purpose.data or "").strip(),
        justification=form.justification.data.strip(),
    )


def _contract(form: AllowanceForm) -> SocialContract | None:
    # Chosen from this person's current contracts; the service checks the choice again.
    if not form.contract_id.data:
        return None
    return loading.of_centre(SocialContract, form.contract_id.data, current_user.centre_id)


def _check(form: AllowanceForm, person: Participant) -> None:
    """The service's check of the request as typed, run with the form's own (one pass)."""
    allowances.check(person, _contract(form), _fields(form))


def _form_page(
    form: AllowanceForm, person: Participant, allowance: Allowance | None = None
) -> ResponseReturnValue:
    return render_template(
        "staff/support/allowance_form.html",
        form=form,
        person=person,
        allowance=allowance,
        received=allowances.received_in_year(person.id, dates.local_date(utcnow()).year),
    )


@bp.route("/participants/<int:participant_id>/allowances/new", methods=["GET", "POST"])
@role_required(*CASEWORK)
def allowance_new(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "allowance_form")
    form = _form(person)
    if request.method == "GET":
        _preselect_contract(form)
    if form.validate_on_submit_with(lambda: _check(form, person)):
        with boundary.shown(form):
            allowance = allowances.create(
                person, _contract(form), _fields(form), prepared_by=current_user, now=utcnow()
            )
            if form.submit_now.data:
                allowances.submit(allowance, actor=current_user, now=utcnow())
                flash(_("The request is submitted for a decision."), "success")
            else:
                flash(_("The request is saved."), "success")
            return redirect(url_for(".allowance_detail", allowance_id=allowance.id))
    return _form_page(form, person)


@bp.route("/allowances/<int:allowance_id>/edit", methods=["GET", "POST"])
@role_required(*CASEWORK)
def allowance_edit(allowance_id: int) -> ResponseReturnValue:
    """Correct an undecided request; whoever changes it may not decide it (four-eyes)."""
    allowance = _allowance(allowance_id)
    person = allowance.participant
    reads.viewed(person, "allowance_form", allowance.id)
    form = _form(person, AllowanceForm(obj=None if request.method == "POST" else allowance))
    if request.method == "GET":
        form.kind.data = allowance.kind.value
        form.contract_id.data = allowance.contract_id or 0
        form.amount.data = money.to_text(allowance.amount_grosze)
        form.category.data = allowance.category.value if allowance.category else ""
    if form.validate_on_submit_with(lambda: _check(form, person)):
        with boundary.shown(form):
            allowances.update_request(
                allowance, _contract(form), _fields(form), actor=current_user, now=utcnow()
            )
            flash(_("The changes are saved."), "success")
            return redirect(url_for(".allowance_detail", allowance_id=allowance.id))
    return _form_page(form, person, allowance)


@bp.get("/allowances/<int:allowance_id>")
@role_required(*CASEWORK)
def allowance_detail(allowance_id: int) -> ResponseReturnValue:
    allowance = _allowance(allowance_id, shown=True)
    reads.viewed(allowance.participant, "allowance", allowance.id)
    return render_template(
        "staff/support/allowance_detail.html",
        allowance=allowance,
        total=allowances.total(allowance),
        received=allowances.received_in_year(
            allowance.participant_id, dates.local_date(utcnow()).year
        ),
    )


@bp.post("/allowances/<int:allowance_id>/submit")
@role_required(*CASEWORK)
def allowance_submit(allowance_id: int) -> ResponseReturnValue:
    allowance = _allowance(allowance_id)
    with boundary.shown():
        allowances.submit(allowance, actor=current_user, now=utcnow())
        flash(_("The request is submitted for a decision."), "success")
    return redirect(url_for(".allowance_detail", allowance_id=allowance.id))


@bp.post("/allowances/<int:allowance_id>/withdraw")
@role_required(*CASEWORK)
def allowance_withdraw(allowance_id: int) -> ResponseReturnValue:
    allowance = _allowance(allowance_id)
    with boundary.shown():
        allowances.withdraw(allowance, actor=current_user, now=utcnow())
        flash(_("The request is withdrawn."), "success")
    return redirect(url_for(".allowance_detail", allowance_id=allowance.id))


@bp.route("/allowance-limits", methods=["GET", "POST"])
@role_required(Role.COORDINATOR, Role.ADMIN)
def allowance_limits() -> ResponseReturnValue:
    # An installation administrator sets no centre's limits.
    centre = loading.centre(loading.centre_id_of(current_user))
    form = LimitsForm()
    if request.method == "GET":
        for field, value in (
            ("max_periodic", centre.max_periodic_grosze),
            ("max_purpose", centre.max_purpose_grosze),
            ("max_in_kind", centre.max_in_kind_grosze),
        ):
            getattr(form, field).data = money.to_text(value) if value is not None else ""
        form.decision_warning_days.data = centre.decision_warning_days
    if form.validate_on_submit():
        with boundary.shown(form):
            allowances.set_limits(
                centre,
                periodic=_limit(form.max_periodic),
                purpose=_limit(form.max_purpose),
                in_kind=_limit(form.max_in_kind),
                warning_days=form.decision_warning_days.data or 0,  # None only when refused
                actor=current_user,
            )
            flash(_("The limits are saved."), "success")
            return redirect(url_for(".allowance_limits"))
    return render_template("staff/support/allowance_limits.html", form=form, centre=centre)


def _limit(field: Field) -> int | None:
    """An optional amount; one that is no amount is refused beside its field."""
    return money.parse(field.data, field=field.name) if field.data else None
