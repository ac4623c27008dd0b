"""Retention: whose personal data may no longer be kept, and removing them (GDPR art. 5(1)(e)).

A participant's data are kept until the later of the end of their support plus the configured
number of years and the project's archiving duty (config.py explains the defaults). Then
`anonymise` removes every personal datum of the person wherever it lives (anonymisation.py
lists the columns) and keeps what the project's figures and the ESF data set are made of: ids,
counts, amounts, dates, statuses and categories. The yearly report and the ESF export give the
same figures before and after.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Participant, User
from portal.services import anonymisation, audit
from portal.services.errors import PortalError


class NotExpired(PortalError):
    message = _l("The retention period of this person has not ended: their data must be kept.")


@dataclass(frozen=True)
class Policy:
    years_after_support: int = 10
    archive_years_after_project_end: int = 5

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Policy":
        return cls(
            years_after_support=int(config["RETENTION_YEARS_AFTER_SUPPORT"]),
            archive_years_after_project_end=int(
                config["RETENTION_ARCHIVE_YEARS_AFTER_PROJECT_END"]
            ),
        )


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def keep_until(person: Participant, policy: Policy) -> date | None:
    """The last day the person's data must be kept; None while nobody can know it yet."""
    if person.support_end is not None:
        counted_from = person.support_end
    elif person.support_start is None:
        counted_from = person.created_at.date()  # recorded, never supported
    else:
        return None  # support started and has not ended
    project = person.project
    if project.archive_until is not None:
        archive = project.archive_until
    elif project.end_date is not None:
        archive = _plus_years(project.end_date, policy.archive_years_after_project_end)
    else:
        return None  # the archiving duty is unknown: keep everything
    return max(_plus_years(counted_from, policy.years_after_support), archive)


def is_expired(person: Participant, policy: Policy, today: date) -> bool:
    until = keep_until(person, policy)
    return person.anonymised_at is None and until is not None and today > until


def expired(policy: Policy, today: date, centre_id: int | None = None) -> list[Participant]:
    """Everybody (of one centre, or of all) whose retention period ended before `today`."""
    query = (
        select(Participant)
        .options(selectinload(Participant.project))
        .where(Participant.anonymised_at.is_(None))
        .order_by(Participant.id)
    )
    if centre_id is not None:
        query = query.where(Participant.centre_id == centre_id)
    return [p for p in db.session.scalars(query) if is_expired(p, policy, today)]


def anonymise(
    person: Participant, *, policy: Policy, now: datetime, actor: User | None = None
) -> dict[str, int]:
    """Remove every personal datum of an expired person; returns how many rows of each kind
    were cleaned. One audit entry says it happened, with no personal data in it."""
    if not is_expired(person, policy, now.date()):
        raise NotExpired()
    cleaned = anonymisation.scrub(person, now=now)
    audit.record(
        "participant.anonymise",
        person,
        actor=actor,
        at=now,
        changes={"anonymised_at": (None, now)}
        | {f"cleaned_{kind}": (None, n) for kind, n in cleaned.items() if n},
    )
    return cleaned


def get_participant(participant_id: int) -> Participant | None:
    return db.session.get(Participant, participant_id)
