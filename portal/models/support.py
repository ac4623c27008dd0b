"""Individual support as records: the social worker's casework log, work placements and
vocational courses (the catalogue and each person's course)."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import (
    Base,
    CentreOwned,
    Grosze,
    LabelledEnum,
    Labels,
    Timestamped,
    str_enum,
)
from portal.models.contracts import SocialContract
from portal.models.enums import CourseStatus
from portal.models.people import Participant, User


# Closed sets of values for support as delivered and money as spent.
class GroupInstrument(LabelledEnum):
    """A group instrument whose sessions are held for enrolled participants (not a PAL event)."""

    SOCIAL_SKILLS = "social_skills"
    GROUP_COUNSELLING = "group_counselling"
    CLUB_MEETING = "club_meeting"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.SOCIAL_SKILLS: _l("Social skills training"),
            cls.GROUP_COUNSELLING: _l("Group vocational counselling"),
            cls.CLUB_MEETING: _l("Club meeting"),
        }


class ContactKind(LabelledEnum):
    """How a social worker met the person or family (casework log)."""

    HOME_VISIT = "home_visit"
    INTERVIEW = "interview"
    PHONE = "phone"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.HOME_VISIT: _l("Home visit"),
            cls.INTERVIEW: _l("Interview at the centre"),
            cls.PHONE: _l("Phone call"),
            cls.OTHER: _l("Other contact"),
        }


class PlacementKind(LabelledEnum):
    WORK_TRAINING = "work_training"
    SOCIALLY_USEFUL_WORK = "socially_useful_work"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.WORK_TRAINING: _l("Work training"),
            cls.SOCIALLY_USEFUL_WORK: _l("Socially useful work"),
        }


class ExpenseKind(LabelledEnum):
    """Where a ledger entry came from; a correction always points at the entry it corrects."""

    LEDGER = "ledger"
    EVENT_COST = "event_cost"
    SALARY = "salary"
    CORRECTION = "correction"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.LEDGER: _l("Expense"),
            cls.EVENT_COST: _l("Event cost"),
            cls.SALARY: _l("Salary"),
            cls.CORRECTION: _l("Correction"),
        }


class EventCostKind(LabelledEnum):
    BUS = "bus"
    CATERING = "catering"
    INSURANCE = "insurance"
    ROOM = "room"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.BUS: _l("Bus hire"),
            cls.CATERING: _l("Catering"),
            cls.INSURANCE: _l("Insurance"),
            cls.ROOM: _l("Room hire"),
            cls.OTHER: _l("Other cost"),
        }


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
