"""A plan action that names a course or a group session follows it: completing the course or
attending the session marks the action done, and the plan's history says why. And the plan's
PDF names the version it prints, not the plan's edit counter."""

import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import IndividualPlan, Participant, PlanAction, PlanRevision, Registration, User
from portal.models.base import utcnow
from portal.models.enums import ActionStatus, RegistrationStatus
from portal.models.support import GroupInstrument
from portal.services.events import signups
from portal.services.plans import plans
from portal.services.support import courses
from tests.helpers import translated
from tests.plans.steps import (
    ADVISOR,
    COORDINATOR,
    World,
    _field_error,
    _part_page,
    _pdf_text,
    _post_section,
    _share,
    _start,
    _today,
    _version,
)


def _enrolled_course(app, world: World) -> int:
    with app.app_context():
        user = db.session.get(User, world.advisor)
        assignment = courses.propose(
            db.session.get(Participant, world.person),
            world.course,
            planned_start=None,
            planned_end=None,
            cost_grosze=0,
            actor=user,
            now=utcnow(),
        )
        courses.enrol(assignment, actor=user, now=utcnow())
        db.session.commit()
        return assignment.id


def _post_action(client, plan_id: int, page: str, description: str, **named: int):
    data = {
        "action-version": str(_version(page, "action")),
        "action-base": re.search(r'name="action-base"[^>]*value="([^"]*)"', page).group(1),
        "action-kind": "course",
        "action-description": description,
        "action-due_date": (_today() + timedelta(days=30)).isoformat(),
        "action-responsible": "Doradca",
    }
    data |= {f"action-{name}": str(value) for name, value in named.items()}
    return client.post(f"/staff/plans/{plan_id}/actions", data=data)


def _action(app, description: str) -> PlanAction:
    with app.app_context():
        return db.session.scalars(
            select(PlanAction).where(PlanAction.description == description)
        ).one()


def _reasons(app, plan_id: int) -> list[dict]:
    with app.app_context():
        return [
            r.changes["marked_done"]
            for r in db.session.scalars(select(PlanRevision).where(PlanRevision.plan_id == plan_id))
            if "marked_done" in r.changes
        ]


def test_an_action_naming_a_course_is_done_when_the_course_is_completed(app, world, login_as):
    plan_id = _start(app, world)
    assignment = _enrolled_course(app, world)
    advisor = login_as(ADVISOR, fresh=True)
    page = _part_page(advisor, plan_id, "action")
    assert f'<option value="{assignment}">Operator wózka widłowego</option>' in page

    response = _post_action(
        advisor, plan_id, page, "Kurs operatora wózka", course_assignment_id=assignment
    )
    assert response.status_code == 302
    action = _action(app, "Kurs operatora wózka")
    assert (action.course_assignment_id, action.status) == (assignment, ActionStatus.PLANNED)

    response = advisor.post(
        f"/staff/course-assignments/{assignment}/complete",
        data={"certificate_number": "UDT/2026/12", "completed_on": _today().isoformat()},
    )
    assert response.status_code == 302

    assert _action(app, "Kurs operatora wózka").status == ActionStatus.DONE
    [reason] = _reasons(app, plan_id)
    assert reason == {
        "action": "Kurs operatora wózka",
        "course": "Operator wózka widłowego",
        "on": _today().isoformat(),
    }
    history = advisor.get(f"/staff/plans/{plan_id}/history?lang=en").get_data(as_text=True)
    assert "Kurs operatora wózka marked done: course Operator wózka widłowego completed on" in (
        history
    )
    history = advisor.get(f"/staff/plans/{plan_id}/history?lang=pl").get_data(as_text=True)
    assert 'class="marked-done"' in history
    assert "Operator wózka widłowego" in history


