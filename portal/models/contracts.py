"""Social contracts (kontrakt socjalny)."""

from datetime import date

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, CentreOwned, Timestamped, str_enum
from portal.models.centres import Project
from portal.models.enums import ContractStatus
from portal.models.people import Participant, User


class SocialContract(CentreOwned, Timestamped, Base):
    __tablename__ = "social_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    number: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[ContractStatus] = mapped_column(
        str_enum(ContractStatus, "contract_status"), default=ContractStatus.DRAFT
    )
    problem: Mapped[str] = mapped_column(Text, default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    participant_obligations: Mapped[str] = mapped_column(Text, default="")
    centre_obligations: Mapped[str] = mapped_column(Text, default="")
    # Active integration instruments planned (values of enums.Instrument).
    instruments: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # The financial support promised (allowances) in words.
    support: Mapped[str] = mapped_column(Text, default="")
    evaluation: Mapped[str] = mapped_column(Text, default="", server_default="")
    start_date: Mapped[date]
    end_date: Mapped[date]
    signed_on: Mapped[date | None]
    ended_on: Mapped[date | None]
    termination_reason: Mapped[str | None] = mapped_column(String(500))
    version_id: Mapped[int] = mapped_column(default=1)

    participant: Mapped[Participant] = relationship()
    project: Mapped[Project] = relationship()
    social_worker: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        UniqueConstraint("centre_id", "number"),
        CheckConstraint("end_date >= start_date", name="end_after_start"),
        CheckConstraint(
            "status NOT IN ('signed', 'active', 'completed', 'terminated') "
            "OR signed_on IS NOT NULL",
            name="signed_has_date",
        ),
        # One signed or active contract per person per project.
        Index(
            "uq_social_contracts_one_active",
            "participant_id",
            "project_id",
            unique=True,
            sqlite_where=text("status IN ('signed', 'active')"),
            postgresql_where=text("status IN ('signed', 'active')"),
        ),
    )
