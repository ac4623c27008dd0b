"""The tasks (zadania) of a project's funding agreement, set up by its coordinator: numbered as
in the agreement, each budget line belongs to one, and the payment claim totals per task."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Project, ProjectTask, User
from portal.services.audit import audit
from portal.services.common.errors import AlreadyExists, PortalError


class TaskRefused(PortalError):
    pass


def list_tasks(project_id: int) -> list[ProjectTask]:
    return list(
        db.session.scalars(
            select(ProjectTask)
            .where(ProjectTask.project_id == project_id)
            .order_by(ProjectTask.number)
        )
    )


def _checked(number: int | None, name: str) -> tuple[int, str]:
    if number is None or not 1 <= number <= 99:
        raise TaskRefused(_l("Enter a number from 1 to 99."), field="number")
    text = (name or "").strip()
    if not text:
        raise TaskRefused(_l("Enter the task's name."), field="name")
    if len(text) > 300:
        raise TaskRefused(_l("At most %(limit)d characters.", limit=300), field="name")
    return number, text


def _saved(task: ProjectTask) -> None:
    """Flush in a savepoint: a number the project already has is refused beside the field."""
    try:
        with db.session.begin_nested():
            db.session.add(task)
            db.session.flush()
    except IntegrityError as error:
        raise AlreadyExists(
            _l("The project already has a task with this number."), field="number"
        ) from error


def add_task(project: Project, *, number: int | None, name: str, actor: User) -> ProjectTask:
    """A task of the project's funding agreement, numbered as in the agreement."""
    number, name = _checked(number, name)
    task = ProjectTask(centre_id=project.centre_id, project_id=project.id, number=number, name=name)
    _saved(task)
    audit.record(
        "project_task.create",
        task,
        actor=actor,
        changes={"number": (None, number), "name": (None, name)},
    )
    return task


def update_task(task: ProjectTask, *, number: int | None, name: str, actor: User) -> bool:
    """Renumber or rename a task; its lines stay with it. False when nothing changed."""
    number, name = _checked(number, name)
    changes = audit.diff(task, {"number": number, "name": name})
    if not changes:
        return False
    _saved(task)
    audit.record("project_task.update", task, actor=actor, changes=changes)
    return True


def line_task(project_id: int, task_id: int | None) -> int | None:
    """The task a line of the project belongs to: one of the project's own, and one must be
    chosen once the project has tasks (lines set up before tasks may have none)."""
    tasks = {task.id for task in list_tasks(project_id)}
    if task_id is None:
        if tasks:
            raise TaskRefused(_l("Choose the task the line belongs to."), field="task_id")
        return None
    if task_id not in tasks:
        raise TaskRefused(_l("Choose one of the project's tasks."), field="task_id")
    return task_id
