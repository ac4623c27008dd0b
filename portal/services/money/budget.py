"""Budget of a project's stages: planned, committed, paid and left per line.

The one home of every change to a line. A line is locked (in id order, so two requests never
wait for each other crosswise) before what is left on it is read; `charge` is a conditional
UPDATE, and the CHECK constraint (committed <= planned) is the last line against overspending.
"""

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal import database
from portal.extensions import db
from portal.models import BudgetLine, Project, ProjectStage
from portal.models.enums import BudgetLineKind


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


def line_ids(project_ids: Iterable[int], kind: BudgetLineKind) -> dict[tuple[int, int], int]:
    """(project id, year) -> the id of that stage's line of `kind` (the first one, should a
    stage have several), in one query."""
    rows = db.session.execute(
        select(ProjectStage.project_id, ProjectStage.year, BudgetLine.id)
        .join(BudgetLine, BudgetLine.stage_id == ProjectStage.id)
        .where(ProjectStage.project_id.in_(set(project_ids)), BudgetLine.kind == kind)
        .order_by(BudgetLine.id.desc())
    )
    return {(project_id, year): line_id for project_id, year, line_id in rows}


def lock(ids: Iterable[int | None]) -> dict[int, BudgetLine]:
    """Lock lines in id order and read them as they are now (on SQLite the transaction's write
    lock already serialises). Returns them by id."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {
        line.id: line
        for line in db.session.scalars(
            select(BudgetLine)
            .where(BudgetLine.id.in_(wanted))
            .order_by(BudgetLine.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }


def charge(line_id: int, amount: int) -> bool:
    """Commit `amount` to a line unless that passes what is planned; False if it would."""
    changed = database.rows_changed(
        update(BudgetLine)
        .where(
            BudgetLine.id == line_id,
            BudgetLine.committed_grosze + amount <= BudgetLine.planned_grosze,
        )
        .values(committed_grosze=BudgetLine.committed_grosze + amount)
        .execution_options(synchronize_session=False),
    )
    return changed == 1


def spend(line_id: int, amount: int) -> bool:
    """Money spent at once (an expense, an event's cost, a salary): committed and paid move
    together, in one conditional UPDATE; False when it would pass what is planned. A negative
    amount (a correction downwards) gives money back and can never take a line below zero."""
    changed = database.rows_changed(
        update(BudgetLine)
        .where(
            BudgetLine.id == line_id,
            BudgetLine.committed_grosze + amount <= BudgetLine.planned_grosze,
            BudgetLine.committed_grosze + amount >= 0,
            BudgetLine.paid_grosze + amount >= 0,
        )
        .values(
            committed_grosze=BudgetLine.committed_grosze + amount,
            paid_grosze=BudgetLine.paid_grosze + amount,
        )
        .execution_options(synchronize_session=False),
    )
    return changed == 1


def release(line_id: int, amount: int) -> None:
    """Give back what was committed and will not be spent (a withdrawn allowance)."""
    db.session.execute(
        update(BudgetLine)
        .where(BudgetLine.id == line_id)
        .values(committed_grosze=BudgetLine.committed_grosze - amount)
        .execution_options(synchronize_session=False)
    )


def pay(amounts: dict[int, int]) -> None:
    """Record what was paid from each line (line id -> grosze)."""
    for line_id, amount in sorted(amounts.items()):
        db.session.execute(
            update(BudgetLine)
            .where(BudgetLine.id == line_id)
            .values(paid_grosze=BudgetLine.paid_grosze + amount)
            .execution_options(synchronize_session=False)
        )


def replan(line_id: int, planned_grosze: int, **values: object) -> bool:
    """A new planned amount, never below what is committed: False when that is the case.

    One conditional UPDATE, so a request approved meanwhile cannot slip under the new amount.
    """
    changed = database.rows_changed(
        update(BudgetLine)
        .where(BudgetLine.id == line_id, BudgetLine.committed_grosze <= planned_grosze)
        .values(planned_grosze=planned_grosze, **values)
        .execution_options(synchronize_session=False),
    )
    return changed == 1
