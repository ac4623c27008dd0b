"""Consents a participant gave (or withdrew), each with the version of the text they agreed to."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, CentreOwned, UTCDateTime, str_enum
from portal.models.labelled import LabelledEnum, Labels
from portal.models.people import Participant, User


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
