"""Money as it is spent: the stage's expense ledger and the posts paid from the project."""

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, CentreOwned, Grosze, Timestamped, str_enum
from portal.models.centres import BudgetLine, Project
from portal.models.events import Event
from portal.models.people import User
from portal.models.support import EventCostKind, ExpenseKind


class ProjectPost(CentreOwned, Timestamped, Base):
    """A post paid from the project (e.g. a social worker employed for it), whose monthly
    salary postings charge the stage's salaries line."""

    __tablename__ = "project_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    person_name: Mapped[str] = mapped_column(String(200))
    # The staff account of the person, when they have one (a worker whose hours are logged).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    # Share of a full-time post in percent (50 = half-time): integers, exact on every database.
    fte_percent: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    monthly_cost_grosze: Mapped[int] = mapped_column(Grosze)

    project: Mapped[Project] = relationship()
    user: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("fte_percent > 0 AND fte_percent <= 100", name="fte_range"),
        CheckConstraint("monthly_cost_grosze > 0", name="cost_positive"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )


class Expense(CentreOwned, Timestamped, Base):
    """An entry of a stage's expense ledger: money spent from one budget line.

    Entries are never edited. A correction is a new entry pointing at the one it corrects,
    with the difference as its amount (negative when less was spent) and a reason. Each entry
    moves its line's committed and paid amounts in one conditional UPDATE (services/budget.py).
    """

    __tablename__ = "expenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_line_id: Mapped[int] = mapped_column(ForeignKey("budget_lines.id"), index=True)
    kind: Mapped[ExpenseKind] = mapped_column(str_enum(ExpenseKind, "expense_kind"))
    spent_on: Mapped[date]
    document_number: Mapped[str] = mapped_column(String(60), default="")
    description: Mapped[str] = mapped_column(String(300))
    amount_grosze: Mapped[int] = mapped_column(Grosze)
    # An event's cost (bus, catering...), charged to the PAL line.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    cost_kind: Mapped[EventCostKind | None] = mapped_column(
        str_enum(EventCostKind, "event_cost_kind")
    )
    # A salary posting: the post and the month (its first day).
    post_id: Mapped[int | None] = mapped_column(ForeignKey("project_posts.id"), index=True)
    month: Mapped[date | None]
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("expenses.id"), index=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    budget_line: Mapped[BudgetLine] = relationship()
    event: Mapped[Event | None] = relationship()
    post: Mapped[ProjectPost | None] = relationship()
    corrects: Mapped["Expense | None"] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "(kind = 'correction') = (corrects_id IS NOT NULL)", name="correction_points_back"
        ),
        CheckConstraint("kind <> 'correction' OR reason IS NOT NULL", name="correction_reason"),
        CheckConstraint("kind = 'correction' OR amount_grosze > 0", name="amount_positive"),
        CheckConstraint("amount_grosze <> 0", name="amount_not_zero"),
        CheckConstraint(
            "(kind = 'salary') = (post_id IS NOT NULL AND month IS NOT NULL)",
            name="salary_has_post_and_month",
        ),
        CheckConstraint(
            "(kind = 'event_cost') = (event_id IS NOT NULL AND cost_kind IS NOT NULL)",
            name="event_cost_has_event",
        ),
        # One salary posting per post and month: a double click or a second coordinator
        # posting the same month is refused by the database, whatever the timing.
        Index(
            "uq_expenses_salary_month",
            "post_id",
            "month",
            unique=True,
            sqlite_where=text("kind = 'salary'"),
            postgresql_where=text("kind = 'salary'"),
        ),
    )
