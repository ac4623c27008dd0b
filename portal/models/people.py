"""Accounts, roles, participants (with their ESF monitoring data) and account requests."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import (
    Base,
    CentreOwned,
    LabelledEnum,
    Labels,
    Timestamped,
    UTCDateTime,
    str_enum,
    utcnow,
)
from portal.models.centres import Area, Centre, Project, Village
from portal.models.enums import STAFF_ROLES, RequestStatus, Role


def masked_account(account: str | None) -> str:
    """A bank account as every page but its editing page shows it: the country and check
    digits and the last four digits ("PL61 **** **** **** **** **** 2874")."""
    if not account:
        return ""
    return f"{account[:4]} {' '.join(['****'] * 5)} {account[-4:]}"


# The answers of the ESF monitoring data set (MONITORING.md), with translatable labels.
class Sex(LabelledEnum):
    FEMALE = "female"
    MALE = "male"

    @classmethod
    def _labels(cls) -> "Labels":
        return {cls.FEMALE: _l("Woman"), cls.MALE: _l("Man")}


class Education(LabelledEnum):
    """ISCED-based levels of the ESF monitoring data set."""

    NONE = "none"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"
    POST_SECONDARY = "post_secondary"
    TERTIARY = "tertiary"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.NONE: _l("Below primary (ISCED 0)"),
            cls.PRIMARY: _l("Primary (ISCED 1)"),
            cls.LOWER_SECONDARY: _l("Lower secondary (ISCED 2)"),
            cls.UPPER_SECONDARY: _l("Upper secondary (ISCED 3)"),
            cls.POST_SECONDARY: _l("Post-secondary (ISCED 4)"),
            cls.TERTIARY: _l("Tertiary (ISCED 5-8)"),
        }


class LabourMarketStatus(LabelledEnum):
    UNEMPLOYED_REGISTERED = "unemployed_registered"
    UNEMPLOYED_UNREGISTERED = "unemployed_unregistered"
    INACTIVE = "inactive"
    EMPLOYED = "employed"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.UNEMPLOYED_REGISTERED: _l("Unemployed, registered at the labour office"),
            cls.UNEMPLOYED_UNREGISTERED: _l("Unemployed, not registered"),
            cls.INACTIVE: _l("Economically inactive"),
            cls.EMPLOYED: _l("Employed"),
        }


class Answer(LabelledEnum):
    """A monitoring question about a social situation: a refusal must never block support."""

    YES = "yes"
    NO = "no"
    REFUSED = "refused"

    @classmethod
    def _labels(cls) -> "Labels":
        return {cls.YES: _l("Yes"), cls.NO: _l("No"), cls.REFUSED: _l("Refuses to answer")}


class User(Timestamped, Base):
    """An account. Installation administrators may have no centre; everybody else has one."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(5))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Changing this ends every session of the user (logout, password change, role change).
    session_token: Mapped[str] = mapped_column(String(64))
    # Changing this invalidates every invitation or reset link sent before.
    link_nonce: Mapped[str] = mapped_column(String(64))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (staff only): the TOTP secret (set while enrolling, kept once enabled),
    # when it was turned on, and the last time step accepted, so a code is never used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Staff who decide residents' account requests may ask to be e-mailed when one arrives.
    notify_account_requests: Mapped[bool] = mapped_column(default=False, server_default=false())

    centre: Mapped[Centre | None] = relationship()
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    participant: Mapped["Participant | None"] = relationship(
        back_populates="user", foreign_keys="Participant.user_id"
    )

    __table_args__ = (
        CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "totp_enabled_at IS NULL OR totp_secret IS NOT NULL", name="totp_enabled_has_secret"
        ),
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    # Flask-Login protocol. The id carries the session token, so rotating it logs out everywhere.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class Participant(CentreOwned, Timestamped, Base):
    """A person supported by the project, with or without an account.

    Carries the ESF monitoring data set (SL2014, a superset of PEFS 2007). Age is never stored:
    it is computed from the birth date and the start of participation.
    """

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    pesel: Mapped[str | None] = mapped_column(String(11))
    no_pesel_country: Mapped[str | None] = mapped_column(String(60))
    sex: Mapped[Sex | None] = mapped_column(str_enum(Sex, "sex"))
    birth_date: Mapped[date | None]
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))

    on_contract_path: Mapped[bool] = mapped_column(default=False)
    on_pal_path: Mapped[bool] = mapped_column(default=False)

    # Monitoring: education and address.
    education: Mapped[Education | None] = mapped_column(str_enum(Education, "education"))
    voivodeship: Mapped[str | None] = mapped_column(String(60))
    county: Mapped[str | None] = mapped_column(String(60))
    commune: Mapped[str | None] = mapped_column(String(60))
    town: Mapped[str | None] = mapped_column(String(100))
    street: Mapped[str | None] = mapped_column(String(100))
    building_number: Mapped[str | None] = mapped_column(String(10))
    flat_number: Mapped[str | None] = mapped_column(String(10))
    postcode: Mapped[str | None] = mapped_column(String(6))
    area: Mapped[Area | None] = mapped_column(str_enum(Area, "area"))
    cares_for_child_under_7: Mapped[bool | None]
    cares_for_dependant: Mapped[bool | None]

    # Monitoring: participation. The start is the first support delivered
    # (services/support/delivered); `support_start` holds only a start staff corrected, always
    # with its reason: empty, the start follows the support.
    support_start: Mapped[date | None]
    support_start_reason: Mapped[str | None] = mapped_column(String(500))
    support_end: Mapped[date | None]
    left_early: Mapped[bool | None]

    # Monitoring: labour-market status at entry.
    labour_market_status: Mapped[LabourMarketStatus | None] = mapped_column(
        str_enum(LabourMarketStatus, "labour_market_status")
    )
    is_long_term_unemployed: Mapped[bool | None]
    # The day an unemployed person became unemployed, when known: the long-term flag must agree
    # with it (over 6 months under 25, over 12 months at 25 and over, before the start of support).
    unemployed_since: Mapped[date | None]
    is_in_education: Mapped[bool | None]
    occupation: Mapped[str | None] = mapped_column(String(100))
    employer_kind: Mapped[str | None] = mapped_column(String(100))

    # Monitoring: social situation, each yes / no / refuses to answer.
    minority: Mapped[Answer | None] = mapped_column(str_enum(Answer, "answer_minority"))
    # 2021–2027 (CST2021) asks apart what 2007–2020 asked as the one question above: a "yes"
    # there cannot be split after the fact, so each of the three is its own answer.
    national_minority: Mapped[Answer | None] = mapped_column(
        str_enum(Answer, "answer_national_minority")
    )
    foreign_origin: Mapped[Answer | None] = mapped_column(str_enum(Answer, "answer_foreign_origin"))
    third_country_national: Mapped[Answer | None] = mapped_column(
        str_enum(Answer, "answer_third_country")
    )
    homeless: Mapped[Answer | None] = mapped_column(str_enum(Answer, "answer_homeless"))
    disability: Mapped[Answer | None] = mapped_column(str_enum(Answer, "answer_disability"))
    jobless_household: Mapped[Answer | None] = mapped_column(str_enum(Answer, "answer_jobless"))
    jobless_household_with_children: Mapped[Answer | None] = mapped_column(
        str_enum(Answer, "answer_jobless_children")
    )
    single_adult_with_children: Mapped[Answer | None] = mapped_column(
        str_enum(Answer, "answer_single_adult")
    )
    other_disadvantage: Mapped[Answer | None] = mapped_column(str_enum(Answer, "answer_other"))

    # Monitoring: result at exit (within four weeks of leaving).
    exit_employed: Mapped[bool | None]
    exit_job_seeking: Mapped[bool | None]
    exit_in_education: Mapped[bool | None]
    exit_qualification: Mapped[bool | None]
    exit_completed_path: Mapped[bool | None]
    # Why a person left before completing the planned path; the day the result at exit was known
    # (a result is due within four weeks of leaving: until then it is missing, not "no").
    exit_reason: Mapped[str | None] = mapped_column(String(500))
    exit_result_on: Mapped[date | None]

    # Where allowances are paid: the account in electronic IBAN form ("PL" and 26 digits), its
    # holder's name when it is not the participant's own, or cash / postal order. A change the
    # participant asks for waits in BankAccountChange until staff confirm it.
    bank_account: Mapped[str | None] = mapped_column(String(28))
    bank_account_owner: Mapped[str | None] = mapped_column(String(140))
    paid_in_cash: Mapped[bool] = mapped_column(default=False, server_default=false())

    # A private calendar feed: a secret, revocable token (never the PESEL, never the id).
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Set when the retention period ended and every personal datum was removed (retention.py):
    # the record stays, with its ids, dates and ESF categories, for the project's figures.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two people editing one record: a save based on an old version is refused, never lost.
    version_id: Mapped[int] = mapped_column(default=1)

    user: Mapped[User | None] = relationship(back_populates="participant", foreign_keys=[user_id])
    advisor: Mapped[User | None] = relationship(foreign_keys=[advisor_id])
    social_worker: Mapped[User | None] = relationship(foreign_keys=[social_worker_id])
    village: Mapped[Village | None] = relationship()
    project: Mapped[Project] = relationship()

    __table_args__ = (
        # One person is recorded once per centre; PESEL is unique where present.
        Index(
            "uq_participants_centre_id_pesel",
            "centre_id",
            "pesel",
            unique=True,
            sqlite_where=text("pesel IS NOT NULL"),
            postgresql_where=text("pesel IS NOT NULL"),
        ),
        # The staff list reads a centre's people by name, 200 at a time: in index order, it
        # does not sort the whole centre first (100 000 people: 135 ms to about 1 ms).
        Index("ix_participants_centre_id_name", "centre_id", "last_name", "first_name"),
        CheckConstraint("pesel IS NULL OR length(pesel) = 11", name="pesel_length"),
        CheckConstraint(
            "support_end IS NULL OR support_start IS NULL OR support_end >= support_start",
            name="support_end_after_start",
        ),
        # A reason explains a corrected start; without the date it would explain nothing.
        CheckConstraint(
            "support_start_reason IS NULL OR support_start IS NOT NULL",
            name="support_start_reason_with_date",
        ),
    )
    __mapper_args__ = {"version_id_col": version_id}

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_pesel(self) -> str:
        """The PESEL as lists show it: the last four digits, never the birth date."""
        return f"*******{self.pesel[-4:]}" if self.pesel else ""

    @property
    def masked_bank_account(self) -> str:
        return masked_account(self.bank_account)


