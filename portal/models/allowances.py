"""Allowance requests, their monthly instalments, and the payment lists they are paid from."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import (
    Base,
    CentreOwned,
    Grosze,
    LabelledEnum,
    Labels,
    Timestamped,
    UTCDateTime,
    str_enum,
)
from portal.models.centres import BudgetLine
from portal.models.contracts import SocialContract
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    InstalmentCancellation,
    InstalmentStatus,
    PurposeCategory,
)
from portal.models.people import Participant, User


class Allowance(CentreOwned, Timestamped, Base):
    """A request prepared by a social worker and decided by someone else (four-eyes)."""

    __tablename__ = "allowances"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("social_contracts.id"), index=True)
    budget_line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_lines.id"))
    kind: Mapped[AllowanceKind] = mapped_column(str_enum(AllowanceKind, "allowance_kind"))
    # For a periodic allowance: per month; otherwise the single amount.
    amount_grosze: Mapped[int] = mapped_column(Grosze)
    first_month: Mapped[date | None]
    last_month: Mapped[date | None]
    # Purpose allowances: the category of the need; purpose: the need (or, in kind, what is given).
    category: Mapped[PurposeCategory | None] = mapped_column(
        str_enum(PurposeCategory, "purpose_category")
    )
    purpose: Mapped[str] = mapped_column(String(300), default="")
    justification: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AllowanceStatus] = mapped_column(
        str_enum(AllowanceStatus, "allowance_status"), default=AllowanceStatus.DRAFT
    )
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[Participant] = relationship()
    contract: Mapped[SocialContract | None] = relationship()
    budget_line: Mapped[BudgetLine | None] = relationship()
    prepared_by: Mapped[User] = relationship(foreign_keys=[prepared_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    instalments: Mapped[list["Instalment"]] = relationship(
        back_populates="allowance", order_by="Instalment.month"
    )

    __table_args__ = (
        CheckConstraint("amount_grosze > 0", name="amount_positive"),
        # Four-eyes, backed by the database: nobody decides their own request.
        CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> prepared_by_id", name="four_eyes"
        ),
        CheckConstraint(
            "last_month IS NULL OR first_month IS NULL OR last_month >= first_month",
            name="months_in_order",
        ),
        CheckConstraint(
            "kind <> 'periodic' OR (first_month IS NOT NULL AND last_month IS NOT NULL)",
            name="periodic_has_months",
        ),
    )

    @property
    def charged_line_id(self) -> int:
        """The budget line an approved request is charged to (chosen when it is approved)."""
        if self.budget_line_id is None:
            raise ValueError(f"allowance {self.id} is charged to no budget line: not approved")
        return self.budget_line_id


class PaymentList(CentreOwned, Timestamped, Base):
    """The month's list of instalments to pay, signed and paid as one document.

    Once its transfer files are made (`exported_at`) no instalment joins or leaves it: what the
    bank was sent is what the list says. What comes due in the month after that goes on a
    correction list of the same month, the next `sequence`.
    """

    __tablename__ = "payment_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]
    sequence: Mapped[int] = mapped_column(default=1, server_default="1")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    instalments: Mapped[list["Instalment"]] = relationship(back_populates="payment_list")

    __table_args__ = (
        UniqueConstraint("centre_id", "month", "sequence"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        CheckConstraint(
            "(exported_at IS NULL) = (exported_by_id IS NULL)", name="exported_by_someone"
        ),
    )

    @property
    def is_locked(self) -> bool:
        return self.exported_at is not None


class TransferFileFormat(LabelledEnum):
    ELIXIR = "elixir"
    SEPA = "sepa"
    CASH = "cash"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.ELIXIR: _l("Elixir-O transfer file"),
            cls.SEPA: _l("SEPA XML transfer file"),
            cls.CASH: _l("Cash and postal-order list"),
        }


class TransferFile(CentreOwned, Base):
    """A file made from a payment list when it was exported, kept byte for byte: downloading it
    again gives what the bank was (or will be) sent, whatever changed in the records since."""

    __tablename__ = "transfer_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_list_id: Mapped[int] = mapped_column(ForeignKey("payment_lists.id"), index=True)
    file_format: Mapped[TransferFileFormat] = mapped_column(
        str_enum(TransferFileFormat, "transfer_file_format")
    )
    body: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    # How many payments the file holds and their total, as the page and the trail show them.
    items: Mapped[int]
    total_grosze: Mapped[int] = mapped_column(Grosze)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    made_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (UniqueConstraint("payment_list_id", "file_format"),)


class Instalment(CentreOwned, Base):
    """One payment of an approved allowance: one per month of a periodic allowance."""

    __tablename__ = "instalments"

    id: Mapped[int] = mapped_column(primary_key=True)
    allowance_id: Mapped[int] = mapped_column(ForeignKey("allowances.id"), index=True)
    month: Mapped[date]
    amount_grosze: Mapped[int] = mapped_column(Grosze)
    status: Mapped[InstalmentStatus] = mapped_column(
        str_enum(InstalmentStatus, "instalment_status"), default=InstalmentStatus.DUE
    )
    payment_list_id: Mapped[int | None] = mapped_column(ForeignKey("payment_lists.id"))
    paid_on: Mapped[date | None]
    cancelled_because: Mapped[InstalmentCancellation | None] = mapped_column(
        str_enum(InstalmentCancellation, "instalment_cancellation")
    )

    allowance: Mapped[Allowance] = relationship(back_populates="instalments")
    payment_list: Mapped[PaymentList | None] = relationship(back_populates="instalments")

    __table_args__ = (
        UniqueConstraint("allowance_id", "month"),
        CheckConstraint("amount_grosze > 0", name="amount_positive"),
        CheckConstraint("status <> 'paid' OR paid_on IS NOT NULL", name="paid_has_date"),
        # A cancelled instalment says why, and is on no payment list.
        CheckConstraint(
            "status <> 'cancelled' OR (cancelled_because IS NOT NULL AND payment_list_id IS NULL)",
            name="cancelled_off_lists",
        ),
    )
