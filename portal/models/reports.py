"""The yearly report of a project stage: the coordinator's texts around the computed figures,
with every save kept as a numbered revision, and the figures frozen when the report is closed."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, CentreOwned, Timestamped, UTCDateTime
from portal.models.people import User


class StageReport(CentreOwned, Timestamped, Base):
    """One per stage. `texts` maps a section key to the coordinator's text; `frozen_figures`
    holds the figures as they were at closing (None while the report is open and live)."""

    __tablename__ = "stage_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("project_stages.id"), unique=True)
    texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    version_id: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    frozen_figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What the check of the figures found at closing, each with the coordinator's explanation
    # (services/reporting/discrepancies.py); printed as the annex of the PDF and DOCX.
    explained_discrepancies: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    __mapper_args__ = {"version_id_col": version_id}


class StageReportRevision(Base):
    """A save of one section: its number, the section, and all the texts as they stood after."""

    __tablename__ = "stage_report_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("stage_reports.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    section: Mapped[str] = mapped_column(String(40))
    texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("report_id", "number"),)
