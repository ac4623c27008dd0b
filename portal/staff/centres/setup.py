"""The centre's set-up by its coordinator: projects, stages, budget lines, the centre's lists."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import boundary
from portal.auth.access import require_roles
from portal.forms import PortalForm
from portal.models import Course, DiagnosisTestType, Project, Village
from portal.models.centres import Area
from portal.models.enums import BudgetLineKind, FundingSource, Role
from portal.services.centres import catalogue, centres, project_tasks, projects
from portal.services.common import loading
from portal.services.money import money
from portal.services.people import bank_accounts
from portal.staff.centres import checklist
from portal.staff.centres.setup_forms import (
    BudgetLineForm,
    CatalogueCourseForm,
    CentreAccountForm,
    CentreDetailsForm,
    ProjectForm,
    ReplanForm,
    StageForm,
    TestTypeForm,
    VillageForm,
)

bp = Blueprint("setup", __name__, url_prefix="/setup")


@bp.before_request
def _coordinators_of_a_centre() -> ResponseReturnValue | None:
    refusal = require_roles(Role.COORDINATOR, Role.ADMIN)
    if refusal is None and current_user.centre_id is None:
        abort(403)  # an installation admin outside any centre has nothing to set up here
    return refusal


def _centre_id() -> int:
    return loading.centre_id_of(current_user)


@bp.get("/")
def overview() -> ResponseReturnValue:
    centre_id = _centre_id()
    return render_template(
        "staff/centres/overview.html",
        projects=projects.list_projects(centre_id, outline=True),
        lists={kind: catalogue.list_entries(LISTS[kind][0], centre_id) for kind in LISTS},
        list_titles={kind: LISTS[kind][2] for kind in LISTS},
        checklist=checklist.for_centre(centre_id),
    )


_DETAILS = tuple(centres.CentreDetails.__dataclass_fields__)


def centre_details_page(centre_id: int, *, back_url: str, back_label: str) -> ResponseReturnValue:
    """The centre's details form, shown and saved; the administrator's centres page uses it too."""
    centre = loading.centre(centre_id)
    form = CentreDetailsForm(data={name: getattr(centre, name) or "" for name in _DETAILS})
    if form.validate_on_submit():
        with boundary.shown(form):
            details = centres.CentreDetails(**{name: form[name].data or "" for name in _DETAILS})
            changed = centres.update_details(centre.id, details, actor=current_user)
            flash(
                _("The centre's details are saved.") if changed else _("Nothing has changed."),
                "success",
            )
            return redirect(back_url)
    return render_template(
        "staff/centres/details.html",
        form=form,
        centre=centre,
        back_url=back_url,
        back_label=back_label,
    )


@bp.route("/details", methods=["GET", "POST"])
def details() -> ResponseReturnValue:
    return centre_details_page(
        _centre_id(),
        back_url=url_for(".overview"),
        back_label=_("Back to the centre set-up"),
    )


@bp.route("/bank-account", methods=["GET", "POST"])
def bank_account() -> ResponseReturnValue:
    """The account the centre pays transfers from (the transfer files name it)."""
    centre = loading.centre(_centre_id())
    form = CentreAccountForm(data={"bank_account": bank_accounts.grouped(centre.bank_account)})
    if form.validate_on_submit():
        with boundary.shown(form):
            changed = bank_accounts.set_centre_account(
                centre.id, form.bank_account.data, actor=current_user
            )
            flash(
                _("The centre's bank account is saved.") if changed else _("Nothing has changed."),
                "success",
            )
            return redirect(url_for(".overview"))
    return render_template("staff/centres/bank_account.html", form=form, centre=centre)


def _project_fields(form: ProjectForm) -> projects.ProjectFields:
    return projects.ProjectFields(
        title=form.title.data or "",
        number=form.number.data or "",
        programme=form.programme.data or "",
        priority=form.priority.data or "",
        measure=form.measure.data or "",
        submeasure=form.submeasure.data or "",
        funder=form.funder.data or "",
        start_date=form.start_date.data,
        end_date=form.end_date.data or None,
        archive_until=form.archive_until.data or None,
    )


@bp.route("/projects/new", methods=["GET", "POST"])
def project_new() -> ResponseReturnValue:
    form = ProjectForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            project = projects.create_project(
                current_user.centre, _project_fields(form), actor=current_user
            )
            flash(_("The project is saved. Add its first stage and budget."), "success")
            return redirect(url_for(".stage_new", project_id=project.id))
    return render_template("staff/centres/project_form.html", form=form, project=None)


@bp.route("/projects/<int:project_id>", methods=["GET", "POST"])
def project_edit(project_id: int) -> ResponseReturnValue:
    project = loading.of_centre(Project, project_id, _centre_id())
    form = ProjectForm(obj=project)
    if form.validate_on_submit():
        with boundary.shown(form):
            projects.update_project(project, _project_fields(form), actor=current_user)
            flash(_("The project is saved."), "success")
            return redirect(url_for(".overview"))
    return render_template("staff/centres/project_form.html", form=form, project=project)


@bp.route("/projects/<int:project_id>/stages/new", methods=["GET", "POST"])
def stage_new(project_id: int) -> ResponseReturnValue:
    project = loading.of_centre(Project, project_id, _centre_id())
    form = StageForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            stage = projects.add_stage(
                project,
                year=form.year.data,
                start=form.start_date.data,
                end=form.end_date.data,
                actor=current_user,
            )
            flash(_("The stage is saved. Add its budget lines."), "success")
            return redirect(url_for(".line_new", stage_id=stage.id))
    return render_template("staff/centres/stage_form.html", form=form, project=project)


def _offer_tasks(form: BudgetLineForm, project_id: int) -> None:
    """The project's tasks to choose from ("—" only for a project that has none yet)."""
    tasks = project_tasks.list_tasks(project_id)
    form.task_id.choices = ([] if tasks else [("", "—")]) + [
        (task.id, task.label) for task in tasks
    ]


