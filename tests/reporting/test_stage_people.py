"""Who took part in a stage, from the support delivered (services/reporting/stage_people.py): the
demo's 2013 year gives the report's figures, a contract signed in that year counts at once, each
kind of support counts and a ticked path or a sign-up does not, and month by month a person counts
from their first support to their exit or last support."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    CaseworkEntry,
    CounsellingSession,
    Course,
    CourseAssignment,
    DiagnosisTest,
    DiagnosisTestType,
    Participant,
    Placement,
    Project,
    ProjectStage,
    Registration,
    SocialContract,
    User,
)
from portal.models.enums import (
    ContractStatus,
    CounsellingKind,
    CourseStatus,
    EventStatus,
    RegistrationStatus,
    Role,
)
from portal.models.support import ContactKind, GroupInstrument, PlacementKind
from portal.services.reporting import stage_people
from portal.services.reporting.stage_people import StageCounts
from portal.services.support import contracts
from tests.helpers import demo_stage


def test_the_demo_years_count_as_their_reports_say(app, demo):
    with app.app_context():
        assert stage_people.counts(demo_stage("ops-janow", 2013)) == StageCounts(37, 17, 20)
        assert stage_people.counts(demo_stage("gops-chrzanow", 2009)) == StageCounts(2, 2, 0)


def test_a_contract_signed_in_the_stage_counts_and_a_draft_does_not(app, demo):
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        person = db.session.scalars(
            select(Participant).where(
                Participant.project_id == stage.project_id,
                Participant.on_pal_path.is_(True),
                Participant.on_contract_path.is_(False),
            )
        ).first()
        worker = db.session.scalars(select(User).where(User.email == "pracownik@example.org")).one()
        now = datetime(2013, 6, 1, 10, tzinfo=UTC)
        contract = contracts.create(
            person,
            contracts.ContractFields(
                start_date=date(2013, 6, 1),
                end_date=date(2013, 11, 30),
                problem="Bezrobocie",
                goal="Praca",
                participant_obligations="Udział w zajęciach",
                centre_obligations="Wsparcie",
                instruments=[],
                support="Doradztwo",
            ),
            social_worker=worker,
            now=now,
        )
        db.session.flush()
        assert stage_people.counts(stage) == StageCounts(37, 17, 20)  # a draft is not support
        contracts.sign(contract, signed_on=date(2013, 6, 1), actor=worker, now=now)
        db.session.flush()
        # The same person, now on both paths: counted once among the activated.
        assert stage_people.counts(stage) == StageCounts(37, 18, 20)


# -- support delivered, kind by kind ----------------------------------------------------------

NOW = datetime(2026, 5, 15, 10, tzinfo=UTC)


def _stage_of(centre_id: int) -> ProjectStage:
    return db.session.scalars(
        select(ProjectStage).join(Project).where(Project.centre_id == centre_id)
    ).one()


def _attended(centre_id, event_id, person_id, number, status=RegistrationStatus.ATTENDED):
    db.session.add(
        Registration(
            centre_id=centre_id,
            event_id=event_id,
            participant_id=person_id,
            status=status,
            queue_number=number,
        )
    )


@pytest.fixture
def kinds(app, make_centre, make_participant, make_user, make_event, make_contract):
    """One person per way of being (or not being) supported by 15 May 2026, by name."""
    centre = make_centre()
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre)
    names = [
        "Ticked", "Draft", "Signed", "Later", "Terminated", "Pal", "Confirmed", "NotBegun",
        "Cancelled", "Group", "Club", "Test", "Counselled", "Contact", "Course", "Proposed",
        "NoStart", "Placed", "PlacedLater",
    ]  # fmt: skip
    ids = {
        name: make_participant(
            centre, last_name=name, with_account=False, on_pal_path=True, on_contract_path=True
        )
        for name in names
    }
    make_contract(ids["Draft"], worker, sign=False)
    make_contract(ids["Signed"], worker, start_date=date(2026, 3, 1))
    make_contract(ids["Later"], worker, start_date=date(2026, 6, 1), end_date=date(2026, 9, 30))
    terminated = make_contract(ids["Terminated"], worker, start_date=date(2026, 6, 1))
    at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    held = make_event(centre, starts_at=at)
    coming = make_event(centre, starts_at=datetime(2026, 5, 20, 9, tzinfo=UTC))
    cancelled = make_event(centre, starts_at=at, status=EventStatus.CANCELLED)
    skills = make_event(centre, starts_at=at, instrument=GroupInstrument.SOCIAL_SKILLS)
    club = make_event(centre, starts_at=at, instrument=GroupInstrument.CLUB_MEETING)
    with app.app_context():
        # Ended before it began: never in force.
        contract = db.session.get(SocialContract, terminated)
        contract.status, contract.ended_on = ContractStatus.TERMINATED, date(2026, 5, 1)
        _attended(centre, held, ids["Pal"], 1)
        _attended(centre, coming, ids["Confirmed"], 1, RegistrationStatus.CONFIRMED)
        _attended(centre, coming, ids["NotBegun"], 2)  # marked before the start: not support
        _attended(centre, cancelled, ids["Cancelled"], 1)
        _attended(centre, skills, ids["Group"], 1)
        _attended(centre, club, ids["Club"], 1)
        test_type = DiagnosisTestType(centre_id=centre, name="Multiselect")
        course = Course(centre_id=centre, name="Spawanie")
        db.session.add_all([test_type, course])
        db.session.flush()
        day = date(2026, 4, 2)
        db.session.add_all(
            [
                DiagnosisTest(
                    centre_id=centre, participant_id=ids["Test"], test_type_id=test_type.id,
                    taken_on=day,
                ),
                CounsellingSession(
                    centre_id=centre, participant_id=ids["Counselled"],
                    kind=CounsellingKind.INDIVIDUAL, held_on=day, duration_minutes=60,
                ),
                CaseworkEntry(
                    centre_id=centre, participant_id=ids["Contact"], worker_id=worker,
                    happened_on=day, contact_kind=ContactKind.PHONE, minutes=15,
                ),
                CourseAssignment(
                    centre_id=centre, participant_id=ids["Course"], course_id=course.id,
                    status=CourseStatus.ENROLLED, planned_start=day,
                ),
                CourseAssignment(
                    centre_id=centre, participant_id=ids["Proposed"], course_id=course.id,
                    status=CourseStatus.PROPOSED, planned_start=day,
                ),
                CourseAssignment(
                    centre_id=centre, participant_id=ids["NoStart"], course_id=course.id,
                    status=CourseStatus.ENROLLED,
                ),
                *[
                    Placement(
                        centre_id=centre, participant_id=ids[name],
                        kind=PlacementKind.WORK_TRAINING, employer="Tartak", starts_on=start,
                        ends_on=start.replace(month=start.month + 1), hours_per_month=40,
                    )
                    for name, start in (("Placed", day), ("PlacedLater", date(2026, 6, 1)))
                ],
            ]
        )  # fmt: skip
        db.session.commit()
    return centre, ids


def test_only_support_delivered_makes_a_participant_never_a_ticked_path_or_a_sign_up(app, kinds):
    centre, ids = kinds
    supported = {
        "Signed", "Pal", "Group", "Club", "Test", "Counselled", "Contact", "Course", "Placed",
    }  # fmt: skip
    with app.app_context():
        stage = _stage_of(centre)
        assert stage_people.counts(stage, now=NOW) == StageCounts(len(supported), 1, 2)
        took = stage_people.participation(stage, now=NOW)
        names = {person: name for name, person in ids.items()}
        assert {names[person] for person in took} == supported
        by_name = {names[person]: took[person] for person in took}
        assert by_name["Signed"].start == date(2026, 3, 1)
        assert (by_name["Signed"].on_contract, by_name["Signed"].in_pal) == (True, False)
        assert by_name["Pal"].start == by_name["Pal"].end == date(2026, 3, 10)
        assert (by_name["Club"].in_pal, by_name["Group"].in_pal) == (True, False)  # the PAL's club
        assert by_name["Course"].start == date(2026, 4, 2)
        # The same people for every use: ids, the centre's list and the results due.
        assert set(db.session.scalars(stage_people.activated(stage, now=NOW))) == set(took)
        assert set(db.session.scalars(stage_people.supported(centre, now=NOW))) == set(took)
        assert stage_people.centre_counts(centre, now=NOW) == StageCounts(len(supported), 1, 2)
        # Later the contract signed for June and the June placement are support, the coming
        # event too once it has begun and been attended.
        later = datetime(2026, 6, 2, 10, tzinfo=UTC)
        assert stage_people.counts(stage, now=later) == StageCounts(len(supported) + 3, 2, 3)


def test_per_month_from_the_first_support_to_the_exit_or_the_last_support(
    app, make_centre, make_participant, make_user, make_event, make_contract
):
    centre = make_centre()
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre)
    pal = make_participant(centre, with_account=False)
    left = make_participant(centre, with_account=False)
    short = make_participant(centre, with_account=False)
    february = make_event(centre, starts_at=datetime(2026, 2, 10, 9, tzinfo=UTC))
    april = make_event(centre, starts_at=datetime(2026, 4, 10, 9, tzinfo=UTC))
    contract = make_contract(short, worker, start_date=date(2026, 4, 1), end_date=date(2026, 9, 30))
    with app.app_context():
        _attended(centre, february, pal, 1)
        _attended(centre, april, pal, 1)
        db.session.add(
            CaseworkEntry(
                centre_id=centre, participant_id=left, worker_id=worker,
                happened_on=date(2026, 3, 3), contact_kind=ContactKind.PHONE, minutes=15,
            )
        )  # fmt: skip
        db.session.get(Participant, left).support_end = date(2026, 5, 20)
        ended = db.session.get(SocialContract, contract)
        ended.status, ended.ended_on = ContractStatus.TERMINATED, date(2026, 6, 15)
        db.session.commit()
        stage = _stage_of(centre)
        months = [
            (date(2026, m, 1), date(2026, m + 1, 1) - timedelta(days=1)) for m in range(1, 12)
        ]
        months.append((date(2026, 12, 1), date(2026, 12, 31)))
        figures = stage_people.per_period(stage.project_id, months, now=NOW.replace(month=11))
        table = [(f.on_contract, f.in_pal, f.activated) for f in figures]
        assert table == [
            (0, 0, 0),  # January: nobody yet
            (0, 1, 1),  # February: the PAL person's first event
            (0, 1, 2),  # March: the contact
            (1, 1, 3),  # April: the contract begins, the PAL person's last event
            (1, 0, 2),  # May: the contact's person leaves on the 20th
            (1, 0, 1),  # June: the contract is terminated on the 15th
            *[(0, 0, 0)] * 6,
        ]
        with pytest.raises(ValueError, match="follow each other"):
            stage_people.per_period(stage.project_id, [months[0], months[2]], now=NOW)
        assert stage_people.per_period(stage.project_id, [], now=NOW) == []
