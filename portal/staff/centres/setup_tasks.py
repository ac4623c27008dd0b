"""The tasks of a project's funding agreement, in the centre's set-up (the `setup` blueprint)."""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.models import Project, ProjectTask
from portal.services.centres import project_tasks
from portal.services.common import loading
from portal.staff.centres.setup import bp
from portal.staff.centres.setup_forms import TaskForm


def _centre_id() -> int:
    return loading.centre_id_of(current_user)


@bp.route("/projects/<int:project_id>/tasks/new", methods=["GET", "POST"])
def task_new(project_id: int) -> ResponseReturnValue:
    project = loading.of_centre(Project, project_id, _centre_id())
    tasks = project_tasks.list_tasks(project.id)
    form = TaskForm()
    if not form.is_submitted():
        form.number.data = max((task.number for task in tasks), default=0) + 1
    if form.validate_on_submit():
        with boundary.shown(form):
            project_tasks.add_task(
                project, number=form.number.data, name=form.name.data or "", actor=current_user
            )
            flash(_("The task is saved."), "success")
            return redirect(url_for(".task_new", project_id=project.id))
    return render_template(
        "staff/centres/task_form.html", form=form, project=project, task=None, tasks=tasks
    )


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
def task_edit(task_id: int) -> ResponseReturnValue:
    task = loading.of_centre(ProjectTask, task_id, _centre_id())
    form = TaskForm(obj=task)
    if form.validate_on_submit():
        with boundary.shown(form):
            changed = project_tasks.update_task(
                task, number=form.number.data, name=form.name.data or "", actor=current_user
            )
            flash(_("The task is saved.") if changed else _("Nothing has changed."), "success")
            return redirect(url_for(".overview"))
    return render_template(
        "staff/centres/task_form.html",
        form=form,
        project=task.project,
        task=task,
        tasks=project_tasks.list_tasks(task.project_id),
    )
