"""The audit trail of a plan, and the service's refusals naming their field."""

import pytest

from portal.extensions import db
from portal.models import (
    IndividualPlan,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import (
    PlanStatus,
)
from portal.services.common.errors import PortalError
from portal.services.plans import plan_goals, plans
from tests.helpers import user_of
from tests.plans.steps import (
    ADVISOR,
    COORDINATOR,
    _advisor_edits,
    _audit,
    _current_version,
    _last_audit_id,
    _share,
    _start,
    _today,
)

# The audit trail.


def test_every_change_is_in_the_audit_trail(app, world, login_as):
    advisor, coordinator = login_as(ADVISOR, fresh=True), login_as(COORDINATOR, fresh=True)
    me = login_as(world.person_email, fresh=True)
    with app.app_context():
        me_id = user_of(world.person).id
    today = _today().isoformat()
    person = world.person
    plan_id = None

    def plan_url(path: str) -> str:
        return f"/staff/plans/{plan_id}{path}"

    def version() -> str:
        return str(_current_version(app, plan_id))

    steps = [
        (advisor, lambda: f"/staff/participants/{person}/plan", dict, "plan.revision"),
        (
            advisor,
            lambda: plan_url("/sections/swot"),
            lambda: {"swot-version": version(), "swot-strengths": "Sumienność"},
            "plan.revision",
        ),
        (
            advisor,
            lambda: plan_url("/sections/notes"),
            lambda: {"notes-version": version(), "notes-advisor_notes": "Poufne"},
            "plan.revision",
        ),
        (
            advisor,
            lambda: plan_url("/goals"),
            lambda: {"goal-version": version(), "goal-description": "Praca"},
            "plan.revision",
        ),
        (
            advisor,
            lambda: plan_url("/actions"),
            lambda: {
                "action-version": version(),
                "action-kind": "counselling",
                "action-description": "Rozmowa",
            },
            "plan.revision",
        ),
        (
            advisor,
            lambda: plan_url(f"/goals/{_ids(app, plan_id)[0]}/status"),
            lambda: {"version": version(), "status": "achieved"},
            "plan.revision",
        ),
        (
            advisor,
            lambda: plan_url(f"/actions/{_ids(app, plan_id)[1]}/status"),
            lambda: {"version": version(), "status": "in_progress"},
            "plan.revision",
        ),
        (advisor, lambda: plan_url("/restore/2"), lambda: {"version": version()}, "plan.revision"),
        (
            advisor,
            lambda: f"/staff/participants/{person}/diagnosis-tests",
            lambda: {"test-test_type_id": str(world.test_type), "test-taken_on": today},
            "diagnosis_test.create",
        ),
        (
            advisor,
            lambda: f"/staff/participants/{person}/counselling-sessions",
            lambda: {
                "session-kind": "group",
                "session-held_on": today,
                "session-duration_minutes": "90",
            },
            "counselling_session.create",
        ),
        (advisor, lambda: plan_url("/share"), dict, "plan.shared"),
        (me, lambda: "/me/plan/acknowledge", dict, "plan.acknowledged"),
        (me, lambda: "/me/plan/comments", lambda: {"body": "Pytanie"}, "plan.comment"),
        (advisor, lambda: plan_url("/begin"), dict, "plan.in_progress"),
        (advisor, lambda: plan_url("/complete"), dict, "plan.completed"),
        (advisor, lambda: plan_url("/reopen"), lambda: {"reason": "Powrót"}, "plan.in_progress"),
        (
            coordinator,
            lambda: f"/staff/participants/{person}/advisor",
            lambda: {"advisor_id": str(world.other_advisor)},
            "participant.advisor",
        ),
    ]
    actors = {id(advisor): world.advisor, id(coordinator): world.coordinator, id(me): me_id}
    for client, url, data, expected in steps:
        since = _last_audit_id(app)
        response = client.post(url(), data=data())
        assert response.status_code == 302, (url(), response.status_code)
        with app.app_context():
            plan_id = plan_id or plans.get_for(person).id
        written = _audit(app, since=since)
        assert [(a, who) for a, who, _ in written] == [(expected, actors[id(client)])], url()

    notes = [c for a, _, c in _audit(app) if a == "plan.revision" and "advisor_notes" in c]
    assert notes
    assert all(c["advisor_notes"] == {"old": "***", "new": "***"} for c in notes)


def _ids(app, plan_id: int) -> tuple[int, int]:
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        return plan.goals[0].id, plan.actions[0].id


def test_the_service_refuses_bad_input_with_the_field_it_concerns(app, world):
    plan_id = _start(app, world)
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        advisor = db.session.get(User, world.advisor)
        cases = [
            (lambda: plans.items("a\n  *  \nb", field="threats"), "threats"),
            (
                lambda: plan_goals.add_goal(
                    plan,
                    description=" - ",
                    target_date=None,
                    version=plan.version_id,
                    actor=advisor,
                    now=utcnow(),
                ),
                "description",
            ),
            (
                lambda: plans.reopen(plan, reason=" ", actor=advisor, now=utcnow()),
                "reason",
            ),
            (
                lambda: plans.comment(plan, author=advisor, body="x" * 2001, now=utcnow()),
                "body",
            ),
        ]
        for call, field in cases:
            with pytest.raises(PortalError) as refused:
                call()
            assert refused.value.field == field
        assert plans.items("- jeden\n\n• dwa\n* trzy", field="strengths") == [
            "jeden",
            "dwa",
            "trzy",
        ]
        db.session.rollback()


def test_acknowledging_a_version_older_than_the_shared_one_is_refused(app, world, login_as):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="Sumienność")
    _share(app, world, plan_id)
    me = login_as(world.person_email, fresh=True)
    with app.app_context():
        seen = db.session.get(IndividualPlan, plan_id).shared_revision_number
    # The advisor shares a newer version while the participant still reads the old page.
    _advisor_edits(app, world, plan_id, strengths="Sumienność\nPunktualność")
    _share(app, world, plan_id)

    me.post("/me/plan/acknowledge", data={"seen_revision": seen})
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        assert plan.status == PlanStatus.SHARED
        assert plan.acknowledged_at is None
        current = plan.shared_revision_number

    assert me.post("/me/plan/acknowledge", data={"seen_revision": current}).status_code == 302
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).status == PlanStatus.ACKNOWLEDGED
