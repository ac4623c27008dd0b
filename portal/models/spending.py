"""Money as it is spent: the stage's expense ledger and the posts paid from the project."""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.engine.default import DefaultExecutionContext
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
from portal.models.centres import BudgetLine, Project
from portal.models.events import Event
from portal.models.people import User
from portal.models.support import EventCostKind, ExpenseKind


class DocumentKind(LabelledEnum):
    """The accounting document behind a ledger entry, as the payment claim names it."""

    INVOICE = "invoice"
    BILL = "bill"
    PAYROLL = "payroll"
    PAYMENT_LIST = "payment_list"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.INVOICE: _l("Invoice"),
            cls.BILL: _l("Bill (civil-law contract)"),
            cls.PAYROLL: _l("Payroll list"),
            cls.PAYMENT_LIST: _l("Payment list"),
            cls.OTHER: _l("Other accounting document"),
        }


def _spent_on(context: DefaultExecutionContext) -> date:
    """Entries written without the claim's dates (salaries, corrections) are issued and paid
    on the day they are entered for."""
    values: Any = context.current_parameters
    spent_on: date = values["spent_on"]
    return spent_on


def _gross(context: DefaultExecutionContext) -> int:
    """Without a gross amount the document is wholly eligible. A correction changes the
    eligible amount: its own gross is 0 unless it raises the document above its gross
    (services/money/ledger.correct gives it then)."""
    values: Any = context.current_parameters
    return 0 if values["kind"] == "correction" else int(values["amount_grosze"])


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
    # The eligible amount: what the line is charged (corrections: the difference).
    amount_grosze: Mapped[int] = mapped_column(Grosze)
    # What the payment claim's list of documents needs beside it.
    document_kind: Mapped[DocumentKind] = mapped_column(
        str_enum(DocumentKind, "document_kind"),
        default=DocumentKind.OTHER,
        server_default=DocumentKind.OTHER.value,
    )
    accounting_number: Mapped[str] = mapped_column(String(60), default="", server_default="")
    issuer: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Ten digits, no dashes; empty when the issuer has none (a person's bill).
    issuer_nip: Mapped[str] = mapped_column(String(10), default="", server_default="")
    issued_on: Mapped[date] = mapped_column(default=_spent_on)
    paid_on: Mapped[date] = mapped_column(default=_spent_on)
    # The document's gross total; the eligible amount may be less (never more).
    gross_grosze: Mapped[int] = mapped_column(Grosze, default=_gross)
    # The VAT included in the eligible amount (0 when the VAT is recoverable).
    vat_grosze: Mapped[int] = mapped_column(Grosze, default=0, server_default="0")
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
            "kind = 'correction' OR amount_grosze <= gross_grosze", name="eligible_within_gross"
        ),
        CheckConstraint("vat_grosze >= 0", name="vat_not_negative"),
        CheckConstraint(
            "kind = 'correction' OR vat_grosze <= amount_grosze", name="vat_within_eligible"
        ),
        CheckConstraint("paid_on >= issued_on", name="paid_after_issue"),
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
