"""A small centre made through the services, for the check of the figures and the closing of
its report."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Course, Instalment, Participant, Project, ProjectStage, User
from portal.models.enums import BudgetLineKind, Role
from portal.services.support import courses
from tests.factories import NOW
from tests.reporting.checking import COORDINATOR, JANUARY, MARCH
from tests.support.allowances.steps import approve


@pytest.fixture
def centre(
    app,
    make_centre,
    make_user,
    make_participant,
    make_contract,
    make_budget_line,
    make_periodic_allowance,
):
    """A small centre made through the services: a signed contract (January–June 2026) with a
    periodic allowance for January–March approved, and a course place bought."""
    centre_id = make_centre()
    coordinator = make_user(Role.COORDINATOR, centre_id=centre_id, email=COORDINATOR)
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre_id)
    person = make_participant(centre_id)
    contract = make_contract(person, worker)
    allowance_line = make_budget_line(centre_id, 10_000_00)
    course_line = make_budget_line(centre_id, 10_000_00, kind=BudgetLineKind.COURSES)
    allowance = make_periodic_allowance(person, worker, contract, JANUARY, MARCH, amount=300_00)
    approved, refused = approve(app, [allowance], coordinator)
    assert approved == [allowance], refused
    with app.app_context():
        course = Course(centre_id=centre_id, name="Kucharz", price_grosze=1_500_00)
        db.session.add(course)
        db.session.flush()
        place = courses.propose(
            db.session.get(Participant, person),
            course.id,
            planned_start=date(2026, 4, 1),
            planned_end=date(2026, 5, 29),
            cost_grosze=None,
            actor=db.session.get(User, worker),
            now=NOW,
        )
        courses.enrol(place, actor=db.session.get(User, worker), now=NOW)
        db.session.commit()
        stage_id = db.session.scalar(
            select(ProjectStage.id).join(Project).where(Project.centre_id == centre_id)
        )
        instalments = list(
            db.session.scalars(
                select(Instalment.id)
                .where(Instalment.allowance_id == allowance)
                .order_by(Instalment.month)
            )
        )
        ids = {
            "centre": centre_id,
            "stage": stage_id,
            "person": person,
            "worker": worker,
            "contract": contract,
            "allowance": allowance,
            "instalments": instalments,
            "allowance_line": allowance_line,
            "course_line": course_line,
            "course": course.id,
            "place": place.id,
        }
    return ids
