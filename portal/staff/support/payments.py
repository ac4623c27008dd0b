"""Coordinators keep the payment lists: a month's instalments, marked paid, and downloaded."""

from collections.abc import Sequence
from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.extensions import db
from portal.forms import id_from, ids_from
from portal.models import Instalment, PaymentList, User
from portal.models.base import utcnow
from portal.pdf import frame_of, pdf_response
from portal.services.audit import audit_trail
from portal.services.common import dates, exports, loading
from portal.services.money import money
from portal.services.support import payments, transfer_files
from portal.staff import paging
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.support.approvals import DECIDERS, MAX_CHOSEN
from portal.staff.support.payment_forms import PaidForm, PaymentMonthForm

# One instalment as a row of the downloads: the amount (in grosze) is the fifth cell.
Row = tuple[str, str, str, str, int, str, str]


def _this_month() -> date:
    return dates.local_date(utcnow()).replace(day=1)  # the centre's month


@bp.get("/payments")
@role_required(*DECIDERS)
def payment_lists() -> ResponseReturnValue:
    return _lists_page(PaymentMonthForm(formdata=None, month=_this_month()))


def _lists_page(form: PaymentMonthForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "staff/support/payment_lists.html",
        lists=payments.list_for(current_user.centre_id),
        form=form,
    ), status


@bp.post("/payments")
@role_required(*DECIDERS)
def payment_list_create() -> ResponseReturnValue:
    form = PaymentMonthForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            payment_list = payments.get_or_create(
                current_user.centre_id, form.month.data, actor=current_user, now=utcnow()
            )
            return redirect(url_for(".payment_list", list_id=payment_list.id))
    # What was typed stays in the field, the reason beside it.
    return _lists_page(form, 400)


def _list(list_id: int) -> PaymentList:
    return loading.of_centre(PaymentList, list_id, current_user.centre_id)


@bp.get("/payments/<int:list_id>")
@role_required(*DECIDERS)
def payment_list(list_id: int) -> ResponseReturnValue:
    """One page of the list; its number of items and amounts are of the whole list (the
    downloads still hold every item)."""
    payment_list = _list(list_id)
    figures = payments.figures(payment_list)
    pages = paging.page(figures.count)
    items = payments.page(payment_list, pages)
    reads.listed([i.allowance.participant for i in items], "payment_list")
    return render_template(
        "staff/support/payment_list.html",
        payment_list=payment_list,
        items=items,
        totals=figures,
        pages=pages,
        form=PaidForm(),
        files=transfer_files.files_of(payment_list),
        # A list made before its month began (older data) is paid from the month's first day.
        not_begun=payment_list.month > _this_month(),
    )


@bp.post("/payments/<int:list_id>/paid")
@role_required(*DECIDERS)
def payment_list_paid(list_id: int) -> ResponseReturnValue:
    payment_list = _list(list_id)
    form = PaidForm()
    ids = ids_from(request.form.getlist("instalment_id"), limit=MAX_CHOSEN)
    # Back on the page the items were ticked on.
    back = url_for(".payment_list", list_id=list_id, page=id_from(request.form.get("page")))
    if not form.validate_on_submit() or not ids:
        flash(_("Choose the items and enter the payment date."), "error")
        return redirect(back)
    with boundary.shown():
        count = payments.mark_paid(
            payment_list, ids, paid_on=form.paid_on.data, actor=current_user, now=utcnow()
        )
        flash(_("Marked paid: %(n)d.", n=count), "success")
    return redirect(back)


def _rows(items: Sequence[Instalment]) -> list[Row]:
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


def _header() -> tuple[str, ...]:
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
def payment_list_csv(list_id: int) -> ResponseReturnValue:
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
def payment_list_xlsx(list_id: int) -> ResponseReturnValue:
    payment_list = _list(list_id)
    _downloaded(payment_list, "xlsx")
    items = payments.items(payment_list)
    rows: list[tuple[object, ...]] = [*_rows(items)]
    rows.append(("", "", "", _("Total"), payments.totals(items)["all"], "", ""))
    body = exports.to_xlsx(f"{payment_list.month:%Y-%m}", _header(), rows, money_columns=(4,))
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_attachment(payment_list, "xlsx"),
    )


@bp.get("/payments/<int:list_id>/list.pdf")
@role_required(*DECIDERS)
def payment_list_pdf(list_id: int) -> ResponseReturnValue:
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
