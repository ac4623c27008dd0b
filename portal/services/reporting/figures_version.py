"""A centre's figures version: moved by one in the same transaction as every change that can
move a figure of the coordinator's home, so the home knows from one small read whether the
figures it keeps (figures_cache) are still those of the data, without recounting the stage.

Done once, for every writer, by session events rather than by each service:
- `before_flush` notes the centres of the tracked records added, changed or deleted;
- `do_orm_execute` notes those of UPDATE, DELETE and INSERT statements on the tracked tables
  (every lifecycle move, `move_many`, the budget's conditional writes, a merge's re-pointing):
  the request's centre, or outside a request the centres of the rows the statement will touch;
- `before_commit` flushes what is left and moves each noted centre's counter with one atomic
  `UPDATE centres SET figures_version = figures_version + 1`.

The counter moves at commit rather than at the first change: on PostgreSQL the centre's row is
then locked only from that UPDATE to the COMMIT right after it, so a centre's writers queue for
a moment instead of for each other's whole transactions, and the row is the last lock a
transaction takes (no deadlock between two changes that lock records in a different order).
The change and the new version become visible together; a reader that sees the version sees
the change. Noting too much only costs one recount; a savepoint rolled back may do that.
"""

from itertools import chain
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from portal import database
from portal.models import (
    Allowance,
    BudgetLine,
    CaseworkEntry,
    Centre,
    CounsellingSession,
    Course,
    CourseAssignment,
    DiagnosisTest,
    Event,
    Expense,
    IndividualPlan,
    Instalment,
    Participant,
    PaymentList,
    Placement,
    ProjectStage,
    Registration,
    SocialContract,
)

# Everything the dashboard's figures (and the centre's counts) are computed from: people and
# their exits and merges, contracts, events and attendance, group sessions (events too),
# casework, counselling, diagnosis tests, courses, placements, plans, allowances and their
# instalments, payment lists, the ledger, budget lines, and the stages' own dates.
TRACKED: tuple[type[Any], ...] = (
    Participant,
    SocialContract,
    Event,
    Registration,
    CaseworkEntry,
    CounsellingSession,
    DiagnosisTest,
    Course,
    CourseAssignment,
    Placement,
    IndividualPlan,
    Allowance,
    Instalment,
    PaymentList,
    Expense,
    BudgetLine,
    ProjectStage,
)
_TABLES = {model.__table__.name: model for model in TRACKED}

# session.info: the centres whose figures the open transaction changed (EVERY: all of them).
NOTED = "portal_figures_centres"
EVERY = 0  # no centre has id 0


def _note(session: Session, centre_id: int | None) -> None:
    session.info.setdefault(NOTED, set()).add(EVERY if centre_id is None else centre_id)


def _scope(session: Session) -> int | None:
    """The centre the session is limited to (a request's), if any."""
    centre_id: int | None = session.info.get(database.CENTRE_KEY)
    return centre_id


def _centre_of(record: Any) -> int | None:
    if isinstance(record, ProjectStage):
        project = record.project  # loaded by its id when needed; no autoflush inside a flush
        return project.centre_id if project is not None else None
    centre_id: int | None = record.centre_id
    return centre_id


@event.listens_for(Session, "before_flush")
def _note_records(session: Session, _context: Any, _instances: Any) -> None:
    changed = chain(
        session.new,
        session.deleted,
        # An attribute set to the value it had is no change.
        (r for r in session.dirty if isinstance(r, TRACKED) and session.is_modified(r)),
    )
    for record in changed:
        if isinstance(record, TRACKED):
            _note(session, _centre_of(record) or _scope(session))


@event.listens_for(Session, "do_orm_execute")
def _note_statements(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    model = _TABLES.get(getattr(table, "name", ""))
    if model is None:
        return
    session = state.session
    scope = _scope(session)
    if scope is not None:
        _note(session, scope)  # a request changes only its own centre's records
        return
    if state.is_insert:
        given: Any = state.parameters
        rows: list[Any] = given if isinstance(given, list) else [given]
        for row in rows or [None]:
            _note(session, (row or {}).get("centre_id"))
        return
    if model is ProjectStage:
        _note(session, None)
        return
    # A command or a script: the centres of the rows about to change (read before the change,
    # whose WHERE may no longer hold after it).
    where = state.statement.whereclause  # type: ignore[attr-defined]
    query = select(model.centre_id).distinct()
    for centre_id in session.scalars(query if where is None else query.where(where)):
        _note(session, centre_id)


@event.listens_for(Session, "before_commit")
def _move_versions(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the counter moves with the whole transaction
    session.flush()
    noted: set[int] = session.info.pop(NOTED, set())
    if not noted:
        return
    statement = (
        update(Centre)
        # updated_at given as it is: the centre's own record did not change.
        .values(figures_version=Centre.figures_version + 1, updated_at=Centre.updated_at)
        .execution_options(synchronize_session=False)
    )
    if EVERY not in noted:
        statement = statement.where(Centre.id.in_(sorted(noted)))
    session.execute(statement)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(NOTED, None)  # rolled back (or committed): nothing left to move
