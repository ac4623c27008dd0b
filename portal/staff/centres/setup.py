"""The centre's set-up by its coordinator: projects, stages, budget lines, the centre's lists."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import boundary
from portal.auth.access import require_roles
from portal.models import Course, DiagnosisTestType, Village
from portal.models.centres import Area
from portal.models.enums import BudgetLineKind, FundingSource, Role
from portal.services.centres import catalogue, centres, projects
from portal.services.money import money
from portal.staff.centres.setup_forms import (
    BudgetLineForm,
    CatalogueCourseForm,
    CentreDetailsForm,
    ProjectForm,
    ReplanForm,
    StageForm,
    TestTypeForm,
    VillageForm,
)

bp = Blueprint("setup", __name__, url_prefix="/setup")


@bp.before_request
def _coordinators_of_a_centre():
    refusal = require_roles(Role.COORDINATOR, Role.ADMIN)
    if refusal is None and current_user.centre_id is None:
        abort(403)  # an installation admin outside any centre has nothing to set up here
    return refusal


def _centre_id() -> int:
    return current_user.centre_id


@bp.get("/")
def overview():
    centre_id = _centre_id()
    return render_template(
        "staff/centres/overview.html",
        projects=projects.list_projects(centre_id),
        lists={kind: catalogue.list_entries(LISTS[kind][0], centre_id) for kind in LISTS},
        list_titles={kind: LISTS[kind][2] for kind in LISTS},
    )


_DETAILS = tuple(centres.CentreDetails.__dataclass_fields__)


def centre_details_page(centre_id: int, *, back_url: str, back_label: str):
    """The centre's details form, shown and saved; the administrator's centres page uses it too."""
    centre = centres.get_centre(centre_id)
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
def details():
    return centre_details_page(
        _centre_id(),
        back_url=url_for(".overview"),
        back_label=_("Back to the centre set-up"),
    )


def _project_fields(form: ProjectForm) -> projects.ProjectFields:
    return projects.ProjectFields(
        **{
            name: form[name].data or ("" if name not in ("end_date", "archive_until") else None)
            for name in projects.ProjectFields.__dataclass_fields__
        }
    )


@bp.route("/projects/new", methods=["GET", "POST"])
def project_new():
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
def project_edit(project_id: int):
    project = projects.get_project(_centre_id(), project_id)
    form = ProjectForm(obj=project)
    if form.validate_on_submit():
        with boundary.shown(form):
            projects.update_project(project, _project_fields(form), actor=current_user)
            flash(_("The project is saved."), "success")
            return redirect(url_for(".overview"))
    return render_template("staff/centres/project_form.html", form=form, project=project)


@bp.route("/projects/<int:project_id>/stages/new", methods=["GET", "POST"])
def stage_new(project_id: int):
    project = projects.get_project(_centre_id(), project_id)
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


@bp.route("/stages/<int:stage_id>/lines/new", methods=["GET", "POST"])
def line_new(stage_id: int):
    stage = projects.get_stage(_centre_id(), stage_id)
    form = BudgetLineForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            projects.add_line(
                stage,
                kind=BudgetLineKind(form.kind.data),
                funding_source=FundingSource(form.funding_source.data),
                planned_grosze=money.parse(form.planned.data, field="planned", allow_zero=True),
                name=form.name.data or "",
                actor=current_user,
            )
            flash(_("The budget line is saved."), "success")
            return redirect(url_for(".line_new", stage_id=stage.id))
    return render_template("staff/centres/line_form.html", form=form, stage=stage, line=None)


@bp.route("/lines/<int:line_id>", methods=["GET", "POST"])
def line_edit(line_id: int):
    line = projects.get_line(_centre_id(), line_id)
    form = ReplanForm(
        data={
            "planned": money.to_text(line.planned_grosze),
            "name": line.name,
            "funding_source": line.funding_source.value,
        }
    )
    if form.validate_on_submit():
        with boundary.shown(form):
            projects.replan_line(
                line,
                planned_grosze=money.parse(form.planned.data, field="planned", allow_zero=True),
                funding_source=FundingSource(form.funding_source.data),
                name=form.name.data or "",
                reason=form.reason.data,
                actor=current_user,
            )
            flash(_("The budget line is saved."), "success")
            return redirect(url_for(".overview"))
    return render_template("staff/centres/line_form.html", form=form, stage=line.stage, line=line)


# The centre's lists: model, form, title, and how a form's data becomes the entry's values.
def _village(form) -> dict:
    return {"name": form.name.data, "area": Area(form.area.data), "is_active": form.is_active.data}


def _course(form) -> dict:
    price = form.price.data
    return {
        "name": form.name.data,
        "provider": form.provider.data or "",
        "hours": form.hours.data,
        "price_grosze": money.parse(price, field="price", allow_zero=True) if price else None,
        "is_active": form.is_active.data,
    }


def _test_type(form) -> dict:
    return {"name": form.name.data, "is_active": form.is_active.data}


LISTS = {
    "villages": (Village, VillageForm, _l("Villages (sołectwa)"), _village),
    "courses": (Course, CatalogueCourseForm, _l("Course catalogue"), _course),
    "tests": (DiagnosisTestType, TestTypeForm, _l("Diagnosis tests"), _test_type),
}


def _list(kind: str):
    if kind not in LISTS:
        abort(404)
    return LISTS[kind]


@bp.route("/<kind>", methods=["GET", "POST"])
def entries(kind: str):
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
def entry_edit(kind: str, entry_id: int):
    model, form_class, title, values = _list(kind)
    entry = catalogue.get_entry(model, _centre_id(), entry_id)
    form = form_class(obj=entry)
    if kind == "courses" and not form.is_submitted():
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
