"""Individual support as records: the social worker's casework log, work placements and
vocational courses (the catalogue and each person's course)."""

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, CentreOwned, Grosze, Timestamped, str_enum
from portal.models.contracts import SocialContract
from portal.models.enums import CourseStatus
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


class Course(CentreOwned, Base):
    """The centre's catalogue of vocational courses."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[int | None]
    price_grosze: Mapped[int | None] = mapped_column(Grosze)
    is_active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        UniqueConstraint("centre_id", "name"),
        CheckConstraint("hours IS NULL OR hours > 0", name="hours_positive"),
        CheckConstraint("price_grosze IS NULL OR price_grosze >= 0", name="price_not_negative"),
    )


class CourseAssignment(CentreOwned, Timestamped, Base):
    """A course proposed to a participant, then enrolled, completed or dropped."""

    __tablename__ = "course_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("individual_plans.id"))
    status: Mapped[CourseStatus] = mapped_column(
        str_enum(CourseStatus, "course_status"), default=CourseStatus.PROPOSED
    )
    planned_start: Mapped[date | None]
    planned_end: Mapped[date | None]
    certificate_number: Mapped[str | None] = mapped_column(String(60))
    completed_on: Mapped[date | None]
    drop_reason: Mapped[str | None] = mapped_column(String(500))
    cost_grosze: Mapped[int] = mapped_column(Grosze, default=0)

    course: Mapped[Course] = relationship()

    __table_args__ = (
        CheckConstraint("cost_grosze >= 0", name="cost_not_negative"),
        CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start",
            name="end_after_start",
        ),
    )
