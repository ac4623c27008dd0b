"""The coordinator's figures as last computed, and for which version of the centre's data: the
home reads them on every visit and recounts only when a change moved the version
(`centres.figures_version`, services/reporting/figures_version.py)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, CentreOwned, UTCDateTime


class StageFigures(CentreOwned, Base):
    """One stage's dashboard figures (services/reporting/figures_cache), as JSON of plain values,
    computed for the centre's figures `version` on the Warsaw `day` (some figures move with the
    date alone: a contract signed ahead counts from its start, a result at exit falls overdue)."""

    __tablename__ = "stage_figures"

    stage_id: Mapped[int] = mapped_column(
        ForeignKey("project_stages.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int]
    day: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)


class CentreFigures(Base):
    """The centre-wide counts of people supported in any project or year, kept the same way."""

    __tablename__ = "centre_figures"

    centre_id: Mapped[int] = mapped_column(
        ForeignKey("centres.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int]
    day: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
