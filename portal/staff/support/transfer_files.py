"""Coordinators send a payment list to the bank: the check, the export that locks the list,
and the kept files (Elixir-O, XML, the cash list), the same bytes at every download."""

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.forms import CsrfForm
from portal.models import PaymentList, TransferFileFormat
from portal.models.base import utcnow
from portal.pdf import frame_of, render_pdf
from portal.services.common import loading
from portal.services.people import bank_accounts
from portal.services.support import transfer_files
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.support.approvals import DECIDERS

# Each kept file as it is downloaded: its name's stem and extension, and its media type.
DOWNLOADS = {
    TransferFileFormat.ELIXIR: ("przelewy", "txt", "text/plain; charset=windows-1250"),
    TransferFileFormat.SEPA: ("przelewy", "xml", "application/xml"),
    TransferFileFormat.CASH: ("lista-gotowkowa", "pdf", "application/pdf"),
}


def _list(list_id: int) -> PaymentList:
    return loading.of_centre(PaymentList, list_id, current_user.centre_id)


@bp.get("/payments/<int:list_id>/export")
@role_required(*DECIDERS)
def payment_list_export(list_id: int) -> ResponseReturnValue:
    payment_list = _list(list_id)
    if payment_list.is_locked:
        return render_template("staff/support/payment_export.html", payment_list=payment_list)
    plan = transfer_files.plan(payment_list)
    reads.listed([p.person for p in plan.transfers + plan.cash], "payment_list")
    return render_template(
        "staff/support/payment_export.html",
        payment_list=payment_list,
        plan=plan,
        pending=bank_accounts.pending_changes([p.person.id for p in plan.transfers + plan.cash]),
        form=CsrfForm(),
    )


@bp.post("/payments/<int:list_id>/export")
@role_required(*DECIDERS)
def payment_list_export_post(list_id: int) -> ResponseReturnValue:
    payment_list = _list(list_id)
    form = CsrfForm()
    if not form.validate_on_submit():
        return redirect(url_for(".payment_list_export", list_id=list_id))
    with boundary.shown():
        transfer_files.export(
            payment_list, actor=current_user, now=utcnow(), cash_list=_cash_list_pdf
        )
        flash(_("The files are made and the list is locked."), "success")
        return redirect(url_for(".payment_list", list_id=list_id))
    # Refused: the problems are listed on the check page, unless the list is already exported.
    locked = _list(list_id).is_locked
    return redirect(url_for(".payment_list" if locked else ".payment_list_export", list_id=list_id))


def _cash_list_pdf(plan: transfer_files.Plan) -> bytes:
    payment_list = plan.payment_list
    return render_pdf(
        "pdf/cash_list.html",
        f"lista-gotowkowa-{payment_list.month:%Y-%m}.pdf",
        frame=frame_of(
            payment_list.centre_id,
            [p.person.project for p in plan.cash],
        ),
        payment_list=payment_list,
        payments=plan.cash,
        total=plan.cash_grosze,
        prepared_by=current_user,
    )


@bp.get("/payments/<int:list_id>/transfers.txt")
@role_required(*DECIDERS)
def payment_list_elixir(list_id: int) -> ResponseReturnValue:
    return _download(_list(list_id), TransferFileFormat.ELIXIR)


@bp.get("/payments/<int:list_id>/transfers.xml")
@role_required(*DECIDERS)
def payment_list_sepa(list_id: int) -> ResponseReturnValue:
    return _download(_list(list_id), TransferFileFormat.SEPA)


@bp.get("/payments/<int:list_id>/cash-list.pdf")
@role_required(*DECIDERS)
def payment_list_cash(list_id: int) -> ResponseReturnValue:
    return _download(_list(list_id), TransferFileFormat.CASH)


def _download(payment_list: PaymentList, file_format: TransferFileFormat) -> Response:
    kept = transfer_files.stored(payment_list, file_format)
    transfer_files.downloaded(payment_list, kept, actor=current_user)
    stem, extension, mimetype = DOWNLOADS[file_format]
    suffix = f"-{payment_list.sequence}" if payment_list.sequence > 1 else ""
    name = f"{stem}-{payment_list.month:%Y-%m}{suffix}.{extension}"
    return Response(
        kept.body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
