"""Spreadsheet imports: a checked file waits here between its preview and the user's choice."""

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, CentreOwned, UTCDateTime, str_enum, utcnow
from portal.models.enums import LabelledEnum, Labels


class ImportStatus(LabelledEnum):
    PENDING = "pending"
    IMPORTED = "imported"
    DISCARDED = "discarded"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.PENDING: _l("Waiting for your decision"),
            cls.IMPORTED: _l("Imported"),
            cls.DISCARDED: _l("Discarded"),
        }


class ImportBatch(CentreOwned, Base):
    """One uploaded file, parsed and checked: its valid rows and every problem found.

    The rows are kept in the database, not in a file, so any worker process can finish the
    import; they are emptied once the batch is imported or discarded.
    """

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[ImportStatus] = mapped_column(
        str_enum(ImportStatus, "import_status"), default=ImportStatus.PENDING
    )
    file_kind: Mapped[str] = mapped_column(String(4))  # "csv" or "xlsx"
    row_count: Mapped[int] = mapped_column(default=0)
    # The valid rows, normalised: a list of dicts (see services/imports.py).
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Every problem: [row number, column name, message code, parameters].
    problems: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    imported_count: Mapped[int | None]
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("row_count >= 0", name="row_count_not_negative"),)
