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
from portal.models import Centre, PaymentList
from portal.models.base import utcnow
from portal.models.enums import AllowanceKind, Role
from portal.pdf import pdf_response
from portal.services import allowances, dates, exports, money, participants, payments
from portal.services import approvals as approval_service
from portal.staff import bp
from portal.staff.event_forms import ReasonForm
from portal.staff.money_forms import LimitsForm, PaidForm, PaymentMonthForm

DECIDERS = (Role.COORDINATOR,)
# More than a page can show: a longer list of ids is someone's script, not a coordinator.
MAX_CHOSEN = 5000


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


@bp.get("/approvals")
@role_required(*DECIDERS)
def approvals():
    kind = _kind_arg(request.args.get("kind"))
    worker = id_from(request.args.get("worker"))
    month = _month_arg(request.args.get("month"))
    centre = db.session.get(Centre, current_user.centre_id)
    waiting = approval_service.queue(centre.id, kind=kind, month=month, prepared_by_id=worker)
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
    ids = ids_from(request.form.getlist("allowance_id"), limit=MAX_CHOSEN)
    if not ids:
        flash(_("Choose at least one request."), "error")
        return redirect(url_for(".approvals"))
    with boundary.shown():
        approved, refused = approval_service.approve_many(
            ids, centre_id=current_user.centre_id, approver=current_user, now=utcnow()
        )
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
    allowance = allowances.get(current_user.centre_id, allowance_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for rejecting."), "error")
        return redirect(url_for(".approvals"))
    with boundary.shown():
        approval_service.reject(
            allowance, reason=form.reason.data, approver=current_user, now=utcnow()
        )
        flash(_("The request is rejected."), "success")
    return redirect(url_for(".approvals"))


@bp.get("/payments")
@role_required(*DECIDERS)
def payment_lists():
    return render_template(
        "staff/payment_lists.html",
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
    return render_template("staff/allowance_limits.html", form=form, centre=centre)


def _limit(field) -> int | None:
    """An optional amount; one that is no amount is refused beside its field."""
    return money.parse(field.data, field=field.name) if field.data else None
