"""Consent records: what a participant agreed to, in which wording, when, and who took it.

Every wording shown to people is a version kept here with the day it came into use; a consent
records the version agreed to, so a later change of wording never rewrites what was agreed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import Consent, ConsentKind, Participant, User
from portal.services.audit import audit

# i18n: a tag beside a person the portal does not e-mail about the project; staff tell them
# by phone or a printed letter.
NO_ADDRESS = _l("no e-mail")
NO_EMAIL_CONSENT = _l("no consent to e-mail contact")


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


def not_emailed(people: Sequence[Participant]) -> dict[int, LazyString]:
    """Why each of `people` the portal does not write to about the project is not: no address,
    or no standing consent to e-mail contact (one query for all of them).

    The project's mail (a place at an event, the waiting list, a reminder, a cancelled event,
    an answer to a question) goes only with that consent. Mail the account itself needs (the
    invitation, password links, the notice of a changed password) asks for none: it is part of
    the service the person asked for, and security depends on it.
    """
    addressed = [person for person in people if _address(person)]
    consented = set(
        db.session.scalars(
            select(Consent.participant_id).where(
                Consent.participant_id.in_([person.id for person in addressed]),
                Consent.kind == ConsentKind.EMAIL_CONTACT,
                Consent.withdrawn_at.is_(None),
            )
        )
        if addressed
        else ()
    )
    reasons = {person.id: NO_ADDRESS for person in people if not _address(person)}
    reasons |= {person.id: NO_EMAIL_CONSENT for person in addressed if person.id not in consented}
    return reasons


def email_for_project(person: Participant) -> str | None:
    """The address to write to `person` about the project; None when not_emailed says why not."""
    return None if not_emailed([person]) else _address(person)


def _address(person: Participant) -> str | None:
    # The account's address where there is an account (the one the person signs in with and
    # keeps up to date), else the one on the record.
    return (person.user.email if person.user else person.email) or None
