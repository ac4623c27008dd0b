"""The start of a person's participation, the ESF "data rozpoczęcia udziału w projekcie": the day of
the first support delivered to them (services/support/delivered, the definition every figure
shares), unless staff corrected it.

A correction is a date with its reason (`Participant.support_start` and `support_start_reason`),
typed on the monitoring form, for a start the records cannot show (support given before it was
recorded in the portal, or a record that is not the real first support). Cleared, the start
follows the support again. The report, the exports, the dashboard, the age at entry and the
person's own page all read the start from here or from the same two columns in SQL.
"""

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.formatting import short_date
from portal.models import Participant, ProjectStage
from portal.services.common import dates
from portal.services.common.errors import PortalError
from portal.services.support import delivered


def derived(person: Participant, *, now: datetime) -> date | None:
    """The day of the person's first support in their project; None before any."""
    return delivered.first_day(person, now=now)


def of(person: Participant, *, now: datetime) -> date | None:
    """The start shown and used everywhere: the corrected one, else the first support."""
    return person.support_start or derived(person, now=now)


def of_many(people: Any, *, now: datetime) -> dict[int, date]:
    """Person id -> start, for the people of `people` (ids, or a select of ids) who have one:
    two statements however many people."""
    first = delivered.first_days(people, now=now)
    corrected = db.session.execute(
        select(Participant.id, Participant.support_start).where(
            Participant.id.in_(people), Participant.support_start.is_not(None)
        )
    )
    return first | {person: day for person, day in corrected if day is not None}


def _stage_of(person: Participant, day: date) -> ProjectStage | None:
    return db.session.scalar(
        select(ProjectStage).where(
            ProjectStage.project_id == person.project_id,
            ProjectStage.start_date <= day,
            ProjectStage.end_date >= day,
        )
    )


def correction(
    person: Participant, day: date | None, reason: str, *, now: datetime
) -> dict[str, Any]:
    """The columns of a start typed on the form: no date, or the first support's own date, is no
    correction (the start follows the support); another date needs a reason, cannot be in the
    future, before the birth or after the exit, and stays in the stage (year) of the first
    support, where the person is counted."""
    reason = reason.strip()
    first = derived(person, now=now)
    if day is None or day == first:
        return {"support_start": None, "support_start_reason": None}
    if not reason:
        raise PortalError(
            _l("Give the reason why the start differs from the first support."),
            field="support_start_reason",
        )
    if day > dates.local_date(now):
        raise PortalError(
            _l("The start of participation cannot be in the future."), field="support_start"
        )
    if person.birth_date is not None and day < person.birth_date:
        raise PortalError(
            _l("Participation cannot start before the date of birth."), field="support_start"
        )
    if person.support_end is not None and day > person.support_end:
        raise PortalError(
            _l("Participation cannot start after the end of support."), field="support_start"
        )
    stage = _stage_of(person, first) if first is not None else None
    if stage is not None and not stage.start_date <= day <= stage.end_date:
        raise PortalError(
            _l(
                "The first support is in the stage %(first)s – %(last)s: a start outside it "
                "would count the person in another year. Record the support given instead.",
                first=short_date(stage.start_date),
                last=short_date(stage.end_date),
            ),
            field="support_start",
        )
    return {"support_start": day, "support_start_reason": reason}
