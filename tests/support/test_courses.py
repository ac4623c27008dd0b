"""Courses from the catalogue; enrolment charges the course line and never overspends it."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, BudgetLine, Course, Participant, User
from portal.models.base import utcnow
from portal.models.enums import BudgetLineKind, CourseStatus, Role
from portal.services.common.errors import PortalError
from portal.services.support import courses
from tests.helpers import translated


@pytest.fixture
def setup(app, make_centre, make_user, make_participant, make_budget_line):
    centre = make_centre()
    advisor_id = make_user(Role.ADVISOR, centre_id=centre, email="advisor@example.org")
    person_id = make_participant(centre)
    line_id = make_budget_line(centre, 200_000, kind=BudgetLineKind.COURSES)
    with app.app_context():
        course = Course(centre_id=centre, name="Operator wózka widłowego")
        db.session.add(course)
        db.session.commit()
        return {"person": person_id, "advisor": advisor_id, "line": line_id, "course": course.id}


def _propose(ids, cost):
    person = db.session.get(Participant, ids["person"])
    advisor = db.session.get(User, ids["advisor"])
    return courses.propose(
        person,
        ids["course"],
        planned_start=date(2026, 12, 1),
        planned_end=date(2026, 12, 20),
        cost_grosze=cost,
        actor=advisor,
        now=utcnow(),
    )


def test_enrolment_charges_the_course_line_and_completion_needs_a_certificate(app, setup):
    with app.app_context():
        advisor = db.session.get(User, setup["advisor"])
        assignment = _propose(setup, 150_000)
        courses.enrol(assignment, actor=advisor, now=utcnow())
        line = db.session.get(BudgetLine, setup["line"])
        # The place is bought at enrolment: spent (paid) as well as committed.
        assert (line.committed_grosze, line.paid_grosze) == (150_000, 150_000)
        with pytest.raises(PortalError) as refused:
            courses.complete(
                assignment,
                certificate_number=" ",
                completed_on=date(2026, 1, 2),
                actor=advisor,
                now=utcnow(),
            )
        assert refused.value.field == "certificate_number"
        courses.complete(
            assignment,
            certificate_number="UDT/123",
            completed_on=date(2026, 1, 2),
            actor=advisor,
            now=utcnow(),
        )
        assert assignment.status == CourseStatus.COMPLETED
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == "course_assignments")
        ).all()
        assert actions == ["course.propose", "course.enrolled", "course.completed"]


def test_enrolment_beyond_the_course_line_is_refused_and_changes_nothing(app, setup):
    with app.app_context():
        advisor = db.session.get(User, setup["advisor"])
        first = _propose(setup, 150_000)
        courses.enrol(first, actor=advisor, now=utcnow())
        second = _propose(setup, 60_000)
        db.session.commit()
        with pytest.raises(courses.CourseBudgetExceeded):
            courses.enrol(second, actor=advisor, now=utcnow())
        db.session.rollback()
        assert db.session.get(BudgetLine, setup["line"]).committed_grosze == 150_000


def test_an_unknown_or_other_centres_course_is_refused(app, setup, make_centre):
    other_centre = make_centre()
    with app.app_context():
        foreign = Course(centre_id=other_centre, name="Kurs obcy")
        db.session.add(foreign)
        db.session.commit()
        for course_id in (foreign.id, 999_999):
            with pytest.raises(PortalError) as refused:
                _propose({**setup, "course": course_id}, 0)
            assert refused.value.field == "course_id"


def test_advisor_proposes_through_the_page_for_an_assigned_person_only(
    app, client, setup, login_as, make_participant
):
    login_as("advisor@example.org")
    response = client.post(
        f"/staff/participants/{setup['person']}/courses",
        data={"course_id": setup["course"], "cost": "100,00"},
    )
    # Not assigned to this advisor: as if the person did not exist.
    assert response.status_code == 404
    with app.app_context():
        db.session.get(Participant, setup["person"]).advisor_id = setup["advisor"]
        db.session.commit()
    response = client.post(
        f"/staff/participants/{setup['person']}/courses",
        data={"course_id": setup["course"], "cost": "100,00"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert [a.cost_grosze for a in courses.list_for_participant(setup["person"])] == [10_000]


def test_an_unknown_course_on_the_page_is_refused_next_to_the_field_keeping_the_form(
    app, client, setup, login_as
):
    with app.app_context():
        db.session.get(Participant, setup["person"]).advisor_id = setup["advisor"]
        db.session.commit()
    login_as("advisor@example.org")
    response = client.post(
        f"/staff/participants/{setup['person']}/courses",
        data={"course_id": "999999", "cost": "123,45"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="course_id-error"' in page
    assert 'value="123,45"' in page
    with app.app_context():
        assert courses.list_for_participant(setup["person"]) == []


# -- what a place costs: the catalogue price unless another amount is typed ---------------------


@pytest.fixture
def priced(app, setup):
    """The advisor's person, a catalogue price of 1 500 zł, and the advisor signed in."""
    with app.app_context():
        db.session.get(Course, setup["course"]).price_grosze = 150_000
        db.session.get(Participant, setup["person"]).advisor_id = setup["advisor"]
        db.session.commit()
    return setup