@bp.route("/stages/<int:stage_id>/lines/new", methods=["GET", "POST"])
def line_new(stage_id: int) -> ResponseReturnValue:
    stage = projects.get_stage(_centre_id(), stage_id, with_lines=True)
    form = BudgetLineForm()
    _offer_tasks(form, stage.project_id)
    if form.validate_on_submit():
        with boundary.shown(form):
            projects.add_line(
                stage,
                kind=BudgetLineKind(form.kind.data),
                funding_source=FundingSource(form.funding_source.data),
                planned_grosze=money.parse(form.planned.data, field="planned", allow_zero=True),
                name=form.name.data or "",
                actor=current_user,
                task_id=form.task_id.data,
            )
            flash(_("The budget line is saved."), "success")
            return redirect(url_for(".line_new", stage_id=stage.id))
    return render_template("staff/centres/line_form.html", form=form, stage=stage, line=None)


@bp.route("/lines/<int:line_id>", methods=["GET", "POST"])
def line_edit(line_id: int) -> ResponseReturnValue:
    line = projects.get_line(_centre_id(), line_id)
    form = ReplanForm(
        data={
            "planned": money.to_text(line.planned_grosze),
            "name": line.name,
            "funding_source": line.funding_source.value,
            "task_id": line.task_id,
        }
    )
    _offer_tasks(form, line.stage.project_id)
    if form.validate_on_submit():
        with boundary.shown(form):
            projects.replan_line(
                line,
                planned_grosze=money.parse(form.planned.data, field="planned", allow_zero=True),
                funding_source=FundingSource(form.funding_source.data),
                name=form.name.data or "",
                reason=form.reason.data,
                actor=current_user,
                task_id=form.task_id.data,
            )
            flash(_("The budget line is saved."), "success")
            return redirect(url_for(".overview"))
    return render_template("staff/centres/line_form.html", form=form, stage=line.stage, line=line)


# The centre's lists: model, form, title, and how a form's data becomes the entry's values.
EntryList = tuple[
    type[Village | Course | DiagnosisTestType],
    type[PortalForm],
    object,
    Callable[[Any], dict[str, object]],
]


def _village(form: VillageForm) -> dict[str, object]:
    return {"name": form.name.data, "area": Area(form.area.data), "is_active": form.is_active.data}


def _course(form: CatalogueCourseForm) -> dict[str, object]:
    price = form.price.data
    return {
        "name": form.name.data,
        "provider": form.provider.data or "",
        "hours": form.hours.data,
        "price_grosze": money.parse(price, field="price", allow_zero=True) if price else None,
        "is_active": form.is_active.data,
    }


def _test_type(form: TestTypeForm) -> dict[str, object]:
    return {"name": form.name.data, "is_active": form.is_active.data}


LISTS: dict[str, EntryList] = {
    "villages": (Village, VillageForm, _l("Villages (sołectwa)"), _village),
    "courses": (Course, CatalogueCourseForm, _l("Course catalogue"), _course),
    "tests": (DiagnosisTestType, TestTypeForm, _l("Diagnosis tests"), _test_type),
}


def _list(kind: str) -> EntryList:
    return LISTS[loading.known(kind, LISTS)]


@bp.route("/<kind>", methods=["GET", "POST"])
def entries(kind: str) -> ResponseReturnValue:
    model, form_class, title, values = _list(kind)
    form = form_class()
    if form.validate_on_submit():
        with boundary.shown(form):
            new_entry = {**values(form), "is_active": True}  # entries start in use
            catalogue.add_entry(model, _centre_id(), new_entry, actor=current_user)
            flash(_("The entry is added."), "success")
            return redirect(url_for(".entries", kind=kind))
    return render_template(
        "staff/centres/entries.html",
        kind=kind,
        title=title,
        form=form,
        entries=catalogue.list_entries(model, _centre_id()),
    )


@bp.route("/<kind>/<int:entry_id>", methods=["GET", "POST"])
def entry_edit(kind: str, entry_id: int) -> ResponseReturnValue:
    model, form_class, title, values = _list(kind)
    entry = loading.of_centre(model, entry_id, _centre_id())
    form = form_class(obj=entry)
    if isinstance(entry, Course) and not form.is_submitted():
        # A free course (0 zł) keeps its 0: an empty price means the catalogue gives none.
        form.price.data = (
            money.to_text(entry.price_grosze) if entry.price_grosze is not None else ""
        )
    if form.validate_on_submit():
        with boundary.shown(form):
            catalogue.update_entry(entry, values(form), actor=current_user)
            flash(_("The entry is saved."), "success")
            return redirect(url_for(".entries", kind=kind))
    return render_template(
        "staff/centres/entry_form.html", kind=kind, title=title, form=form, entry=entry
    )
