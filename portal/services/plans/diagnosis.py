"""Diagnosis tests and counselling sessions an advisor records for a participant."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import CounsellingSession, DiagnosisTest, DiagnosisTestType, Participant, User
from portal.models.enums import CounsellingKind
from portal.services.audit import audit
from portal.services.common import dates
from portal.services.common.errors import PortalError

NOTES_MAX = 5000


class DiagnosisRefused(PortalError):
    """A test or session that cannot be recorded; `field` names the form field."""


def test_types(centre_id: int) -> list[DiagnosisTestType]:
    return list(
        db.session.scalars(
            select(DiagnosisTestType)
            .where(DiagnosisTestType.centre_id == centre_id)
            .order_by(DiagnosisTestType.name)
        )
    )


def record_test(
    person: Participant,
    *,
    test_type_id: int,
    taken_on: date,
    summary: str,
    advisor: User,
    now: datetime,
) -> DiagnosisTest:
    """A test of a type the centre uses, taken no later than today."""
    if test_type_id not in {t.id for t in test_types(person.centre_id)}:
        raise DiagnosisRefused(_l("Choose a test from the list."), field="test_type_id")
    if taken_on > dates.local_date(now):
        raise DiagnosisRefused(_l("The date cannot be in the future."), field="taken_on")
    test = DiagnosisTest(
        centre_id=person.centre_id,
        participant_id=person.id,
        test_type_id=test_type_id,
        taken_on=taken_on,
        result_summary=summary.strip()[:NOTES_MAX],
        advisor_id=advisor.id,
    )
    db.session.add(test)
    audit.record(
        "diagnosis_test.create", test, actor=advisor, at=now, changes={"taken_on": (None, taken_on)}
    )
    return test


def record_session(
    person: Participant,
    *,
    kind: CounsellingKind,
    held_on: date,
    duration_minutes: int,
    notes: str,
    advisor: User,
    now: datetime,
) -> CounsellingSession:
    """A session held no later than today, from 1 to 600 minutes long."""
    if held_on > dates.local_date(now):
        raise DiagnosisRefused(_l("The date cannot be in the future."), field="held_on")
    if not 1 <= duration_minutes <= 600:
        raise DiagnosisRefused(
            _l("Enter a duration from 1 to 600 minutes."), field="duration_minutes"
        )
    session = CounsellingSession(
        centre_id=person.centre_id,
        participant_id=person.id,
        kind=kind,
        held_on=held_on,
        duration_minutes=duration_minutes,
        notes=notes.strip()[:NOTES_MAX],
        advisor_id=advisor.id,
    )
    db.session.add(session)
    audit.record(
        "counselling_session.create",
        session,
        actor=advisor,
        at=now,
        changes={"held_on": (None, held_on), "kind": (None, kind)},
    )
    return session


def list_for_participant(person_id: int) -> tuple[list[DiagnosisTest], list[CounsellingSession]]:
    """The person's tests and counselling sessions, newest first."""
    tests = db.session.scalars(
        select(DiagnosisTest)
        .where(DiagnosisTest.participant_id == person_id)
        .options(joinedload(DiagnosisTest.test_type))
        .order_by(DiagnosisTest.taken_on.desc())
    ).all()
    sessions = db.session.scalars(
        select(CounsellingSession)
        .where(CounsellingSession.participant_id == person_id)
        .order_by(CounsellingSession.held_on.desc())
    ).all()
    return list(tests), list(sessions)
