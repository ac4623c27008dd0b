"""The caseload and the plan pages run the same number of SQL statements for N and for 10×N.

Each unit of growth adds an assigned person with a plan, and to the watched plan a goal, an
action, revisions, a comment, a diagnosis test (of a new type), a counselling session, a
completed course (of a new course) and an attended event: anything loaded row by row shows.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from portal.extensions import db
from portal.models import (
    Centre,
    Course,
    CourseAssignment,
    DiagnosisTest,
    DiagnosisTestType,
    Event,
    IndividualPlan,
    Participant,
    Registration,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import (
    ActionKind,
    Audience,
    CounsellingKind,
    CourseStatus,
    EventStatus,
    EventType,
    RegistrationStatus,
    Role,
)
from portal.services.common import dates
from portal.services.people import participants
from portal.services.plans import diagnosis, plan_goals, plans
from tests.helpers import user_of

N = 3
KINDS = list(ActionKind)


class World:
    """One centre, an advisor, and "me": a participant whose plan grows in units."""

    def __init__(self, app, make_centre, make_participant, make_user):
        self.app = app
        self.centre = make_centre()
        self.advisor = make_user(Role.ADVISOR, centre_id=self.centre, email="doradca@example.org")
        self.me = make_participant(
            self.centre, first_name="Ja", advisor=SimpleNamespace(id=self.advisor)
        )
        with app.app_context():
            self.me_email = user_of(self.me).email
            plan = plans.start(self._person(self.me), advisor=self._advisor(), now=utcnow())
            db.session.commit()
            self.plan = plan.id
        self.units = 0

    def _person(self, participant_id: int) -> Participant:
        return db.session.get(Participant, participant_id)

    def _advisor(self) -> User:
        return db.session.get(User, self.advisor)

    def grow(self, units: int) -> None:
        with self.app.app_context():
            for _ in range(units):
                self.units += 1
                self._unit(self.units)
            # Shared again: the participant's page shows everything added so far.
            plans.share(
                db.session.get(IndividualPlan, self.plan), actor=self._advisor(), now=utcnow()
            )
            db.session.commit()

    def _unit(self, n: int) -> None:
        now = utcnow()
        today = dates.local_date(now)
        advisor = self._advisor()
        centre = db.session.get(Centre, self.centre)
        project = participants.current_project(self.centre)
        # Someone else on the caseload, with a plan of their own and a deadline.
        other = participants.create_participant(
            centre=centre,
            project=project,
            first_name=f"Osoba{n}",
            last_name=f"Nr{n:03d}",
            advisor=advisor,
            actor=None,
        )
        db.session.flush()
        theirs = plans.start(other, advisor=advisor, now=now)
        plan_goals.add_action(
            theirs,
            kind=ActionKind.JOB_SEARCH,
            description=f"Termin {n}",
            due_date=today + timedelta(days=n),
            responsible="",
            version=theirs.version_id,
            actor=advisor,
            now=now,
        )
        # The watched plan: a section saved, a goal, an action, their states.
        plan = db.session.get(IndividualPlan, self.plan)
        strengths = "\n".join(f"Mocna strona {k}" for k in range(1, n + 1))
        plans.save_section(
            plan,
            "swot",
            {"strengths": strengths},
            version=plan.version_id,
            actor=advisor,
            now=now,
        )
        plans.save_section(
            plan,
            "notes",
            {"advisor_notes": f"Notatka {n}"},
            version=plan.version_id,
            actor=advisor,
            now=now,
        )
        plan_goals.add_goal(
            plan,
            description=f"Cel {n}",
            target_date=today + timedelta(days=30 + n),
            version=plan.version_id,
            actor=advisor,
            now=now,
        )
        plan_goals.add_action(
            plan,
            kind=KINDS[n % len(KINDS)],
            description=f"Krok {n}",
            due_date=today + timedelta(days=n),
            responsible="Doradca",
            version=plan.version_id,
            actor=advisor,
            now=now,
        )
        plans.comment(plan, author=self._person(self.me).user, body=f"Pytanie {n}", now=now)
        # What the person did, recorded elsewhere: each with a record of its own kind.
        test_type = DiagnosisTestType(centre_id=self.centre, name=f"Test {n}")
        course = Course(centre_id=self.centre, name=f"Kurs {n}")
        starts = now - timedelta(days=1, minutes=n)
        event = Event(
            centre_id=self.centre,
            project_id=project.id,
            event_type=EventType.WORKSHOP,
            title=f"Warsztaty {n}",
            place="Świetlica",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=10,
            status=EventStatus.PUBLISHED,
            audience=Audience.PROJECT,
        )
        db.session.add_all([test_type, course, event])
        db.session.flush()
        me = self._person(self.me)
        db.session.add_all(
            [
                DiagnosisTest(
                    centre_id=self.centre,
                    participant_id=me.id,
                    test_type_id=test_type.id,
                    taken_on=today,
                    result_summary=f"Wynik {n}",
                    advisor_id=advisor.id,
                ),
                CourseAssignment(
                    centre_id=self.centre,
                    participant_id=me.id,
                    course_id=course.id,
                    status=CourseStatus.COMPLETED,
                    certificate_number=f"CERT/{n}",
                    completed_on=today,
                ),
                Registration(
                    centre_id=self.centre,
                    event_id=event.id,
                    participant_id=me.id,
                    status=RegistrationStatus.ATTENDED,
                    queue_number=1,
                ),
            ]
        )
        diagnosis.record_session(
            me,
            kind=CounsellingKind.INDIVIDUAL,
            held_on=today,
            duration_minutes=45,
            notes="",
            advisor=advisor,
            now=now,
        )
        db.session.flush()


@pytest.fixture
def world(app, make_centre, make_participant, make_user):
    return World(app, make_centre, make_participant, make_user)


def _counts(query_counter, client, paths: list[str]) -> dict[str, int]:
    for path in paths:  # once before measuring, so nothing is counted that a first visit adds
        assert client.get(path).status_code == 200, path
    counts = {}
    for path in paths:
        with query_counter() as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        counts[path] = len(statements)
    return counts


def test_caseload_and_plan_pages_do_not_grow_with_the_data(app, world, query_counter, login_as):
    advisor = login_as("doradca@example.org", fresh=True)
    me = login_as(world.me_email, fresh=True)
    staff_paths = [
        "/staff/caseload",
        f"/staff/participants/{world.me}/plan",
        f"/staff/plans/{world.plan}/history",
        # The plan's parts, each on its own page.
        f"/staff/plans/{world.plan}/goals",
        f"/staff/plans/{world.plan}/actions",
        f"/staff/participants/{world.me}/diagnosis-tests",
    ]
    world.grow(N)
    # Comparing the first revision with the last: the last one grows with the data.
    last = 1 + 4 * N
    small = _counts(query_counter, advisor, [*staff_paths, f"{staff_paths[2]}?a=1&b={last}"])
    small |= _counts(query_counter, me, ["/me/plan", "/me/"])

    world.grow(9 * N)
    last = 1 + 4 * 10 * N
    large = _counts(query_counter, advisor, [*staff_paths, f"{staff_paths[2]}?a=1&b={last}"])
    large |= _counts(query_counter, me, ["/me/plan", "/me/"])

    assert world.units == 10 * N
    assert list(large.values()) == list(small.values()), (small, large)
    # The pages really show the grown data.
    caseload = advisor.get("/staff/caseload").get_data(as_text=True)
    assert f"Nr{10 * N:03d}" in caseload
    page = "".join(advisor.get(path).get_data(as_text=True) for path in staff_paths[1:])
    for text in (f"Cel {10 * N}", f"Krok {10 * N}", f"Warsztaty {10 * N}", f"CERT/{10 * N}"):
        assert text in page, text
    assert f"Test {10 * N}" in page
    assert f"Pytanie {10 * N}" in page
    mine = me.get("/me/plan").get_data(as_text=True)
    assert f"Cel {10 * N}" in mine
    assert f"Mocna strona {10 * N}" in mine
    assert "Notatka" not in mine
