"""Retention: whose personal data may no longer be kept, and removing them (GDPR art. 5(1)(e)).

A participant's data are kept until the later of two days: the end of their last support of any
kind plus the configured number of years, and the project's archiving duty (config.py explains
the defaults). The last support is the latest of the end of support recorded in the monitoring
data and every dated record of support (last_support.py lists them: contracts, allowances and
their instalments, event registrations, the plan, placements, casework, courses, diagnosis and
counselling). Anybody with support still open (a contract in force, an instalment to pay, a
place at an event to come, a plan in progress, a placement or a course under way, or support
started with no end recorded) is kept, whatever the dates say.

Then `anonymise` removes every personal datum of the person wherever it lives (anonymisation.py
lists the columns) and keeps what the project's figures and the ESF data set are made of: ids,
counts, amounts, dates, statuses and categories. The yearly report and the ESF export give the
same figures before and after.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Participant, Project, User
from portal.services.audit import audit
from portal.services.common import dates
from portal.services.common.errors import PortalError
from portal.services.people import participation_start
from portal.services.privacy import anonymisation, last_support

# How the command names the days a period can be counted from, besides the kinds of support.
RECORDED_END = "recorded end of support"
RECORDED_ON = "record created, never supported"
NO_END = "support started, no end recorded"


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


@dataclass(frozen=True)
class Verdict:
    """How long one person's data are kept, and why."""

    participant_id: int
    counted_from: date
    counted_from_kind: str
    # The later of the years after support and the archiving duty; None while the duty is unknown.
    ends_on: date | None
    # The archiving duty decided `ends_on` (it is later than the years after support).
    by_archive: bool
    open: tuple[str, ...]  # support still open: kept, whatever `ends_on` says

    @property
    def keep_until(self) -> date | None:
        """The last day the data must be kept; None while nobody can know it yet."""
        return None if self.open else self.ends_on

    def expired(self, today: date) -> bool:
        return self.keep_until is not None and today > self.keep_until

    def held_open(self, today: date) -> bool:
        """The period would have ended, but something is still open."""
        return bool(self.open) and self.ends_on is not None and today > self.ends_on


@dataclass(frozen=True)
class _Record:
    """What the verdict reads from the person's own row and their project's."""

    participant_id: int
    support_start: date | None  # the start of participation (participation_start), if any
    support_end: date | None
    created_at: datetime
    archive_until: date | None
    project_end: date | None


def _end_of(today: date) -> datetime:
    """The last moment of `today` in Warsaw: the support delivered by then counts."""
    return dates.local_to_utc(today, time(23, 59, 59))


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _verdict(
    record: _Record,
    last: last_support.LastSupport | None,
    still_open: tuple[str, ...],
    policy: Policy,
) -> Verdict:
    if record.support_end is not None:
        counted = last_support.LastSupport(record.support_end, RECORDED_END)
    elif record.support_start is None:
        counted = last_support.LastSupport(dates.local_date(record.created_at), RECORDED_ON)
    else:
        counted = last_support.LastSupport(record.support_start, NO_END)
        still_open = (*still_open, NO_END)
    if last is not None and last.day > counted.day:
        counted = last
    if record.archive_until is not None:
        archive: date | None = record.archive_until
    elif record.project_end is not None:
        archive = _plus_years(record.project_end, policy.archive_years_after_project_end)
    else:
        archive = None  # the archiving duty is unknown: keep everything
    after_support = _plus_years(counted.day, policy.years_after_support)
    return Verdict(
        participant_id=record.participant_id,
        counted_from=counted.day,
        counted_from_kind=counted.kind,
        ends_on=None if archive is None else max(after_support, archive),
        by_archive=archive is not None and archive > after_support,
        open=still_open,
    )


def _verdicts(
    records: list[_Record], scope: Select[int], policy: Policy, today: date
) -> dict[int, Verdict]:
    last = last_support.last_support(scope)
    still_open = last_support.still_open(scope, today)
    return {
        r.participant_id: _verdict(
            r, last.get(r.participant_id), still_open.get(r.participant_id, ()), policy
        )
        for r in records
    }


def verdict(person: Participant, policy: Policy, today: date) -> Verdict:
    """One person's verdict, read from the record as it is in this session."""
    record = _Record(
        participant_id=person.id,
        support_start=participation_start.of(person, now=_end_of(today)),
        support_end=person.support_end,
        created_at=person.created_at,
        archive_until=person.project.archive_until,
        project_end=person.project.end_date,
    )
    scope = select(Participant.id).where(Participant.id == person.id)
    return _verdicts([record], scope, policy, today)[person.id]


def keep_until(person: Participant, policy: Policy, today: date) -> date | None:
    """The last day the person's data must be kept; None while nobody can know it yet."""
    return verdict(person, policy, today).keep_until


def is_expired(person: Participant, policy: Policy, today: date) -> bool:
    return person.anonymised_at is None and verdict(person, policy, today).expired(today)


def review(policy: Policy, today: date, centre_id: int | None = None) -> list[Verdict]:
    """The verdict on everybody not yet anonymised (of one centre, or of all), in id order.

    A fixed number of statements, however many people there are.
    """
    scope = select(Participant.id).where(Participant.anonymised_at.is_(None))
    if centre_id is not None:
        scope = scope.where(Participant.centre_id == centre_id)
    starts = participation_start.of_many(scope, now=_end_of(today))
    rows = db.session.execute(
        select(
            Participant.id,
            Participant.support_end,
            Participant.created_at,
            Project.archive_until,
            Project.end_date,
        )
        .join(Project, Participant.project_id == Project.id)
        .where(Participant.id.in_(scope))
        .order_by(Participant.id)
    )
    records = [_Record(row[0], starts.get(row[0]), *row[1:]) for row in rows]
    found = _verdicts(records, scope, policy, today)
    return [found[r.participant_id] for r in records]


def expired(policy: Policy, today: date, centre_id: int | None = None) -> list[Participant]:
    """Everybody (of one centre, or of all) whose retention period ended before `today`."""
    ids = {v.participant_id for v in review(policy, today, centre_id) if v.expired(today)}
    query = (
        select(Participant)
        .options(selectinload(Participant.project))
        .where(Participant.anonymised_at.is_(None))
        .order_by(Participant.id)
    )
    if centre_id is not None:
        query = query.where(Participant.centre_id == centre_id)
    return [p for p in db.session.scalars(query) if p.id in ids]


def anonymise(
    person: Participant, *, policy: Policy, now: datetime, actor: User | None = None
) -> dict[str, int]:
    """Remove every personal datum of an expired person; returns how many rows of each kind
    were cleaned. One audit entry says it happened, with no personal data in it."""
    if not is_expired(person, policy, dates.local_date(now)):
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
