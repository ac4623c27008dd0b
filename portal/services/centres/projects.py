"""A centre's projects, their yearly stages and the stages' budget lines, set up by its staff."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from portal.extensions import db
from portal.formatting import money
from portal.models import BudgetLine, Centre, Project, ProjectStage, User
from portal.models.enums import BudgetLineKind, FundingSource
from portal.services.audit import audit
from portal.services.centres import project_tasks
from portal.services.common import loading
from portal.services.common.errors import AlreadyExists, PortalError
from portal.services.money import budget


class SetupRefused(PortalError):
    pass


@dataclass(frozen=True)
class ProjectFields:
    title: str
    number: str
    programme: str
    priority: str
    measure: str
    submeasure: str
    funder: str
    start_date: date
    end_date: date | None
    # The funding agreement's archiving duty: documents kept at least until this day.
    archive_until: date | None = None


def list_projects(centre_id: int, *, outline: bool = False) -> list[Project]:
    """The centre's projects, latest first; `outline`: with their tasks, stages and the
    stages' budget lines, each kind in one statement for all the projects."""
    query = (
        select(Project)
        .where(Project.centre_id == centre_id)
        .order_by(Project.start_date.desc(), Project.id)
    )
    if outline:
        query = query.options(
            selectinload(Project.tasks),
            selectinload(Project.stages)
            .selectinload(ProjectStage.budget_lines)
            .joinedload(BudgetLine.task),
        )
    return list(db.session.scalars(query))


def get_stage(centre_id: int, stage_id: int, *, with_lines: bool = False) -> ProjectStage:
    """A stage of one of this centre's projects (a stage has no centre of its own);
    `with_lines`: with its budget lines."""
    query = (
        select(ProjectStage)
        .join(Project)
        .where(ProjectStage.id == stage_id, Project.centre_id == centre_id)
        # Every stage's page names its project: it comes with the join.
        .options(contains_eager(ProjectStage.project))
    )
    if with_lines:
        query = query.options(selectinload(ProjectStage.budget_lines))
    return loading.one(query)


def get_line(centre_id: int, line_id: int) -> BudgetLine:
    """A budget line of this centre, with its stage and the stage's project (its page names
    them)."""
    return loading.of_centre(
        BudgetLine,
        line_id,
        centre_id,
        options=[joinedload(BudgetLine.stage).joinedload(ProjectStage.project)],
    )


def _check_period(start: date, end: date | None, *, end_field: str = "end_date") -> None:
    if end is not None and end < start:
        raise SetupRefused(_l("The end cannot be before the start."), field=end_field)


def _check_archive(fields: ProjectFields) -> None:
    last = fields.end_date or fields.start_date
    if fields.archive_until is not None and fields.archive_until < last:
        raise SetupRefused(
            _l("Documents are kept until a day after the project's end, not before it."),
            field="archive_until",
        )


def create_project(centre: Centre, fields: ProjectFields, *, actor: User) -> Project:
    """A new project of the centre; its stages and budget follow."""
    _check_period(fields.start_date, fields.end_date)
    _check_archive(fields)
    project = Project(centre_id=centre.id, coordinator_id=actor.id, **_clean(fields))
    db.session.add(project)
    audit.record("project.create", project, actor=actor, changes={"title": (None, project.title)})
    return project


def update_project(project: Project, fields: ProjectFields, *, actor: User) -> None:
    """Change the project's particulars; stages outside the new period are refused."""
    _check_period(fields.start_date, fields.end_date)
    _check_archive(fields)
    outside = [
        stage.year
        for stage in project.stages
        if stage.start_date < fields.start_date
        or (fields.end_date is not None and stage.end_date > fields.end_date)
    ]
    if outside:
        raise SetupRefused(
            _l(
                "The stages %(years)s lie outside this period. Change them first.",
                years=", ".join(map(str, outside)),
            ),
            field="start_date",
        )
    changes = audit.diff(project, _clean(fields))
    if changes:
        audit.record("project.update", project, actor=actor, changes=changes)


def _clean(fields: ProjectFields) -> dict[str, Any]:
    return {
        name: value.strip() if isinstance(value, str) else value
        for name, value in fields.__dict__.items()
    }


def add_stage(project: Project, *, year: int, start: date, end: date, actor: User) -> ProjectStage:
    """A yearly stage (etap) inside the project's period; one per year."""
    _check_period(start, end, end_field="end_date")
    if start.year != year or end.year != year:
        raise SetupRefused(
            _l("The stage's dates must lie in the year %(year)d.", year=year), field="start_date"
        )
    if start < project.start_date or (project.end_date is not None and end > project.end_date):
        raise SetupRefused(
            _l("The stage must lie inside the project's period."), field="start_date"
        )
    stage = ProjectStage(project_id=project.id, year=year, start_date=start, end_date=end)
    try:
        with db.session.begin_nested():
            db.session.add(stage)
            db.session.flush()
    except IntegrityError as error:  # the same year twice, or two people adding it at once
        raise AlreadyExists(
            _l("The project already has a stage for this year."), field="year"
        ) from error
    audit.record(
        "stage.create",
        stage,
        actor=actor,
        centre_id=project.centre_id,
        changes={"year": (None, year), "period": (None, f"{start}..{end}")},
    )
    return stage


def add_line(
    stage: ProjectStage,
    *,
    kind: BudgetLineKind,
    funding_source: FundingSource,
    planned_grosze: int,
    name: str,
    actor: User,
    task_id: int | None = None,
) -> BudgetLine:
    """A budget line of a stage: one per kind, in one of the project's tasks once it has any."""
    line = BudgetLine(
        centre_id=stage.project.centre_id,
        stage_id=stage.id,
        task_id=project_tasks.line_task(stage.project_id, task_id),
        kind=kind,
        funding_source=funding_source,
        planned_grosze=planned_grosze,
        name=name.strip(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(line)
            db.session.flush()
    except IntegrityError as error:
        raise AlreadyExists(
            _l("The stage already has a line of this kind."), field="kind"
        ) from error
    audit.record(
        "budget_line.create",
        line,
        actor=actor,
        changes={
            "kind": (None, kind),
            "funding_source": (None, funding_source),
            "planned_grosze": (None, planned_grosze),
            "task_id": (None, line.task_id),
        },
    )
    return line


def replan_line(
    line: BudgetLine,
    *,
    planned_grosze: int,
    funding_source: FundingSource,
    name: str,
    reason: str,
    actor: User,
    task_id: int | None = None,
) -> None:
    """Change a line's planned amount, with a reason; never below what is already committed.
    The line may move to another task of the project."""
    old = (line.planned_grosze, line.funding_source, line.name, line.task_id)
    task = project_tasks.line_task(line.stage.project_id, task_id)
    replanned = budget.replan(
        line.id, planned_grosze, funding_source=funding_source, name=name.strip(), task_id=task
    )
    db.session.refresh(line)
    if not replanned:
        raise SetupRefused(
            _l(
                "The line has %(committed)s committed already; plan at least that much.",
                committed=money(line.committed_grosze),
            ),
            field="planned",
        )
    audit.record(
        "budget_line.replan",
        line,
        actor=actor,
        changes={
            "planned_grosze": (old[0], line.planned_grosze),
            "funding_source": (old[1], line.funding_source),
            "name": (old[2], line.name),
            "task_id": (old[3], line.task_id),
            "reason": (None, reason.strip()),
        },
    )