def test_an_action_naming_a_session_is_done_when_the_person_attends_it(
    app, world, login_as, make_event
):
    plan_id = _start(app, world)
    started = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=30)
    session = make_event(
        world.centre,
        title="Trening umiejętności społecznych",
        starts_at=started,
        instrument=GroupInstrument.SOCIAL_SKILLS,
    )
    with app.app_context():
        registration = Registration(
            centre_id=world.centre,
            event_id=session,
            participant_id=world.person,
            status=RegistrationStatus.CONFIRMED,
            queue_number=1,
        )
        db.session.add(registration)
        db.session.commit()
        registration_id = registration.id
    advisor = login_as(ADVISOR, fresh=True)
    page = _part_page(advisor, plan_id, "action")
    assert f'<option value="{session}">Trening umiejętności społecznych' in page
    response = _post_action(advisor, plan_id, page, "Trening kompetencji", event_id=session)
    assert response.status_code == 302
    assert _action(app, "Trening kompetencji").status == ActionStatus.PLANNED

    with app.app_context():
        signups.record_attendance(
            session,
            {registration_id: True},
            actor=db.session.scalars(select(User).where(User.email == COORDINATOR)).one(),
            now=utcnow(),
        )
        db.session.commit()

    assert _action(app, "Trening kompetencji").status == ActionStatus.DONE
    [reason] = _reasons(app, plan_id)
    assert reason["session"] == "Trening umiejętności społecznych"
    history = advisor.get(f"/staff/plans/{plan_id}/history?lang=en").get_data(as_text=True)
    assert "Trening kompetencji marked done: session Trening umiejętności społecznych" in history


def test_an_action_cannot_name_a_course_of_someone_else(app, world, login_as):
    plan_id = _start(app, world)
    with app.app_context():  # the second person's course
        user = db.session.get(User, world.advisor)
        theirs = courses.propose(
            db.session.get(Participant, world.second),
            world.course,
            planned_start=None,
            planned_end=None,
            cost_grosze=0,
            actor=user,
            now=utcnow(),
        )
        db.session.commit()
        theirs_id = theirs.id
    advisor = login_as(ADVISOR, fresh=True)
    page = _part_page(advisor, plan_id, "action")

    response = _post_action(advisor, plan_id, page, "Cudzy kurs", course_assignment_id=theirs_id)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "Choose one of the participant's courses from the list.") in (
        _field_error(page, "action-course_assignment_id")
    )
    assert 'value="Cudzy kurs"' in page
    with app.app_context():
        assert db.session.scalars(select(PlanAction)).all() == []


def test_the_pdf_names_the_version_shared_not_the_edit_counter(app, world, login_as):
    plan_id = _start(app, world)
    advisor = login_as(ADVISOR, fresh=True)
    version = _version(_part_page(advisor, plan_id))
    response = _post_section(advisor, plan_id, "swot", version, strengths="Sumienność")
    assert response.status_code == 302
    _share(app, world, plan_id)
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        # Sharing moved the edit counter on, but the plan's text is still revision 2.
        assert (plan.shared_revision_number, plan.version_id) == (2, 3)
        assert plans.latest_number(plan_id) == 2

    pdf = _pdf_text(advisor.get(f"/staff/plans/{plan_id}/plan.pdf"))

    version_printed = translated(app, "version %(n)s", n=2, html=False)
    assert version_printed in pdf
    assert translated(app, "version %(n)s", n=3, html=False) not in pdf


def test_restoring_an_older_version_keeps_what_an_action_names(app, world, login_as):
    plan_id = _start(app, world)
    assignment = _enrolled_course(app, world)
    advisor = login_as(ADVISOR, fresh=True)
    page = _part_page(advisor, plan_id, "action")
    added = _post_action(advisor, plan_id, page, "Kurs", course_assignment_id=assignment)
    assert added.status_code == 302
    version = _version(_part_page(advisor, plan_id))
    saved = _post_section(advisor, plan_id, "swot", version, strengths="Cierpliwość")
    assert saved.status_code == 302
    with app.app_context():
        version = db.session.get(IndividualPlan, plan_id).version_id

    # Version 2 holds the action, before the SWOT was written.
    response = advisor.post(f"/staff/plans/{plan_id}/restore/2", data={"version": str(version)})

    assert response.status_code == 302
    restored = _action(app, "Kurs")
    assert restored.course_assignment_id == assignment
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).strengths == []
