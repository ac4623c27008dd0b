"""Consent records: what a participant agreed to, in which wording, when, and who took it.

Every wording shown to people is a version kept here with the day it came into use; a consent
records the version agreed to, so a later change of wording never rewrites what was agreed.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Consent, ConsentKind, Participant, User
from portal.services import audit


@dataclass(frozen=True)
class TextVersion:
    version: str
    in_use_from: date


# The wording of each consent, newest last. Version 1 is the box of the account request form
# ("I agree that the social welfare centre processes my personal data to run the project and to
# contact me about it.") and the paper form staff register people with.
TEXT_VERSIONS: dict[ConsentKind, tuple[TextVersion, ...]] = {
    ConsentKind.PROCESSING: (TextVersion("1", date(2026, 11, 27)),),
    ConsentKind.EMAIL_CONTACT: (TextVersion("1", date(2026, 11, 27)),),
}


def current_version(kind: ConsentKind) -> str:
    return TEXT_VERSIONS[kind][-1].version


def give(
    person: Participant,
    kind: ConsentKind,
    *,
    at: datetime,
    recorded_by: User | None,
    version: str | None = None,
) -> Consent:
    """Record a consent given at `at`; `recorded_by` is staff who took a signed form."""
    consent = Consent(
        centre_id=person.centre_id,
        participant_id=person.id,
        kind=kind,
        text_version=version or current_version(kind),
        given_at=at,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    db.session.add(consent)
    audit.record(
        "consent.give",
        consent,
        actor=recorded_by,
        changes={
            "participant_id": (None, person.id),
            "kind": (None, kind),
            "text_version": (None, consent.text_version),
        },
    )
    return consent


def withdraw(consent: Consent, *, at: datetime, actor: User | None) -> Consent:
    """Mark a consent withdrawn; withdrawing twice keeps the first moment."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = at
        audit.record("consent.withdraw", consent, actor=actor, changes={"withdrawn_at": (None, at)})
    return consent


def of_participant(participant_id: int) -> list[Consent]:
    return list(
        db.session.scalars(
            select(Consent)
            .where(Consent.participant_id == participant_id)
            .order_by(Consent.given_at, Consent.id)
        )
    )


def has_consent(participant_id: int, kind: ConsentKind) -> bool:
    return any(c.kind == kind and c.withdrawn_at is None for c in of_participant(participant_id))
