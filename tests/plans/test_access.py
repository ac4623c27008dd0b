"""Access: every route of the plan for every role, the coordinator, and the caseload."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import short_date
from portal.models import (
    AuditEntry,
    CounsellingSession,
    DiagnosisTest,
    IndividualPlan,
    Participant,
    PlanComment,
    PlanRevision,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import (
    ActionStatus,
    PlanStatus,
)
from portal.services.plans import plan_goals
from tests import urlmap
from tests.helpers import translated
from tests.plans.steps import (
    ADVISOR,
    COORDINATOR,
    OTHER_ADVISOR,
    SOCIAL_WORKER,
    _add_action,
    _add_goal,
    _advisor_edits,
    _audit,
    _last_audit_id,
    _plan_page,
    _share,
    _start,
    _today,
)

# Access: every route of the plan, every role.

EXTRA_ENDPOINTS = {
    "staff.diagnosis_test_add",
    "staff.counselling_session_add",
    "staff.assign_advisor",
}


def _plan_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every route of this issue, from the app's url_map."""
    return sorted(
        (route.endpoint, route.rule, route.method)
        for route in urlmap.routes(
            app,
            lambda route: (
                route.endpoint in EXTRA_ENDPOINTS
                or route.endpoint.startswith(("staff.plan_", "participant.plan"))
            ),
        )
    )


# Sent with every POST: enough for the forms to get to the access check and beyond.
FORM = {
    "reason": "Sprawdzenie dostępu",
    "body": "Pytanie",
    "disagree-body": "Nie zgadzam się z planem",
    "status": "achieved",
    "version": "1",
    "swot-version": "1",
    "swot-strengths": "Wpis z testu dostępu",
    "advisor_id": "0",
}


@pytest.fixture
def shared_plan(app, world):
    """The first person's plan: shared, with a goal, an action and a private note."""
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="PIERWSZA-OSOBA-MOCNA-STRONA")
    _advisor_edits(app, world, plan_id, advisor_notes="PIERWSZA-OSOBA-NOTATKA")
    goal = _add_goal(app, world, plan_id, "PIERWSZA-OSOBA-CEL")
    action = _add_action(app, world, plan_id, "PIERWSZA-OSOBA-KROK")
    _share(app, world, plan_id)
    return {
        "participant_id": world.person,
        "plan_id": plan_id,
        "goal_id": goal,
        "action_id": action,
        "number": 1,
        "section": "swot",
    }


def _state(app, plan_id: int) -> tuple:
    """Everything a request could change about the plan and the person."""
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        person = db.session.get(Participant, plan.participant_id)
        return (
            plan.version_id,
            plan.status,
            plan.acknowledged_at,
            person.advisor_id,
            db.session.scalar(select(func.count(PlanRevision.id))),
            db.session.scalar(select(func.count(PlanComment.id))),
            db.session.scalar(select(func.count(DiagnosisTest.id))),
            db.session.scalar(select(func.count(CounsellingSession.id))),
            # Signing in and out is audited too: only what the routes changed is counted.
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action.not_like("user.sign%"))
            ),
        )


