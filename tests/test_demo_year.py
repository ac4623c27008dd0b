"""The demo holds Janów Lubelski's 2013 as the yearly report tells it, and Chrzanów's 2009."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    BudgetLine,
    Centre,
    CourseAssignment,
    DiagnosisTest,
    DiagnosisTestType,
    Event,
    Expense,
    IndividualPlan,
    Participant,
    Placement,
    PlacementDay,
    Registration,
    SocialContract,
)
from portal.models.base import utcnow
from portal.models.enums import BudgetLineKind, CourseStatus, RegistrationStatus
from portal.services.common import dates
from portal.services.people import participation_start
from portal.services.reporting import dashboard, stage_people
from tests.helpers import demo_stage


def test_janow_2013_has_its_people_events_and_money_as_reported(app, demo):
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        centre_id = stage.project.centre_id
        people = db.session.scalars(
            select(Participant).where(Participant.centre_id == centre_id)
        ).all()
        assert len(people) == 37
        on_contract = db.session.scalar(
            select(func.count(func.distinct(SocialContract.participant_id))).where(
                SocialContract.centre_id == centre_id,
                func.extract("year", SocialContract.start_date) == 2013,
            )
        )
        assert on_contract == 17
        assert sum(person.on_pal_path for person in people) == 20

        pal_events = db.session.scalars(
            select(Event).where(
                Event.centre_id == centre_id,
                Event.instrument.is_(None),
                Event.starts_at < datetime(2014, 1, 1, tzinfo=UTC),
            )
        ).all()
        assert len(pal_events) == 6
        for event in pal_events:
            attended = db.session.scalar(
                select(func.count()).where(
                    Registration.event_id == event.id,
                    Registration.status == RegistrationStatus.ATTENDED,
                )
            )
            assert event.attendance_recorded_at is not None, event.title
            assert attended >= 10, event.title
        assert any(event.place == "Zwierzyniec" for event in pal_events)

        lines = {line.kind: line for line in stage.budget_lines}
        assert lines[BudgetLineKind.SALARIES].paid_grosze == 117_000_00
        assert sum(line.paid_grosze for line in lines.values()) == 353_456_00
        for line in lines.values():
            assert 0 <= line.paid_grosze <= line.committed_grosze <= line.planned_grosze
        # The ledger explains every złoty of the lines it feeds.
        for kind in (BudgetLineKind.SALARIES, BudgetLineKind.PAL_EVENTS, BudgetLineKind.OTHER):
            ledger_sum = db.session.scalar(
                select(func.sum(Expense.amount_grosze)).where(
                    Expense.budget_line_id == lines[kind].id
                )
            )
            assert ledger_sum == lines[kind].paid_grosze, kind


def test_social_skills_training_was_attended_by_everybody_on_a_contract(app, demo):
    with app.app_context():
        centre_id = demo_stage("ops-janow", 2013).project.centre_id
        per_person = db.session.execute(
            select(Registration.participant_id, func.count())
            .join(Event)
            .where(
                Event.centre_id == centre_id,
                Event.instrument == "social_skills",
                Registration.status == RegistrationStatus.ATTENDED,
            )
            .group_by(Registration.participant_id)
        ).all()
        assert len(per_person) == 17
        assert {count for _, count in per_person} == {5}


def test_chrzanow_2009_diagnosed_with_multiselect_then_wis_with_a_plan_and_the_course(app, demo):
    with app.app_context():
        centre_id = demo_stage("gops-chrzanow", 2009).project.centre_id
        people = db.session.scalars(
            select(Participant).where(Participant.centre_id == centre_id)
        ).all()
        assert len(people) == 2
        for person in people:
            tests = db.session.scalars(
                select(DiagnosisTestType.name)
                .join(DiagnosisTest, DiagnosisTest.test_type_id == DiagnosisTestType.id)
                .where(DiagnosisTest.participant_id == person.id)
                .order_by(DiagnosisTest.taken_on)
            ).all()
            assert tests == ["Multiselect", "WIS"]
            assert db.session.scalar(
                select(IndividualPlan.id).where(IndividualPlan.participant_id == person.id)
            )
            assert (
                db.session.scalar(
                    select(CourseAssignment.status).where(
                        CourseAssignment.participant_id == person.id
                    )
                )
                == CourseStatus.COMPLETED
            )
        courses = db.session.scalars(
            select(BudgetLine).where(
                BudgetLine.centre_id == centre_id, BudgetLine.kind == BudgetLineKind.COURSES
            )
        ).one()
        assert courses.paid_grosze == 6_000_00


def test_everybody_in_the_pal_took_part_in_an_event_in_2013(app, demo):
    with app.app_context():
        centre_id = demo_stage("ops-janow", 2013).project.centre_id
        took_part = db.session.scalar(
            select(func.count(func.distinct(Registration.participant_id)))
            .join(Event)
            .where(
                Event.centre_id == centre_id,
                Event.instrument.is_(None),
                Event.starts_at < datetime(2014, 1, 1, tzinfo=UTC),
                Registration.status == RegistrationStatus.ATTENDED,
            )
        )
        assert took_part == 20


def test_placements_hold_their_hours(app, demo):
    with app.app_context():
        rows = db.session.execute(
            select(Centre.short_name, Placement.kind, func.sum(PlacementDay.hours))
            .join(Placement, Placement.centre_id == Centre.id)
            .outerjoin(PlacementDay, PlacementDay.placement_id == Placement.id)
            .group_by(Centre.short_name, Placement.kind)
        ).all()
        by_centre = {(name, kind.value): hours for name, kind, hours in rows}
        # Four people, six months, eight afternoons of five hours: 40 hours a month each.
        assert by_centre[("ops-janow", "socially_useful_work")] == 4 * 6 * 40
        assert ("gops-chrzanow", "work_training") in by_centre


def test_each_of_the_37_received_support_and_their_start_is_their_first_support(app, demo):
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        took = stage_people.participation(stage)
        people = db.session.scalars(
            select(Participant).where(Participant.centre_id == stage.project.centre_id)
        ).all()
        assert {person.id for person in people} == set(took)  # nobody only recorded
        assert sum(t.on_contract for t in took.values()) == 17
        assert sum(t.in_pal for t in took.values()) == 20
        # Nobody's start was corrected: each person's start is their first support delivered.
        starts = participation_start.of_many([person.id for person in people], now=utcnow())
        for person in people:
            assert person.support_start is None, person.id
            assert starts[person.id] == took[person.id].start, person.id
        assert {t.start for t in took.values() if t.on_contract} == {date(2013, 4, 1)}
        assert min(t.start for t in took.values() if t.in_pal) == date(2013, 4, 24)
        # The participant on a contract this year has not left since 2013.
        wierzbicki = next(p for p in people if p.user and p.user.email == "uczestnik@example.org")
        assert wierzbicki.support_end is None
        today = dates.local_date(utcnow())
        current = dashboard.current_stage(dashboard.stages(stage.project.centre_id), today)
        # This year: Tomasz and four more people back on contracts, three PAL people at the
        # event already held.
        assert stage_people.counts(current) == stage_people.StageCounts(8, 5, 3)
