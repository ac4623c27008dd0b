"""Vocational diagnosis, counselling and the individual development plan (IPRZ)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, CentreOwned, Timestamped, UTCDateTime, str_enum
from portal.models.enums import (
    ActionKind,
    ActionStatus,
    CounsellingKind,
    GoalStatus,
    PlanStatus,
)
from portal.models.people import Participant, User


class DiagnosisTestType(CentreOwned, Base):
    """A kind of diagnosis test (Multiselect, WIS, ...), kept per centre."""

    __tablename__ = "diagnosis_test_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # Retired types keep the tests recorded with them, but are not offered any more.
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())

    __table_args__ = (UniqueConstraint("centre_id", "name"),)


class DiagnosisTest(CentreOwned, Timestamped, Base):
    __tablename__ = "diagnosis_tests"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    test_type_id: Mapped[int] = mapped_column(ForeignKey("diagnosis_test_types.id"))
    taken_on: Mapped[date]
    result_summary: Mapped[str] = mapped_column(Text, default="")
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    test_type: Mapped[DiagnosisTestType] = relationship()


class CounsellingSession(CentreOwned, Timestamped, Base):
    __tablename__ = "counselling_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    kind: Mapped[CounsellingKind] = mapped_column(str_enum(CounsellingKind, "counselling_kind"))
    held_on: Mapped[date]
    duration_minutes: Mapped[int]
    notes: Mapped[str] = mapped_column(Text, default="")
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 600", name="duration"),
    )


class IndividualPlan(CentreOwned, Timestamped, Base):
    """The advisor's Indywidualny Plan Rozwoju Zawodowego; every save is a revision.

    `version_id` makes a save based on an old version fail instead of overwriting silently.
    """

    __tablename__ = "individual_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), unique=True)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[PlanStatus] = mapped_column(
        str_enum(PlanStatus, "plan_status"), default=PlanStatus.DRAFT
    )
    strengths: Mapped[list[str]] = mapped_column(JSON, default=list)
    weaknesses: Mapped[list[str]] = mapped_column(JSON, default=list)
    opportunities: Mapped[list[str]] = mapped_column(JSON, default=list)
    threats: Mapped[list[str]] = mapped_column(JSON, default=list)
    potential: Mapped[str] = mapped_column(Text, default="")
    predispositions: Mapped[str] = mapped_column(Text, default="")
    target_occupations: Mapped[str] = mapped_column(Text, default="")
    market_demand: Mapped[str] = mapped_column(Text, default="")
    market_fit: Mapped[str] = mapped_column(Text, default="")
    # Never shown to the participant: not on a page, an export, a PDF or an e-mail.
    advisor_notes: Mapped[str] = mapped_column(Text, default="")
    # The revision number the participant sees; revisions are append-only, so it stays valid.
    shared_revision_number: Mapped[int | None]
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_reason: Mapped[str | None] = mapped_column(String(500))
    version_id: Mapped[int] = mapped_column(default=1)

    participant: Mapped[Participant] = relationship()
    advisor: Mapped[User | None] = relationship()
    goals: Mapped[list["PlanGoal"]] = relationship(
        back_populates="plan", order_by="PlanGoal.position", cascade="all, delete-orphan"
    )
    actions: Mapped[list["PlanAction"]] = relationship(
        back_populates="plan",
        # The same order on every database: dated actions first, then by creation.
        order_by=lambda: (PlanAction.due_date.asc().nulls_last(), PlanAction.id),
        cascade="all, delete-orphan",
    )
    # The participant's questions (comments that answer nothing), oldest first.
    questions: Mapped[list["PlanComment"]] = relationship(
        viewonly=True,
        primaryjoin="and_(PlanComment.plan_id == IndividualPlan.id, "
        "PlanComment.reply_to_id.is_(None))",
        order_by="PlanComment.id",
    )

    __mapper_args__ = {"version_id_col": version_id}


class PlanGoal(Base):
    __tablename__ = "plan_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("individual_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(500))
    target_date: Mapped[date | None]
    status: Mapped[GoalStatus] = mapped_column(
        str_enum(GoalStatus, "goal_status"), default=GoalStatus.OPEN
    )

    plan: Mapped[IndividualPlan] = relationship(back_populates="goals")


class PlanAction(Base):
    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("individual_plans.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ActionKind] = mapped_column(str_enum(ActionKind, "action_kind"))
    description: Mapped[str] = mapped_column(String(500))
    due_date: Mapped[date | None]
    responsible: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.PLANNED
    )
    # The course or the group session the action names: completing the course or attending
    # the session marks the action done (services/plans/action_progress.py).
    course_assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_assignments.id"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)

    plan: Mapped[IndividualPlan] = relationship(back_populates="actions")


class PlanRevision(Base):
    """One save of a plan: who, when, which fields changed (old and new), and a full snapshot."""

    __tablename__ = "plan_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("individual_plans.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    author: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("plan_id", "number"),)


class PlanComment(Base):
    """A participant's question or comment on their shared plan, for the advisor; or the
    advisor's answer to one (`reply_to_id` set)."""

    __tablename__ = "plan_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("individual_plans.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_comments.id", ondelete="CASCADE"), index=True
    )

    author: Mapped[User] = relationship(viewonly=True)
    # A question's answers, loaded for all questions of a page at once.
    answers: Mapped[list["PlanComment"]] = relationship(
        viewonly=True, order_by="PlanComment.id", lazy="selectin"
    )
