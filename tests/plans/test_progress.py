"""Progress that records itself: attendance, counselling, courses and diagnosis tests."""

from datetime import timedelta

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import (
    DiagnosisTest,
    IndividualPlan,
    Participant,
    Registration,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import (
    ActionKind,
    CourseStatus,
    RegistrationStatus,
)
from portal.services.plans import progress
from portal.services.support import courses
from tests.helpers import translated
from tests.plans.steps import (
    ADVISOR,
    World,
    _add_action,
    _field_error,
    _part_page,
    _plan_page,
    _start,
    _textarea,
    _today,
)

# Progress that records itself.


def _registration(app, world: World, event_id: int, status: RegistrationStatus) -> None:
    with app.app_context():
        db.session.add(
            Registration(
                centre_id=world.centre,
                event_id=event_id,
                participant_id=world.person,
                status=status,
                queue_number=1,
            )
        )
        db.session.commit()


def test_attendance_counselling_and_courses_show_on_the_plan_without_retyping(
    app, world, login_as, make_event
):
    plan_id = _start(app, world)
    with app.app_context():  # the plan began a month ago
        db.session.execute(
            update(IndividualPlan)
            .where(IndividualPlan.id == plan_id)
            .values(created_at=utcnow() - timedelta(days=30))
        )
        db.session.commit()
    now = utcnow()
    attended = make_event(
        world.centre, title="Spotkanie integracyjne PAL", starts_at=now - timedelta(days=2)
    )
    missed = make_event(
        world.centre, title="Warsztaty, na których nie była", starts_at=now - timedelta(days=3)
    )
    _registration(app, world, attended, RegistrationStatus.ATTENDED)
    _registration(app, world, missed, RegistrationStatus.ABSENT)
    counselling = _add_action(app, world, plan_id, "Doradztwo indywidualne", ActionKind.COUNSELLING)
    course = _add_action(app, world, plan_id, "Kurs operatora", ActionKind.COURSE)
    other = _add_action(app, world, plan_id, "Udział w spotkaniach PAL", ActionKind.OTHER)
    job_search = _add_action(app, world, plan_id, "Szukanie pracy", ActionKind.JOB_SEARCH)
    advisor = login_as(ADVISOR, fresh=True)

    response = advisor.post(
        f"/staff/participants/{world.person}/counselling-sessions",
        data={
            "session-kind": "individual",
            "session-held_on": _today().isoformat(),
            "session-duration_minutes": "60",
            "session-notes": "Rozmowa o kursie",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.get(Participant, world.person)
        user = db.session.get(User, world.advisor)
        assignment = courses.propose(
            person,
            world.course,
            planned_start=None,
            planned_end=None,
            cost_grosze=0,
            actor=user,
            now=utcnow(),
        )
        courses.enrol(assignment, actor=user, now=utcnow())
        courses.complete(
            assignment,
            certificate_number="UDT/2026/77",
            completed_on=_today(),
            actor=user,
            now=utcnow(),
        )
        db.session.commit()
        assert assignment.status == CourseStatus.COMPLETED

    page = _plan_page(advisor, world.person)
    assert "Spotkanie integracyjne PAL" in page
    assert "Warsztaty, na których nie była" not in page
    assert translated(app, "Individual counselling") in page
    assert "Operator wózka widłowego</span> (UDT/2026/77)" in page  # the name marked Polish
    # Each action's evidence is on the page of the actions (the plan page is a task list).
    recorded = translated(app, "Recorded so far: %(n)d", n=1)
    assert _part_page(advisor, plan_id, "action").count(recorded) == 3
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        evidence = progress.action_evidence(plan, progress.get_for(world.person))
    assert evidence == {counselling: 1, course: 1, other: 1, job_search: 0}


def test_diagnosis_tests_are_recorded_with_a_type_from_the_list(app, world, login_as):
    advisor = login_as(ADVISOR, fresh=True)
    tomorrow = _today() + timedelta(days=1)
    response = advisor.post(
        f"/staff/participants/{world.person}/diagnosis-tests",
        data={
            "test-test_type_id": str(world.test_type),
            "test-taken_on": tomorrow.isoformat(),
            "test-result_summary": "Zainteresowania techniczne",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "The date cannot be in the future.") in _field_error(
        page, "test-taken_on"
    )
    assert _textarea(page, "test-result_summary")[1] == "Zainteresowania techniczne"

    response = advisor.post(
        f"/staff/participants/{world.person}/diagnosis-tests",
        data={
            "test-test_type_id": str(world.test_type),
            "test-taken_on": _today().isoformat(),
            "test-result_summary": "Zainteresowania techniczne",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/staff/participants/{world.person}/diagnosis-tests"
    )
    page = advisor.get(response.headers["Location"]).get_data(as_text=True)
    assert "WIS" in page
    assert "Zainteresowania techniczne" in page
    with app.app_context():
        [test] = db.session.scalars(select(DiagnosisTest)).all()
        assert (test.participant_id, test.advisor_id) == (world.person, world.advisor)