def _propose_on_page(client, ids, cost):
    return client.post(
        f"/staff/participants/{ids['person']}/courses",
        data={"course_id": ids["course"], "planned_start": "2026-12-01", "cost": cost},
    )


def _line(app, line_id):
    with app.app_context():
        line = db.session.get(BudgetLine, line_id)
        return line.committed_grosze, line.paid_grosze


def test_a_cost_left_blank_charges_the_catalogue_price_and_moves_the_line_by_it(
    app, client, priced, login_as
):
    login_as("advisor@example.org")
    page = client.get(f"/staff/participants/{priced['person']}").get_data(as_text=True)
    # The catalogue price stands beside the course: what a blank cost will charge.
    assert re.search(r">Operator wózka widłowego – 1\s500,00\szł<", page)

    assert _propose_on_page(client, priced, "").status_code == 302
    with app.app_context():
        [assignment] = courses.list_for_participant(priced["person"])
        assert assignment.cost_grosze == 150_000
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "course.propose")
        ).one()
        assert entry.changes["cost_grosze"] == {"old": None, "new": 150_000}
    assert _line(app, priced["line"]) == (0, 0)
    assert client.post(f"/staff/course-assignments/{assignment.id}/enrol").status_code == 302
    assert _line(app, priced["line"]) == (150_000, 150_000)


def test_a_free_place_is_one_typed_as_0_not_a_blank_and_charges_nothing(
    app, client, priced, login_as
):
    login_as("advisor@example.org")
    assert _propose_on_page(client, priced, "0").status_code == 302
    assert _propose_on_page(client, priced, "").status_code == 302
    with app.app_context():
        free, blank = sorted(courses.list_for_participant(priced["person"]), key=lambda a: a.id)
        assert (free.cost_grosze, blank.cost_grosze) == (0, 150_000)
    assert client.post(f"/staff/course-assignments/{free.id}/enrol").status_code == 302
    with app.app_context():
        assert db.session.get(type(free), free.id).status == CourseStatus.ENROLLED
    assert _line(app, priced["line"]) == (0, 0)


def test_another_amount_typed_is_charged_instead_of_the_catalogue_price(
    app, client, priced, login_as
):
    login_as("advisor@example.org")
    assert _propose_on_page(client, priced, "1 200,50").status_code == 302
    with app.app_context():
        [assignment] = courses.list_for_participant(priced["person"])
    client.post(f"/staff/course-assignments/{assignment.id}/enrol")
    assert _line(app, priced["line"]) == (120_050, 120_050)


def test_a_blank_cost_without_a_catalogue_price_is_refused_beside_the_field(
    app, client, priced, login_as
):
    with app.app_context():
        db.session.get(Course, priced["course"]).price_grosze = None
        db.session.commit()
    login_as("advisor@example.org")
    response = _propose_on_page(client, priced, "")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    message = translated(
        app, "The catalogue gives no price for this course: enter the cost (0 if it is free)."
    )
    assert re.search(rf'id="cost-error">.*{re.escape(message)}', page)
    with app.app_context():
        assert courses.list_for_participant(priced["person"]) == []
