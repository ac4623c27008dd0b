"""Budget of a project's stages: planned, committed, paid and left per line."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import BudgetLine, Project, ProjectStage


def stages_with_lines(centre_id: int) -> list[ProjectStage]:
    """Every stage of the centre's projects, newest first, lines loaded in one query each."""
    return list(
        db.session.scalars(
            select(ProjectStage)
            .join(Project)
            .where(Project.centre_id == centre_id)
            .options(selectinload(ProjectStage.budget_lines), selectinload(ProjectStage.project))
            .order_by(ProjectStage.year.desc(), ProjectStage.id)
        )
    )


def line_totals(lines: list[BudgetLine]) -> dict[str, int]:
    return {
        "planned": sum(line.planned_grosze for line in lines),
        "committed": sum(line.committed_grosze for line in lines),
        "paid": sum(line.paid_grosze for line in lines),
        "left": sum(line.left_grosze for line in lines),
    }
