"""Coordinators decide allowance requests, keep the payment lists and the allowance limits."""

from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from portal.auth.access import role_required
from portal.extensions import db
from portal.forms import CsrfForm
from portal.models import Centre, PaymentList
from portal.models.base import utcnow
from portal.models.enums import AllowanceKind, Role
from portal.pdf import pdf_response
from portal.services import allowances, dates, exports, money, participants, payments
from portal.services.errors import NotFound, PortalError
from portal.staff import bp
from portal.staff.event_forms import ReasonForm
from portal.staff.money_forms import LimitsForm, PaidForm
from portal.staff.views import show_error

DECIDERS = (Role.COORDINATOR,)


def _month_arg(name: str) -> date | None:
    value = request.args.get(name, "")
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


@bp.get("/approvals")
@role_required(*DECIDERS)
def approvals():
    kind = request.args.get("kind") or None
    worker = request.args.get("worker", type=int) or None
    month = _month_arg("month")
    try:
        kind = AllowanceKind(kind) if kind else None
    except ValueError:
        kind = None
    centre = db.session.get(Centre, current_user.centre_id)
    waiting = allowances.queue(centre.id, kind=kind, month=month, prepared_by_id=worker)
    overdue_before = utcnow() - timedelta(days=centre.decision_warning_days)
    return render_template(
        "staff/approvals.html",
        waiting=waiting,
        kind=kind,
        worker=worker,
        month=month,
        kinds=AllowanceKind,
        workers=participants.list_staff(centre.id, Role.SOCIAL_WORKER),
        overdue_before=overdue_before,
        totals={a.id: allowances.total(a) for a in waiting},
        form=CsrfForm(),
        reason_form=ReasonForm(),
        centre=centre,
    )


@bp.post("/approvals/approve")
@role_required(*DECIDERS)
def approve():
    if not CsrfForm().validate_on_submit():
        abort(400)
    ids = [int(v) for v in request.form.getlist("allowance_id") if v.isdigit()][:5000]
    if not ids:
        flash(_("Choose at least one request."), "error")
        return redirect(url_for(".approvals"))
    try:
        approved, refused = allowances.approve_many(
            ids, centre_id=current_user.centre_id, approver=current_user, now=utcnow()
        )
    except PortalError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".approvals"))
    db.session.commit()
    if approved:
        flash(
            ngettext("%(num)d request approved.", "%(num)d requests approved.", len(approved)),
            "success",
        )
    for message in sorted({str(error.message) for error in refused.values()}):
        count = sum(1 for error in refused.values() if str(error.message) == message)
        flash(_("Not approved (%(n)d): %(reason)s", n=count, reason=message), "error")
    return redirect(url_for(".approvals"))


@bp.post("/allowances/<int:allowance_id>/reject")
@role_required(*DECIDERS)
def reject(allowance_id: int):
    form = ReasonForm()
    try:
        allowance = allowances.get(current_user.centre_id, allowance_id)
    except NotFound:
        abort(404)
    if not form.validate_on_submit():
        flash(_("Give the reason for rejecting."), "error")
        return redirect(url_for(".approvals"))
    try:
        allowances.reject(allowance, reason=form.reason.data, approver=current_user, now=utcnow())
    except PortalError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The request is rejected."), "success")
    return redirect(url_for(".approvals"))


@bp.get("/payments")
@role_required(*DECIDERS)
def payment_lists():
    lists = db.session.scalars(
        select(PaymentList)
        .where(PaymentList.centre_id == current_user.centre_id)
        .order_by(PaymentList.month.desc())
    ).all()
    return render_template(
        "staff/payment_lists.html",
        lists=lists,
        form=CsrfForm(),
        this_month=dates.local_date(utcnow()).replace(day=1),  # the centre's month
    )


@bp.post("/payments")
@role_required(*DECIDERS)
def payment_list_create():
    if not CsrfForm().validate_on_submit():
        abort(400)
    month = None
    value = request.form.get("month", "")
    try:
        year, number = (int(part) for part in value.split("-"))
        month = date(year, number, 1)
    except ValueError:
        flash(_("Choose a month."), "error")
        return redirect(url_for(".payment_lists"))
    payment_list = payments.get_or_create(
        current_user.centre_id, month, actor=current_user, now=utcnow()
    )
    db.session.commit()
    return redirect(url_for(".payment_list", list_id=payment_list.id))


def _list(list_id: int) -> PaymentList:
    payment_list = db.session.scalar(
        select(PaymentList).where(
            PaymentList.id == list_id, PaymentList.centre_id == current_user.centre_id
        )
    )
    if payment_list is None:
        abort(404)
    return payment_list


@bp.get("/payments/<int:list_id>")
@role_required(*DECIDERS)
def payment_list(list_id: int):
    payment_list = _list(list_id)
    items = payments.items(payment_list)
    return render_template(
        "staff/payment_list.html",
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
    ids = [int(v) for v in request.form.getlist("instalment_id") if v.isdigit()]
    if not form.validate_on_submit() or not ids:
        flash(_("Choose the items and enter the payment date."), "error")
        return redirect(url_for(".payment_list", list_id=list_id))
    try:
        count = payments.mark_paid(
            payment_list, ids, paid_on=form.paid_on.data, actor=current_user, now=utcnow()
        )
    except PortalError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
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
    items = payments.items(payment_list)
    return pdf_response(
        "pdf/payment_list.html",
        f"lista-wyplat-{payment_list.month:%Y-%m}.pdf",
        payment_list=payment_list,
        items=items,
        totals=payments.totals(items),
        centre=db.session.get(Centre, payment_list.centre_id),
    )


@bp.route("/allowance-limits", methods=["GET", "POST"])
@role_required(Role.ADMIN)
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
        form.decision_warning_days.data = str(centre.decision_warning_days)
    if form.validate_on_submit():
        try:
            allowances.set_limits(
                centre,
                periodic=money.parse(form.max_periodic.data, field="max_periodic")
                if form.max_periodic.data
                else None,
                purpose=money.parse(form.max_purpose.data, field="max_purpose")
                if form.max_purpose.data
                else None,
                in_kind=money.parse(form.max_in_kind.data, field="max_in_kind")
                if form.max_in_kind.data
                else None,
                warning_days=form.decision_warning_days.data,
                actor=current_user,
            )
        except PortalError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The limits are saved."), "success")
            return redirect(url_for(".allowance_limits"))
    return render_template("staff/allowance_limits.html", form=form, centre=centre)
