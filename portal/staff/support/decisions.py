"""Coordinators decide allowance requests, keep the payment lists and the allowance limits."""

import re
from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.extensions import db
from portal.forms import CsrfForm, id_from, ids_from
from portal.models import Centre, PaymentList, User
from portal.models.base import utcnow
from portal.models.enums import AllowanceKind, Role
from portal.pdf import frame_of, pdf_response
from portal.services.audit import audit_trail
from portal.services.common import dates, exports
from portal.services.money import money
from portal.services.people import participants
from portal.services.support import allowances, payments
from portal.services.support import approvals as approval_service
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.events.event_forms import ReasonForm
from portal.staff.support.money_forms import LimitsForm, PaidForm, PaymentMonthForm

DECIDERS = (Role.COORDINATOR,)
# More than a page can show: a longer list of ids is someone's script, not a coordinator.
MAX_CHOSEN = 5000
# A short queue also lists a reason field per request below the table; a longer one leaves
# rejecting to each row's own page (its Reject button), so the page stays one table.
QUICK_REJECT_UP_TO = 20


def _month_arg(value: str | None) -> date | None:
    """A month typed in the address (?month=2026-03), within the years every form accepts."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", value or "")
    if match is None or not 1 <= int(match[2]) <= 12:
        return None
    month = date(int(match[1]), int(match[2]), 1)
    return month if dates.EARLIEST <= month <= dates.LATEST else None


def _kind_arg(value: str | None) -> AllowanceKind | None:
    try:
        return AllowanceKind(value) if value else None
    except ValueError:
        return None


def _filter(values, centre: Centre) -> tuple[approval_service.Filter, dict[str, str]]:
    """The queue's filter from the address (or the confirmation's hidden fields), and the same
    filter as arguments for a link."""
    kind = _kind_arg(values.get("kind"))
    month = _month_arg(values.get("month"))
    worker = id_from(values.get("worker"))
    overdue = values.get("overdue") == "1"
    chosen = approval_service.Filter(
        kind=kind,
        month=month,
        prepared_by_id=worker,
        submitted_before=utcnow() - timedelta(days=centre.decision_warning_days)
        if overdue
        else None,
    )
    args = {
        "kind": kind.value if kind else "",
        "month": month.strftime("%Y-%m") if month else "",
        "worker": str(worker) if worker else "",
        "overdue": "1" if overdue else "",
    }
    return chosen, {name: value for name, value in args.items() if value}


def _report(approved: list[int], refused: dict) -> None:
    """How many were approved, and how many were not with each reason."""
    if approved:
        flash(
            ngettext("%(num)d request approved.", "%(num)d requests approved.", len(approved)),
            "success",
        )
    for message in sorted({str(error.message) for error in refused.values()}):
        count = sum(1 for error in refused.values() if str(error.message) == message)
        flash(_("Not approved (%(n)d): %(reason)s", n=count, reason=message), "error")


@bp.get("/approvals")
@role_required(*DECIDERS)
def approvals():
    centre = db.session.get(Centre, current_user.centre_id)
    chosen, args = _filter(request.args, centre)
    waiting = approval_service.queue(centre.id, chosen)
    reads.listed([a.participant for a in waiting], "approvals")
    totals = {a.id: allowances.total(a) for a in waiting}
    return render_template(
        "staff/support/approvals.html",
        waiting=waiting,
        chosen=chosen,
        args=args,
        kinds=AllowanceKind,
        workers=participants.list_staff(centre.id, Role.SOCIAL_WORKER),
        overdue_before=utcnow() - timedelta(days=centre.decision_warning_days),
        totals=totals,
        total=sum(totals.values()),
        own=approval_service.not_for(current_user, waiting),
        quick_reject_up_to=QUICK_REJECT_UP_TO,
        form=CsrfForm(),
        centre=centre,
    )


@bp.post("/approvals/approve")
@role_required(*DECIDERS)
def approve():
    if not CsrfForm().validate_on_submit():
        abort(400)
    ids = ids_from(request.form.getlist("allowance_id"), limit=MAX_CHOSEN)
    if not ids:
        flash(_("Choose at least one request."), "error")
        return redirect(url_for(".approvals"))
    with boundary.shown():
        _report(
            *approval_service.approve_many(
                ids, centre_id=current_user.centre_id, approver=current_user, now=utcnow()
            )
        )
    return redirect(url_for(".approvals"))


@bp.route("/approvals/all", methods=["GET", "POST"])
@role_required(*DECIDERS)
def approve_all():
    """Approve every request the filter shows: asked once with the number and the amount, then
    decided by the filter on the server (no list of ids travels)."""
    centre = db.session.get(Centre, current_user.centre_id)
    form = CsrfForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        chosen, args = _filter(request.form, centre)
        outcome = None
        with boundary.shown():
            outcome = approval_service.approve_all(
                centre.id,
                chosen,
                fingerprint=request.form.get("fingerprint", ""),
                approver=current_user,
                now=utcnow(),
            )
        if outcome is None:  # the list changed: ask again with the new number
            return redirect(url_for(".approve_all", **args))
        _report(*outcome)
        return redirect(url_for(".approvals", **args))
    chosen, args = _filter(request.args, centre)
    worker = db.session.get(User, chosen.prepared_by_id) if chosen.prepared_by_id else None
    return render_template(
        "staff/support/approve_all.html",
        batch=approval_service.batch(centre.id, chosen, current_user),
        chosen=chosen,
        args=args,
        worker=worker if worker is not None and worker.centre_id == centre.id else None,
        form=form,
        centre=centre,
    )


@bp.route("/allowances/<int:allowance_id>/reject", methods=["GET", "POST"])
@role_required(*DECIDERS)
def reject(allowance_id: int):
    """The reject page of one request (reached from its row): the reason is required."""
    allowance = allowances.get(current_user.centre_id, allowance_id)
    reads.viewed(allowance.participant, "allowance_rejection", allowance.id)
    form = ReasonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            if "csrf_token" in form.errors:
                abort(400)
            form.reason.errors = [_("Give the reason for rejecting.")]
        else:
            with boundary.shown(form):
                approval_service.reject(
                    allowance, reason=form.reason.data, approver=current_user, now=utcnow()
                )
                flash(_("The request is rejected."), "success")
                return redirect(url_for(".approvals"))
            if not form.reason.errors:  # refused as a whole: their own, or decided meanwhile
                return redirect(url_for(".approvals"))
    return render_template(
        "staff/support/reject.html",
        allowance=allowance,
        total=allowances.total(allowance),
        form=form,
    )


@bp.get("/payments")
@role_required(*DECIDERS)
def payment_lists():
    return render_template(
        "staff/support/payment_lists.html",
        lists=payments.list_for(current_user.centre_id),
        form=CsrfForm(),
        this_month=dates.local_date(utcnow()).replace(day=1),  # the centre's month
    )


@bp.post("/payments")
@role_required(*DECIDERS)
def payment_list_create():
    form = PaymentMonthForm()
    if not form.validate_on_submit():
        flash(_("Choose a month."), "error")
        return redirect(url_for(".payment_lists"))
    payment_list = payments.get_or_create(
        current_user.centre_id, form.month.data, actor=current_user, now=utcnow()
    )
    return redirect(url_for(".payment_list", list_id=payment_list.id))


def _list(list_id: int) -> PaymentList:
    return payments.get(current_user.centre_id, list_id)


@bp.get("/payments/<int:list_id>")
@role_required(*DECIDERS)
def payment_list(list_id: int):
    payment_list = _list(list_id)
    items = payments.items(payment_list)
    reads.listed([i.allowance.participant for i in items], "payment_list")
    return render_template(
        "staff/support/payment_list.html",
        payment_list=payment_list,
        items=items,
        totals=payments.totals(items),
        form=PaidForm(),
    )


@bp.post("/payments/<int:list_id>/paid")
@role_required(*DECIDERS)
def payment_list_paid(list_id: int):
    payment_list = _list(list_id)
    form = PaidForm()
    ids = ids_from(request.form.getlist("instalment_id"), limit=MAX_CHOSEN)
    if not form.validate_on_submit() or not ids:
        flash(_("Choose the items and enter the payment date."), "error")
        return redirect(url_for(".payment_list", list_id=list_id))
    with boundary.shown():
        count = payments.mark_paid(
            payment_list, ids, paid_on=form.paid_on.data, actor=current_user, now=utcnow()
        )
        flash(_("Marked paid: %(n)d.", n=count), "success")
    return redirect(url_for(".payment_list", list_id=list_id))


def _rows(items):
    return [
        (
            i.allowance.participant.last_name,
            i.allowance.participant.first_name,
            i.allowance.kind.label,
            i.month.strftime("%Y-%m"),
            i.amount_grosze,
            i.status.label,
            i.paid_on.isoformat() if i.paid_on else "",
        )
        for i in items
    ]


def _attachment(payment_list: PaymentList, extension: str) -> dict[str, str]:
    name = f"lista-wyplat-{payment_list.month:%Y-%m}.{extension}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _downloaded(payment_list: PaymentList, file_format: str) -> None:
    audit_trail.record_download(
        payment_list, actor=current_user, document="payment_list", file_format=file_format
    )


def _header():
    return (
        _("Last name"),
        _("First name"),
        _("Kind"),
        _("Month"),
        _("Amount"),
        _("Status"),
        _("Paid on"),
    )


@bp.get("/payments/<int:list_id>/list.csv")
@role_required(*DECIDERS)
def payment_list_csv(list_id: int):
    payment_list = _list(list_id)
    _downloaded(payment_list, "csv")
    items = payments.items(payment_list)
    rows = [(*row[:4], money.to_text(row[4]), *row[5:]) for row in _rows(items)]
    rows.append(("", "", "", _("Total"), money.to_text(payments.totals(items)["all"]), "", ""))
    return Response(
        exports.to_csv(_header(), rows),
        mimetype="text/csv",
        headers=_attachment(payment_list, "csv"),
    )


@bp.get("/payments/<int:list_id>/list.xlsx")
@role_required(*DECIDERS)
def payment_list_xlsx(list_id: int):
    payment_list = _list(list_id)
    _downloaded(payment_list, "xlsx")
    items = payments.items(payment_list)
    rows = _rows(items)
    rows.append(("", "", "", _("Total"), payments.totals(items)["all"], "", ""))
    body = exports.to_xlsx(f"{payment_list.month:%Y-%m}", _header(), rows, money_columns=(4,))
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_attachment(payment_list, "xlsx"),
    )


@bp.get("/payments/<int:list_id>/list.pdf")
@role_required(*DECIDERS)
def payment_list_pdf(list_id: int):
    payment_list = _list(list_id)
    _downloaded(payment_list, "pdf")
    items = payments.items(payment_list)
    return pdf_response(
        "pdf/payment_list.html",
        f"lista-wyplat-{payment_list.month:%Y-%m}.pdf",
        # Each allowance's own project: the stage its budget line belongs to.
        frame=frame_of(
            payment_list.centre_id,
            [
                i.allowance.budget_line.stage.project
                if i.allowance.budget_line
                else i.allowance.participant.project
                for i in items
            ],
        ),
        payment_list=payment_list,
        items=items,
        totals=payments.totals(items),
        prepared_by=db.session.get(User, payment_list.created_by_id)
        if payment_list.created_by_id
        else None,
    )


@bp.route("/allowance-limits", methods=["GET", "POST"])
@role_required(Role.COORDINATOR, Role.ADMIN)
def allowance_limits():
    if current_user.centre_id is None:  # an installation admin sets no centre's limits
        abort(404)
    centre = db.session.get(Centre, current_user.centre_id)
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
                warning_days=form.decision_warning_days.data,
                actor=current_user,
            )
            flash(_("The limits are saved."), "success")
            return redirect(url_for(".allowance_limits"))
    return render_template("staff/support/allowance_limits.html", form=form, centre=centre)


def _limit(field) -> int | None:
    """An optional amount; one that is no amount is refused beside its field."""
    return money.parse(field.data, field=field.name) if field.data else None
