"""Recording many participants from a spreadsheet: check every row, show the problems, then
import all rows, or only the valid ones, in one transaction — or nothing.

The checked rows wait in an `ImportBatch` between the preview and the user's choice; a batch is
used once (a conditional status move) and belongs to its centre.
"""

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import Centre, ImportBatch, Project, User, Village
from portal.models.imports import ImportStatus
from portal.models.people import Sex
from portal.services.audit import audit
from portal.services.common.errors import PortalError
from portal.services.esf import import_files, import_rules
from portal.services.lifecycle import transitions
from portal.services.people import participants

# A preview is a decision about a file as it was: after a day it is uploaded again.
BATCH_LIFETIME = timedelta(hours=24)


class ImportRefused(PortalError):
    pass


def preview(
    data: bytes, *, centre: Centre, actor: User, now: datetime, limits: import_files.Limits
) -> ImportBatch:
    """Read and check every row of an uploaded file, within the limits; nothing is recorded yet."""
    table = import_files.read(data, limits)
    checker = import_rules.Checker(centre.id, now.date())
    columns = checker.header(table.header)
    for number, cells in table.rows:
        checker.row(number, {column: cells[i] if i < len(cells) else None for i, column in columns})
    batch = ImportBatch(
        centre_id=centre.id,
        created_by_id=actor.id,
        created_at=now,
        file_kind=table.kind,
        row_count=len(table.rows),
        rows=checker.valid,
        problems=checker.problems,
    )
    db.session.add(batch)
    audit.record(
        "import.preview",
        batch,
        actor=actor,
        at=now,
        changes={
            "rows": (None, batch.row_count),
            "valid_rows": (None, len(batch.rows)),
            "problems": (None, len(batch.problems)),
        },
    )
    return batch


def bad_rows(batch: ImportBatch) -> set[int]:
    return {row for row, *_rest in batch.problems if row > 1}


def confirm(batch: ImportBatch, *, valid_only: bool, actor: User, now: datetime) -> int:
    """Record the batch's valid rows in this transaction: all of them or, when a row is refused
    now, none — or with `valid_only`, the rows that still pass. Returns how many were recorded."""
    if batch.status == ImportStatus.PENDING and batch.created_at < now - BATCH_LIFETIME:
        raise ImportRefused(_l("This preview is more than a day old. Upload the file again."))
    if batch.problems and not valid_only:
        raise ImportRefused(
            _l(
                "Some rows have problems. Correct the file and upload it again, or import only "
                "the valid rows."
            ),
            field="mode",
        )
    rows = list(batch.rows)
    transitions.move(
        batch,
        "import",
        actor=actor,
        now=now,
        refusal=ImportRefused(_l("This file has already been imported or discarded.")),
        finished_at=now,
        rows=[],
    )
    centre = db.session.get_one(Centre, batch.centre_id)
    project = participants.require_project(batch.centre_id)
    villages = {
        village.id: village
        for village in db.session.scalars(select(Village).where(Village.centre_id == centre.id))
    }
    recorded = 0
    for row in rows:
        try:
            _record_row(row, centre, project, villages, actor=actor, batch=batch)
        except PortalError as error:
            if not valid_only:
                raise ImportRefused(
                    _l(
                        "Row %(row)d can no longer be imported: %(reason)s Nothing was imported.",
                        row=row["row"],
                        reason=str(error.message),
                    ),
                    field="mode",
                ) from error
            continue
        recorded += 1
    batch.imported_count = recorded
    return recorded


def _record_row(
    row: dict[str, Any],
    centre: Centre,
    project: Project,
    villages: dict[int, Village],
    *,
    actor: User,
    batch: ImportBatch,
) -> None:
    village = villages.get(row["village_id"]) if row["village_id"] else None
    if row["village_id"] and village is None:
        raise ImportRefused(import_rules.MESSAGES["village_unknown"])
    person = participants.create_participant(
        centre=centre,
        project=project,
        first_name=row["first_name"],
        last_name=row["last_name"],
        actor=actor,
        pesel_number=row["pesel"],
        village=village,
        email=row["email"],
        on_contract_path=row["contract_path"],
        on_pal_path=row["pal_path"],
    )
    extra = {
        "birth_date": date.fromisoformat(row["birth_date"]) if row["birth_date"] else None,
        "sex": Sex(row["sex"]) if row["sex"] else None,
        "phone": row["phone"],
    }
    changes = audit.diff(person, extra)
    audit.record(
        "participant.import", person, actor=actor, changes={"batch": (None, batch.id)} | changes
    )


def discard(batch: ImportBatch, *, actor: User, now: datetime) -> None:
    """Nothing from the file is recorded; its rows are forgotten."""
    transitions.move(
        batch,
        "discard",
        actor=actor,
        now=now,
        refusal=ImportRefused(_l("This file has already been imported or discarded.")),
        finished_at=now,
        rows=[],
    )