class AccountRequest(CentreOwned, Timestamped, Base):
    """A resident without an account asks for one; staff accept or refuse."""

    __tablename__ = "account_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "request_status"), default=RequestStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refusal_reason: Mapped[str | None] = mapped_column(String(500))

    village: Mapped[Village | None] = relationship()

    __table_args__ = (
        Index(
            "uq_account_requests_pending_email",
            "centre_id",
            "email",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )


class BankAccountChangeStatus(LabelledEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"
    # Replaced by a newer request of the same person before anyone decided it.
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.PENDING: _l("Waiting for confirmation"),
            cls.CONFIRMED: _l("Change confirmed"),
            cls.REFUSED: _l("Change refused"),
            cls.WITHDRAWN: _l("Replaced by a newer request"),
        }


class BankAccountChange(CentreOwned, Base):
    """A participant asks to be paid to another account (or in cash); staff confirm or refuse.

    A changed account is the classic route to divert benefits, so the participant's own change
    never takes effect by itself: until confirmed, payments go where they went before.
    """

    __tablename__ = "bank_account_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    bank_account: Mapped[str | None] = mapped_column(String(28))
    bank_account_owner: Mapped[str | None] = mapped_column(String(140))
    paid_in_cash: Mapped[bool] = mapped_column(default=False)
    status: Mapped[BankAccountChangeStatus] = mapped_column(
        str_enum(BankAccountChangeStatus, "bank_account_change_status"),
        default=BankAccountChangeStatus.PENDING,
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    participant: Mapped[Participant] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        # One request waits per person: a new one replaces the old (services/people/bank_accounts).
        Index(
            "uq_bank_account_changes_pending",
            "participant_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # Never both; neither once the retention period ended and the account was removed.
        CheckConstraint(
            "NOT (paid_in_cash AND bank_account IS NOT NULL)", name="not_account_and_cash"
        ),
    )

    @property
    def masked_bank_account(self) -> str:
        return masked_account(self.bank_account)


# Recovery codes of staff two-factor sign-in: kept only as hashes, each usable once.
class RecoveryCode(Base):
    """One recovery code: the SHA-256 of a high-entropy random code (never the code itself)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)


# Consents a participant gave (or withdrew), each with the version of the text they agreed to.
class ConsentKind(LabelledEnum):
    PROCESSING = "processing"
    EMAIL_CONTACT = "email_contact"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.PROCESSING: _l("Processing of personal data to run the project"),
            cls.EMAIL_CONTACT: _l("Contact by e-mail about the project"),
        }


class Consent(CentreOwned, Base):
    """One consent as given: never edited, only withdrawn (a new consent is a new record)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    kind: Mapped[ConsentKind] = mapped_column(str_enum(ConsentKind, "consent_kind"))
    # The version of the wording agreed to (services/consents.py keeps every wording's date).
    text_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Staff who took a signed paper form; empty when the person gave it themselves online.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    participant: Mapped[Participant] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "withdrawn_at IS NULL OR withdrawn_at >= given_at", name="withdrawn_after_given"
        ),
    )