def test_every_plan_route_refuses_everyone_but_the_assigned_advisor_and_the_coordinator(
    app, world, shared_plan, login_as
):
    routes = _plan_routes(app)
    endpoints = {endpoint for endpoint, _, _ in routes}
    assert {"staff.plan_page", "staff.plan_section", "staff.plan_restore", "staff.plan_pdf"} <= (
        endpoints
    )
    assert {"participant.plan", "participant.plan_acknowledge", "participant.plan_comment"} <= (
        endpoints
    )
    assert len(routes) >= 20
    before = _state(app, shared_plan["plan_id"])
    problems = []

    def expect(who: str, client, allowed, hidden: str | None = "PIERWSZA-OSOBA") -> None:
        for endpoint, rule, method in routes:
            response = client.open(
                urlmap.fill(rule, shared_plan),
                method=method,
                data=FORM if method == "POST" else None,
            )
            want = allowed(endpoint)
            page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            if response.status_code not in want or (hidden and hidden in page):
                problems.append(f"{who} {method} {rule}: {response.status_code}, want {want}")

    def staff(endpoint):
        return endpoint.startswith("staff.")

    # An advisor the person is not assigned to: not found (the assignment is the coordinator's).
    expect(
        "other advisor",
        login_as(OTHER_ADVISOR, fresh=True),
        lambda e: (403,) if not staff(e) or e == "staff.assign_advisor" else (404,),
    )
    expect("social worker", login_as(SOCIAL_WORKER, fresh=True), lambda e: (403,))
    expect(
        "second participant",
        login_as(world.second_email, fresh=True),
        lambda e: (403,) if staff(e) else (200,) if e == "participant.plan" else (404,),
    )
    assert problems == []
    assert _state(app, shared_plan["plan_id"]) == before  # nothing changed, no trace written
    expect(
        "participant",
        login_as(world.person_email, fresh=True),
        lambda e: (403,) if staff(e) else (200, 302),
        hidden="PIERWSZA-OSOBA-NOTATKA",  # their own plan, but never the advisor's note
    )
    assert problems == []
    after = list(_state(app, shared_plan["plan_id"]))
    # The person's own acknowledgement, question and disagreement are the only changes so far.
    assert after[1] == PlanStatus.ACKNOWLEDGED
    assert after[5] == 2
    assert after[3:5] == list(before[3:5])
    assert after[6:8] == list(before[6:8])

    # The second participant's /me/plan shows no plan at all.
    page = login_as(world.second_email, fresh=True).get("/me/plan").get_data(as_text=True)
    assert translated(app, "Your career advisor has not shared a plan with you yet.") in page

    # The assigned advisor and the coordinator may use every route (the coordinator assigns).
    problems.clear()
    expect(
        "advisor",
        login_as(ADVISOR, fresh=True),
        lambda e: (403,) if not staff(e) or e == "staff.assign_advisor" else (200, 302, 400, 409),
        hidden=None,
    )
    expect(
        "coordinator",
        login_as(COORDINATOR, fresh=True),
        lambda e: (403,) if not staff(e) else (200, 302, 400, 409),
        hidden=None,
    )
    assert problems == []

    # Signed out: every route asks to sign in (a page is redirected to the login); a form posted
    # without any session of a person is refused and keeps nothing (auth/kept.py).
    anonymous = app.test_client()
    for _endpoint, rule, method in routes:
        response = anonymous.open(urlmap.fill(rule, shared_plan), method=method)
        if method == "GET":
            assert response.status_code == 302, rule
            assert "/auth/login" in response.headers["Location"], rule
        else:
            assert response.status_code == 400, rule
            assert 'action="/auth/resume"' not in response.get_data(as_text=True), rule


def test_a_second_participant_with_a_plan_of_their_own_sees_only_theirs(
    app, world, shared_plan, login_as
):
    plan_id = _start(app, world, world.second)
    _advisor_edits(app, world, plan_id, strengths="DRUGA-OSOBA")
    _share(app, world, plan_id)
    second = login_as(world.second_email, fresh=True)

    page = second.get("/me/plan").get_data(as_text=True)
    assert "DRUGA-OSOBA" in page
    assert "PIERWSZA-OSOBA" not in page
    assert "PIERWSZA-OSOBA" not in second.get("/me/").get_data(as_text=True)
    assert "PIERWSZA-OSOBA" not in second.get("/me/my-data.json").get_data(as_text=True)
    assert second.post("/me/plan/comments", data={"body": "Moje pytanie"}).status_code == 302
    assert second.post("/me/plan/acknowledge").status_code == 302
    with app.app_context():
        [comment] = db.session.scalars(select(PlanComment)).all()
        assert comment.plan_id == plan_id
        first = db.session.get(IndividualPlan, shared_plan["plan_id"])
        assert first.status == PlanStatus.SHARED
        assert first.acknowledged_at is None


