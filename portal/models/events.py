"""PAL events, sessions of group instruments, and the registrations for them."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, CentreOwned, Timestamped, UTCDateTime, str_enum
from portal.models.centres import Project, Village
from portal.models.enums import Audience, EventStatus, EventType, RegistrationStatus
from portal.models.people import Participant
from portal.models.support import GroupInstrument

event_villages = Table(
    "event_villages",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("village_id", ForeignKey("villages.id", ondelete="CASCADE"), primary_key=True),
)


class Event(CentreOwned, Timestamped, Base):
    """A PAL meeting, workshop, picnic or trip with a limited number of places.

    `places_taken` is the confirmed places counter that sign-ups raise with one conditional
    UPDATE; the CHECK constraint makes overbooking impossible even for a faulty caller.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    event_type: Mapped[EventType] = mapped_column(str_enum(EventType, "event_type"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    places_taken: Mapped[int] = mapped_column(default=0)
    # Sign-up order for the waiting list: a counter, so positions never collide.
    last_queue_number: Mapped[int] = mapped_column(default=0)
    audience: Mapped[Audience] = mapped_column(
        str_enum(Audience, "audience"), default=Audience.PROJECT
    )
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.DRAFT
    )
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_cutoff_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_reason: Mapped[str | None] = mapped_column(String(500))
    # Why an event that had already taken place was entered afterwards (a centre starting to
    # use the portal in the middle of a year); None for an event entered before it began.
    recorded_afterwards_reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reminders_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    # Set for a session of a group instrument (social-skills training, group counselling, a
    # club meeting): staff enrol the participants, and it is not offered for sign-up.
    instrument: Mapped[GroupInstrument | None] = mapped_column(
        str_enum(GroupInstrument, "group_instrument")
    )
    trainer: Mapped[str] = mapped_column(String(200), default="", server_default="")
    topics: Mapped[str] = mapped_column(Text, default="", server_default="")

    project: Mapped[Project] = relationship()
    villages: Mapped[list[Village]] = relationship(secondary=event_villages)
    registrations: Mapped[list["Registration"]] = relationship(back_populates="event")

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("places_taken >= 0 AND places_taken <= capacity", name="no_overbooking"),
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL "
            "OR registration_closes_at >= registration_opens_at",
            name="registration_window",
        ),
    )

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_taken, 0)


class Registration(CentreOwned, Timestamped, Base):
    """A person's sign-up for an event; companions share its places and its queue position."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status")
    )
    companions: Mapped[int] = mapped_column(default=0)
    companion_names: Mapped[str] = mapped_column(String(300), default="")
    queue_number: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(500))

    event: Mapped[Event] = relationship(back_populates="registrations")
    participant: Mapped[Participant] = relationship()

    __table_args__ = (
        UniqueConstraint("event_id", "participant_id"),
        UniqueConstraint("event_id", "queue_number"),
        CheckConstraint("companions >= 0 AND companions <= 10", name="companions_range"),
    )

    @property
    def places(self) -> int:
        return 1 + self.companions
