"""The end of a person's support: the planned path completed or an early exit with its reason,
and the result at exit, which is due within four weeks of leaving."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, true
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Participant, Registration, User
from portal.services.audit import audit
from portal.services.common import dates
from portal.services.common.errors import PortalError
from portal.services.people import participant_record, participation_start
from portal.services.support import entitlements

# The result at exit is the person's situation within four weeks of leaving.
RESULT_DUE_AFTER = timedelta(weeks=4)
RESULTS = ("exit_employed", "exit_job_seeking", "exit_in_education", "exit_qualification")


@dataclass
class ExitData:
    support_end: date
    left_early: bool
    reason: str
    result_on: date | None  # the day the result was known; None while it is not
    results: dict[str, bool]  # RESULTS -> ticked


def result_due_on(person: Participant) -> date | None:
    return person.support_end + RESULT_DUE_AFTER if person.support_end else None


def _values(person: Participant, data: ExitData, now: datetime) -> dict[str, Any]:
    today = dates.local_date(now)
    start = participation_start.of(person, now=now)
    if start is None:
        raise PortalError(
            _l("No support has been delivered to this person yet: there is nothing to end."),
            field="support_end",
        )
    if data.support_end < start:
        raise PortalError(_l("Support cannot end before it started."), field="support_end")
    if data.support_end > today:
        raise PortalError(_l("The end of support cannot be in the future."), field="support_end")
    reason = data.reason.strip()
    if data.left_early and not reason:
        raise PortalError(_l("Enter the reason for leaving early."), field="reason")
    if reason and not data.left_early:
        raise PortalError(_l("A reason is given only when the person left early."), field="reason")
    if data.result_on is None and any(data.results.values()):
        raise PortalError(_l("Enter the day the result was known."), field="result_on")
    if data.result_on is not None and not data.support_end <= data.result_on <= today:
        raise PortalError(
            _l("The result is known on or after the end of support, and not in the future."),
            field="result_on",
        )
    known = data.result_on is not None
    return {
        "support_end": data.support_end,
        "left_early": data.left_early,
        "exit_completed_path": not data.left_early,
        "exit_reason": reason or None,
        "exit_result_on": data.result_on,
        **{name: bool(data.results.get(name)) if known else None for name in RESULTS},
    }


def check(person: Participant, data: ExitData, *, now: datetime) -> None:
    """The rules of an exit, run before the page asks to confirm what leaving cancels."""
    _values(person, data, now)


def ending(person: Participant, support_end: date) -> entitlements.Ending:
    """What leaving on `support_end` would cancel: the person's periodic instalments dated
    after it (services/support/entitlements)."""
    return entitlements.preview_for_person(person, support_end)


def record_exit(
    person: Participant,
    data: ExitData,
    *,
    version: int,
    actor: User,
    now: datetime,
    confirmed: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """End the support (or correct its end) and record the result at exit when it is known.

    The person's periodic instalments dated after the end are cancelled and their money
    released; `confirmed` is what the page showed would be (`ending(...).fingerprint`), None
    when it showed nothing. An end moved later cancels nothing back."""
    participant_record.check_version(person, version)
    changes = audit.diff(person, _values(person, data, now))
    if changes:
        participant_record.save(person)
        audit.record("participant.exit", person, actor=actor, changes=changes, at=now)
    entitlements.end_for_person(
        person,
        data.support_end,
        reason=data.reason.strip() if data.left_early else "",
        confirmed=confirmed,
        actor=actor,
        now=now,
    )
    return changes


def left_before(person: Participant, day: date) -> date | None:
    """The day the person left, when it was before `day` (an event or session they are still
    registered for): their registration stays, and the page says they have left."""
    end = person.support_end
    return end if end is not None and end < day else None


def left_before_event(
    registrations: Iterable[Registration], starts_at: datetime
) -> dict[int, date]:
    """registration id -> the day its person left, for those who left before the event's day
    (the people are loaded with the registrations: no statement)."""
    day = dates.local_date(starts_at)
    return {
        r.id: end for r in registrations if (end := left_before(r.participant, day)) is not None
    }


def list_results_due(
    centre_id: int, *, among: Select[Any] | None = None, limit: int = 500
) -> list[Participant]:
    """People who left and whose result at exit is still missing, the longest waiting first.

    `among` is the ids of the people who took part (reporting.stage_people.supported): someone
    recorded who never received support is no participant and owes no result."""
    return list(
        db.session.scalars(
            select(Participant)
            .options(selectinload(Participant.village))
            .where(
                Participant.centre_id == centre_id,
                Participant.support_end.is_not(None),
                Participant.exit_result_on.is_(None),
                Participant.id.in_(among) if among is not None else true(),
            )
            .order_by(Participant.support_end, Participant.last_name, Participant.id)
            .limit(limit)
        )
    )
