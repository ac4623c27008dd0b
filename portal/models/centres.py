"""Centres, their villages, projects, yearly stages and budget lines."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, true
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
from portal.models.enums import BudgetLineKind, CentreKind, FundingSource


class Area(LabelledEnum):
    URBAN = "urban"
    RURAL = "rural"

    @classmethod
    def _labels(cls) -> "Labels":
        return {cls.URBAN: _l("Urban"), cls.RURAL: _l("Rural")}


class Centre(Timestamped, Base):
    """A social-welfare centre: every other record belongs to exactly one."""

    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[CentreKind] = mapped_column(str_enum(CentreKind, "centre_kind"))
    town: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    # With `address` (the street and number) and `town`, the postal address; empty on centres
    # whose `address` was written whole before the postcode had a field of its own.
    postcode: Mapped[str] = mapped_column(String(6), default="", server_default="")
    # The data protection officer's name, beside `dpo_contact` (how to reach them).
    dpo_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The building's accessibility in the centre's words (entrance, lift, toilet, parking, sign
    # language): the accessibility statement's "architectural accessibility" shows it.
    building_accessibility: Mapped[str] = mapped_column(Text, default="", server_default="")
    # How to reach the data protection officer (an e-mail or a postal address), when the centre
    # has given one; the privacy notice names it.
    dpo_contact: Mapped[str | None] = mapped_column(String(200))
    # The account transfers are paid from, in electronic IBAN form ("PL" and 26 digits).
    bank_account: Mapped[str | None] = mapped_column(String(28))
    # Settings: how many hours before an event participants may still cancel, by default.
    default_cancellation_cutoff_hours: Mapped[int] = mapped_column(default=24)
    reminder_days_before: Mapped[int] = mapped_column(default=1)
    # Allowance limits per request (None: no limit) and when a waiting request is overdue.
    max_periodic_grosze: Mapped[int | None] = mapped_column(Grosze)
    max_purpose_grosze: Mapped[int | None] = mapped_column(Grosze)
    max_in_kind_grosze: Mapped[int | None] = mapped_column(Grosze)
    decision_warning_days: Mapped[int] = mapped_column(default=14, server_default="14")
    # Moved by one in the same transaction as every change that can move a figure of the
    # coordinator's home (services/reporting/figures_version.py): figures kept for an older
    # version are recounted.
    figures_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Demo centres are rebuilt by seed-demo; real ones are never touched by it.
    is_demo: Mapped[bool] = mapped_column(default=False)

    villages: Mapped[list["Village"]] = relationship(
        back_populates="centre", order_by="Village.name"
    )
    projects: Mapped[list["Project"]] = relationship(back_populates="centre")

    __table_args__ = (
        CheckConstraint("default_cancellation_cutoff_hours >= 0", name="cutoff_not_negative"),
        CheckConstraint("reminder_days_before >= 0", name="reminder_not_negative"),
    )

    @property
    def postal_address(self) -> str:
        """The address on one line: "street, postcode town", or as it was written whole."""
        if not self.postcode:
            return self.address
        place = f"{self.postcode} {self.town}"
        return f"{self.address}, {place}" if self.address else place

    @property
    def contacts_given(self) -> bool:
        """The public pages can tell residents how to reach the centre: an address, an e-mail
        and a telephone are all given."""
        return bool(self.address and self.email and self.phone)

    @property
    def dpo_is_email(self) -> bool:
        """The data protection officer's contact is an e-mail address (not a postal one)."""
        contact = self.dpo_contact or ""
        return "@" in contact and not any(char.isspace() for char in contact)


class Village(CentreOwned, Base):
    """A sołectwo: the unit the Local Activity Programme targets."""

    __tablename__ = "villages"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    area: Mapped[Area] = mapped_column(
        str_enum(Area, "area"), default=Area.RURAL, server_default=Area.RURAL.value
    )
    # Retired villages stay on old records and in reports, but are not offered any more.
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    centre: Mapped[Centre] = relationship(back_populates="villages")

    __table_args__ = (UniqueConstraint("centre_id", "name"),)


class Project(CentreOwned, Timestamped, Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(60), default="")
    programme: Mapped[str] = mapped_column(String(200), default="")
    # The ESF line: priority / measure / sub-measure, printed on attendance lists.
    priority: Mapped[str] = mapped_column(String(60), default="")
    measure: Mapped[str] = mapped_column(String(60), default="")
    submeasure: Mapped[str] = mapped_column(String(60), default="")
    funder: Mapped[str] = mapped_column(String(200), default="", server_default="")
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    # The funding agreement's archiving duty: the project's documents, and so the personal data
    # in them, are kept at least until this day (services/retention.py).
    archive_until: Mapped[date | None]
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    centre: Mapped[Centre] = relationship(back_populates="projects")
    stages: Mapped[list["ProjectStage"]] = relationship(
        back_populates="project", order_by="ProjectStage.year"
    )
    tasks: Mapped[list["ProjectTask"]] = relationship(
        back_populates="project", order_by="ProjectTask.number"
    )

    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
    )


class ProjectTask(CentreOwned, Base):
    """A task (zadanie) of the funding agreement: the budget's lines belong to one, and the
    payment claim totals its documents per task."""

    __tablename__ = "project_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))

    project: Mapped[Project] = relationship(back_populates="tasks")

    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint("number >= 1 AND number <= 99", name="number_range"),
    )

    @property
    def label(self) -> str:
        return f"{self.number}. {self.name}"


class ProjectStage(Base):
    """One year (etap) of a project, with its own budget."""

    __tablename__ = "project_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    year: Mapped[int]
    start_date: Mapped[date]
    end_date: Mapped[date]

    project: Mapped[Project] = relationship(back_populates="stages")
    budget_lines: Mapped[list["BudgetLine"]] = relationship(
        back_populates="stage", order_by="BudgetLine.id"
    )

    __table_args__ = (
        UniqueConstraint("project_id", "year"),
        CheckConstraint("end_date >= start_date", name="end_after_start"),
    )


class BudgetLine(CentreOwned, Base):
    """A line of a stage's budget; committed and paid never exceed planned (database-enforced)."""

    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("project_stages.id"), index=True)
    kind: Mapped[BudgetLineKind] = mapped_column(str_enum(BudgetLineKind, "budget_line_kind"))
    # An optional note beside the kind's translated label (e.g. what "other" covers).
    name: Mapped[str] = mapped_column(String(200), default="")
    funding_source: Mapped[FundingSource] = mapped_column(
        str_enum(FundingSource, "funding_source"), default=FundingSource.ESF, server_default="esf"
    )
    # The task of the funding agreement the line belongs to (none on lines set up before tasks).
    task_id: Mapped[int | None] = mapped_column(ForeignKey("project_tasks.id"), index=True)
    planned_grosze: Mapped[int] = mapped_column(Grosze)
    committed_grosze: Mapped[int] = mapped_column(Grosze, default=0)
    paid_grosze: Mapped[int] = mapped_column(Grosze, default=0)

    stage: Mapped[ProjectStage] = relationship(back_populates="budget_lines")
    task: Mapped[ProjectTask | None] = relationship()

    __table_args__ = (
        UniqueConstraint("stage_id", "kind"),
        CheckConstraint("planned_grosze >= 0", name="planned_not_negative"),
        CheckConstraint(
            "committed_grosze >= 0 AND committed_grosze <= planned_grosze", name="within_plan"
        ),
        CheckConstraint("paid_grosze >= 0 AND paid_grosze <= committed_grosze", name="paid_within"),
    )

    @property
    def left_grosze(self) -> int:
        return self.planned_grosze - self.committed_grosze
