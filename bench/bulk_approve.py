"""Bulk approval of 2 000 allowance requests by a filter: how long, and how many SQL statements.

Run by hand (not a test):

    .venv/bin/python bench/bulk_approve.py                 # a fresh SQLite file
    .venv/bin/python bench/bulk_approve.py postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench

The URL may also come from DATABASE_URL. The database's tables are DROPPED and created again.
It builds one centre with an allowance budget line large enough, 2 000 submitted purpose
allowances prepared by a social worker (with their audit trail, as the four-eyes check reads
it), then times "approve all that match" (`approval_queue.approve_all`, confirmed with the
number and the amount the confirmation page shows) for all of them by a coordinator, the commit
and the queue read again included, counting the statements with a before_cursor_execute
listener.
"""

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    BudgetLine,
    Centre,
    Instalment,
    Participant,
    Project,
    ProjectStage,
    User,
)
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    BudgetLineKind,
    CentreKind,
    PurposeCategory,
    Role,
)
from portal.services.accounts import accounts
from portal.services.support import approval_queue

REQUESTS = 2_000
PEOPLE = 500
AMOUNT = 250_00  # grosze
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _url() -> tuple[str, tempfile.TemporaryDirectory | None]:
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DATABASE_URL")
    if url:
        return url, None
    tmp = tempfile.TemporaryDirectory(prefix="portal-bench-")
    return f"sqlite:///{tmp.name}/bench.db", tmp


def _build() -> tuple[int, int, list[int]]:
    """The centre, its staff and the submitted requests; returns (centre, coordinator, ids)."""
    db.drop_all()
    db.create_all()
    centre = Centre(name="OPS Bench", short_name="ops-bench", kind=CentreKind.OPS, town="Janów")
    db.session.add(centre)
    db.session.flush()
    project = Project(centre_id=centre.id, title="Projekt", start_date=date(2026, 1, 1))
    db.session.add(project)
    db.session.flush()
    stage = ProjectStage(
        project_id=project.id, year=2026, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )
    db.session.add(stage)
    db.session.flush()
    db.session.add(
        BudgetLine(
            centre_id=centre.id,
            stage_id=stage.id,
            kind=BudgetLineKind.ALLOWANCES,
            planned_grosze=REQUESTS * AMOUNT * 2,
        )
    )
    staff = {}
    for role in (Role.SOCIAL_WORKER, Role.COORDINATOR):
        staff[role] = accounts.create_user(
            email=f"{role.value}@bench.example.org",
            first_name="Anna",
            last_name=role.value,
            roles={role},
            centre=centre,
            actor=None,
        )
    db.session.flush()
    db.session.execute(
        insert(Participant),
        [
            {
                "centre_id": centre.id,
                "project_id": project.id,
                "first_name": "Jan",
                "last_name": f"Uczestnik{n}",
            }
            for n in range(PEOPLE)
        ],
    )
    people = db.session.scalars(select(Participant.id).order_by(Participant.id)).all()
    worker = staff[Role.SOCIAL_WORKER].id
    db.session.execute(
        insert(Allowance),
        [
            {
                "centre_id": centre.id,
                "participant_id": people[n % PEOPLE],
                "kind": AllowanceKind.PURPOSE,
                "category": PurposeCategory.FUEL,
                "amount_grosze": AMOUNT,
                "first_month": date(2026, 3, 1),
                "purpose": "Opał na zimę",
                "justification": "Brak środków na opał.",
                "status": AllowanceStatus.SUBMITTED,
                "prepared_by_id": worker,
                "submitted_at": NOW - timedelta(days=3, seconds=n),
            }
            for n in range(REQUESTS)
        ],
    )
    ids = db.session.scalars(select(Allowance.id).order_by(Allowance.id)).all()
    db.session.execute(
        insert(AuditEntry),
        [
            {
                "centre_id": centre.id,
                "actor_id": worker,
                "at": NOW - timedelta(days=3),
                "action": action,
                "entity_type": Allowance.__tablename__,
                "entity_id": allowance_id,
                "changes": {},
            }
            for allowance_id in ids
            for action in ("allowance.create", "allowance.submitted")
        ],
    )
    db.session.commit()
    return centre.id, staff[Role.COORDINATOR].id, list(ids)


def main() -> None:
    url, tmp = _url()
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    with app.app_context():
        centre_id, coordinator_id, _ids = _build()
        db.session.remove()

    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        # As the pages do it: the confirmation states the number and the amount, its POST
        # decides by the filter, and the queue is read again (empty now).
        everyone = approval_queue.Filter()
        confirmed = approval_queue.summary(centre_id, everyone, coordinator).confirmed
        started = time.perf_counter()
        approved, refused = approval_queue.approve_all(
            centre_id, everyone, confirmed=confirmed, approver=coordinator, now=NOW
        )
        db.session.commit()
        left = approval_queue.summary(centre_id, everyone, coordinator).count
        seconds = time.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", count)
        if left:
            raise SystemExit(f"{left} requests still waiting")

        line = db.session.scalar(select(BudgetLine))
        instalments = db.session.scalar(select(func.count(Instalment.id)))
        if len(approved) != REQUESTS or refused or instalments != REQUESTS:
            raise SystemExit(f"approved {len(approved)}, refused {len(refused)}, {instalments=}")
        if line.committed_grosze != REQUESTS * AMOUNT:
            raise SystemExit(f"committed {line.committed_grosze}, expected {REQUESTS * AMOUNT}")
        print(f"database:   {db.engine.dialect.name} ({db.engine.url.render_as_string()})")
        print(f"approved:   {len(approved)} requests by the filter (approve all that match)")
        print(f"time:       {seconds:.3f} s (commit and the queue read again included)")
        print(f"statements: {len(statements)}")
        db.session.remove()
        db.engine.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
