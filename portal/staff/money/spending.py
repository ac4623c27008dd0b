"""Money as it is spent, kept by the coordinator: a stage's ledger and its corrections, event
costs, the posts paid from a project and their monthly salaries."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import boundary
from portal.auth.access import require_roles
from portal.forms import id_from
from portal.models.enums import STAFF_ROLES, Role
from portal.models.support import EventCostKind
from portal.services.audit import audit_trail
from portal.services.centres import projects
from portal.services.money import ledger, ledger_reports, money, posts
from portal.services.people import participants
from portal.staff.money.spending_forms import (
    CorrectionForm,
    EventCostForm,
    ExpenseForm,
    MonthPostingForm,
    PostForm,
    SalaryForm,
)

bp = Blueprint("spending", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
def _coordinators_only():
    refusal = require_roles(Role.COORDINATOR)
    if refusal is None and current_user.centre_id is None:
        abort(403)
    return refusal


def _centre_id() -> int:
    return current_user.centre_id


def _stage_page(stage, form: ExpenseForm):
    figures = ledger_reports.stage_money(stage.id)
    form.line_id.choices = [("", "—")] + [
        (line.id, f"{line.kind.label} ({line.funding_source.label})")
        for line in figures.lines
        if line.kind.value != "allowances"
    ]
    return render_template(
        "staff/money/money.html",
        stage=stage,
        figures=figures,
        rows=ledger_reports.ledger(stage.id),
        form=form,
    )


@bp.route("/stages/<int:stage_id>/money", methods=["GET", "POST"])
def stage_money(stage_id: int):
    stage = ledger.stage_of(_centre_id(), stage_id)
    form = ExpenseForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            ledger.record_expense(
                _centre_id(),
                stage.id,
                form.line_id.data,
                form.spent_on.data,
                form.document_number.data,
                form.description.data,
                money.parse(form.amount.data),
                current_user,
            )
            flash(_("The expense is entered."), "success")
            return redirect(url_for(".stage_money", stage_id=stage.id))
    return _stage_page(stage, form)


@bp.get("/stages/<int:stage_id>/ledger.xlsx")
def ledger_xlsx(stage_id: int):
    stage = ledger.stage_of(_centre_id(), stage_id)
    audit_trail.record_download(
        stage, actor=current_user, document="ledger", file_format="xlsx", centre_id=_centre_id()
    )
    body = ledger_reports.ledger_xlsx(stage, ledger_reports.ledger(stage.id))
    return Response(
        body,
        mimetype=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="ledger-{stage.year}-{stage.id}.xlsx"'
        },
    )


@bp.route("/expenses/<int:expense_id>/correct", methods=["GET", "POST"])
def expense_correct(expense_id: int):
    expense = ledger.get_expense(_centre_id(), expense_id)
    if expense.corrects_id is not None:  # corrections are corrected through their entry
        return redirect(url_for(".expense_correct", expense_id=expense.corrects_id))
    stage = ledger.stage_of(_centre_id(), expense.budget_line.stage_id)
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
def event_costs(event_id: int):
    event = ledger.get_event(_centre_id(), event_id)
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


def _post_form(form: PostForm) -> PostForm:
    centre_id = _centre_id()
    form.project_id.choices = [("", "—")] + [
        (p.id, p.title) for p in projects.list_projects(centre_id)
    ]
    # Staff only: a participant's account is nobody's post, and its name is not for this list.
    staff = participants.list_staff(centre_id, *STAFF_ROLES)
    form.user_id.choices = [("", "—")] + [(str(u.id), u.full_name) for u in staff]
    return form


def _post_fields(form: PostForm) -> posts.PostFields:
    return posts.PostFields(
        project_id=form.project_id.data,
        person_name=form.person_name.data,
        user_id=id_from(form.user_id.data),
        title=form.title.data,
        fte_percent=form.fte_percent.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        monthly_cost_grosze=money.parse(form.monthly_cost.data, field="monthly_cost"),
    )


@bp.get("/posts")
def post_list():
    return render_template("staff/money/posts.html", posts=posts.list_posts(_centre_id()))


@bp.route("/posts/new", methods=["GET", "POST"])
def post_new():
    form = _post_form(PostForm())
    if form.validate_on_submit():
        with boundary.shown(form):
            post = posts.create_post(_centre_id(), _post_fields(form), actor=current_user)
            flash(_("The post is saved."), "success")
            return redirect(url_for(".post_edit", post_id=post.id))
    return render_template("staff/money/post_form.html", form=form, post=None)


@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
def post_edit(post_id: int):
    post = posts.get_post(_centre_id(), post_id)
    form = _post_form(PostForm(obj=post))
    if not form.is_submitted():
        form.monthly_cost.data = money.to_text(post.monthly_cost_grosze)
        form.user_id.data = str(post.user_id or "")
    if form.validate_on_submit():
        with boundary.shown(form):
            posts.update_post(post, _post_fields(form), actor=current_user)
            flash(_("The post is saved."), "success")
            return redirect(url_for(".post_edit", post_id=post.id))
    return _post_page(post, form, SalaryForm(formdata=None))


def _post_page(post, form: PostForm, salary_form: SalaryForm):
    return render_template(
        "staff/money/post_form.html",
        form=form,
        post=post,
        salary_form=salary_form,
        postings=posts.posted_months(post.id),
    )


@bp.post("/posts/<int:post_id>/salary")
def post_salary(post_id: int):
    post = posts.get_post(_centre_id(), post_id)
    salary_form = SalaryForm()
    if salary_form.validate_on_submit():
        with boundary.shown(salary_form):
            amount = salary_form.amount.data
            posts.post_salary(
                post.id,
                salary_form.month.data,
                current_user,
                amount_grosze=money.parse(amount) if amount else None,
            )
            flash(_("The salary is posted."), "success")
            return redirect(url_for(".post_edit", post_id=post.id))
    form = _post_form(PostForm(formdata=None, obj=post))
    form.monthly_cost.data = money.to_text(post.monthly_cost_grosze)
    form.user_id.data = str(post.user_id or "")
    return _post_page(post, form, salary_form)


def _month_form(form: MonthPostingForm) -> MonthPostingForm:
    form.project_id.choices = [("", "—")] + [
        (p.id, p.title) for p in projects.list_projects(_centre_id())
    ]
    return form


@bp.route("/posts/salaries", methods=["GET", "POST"])
def month_salaries():
    form = _month_form(MonthPostingForm())
    if form.validate_on_submit():
        with boundary.shown(form):
            postings = posts.post_month(form.project_id.data, form.month.data, current_user)
            flash(
                ngettext("%(num)d salary posted.", "%(num)d salaries posted.", len(postings)),
                "success",
            )
            return redirect(url_for(".post_list"))
    return render_template("staff/money/salaries.html", form=form)