def test_the_coordinator_opens_any_plan_and_assigns_advisors(app, world, login_as):
    coordinator = login_as(COORDINATOR, fresh=True)
    other = login_as(OTHER_ADVISOR, fresh=True)
    advisor = login_as(ADVISOR, fresh=True)
    assert other.get(f"/staff/participants/{world.unassigned}/plan").status_code == 404
    assert _plan_page(coordinator, world.unassigned)
    assert _plan_page(coordinator, world.person)
    assert coordinator.post(f"/staff/participants/{world.unassigned}/plan").status_code == 302
    page = coordinator.get("/staff/caseload").get_data(as_text=True)
    assert "Kowalska" in page
    assert "Drugi" in page
    assert "Nieprzypisana" in page
    since = _last_audit_id(app)

    # An advisor may not assign; the coordinator may.
    response = advisor.post(
        f"/staff/participants/{world.unassigned}/advisor", data={"advisor_id": str(world.advisor)}
    )
    assert response.status_code == 403
    response = coordinator.post(
        f"/staff/participants/{world.unassigned}/advisor",
        data={"advisor_id": str(world.other_advisor)},
    )
    assert response.status_code == 302
    response = coordinator.post(
        f"/staff/participants/{world.person}/advisor",
        data={"advisor_id": str(world.other_advisor)},
    )
    assert response.status_code == 302

    with app.app_context():
        assert db.session.get(Participant, world.unassigned).advisor_id == world.other_advisor
        assert db.session.get(Participant, world.person).advisor_id == world.other_advisor
    assert _audit(app, since=since) == [
        (
            "participant.advisor",
            world.coordinator,
            {"advisor_id": {"old": None, "new": world.other_advisor}},
        ),
        (
            "participant.advisor",
            world.coordinator,
            {"advisor_id": {"old": world.advisor, "new": world.other_advisor}},
        ),
    ]
    # The new advisor has them now; the previous one no longer does.
    assert _plan_page(other, world.unassigned)
    assert _plan_page(other, world.person)
    assert advisor.get(f"/staff/participants/{world.person}/plan").status_code == 404
    page = other.get("/staff/caseload").get_data(as_text=True)
    assert "Kowalska" in page
    assert "Nieprzypisana" in page
    assert "Drugi" not in page

    # Someone who is not an advisor of the centre cannot be assigned.
    with app.app_context():
        social_worker = db.session.scalar(select(User.id).where(User.email == SOCIAL_WORKER))
    coordinator.post(
        f"/staff/participants/{world.person}/advisor", data={"advisor_id": str(social_worker)}
    )
    with app.app_context():
        assert db.session.get(Participant, world.person).advisor_id == world.other_advisor


def _formatted(app, day: date) -> str:
    with app.test_request_context(), force_locale("pl"):
        return short_date(day)


def _caseload_rows(page: str) -> dict[str, tuple[str, str]]:
    """Name -> (plan state, next deadline) from the caseload table."""
    rows = re.findall(
        r"<tr>\s*<td><a [^>]*>([^<]*)</a></td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", page
    )
    return {name.strip(): (state.strip(), due.strip()) for name, state, due in rows}


def test_the_caseload_lists_only_the_advisors_people_with_state_and_next_deadline(
    app, world, make_participant, login_as
):
    make_participant(
        world.centre,
        first_name="Obca",
        last_name="Cudza",
        advisor=SimpleNamespace(id=world.other_advisor),
    )
    plan_id = _start(app, world)
    _add_action(app, world, plan_id, "Bez terminu", days=None)
    _add_action(app, world, plan_id, "Za dwadzieścia dni", days=20)
    soon = _add_action(app, world, plan_id, "Jutro, ale już zrobione", days=1)
    _add_action(app, world, plan_id, "Za dziesięć dni", days=10)
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        plan_goals.set_action_status(
            plan,
            soon,
            ActionStatus.DONE,
            version=plan.version_id,
            actor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()
    _share(app, world, plan_id)
    client = login_as(ADVISOR, fresh=True)

    rows = _caseload_rows(client.get("/staff/caseload").get_data(as_text=True))

    assert rows == {
        "Drugi Zenon": (translated(app, "no plan yet"), "—"),
        "Kowalska Janina": (
            translated(app, "Shared with the participant"),
            _formatted(app, _today() + timedelta(days=10)),
        ),
    }
    rows = _caseload_rows(client.get("/staff/caseload?q=kowal").get_data(as_text=True))
    assert list(rows) == ["Kowalska Janina"]
    rows = _caseload_rows(
        login_as(OTHER_ADVISOR, fresh=True).get("/staff/caseload").get_data(as_text=True)
    )
    assert list(rows) == ["Cudza Obca"]
