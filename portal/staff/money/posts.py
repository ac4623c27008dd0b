"""The posts paid from a project, kept by the coordinator, and their monthly salaries."""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import boundary
from portal.forms import id_from
from portal.models import ProjectPost
from portal.models.enums import STAFF_ROLES
from portal.services.centres import projects
from portal.services.common import loading
from portal.services.money import money, posts
from portal.services.people import participants
from portal.staff.money.blueprint import bp, centre_id
from portal.staff.money.post_forms import MonthPostingForm, PostForm, SalaryForm


def _post_form(form: PostForm) -> PostForm:
    centre = centre_id()
    form.project_id.choices = [("", "—")] + [
        (p.id, p.title) for p in projects.list_projects(centre)
    ]
    # Staff only: a participant's account is nobody's post, and its name is not for this list.
    staff = participants.list_staff(centre, *STAFF_ROLES)
    form.user_id.choices = [("", "—")] + [(str(u.id), u.full_name) for u in staff]
    return form


def _post_fields(form: PostForm) -> posts.PostFields:
    return posts.PostFields(
        project_id=form.project_id.data,
        person_name=form.person_name.data,
        user_id=id_from(form.user_id.data),
        title=form.title.data,
        fte_percent=form.fte_percent.data or 0,  # None only when refused
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        monthly_cost_grosze=money.parse(form.monthly_cost.data, field="monthly_cost"),
    )


@bp.get("/posts")
def post_list() -> ResponseReturnValue:
    return render_template("staff/money/posts.html", posts=posts.list_posts(centre_id()))


@bp.route("/posts/new", methods=["GET", "POST"])
def post_new() -> ResponseReturnValue:
    form = _post_form(PostForm())
    if form.validate_on_submit():
        with boundary.shown(form):
            post = posts.create_post(centre_id(), _post_fields(form), actor=current_user)
            flash(_("The post is saved."), "success")
            return redirect(url_for(".post_edit", post_id=post.id))
    return render_template("staff/money/post_form.html", form=form, post=None)


@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
def post_edit(post_id: int) -> ResponseReturnValue:
    post = loading.of_centre(ProjectPost, post_id, centre_id())
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


def _post_page(post: ProjectPost, form: PostForm, salary_form: SalaryForm) -> ResponseReturnValue:
    return render_template(
        "staff/money/post_form.html",
        form=form,
        post=post,
        salary_form=salary_form,
        postings=posts.posted_months(post.id),
    )


@bp.post("/posts/<int:post_id>/salary")
def post_salary(post_id: int) -> ResponseReturnValue:
    post = loading.of_centre(ProjectPost, post_id, centre_id())
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
        (p.id, p.title) for p in projects.list_projects(centre_id())
    ]
    return form


@bp.route("/posts/salaries", methods=["GET", "POST"])
def month_salaries() -> ResponseReturnValue:
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
