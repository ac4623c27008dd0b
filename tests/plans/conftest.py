"""The world every plan test works in: a centre, its staff and two participants."""

from types import SimpleNamespace

import pytest

from portal.extensions import db
from portal.models import (
    Course,
    DiagnosisTestType,
)
from portal.models.enums import (
    Role,
)
from tests.helpers import user_of
from tests.plans.steps import (
    ADVISOR,
    COORDINATOR,
    OTHER_ADVISOR,
    SOCIAL_WORKER,
    World,
)


@pytest.fixture
def world(app, make_centre, make_user, make_participant) -> World:
    centre = make_centre()
    advisor = make_user(
        Role.ADVISOR, centre_id=centre, email=ADVISOR, first_name="Dorota", last_name="Doradcza"
    )
    other = make_user(Role.ADVISOR, centre_id=centre, email=OTHER_ADVISOR, last_name="Innowska")
    coordinator = make_user(Role.COORDINATOR, centre_id=centre, email=COORDINATOR)
    make_user(Role.SOCIAL_WORKER, centre_id=centre, email=SOCIAL_WORKER)
    mine = SimpleNamespace(id=advisor)
    person = make_participant(centre, first_name="Janina", last_name="Kowalska", advisor=mine)
    second = make_participant(centre, first_name="Zenon", last_name="Drugi", advisor=mine)
    unassigned = make_participant(centre, first_name="Wolna", last_name="Nieprzypisana")
    with app.app_context():
        wis = DiagnosisTestType(centre_id=centre, name="WIS")
        course = Course(centre_id=centre, name="Operator wózka widłowego")
        db.session.add_all([DiagnosisTestType(centre_id=centre, name="Multiselect"), wis, course])
        db.session.commit()
        return World(
            centre=centre,
            advisor=advisor,
            other_advisor=other,
            coordinator=coordinator,
            person=person,
            person_email=user_of(person).email,
            second=second,
            second_email=user_of(second).email,
            unassigned=unassigned,
            test_type=wis.id,
            course=course.id,
        )
