"""A stage's ledger, kept by the coordinator: its expenses and their corrections, the costs of
events, and the ledger as a spreadsheet."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.models import Event, Expense, ProjectStage
from portal.models.spending import DocumentKind
from portal.models.support import EventCostKind
from portal.services.audit import audit_trail
from portal.services.centres import projects
from portal.services.common import loading
from portal.services.money import claim_documents, ledger, ledger_reports, money
from portal.staff import paging
from portal.staff.money.blueprint import bp, centre_id
from portal.staff.money.ledger_forms import (
    ClaimPeriodForm,
    CorrectionForm,
    EventCostForm,
    ExpenseForm,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stage_page(
    stage: ProjectStage, form: ExpenseForm, period: ClaimPeriodForm | None = None
) -> ResponseReturnValue:
    figures = ledger_reports.stage_money(stage.id)
    pages = paging.page(ledger_reports.ledger_count(stage.id))
    form.line_id.choices = [("", "—")] + [
        (line.id, f"{line.kind.label} ({line.funding_source.label})")
        for line in figures.lines
        if line.kind.value != "allowances"
    ]
    return render_template(
        "staff/money/ledger.html",
        stage=stage,
        figures=figures,
        rows=ledger_reports.ledger_page(stage.id, pages),
        pages=pages,
        form=form,
        period=period or ClaimPeriodForm(formdata=None, meta={"csrf": False}),
    )


def _document(form: ExpenseForm) -> ledger.Document:
    return ledger.Document(
        kind=DocumentKind(form.document_kind.data),
        accounting_number=form.accounting_number.data or "",
        issuer=form.issuer.data or "",
        issuer_nip=form.issuer_nip.data or "",
        issued_on=form.issued_on.data,
        gross_grosze=money.parse(form.gross.data, field="gross") if form.gross.data else None,
        vat_grosze=(
            money.parse(form.vat.data, field="vat", allow_zero=True) if form.vat.data else 0
        ),
    )


@bp.route("/stages/<int:stage_id>/money", methods=["GET", "POST"])
def stage_money(stage_id: int) -> ResponseReturnValue:
    stage = projects.get_stage(centre_id(), stage_id)
    form = ExpenseForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            ledger.record_expense(
                centre_id(),
                stage.id,
                form.line_id.data,
                form.spent_on.data,
                form.document_number.data,
                form.description.data,
                money.parse(form.amount.data),
                current_user,
                document=_document(form),
            )
            flash(_("The expense is entered."), "success")
            return redirect(url_for(".stage_money", stage_id=stage.id))
    return _stage_page(stage, form)


@bp.get("/stages/<int:stage_id>/ledger.xlsx")
def ledger_xlsx(stage_id: int) -> ResponseReturnValue:
    stage = projects.get_stage(centre_id(), stage_id)
    audit_trail.record_download(
        stage, actor=current_user, document="ledger", file_format="xlsx", centre_id=centre_id()
    )
    body = ledger_reports.ledger_xlsx(stage, ledger_reports.ledger(stage.id))
    # Polish, as every document's file (sprawozdanie-…, lista-wyplat-…).
    name = f"ksiega-wydatkow-{stage.year}-{stage.id}.xlsx"
    return Response(
        body,
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/stages/<int:stage_id>/claim-documents.xlsx")
def claim_documents_xlsx(stage_id: int) -> ResponseReturnValue:
    """The payment claim's list of documents for a period; a bad period is shown beside its
    field on the stage's page."""
    stage = projects.get_stage(centre_id(), stage_id)
    period = ClaimPeriodForm(request.args, meta={"csrf": False})
    if period.validate():
        with boundary.shown(period):
            claim = claim_documents.claim_list(stage, period.start.data, period.end.data)
            audit_trail.record_download(
                stage,
                actor=current_user,
                document="claim_documents",
                file_format="xlsx",
                centre_id=centre_id(),
            )
            name = (
                f"zestawienie-dokumentow-{stage.year}-{claim.start:%Y%m%d}-{claim.end:%Y%m%d}.xlsx"
            )
            return Response(
                claim_documents.to_xlsx(claim),
                mimetype=XLSX,
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        # Refused: the rollback expired the stage, and the page names its project.
        stage = projects.get_stage(centre_id(), stage_id)
    return _stage_page(stage, ExpenseForm(formdata=None), period)


@bp.route("/expenses/<int:expense_id>/correct", methods=["GET", "POST"])
def expense_correct(expense_id: int) -> ResponseReturnValue:
    expense = loading.of_centre(Expense, expense_id, centre_id())
    if expense.corrects_id is not None:  # corrections are corrected through their entry
        return redirect(url_for(".expense_correct", expense_id=expense.corrects_id))
    stage = projects.get_stage(centre_id(), expense.budget_line.stage_id)
    net = ledger.net_amount(expense)
    form = CorrectionForm()
    if not form.is_submitted():
        form.amount.data = money.to_text(net)
    preview = None
    if form.validate_on_submit():
        with boundary.shown(form):
            new_amount = money.parse(form.amount.data, allow_zero=True)
            difference = ledger.check_correction(expense, new_amount)
            if form.confirmed.data == "yes":
                ledger.correct(expense.id, new_amount, form.reason.data, current_user)
                flash(_("The correction is entered."), "success")
                return redirect(url_for(".stage_money", stage_id=stage.id))
            preview = {"new": new_amount, "difference": difference}
            form.confirmed.data = "yes"
    return render_template(
        "staff/money/correct.html",
        expense=expense,
        stage=stage,
        net=net,
        left=expense.budget_line.left_grosze,
        form=form,
        preview=preview,
    )


@bp.route("/events/<int:event_id>/costs", methods=["GET", "POST"])
def event_costs(event_id: int) -> ResponseReturnValue:
    event = loading.of_centre(Event, event_id, centre_id())
    form = EventCostForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            ledger.record_event_cost(
                event.id,
                EventCostKind(form.cost_kind.data),
                form.spent_on.data,
                form.document_number.data,
                money.parse(form.amount.data),
                current_user,
                description=form.description.data,
            )
            flash(_("The cost is entered."), "success")
            return redirect(url_for(".event_costs", event_id=event.id))
    return render_template(
        "staff/money/event_costs.html",
        event=event,
        form=form,
        costs=ledger_reports.event_costs(event.id),
    )
