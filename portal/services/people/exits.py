"""The end of a person's support: the planned path completed or an early exit with its reason,
and the result at exit, which is due within four weeks of leaving."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Participant, User
from portal.services.audit import audit
from portal.services.common import dates
from portal.services.common.errors import PortalError
from portal.services.people import participant_record

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


def _values(person: Participant, data: ExitData, today: date) -> dict[str, Any]:
    if person.support_start is None:
        raise PortalError(
            _l("Record the start of support in the monitoring data first."), field="support_end"
        )
    if data.support_end < person.support_start:
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


def record_exit(
    person: Participant, data: ExitData, *, version: int, actor: User, now: datetime
) -> dict[str, tuple[Any, Any]]:
    """End the support (or correct its end) and record the result at exit when it is known."""
    participant_record.check_version(person, version)
    changes = audit.diff(person, _values(person, data, dates.local_date(now)))
    if changes:
        participant_record.save(person)
        audit.record("participant.exit", person, actor=actor, changes=changes, at=now)
    return changes


def list_results_due(centre_id: int, *, limit: int = 500) -> list[Participant]:
    """People who left and whose result at exit is still missing, the longest waiting first."""
    return list(
        db.session.scalars(
            select(Participant)
            .options(selectinload(Participant.village))
            .where(
                Participant.centre_id == centre_id,
                Participant.support_end.is_not(None),
                Participant.exit_result_on.is_(None),
            )
            .order_by(Participant.support_end, Participant.last_name, Participant.id)
            .limit(limit)
        )
    )
