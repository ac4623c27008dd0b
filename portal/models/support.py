"""Individual support as records: the social worker's casework log and work placements."""

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, CentreOwned, Grosze, Timestamped, str_enum
from portal.models.contracts import SocialContract
from portal.models.people import Participant, User
from portal.models.support_enums import ContactKind, PlacementKind


class CaseworkEntry(CentreOwned, Timestamped, Base):
    """One contact of social work with a person or their family. The note is for staff only."""

    __tablename__ = "casework_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("social_contracts.id"))
    happened_on: Mapped[date]
    contact_kind: Mapped[ContactKind] = mapped_column(str_enum(ContactKind, "contact_kind"))
    minutes: Mapped[int]
    # Work with the family rather than the person alone.
    with_family: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(1000), default="")

    worker: Mapped[User] = relationship()
    participant: Mapped[Participant] = relationship()
    contract: Mapped[SocialContract | None] = relationship()

    __table_args__ = (CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_range"),)


class Placement(CentreOwned, Timestamped, Base):
    """Work training or socially useful work: where, when, how many hours a month, for what pay."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("social_contracts.id"))
    kind: Mapped[PlacementKind] = mapped_column(str_enum(PlacementKind, "placement_kind"))
    employer: Mapped[str] = mapped_column(String(200))
    supervisor: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    hours_per_month: Mapped[int]
    # Pay per hour where it applies (socially useful work); None for unpaid work training.
    hourly_rate_grosze: Mapped[int | None] = mapped_column(Grosze)
    version_id: Mapped[int] = mapped_column(default=1)

    participant: Mapped[Participant] = relationship()
    contract: Mapped[SocialContract | None] = relationship()
    days: Mapped[list["PlacementDay"]] = relationship(
        back_populates="placement", order_by="PlacementDay.worked_on"
    )

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("hours_per_month > 0 AND hours_per_month <= 744", name="hours_range"),
        CheckConstraint(
            "hourly_rate_grosze IS NULL OR hourly_rate_grosze > 0", name="rate_positive"
        ),
    )


class PlacementDay(CentreOwned, Base):
    """Hours worked on one day of a placement: the lines of the monthly hours sheet."""

    __tablename__ = "placement_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    worked_on: Mapped[date]
    hours: Mapped[int]

    placement: Mapped[Placement] = relationship(back_populates="days")

    __table_args__ = (
        UniqueConstraint("placement_id", "worked_on"),
        CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),
    )
