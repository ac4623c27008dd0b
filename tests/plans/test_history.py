"""Goals, actions, history and restoring an older revision."""

import re
from datetime import timedelta

from portal.extensions import db
from portal.models import (
    IndividualPlan,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import (
    ActionKind,
    ActionStatus,
    GoalStatus,
)
from portal.services.plans import plan_goals, plans
from tests.helpers import input_tag, translated
from tests.plans.steps import (
    ADVISOR,
    _add_action,
    _add_goal,
    _advisor_edits,
    _conflict_message,
    _current_version,
    _part_page,
    _post_section,
    _revisions,
    _start,
    _textarea,
    _today,
    _version,
)

# Goals, actions, history and restore.


def test_a_goal_added_on_an_old_version_is_refused_with_the_typed_goal_kept(app, world, login_as):
    plan_id = _start(app, world)
    client = login_as(ADVISOR, fresh=True)
    opened = _version(_part_page(client, plan_id, "goal"), "goal")
    _advisor_edits(app, world, plan_id, strengths="Zapisane w międzyczasie")
    target = (_today() + timedelta(days=90)).isoformat()

    response = client.post(
        f"/staff/plans/{plan_id}/goals",
        data={
            "goal-version": str(opened),
            "goal-description": "Cel wpisany <długo>",
            "goal-target_date": target,
        },
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert _conflict_message(app) in page
    assert 'value="Cel wpisany &lt;długo&gt;"' in input_tag(page, "goal-description")
    assert f'value="{target}"' in input_tag(page, "goal-target_date")
    # The form now carries the current version: sending it again adds the goal.
    current = _current_version(app, plan_id)
    assert _version(page, "goal") == current
    assert "Zapisane w międzyczasie" in _textarea(_part_page(client, plan_id), "swot-strengths")[1]
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).goals == []
    response = client.post(
        f"/staff/plans/{plan_id}/goals",
        data={
            "goal-version": str(current),
            "goal-description": "Cel wpisany <długo>",
            "goal-target_date": target,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        [goal] = db.session.get(IndividualPlan, plan_id).goals
        assert goal.description == "Cel wpisany <długo>"


def test_goal_and_action_changes_are_revisions(app, world, login_as):
    plan_id = _start(app, world)
    client = login_as(ADVISOR, fresh=True)
    target = _today() + timedelta(days=60)
    version = _version(_part_page(client, plan_id, "goal"), "goal")

    response = client.post(
        f"/staff/plans/{plan_id}/goals",
        data={
            "goal-version": str(version),
            "goal-description": "Praca jako operator wózka",
            "goal-target_date": target.isoformat(),
        },
    )
    assert response.status_code == 302
    version = _version(_part_page(client, plan_id, "action"), "action")
    response = client.post(
        f"/staff/plans/{plan_id}/actions",
        data={
            "action-version": str(version),
            "action-kind": "course",
            "action-description": "Kurs operatora wózka",
            "action-due_date": (target - timedelta(days=30)).isoformat(),
            "action-responsible": "Doradca",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        goal_id, action_id, version = plan.goals[0].id, plan.actions[0].id, plan.version_id

    assert (
        client.post(
            f"/staff/plans/{plan_id}/goals/{goal_id}/status",
            data={"status": "achieved", "version": str(version)},
        ).status_code
        == 302
    )
    version = _current_version(app, plan_id)
    assert (
        client.post(
            f"/staff/plans/{plan_id}/actions/{action_id}/status",
            data={"status": "done", "version": str(version)},
        ).status_code
        == 302
    )
    # A state change on an old version is refused, not applied.
    response = client.post(
        f"/staff/plans/{plan_id}/actions/{action_id}/status",
        data={"status": "cancelled", "version": str(version)},
        follow_redirects=True,
    )
    assert _conflict_message(app) in response.get_data(as_text=True)

    revisions = _revisions(app, plan_id)
    assert [r.number for r in revisions] == [1, 2, 3, 4, 5]
    assert [list(r.changes) for r in revisions[1:]] == [
        ["goal"],
        ["action"],
        ["goal Praca jako operator wózka"],
        ["action Kurs operatora wózka"],
    ]
    assert revisions[3].changes["goal Praca jako operator wózka"] == {
        "old": "open",
        "new": "achieved",
    }
    assert revisions[1].snapshot["goals"] == [
        {
            "description": "Praca jako operator wózka",
            "target_date": target.isoformat(),
            "status": "open",
        }
    ]
    assert revisions[2].snapshot["actions"][0]["status"] == "planned"
    assert revisions[3].snapshot["goals"][0]["status"] == "achieved"
    assert revisions[4].snapshot["actions"][0]["status"] == "done"
    assert all(r.author_id == world.advisor for r in revisions)
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).actions[0].status == ActionStatus.DONE


def test_history_lists_revisions_and_shows_the_differences(app, world, login_as):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="Punktualność\nSumienność")
    _advisor_edits(app, world, plan_id, strengths="Sumienność\nKomunikatywność")
    client = login_as(ADVISOR, fresh=True)

    page = client.get(f"/staff/plans/{plan_id}/history").get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", page)
    assert rows == [("3", "Dorota Doradcza"), ("2", "Dorota Doradcza"), ("1", "Dorota Doradcza")]

    response = client.get(f"/staff/plans/{plan_id}/history?a=2&b=3")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert translated(app, "Differences between version %(a)d and %(b)d", a=2, b=3) in page
    lines = re.findall(
        r'<li class="diff-(\w+)">(?:<span[^>]*>[^<]*</span>[−+] )?([^<]*)</li>', page
    )
    assert lines == [
        ("removed", "Punktualność"),
        ("kept", "Sumienność"),
        ("added", "Komunikatywność"),
    ]
    # The order of a and b does not matter; from the start everything is added.
    page = client.get(f"/staff/plans/{plan_id}/history?a=3&b=1").get_data(as_text=True)
    assert translated(app, "Differences between version %(a)d and %(b)d", a=1, b=3) in page
    assert re.findall(r'<li class="diff-(\w+)">', page) == ["added", "added"]
    assert client.get(f"/staff/plans/{plan_id}/history?a=1&b=9").status_code == 404


def test_restoring_an_older_revision_makes_a_new_revision_with_its_content(app, world, login_as):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="Stara mocna strona")
    goal = _add_goal(app, world, plan_id, "Cel do zachowania")
    _add_action(app, world, plan_id, "Krok do zachowania", ActionKind.JOB_SEARCH)
    _advisor_edits(app, world, plan_id, advisor_notes="Notatka z wersji 5")
    kept = _revisions(app, plan_id)[-1]
    assert kept.number == 5
    # Later: everything changes.
    _advisor_edits(app, world, plan_id, strengths="Nowa mocna strona")
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        plan_goals.set_goal_status(
            plan,
            goal,
            GoalStatus.ABANDONED,
            version=plan.version_id,
            actor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()
    _add_goal(app, world, plan_id, "Cel późniejszy")
    _advisor_edits(app, world, plan_id, advisor_notes="")
    client = login_as(ADVISOR, fresh=True)
    version = _current_version(app, plan_id)

    # On an old version the restore is refused.
    response = client.post(
        f"/staff/plans/{plan_id}/restore/5",
        data={"version": str(version - 1)},
        follow_redirects=True,
    )
    assert _conflict_message(app) in response.get_data(as_text=True)
    assert len(_revisions(app, plan_id)) == 9

    response = client.post(f"/staff/plans/{plan_id}/restore/5", data={"version": str(version)})

    assert response.status_code == 302
    revisions = _revisions(app, plan_id)
    assert [r.number for r in revisions] == list(range(1, 11))
    restored = revisions[-1]
    assert restored.snapshot == kept.snapshot
    assert restored.changes["restored"] == {"old": None, "new": 5}
    assert restored.changes["strengths"] == {
        "old": ["Nowa mocna strona"],
        "new": ["Stara mocna strona"],
    }
    assert revisions[4].snapshot == kept.snapshot  # the old one is untouched
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        assert plans.snapshot(plan) == kept.snapshot
        assert [(g.description, g.status) for g in plan.goals] == [
            ("Cel do zachowania", GoalStatus.OPEN)
        ]
        assert plan.advisor_notes == "Notatka z wersji 5"
    assert (
        client.post(f"/staff/plans/{plan_id}/restore/99", data={"version": "1"}).status_code == 404
    )


def test_damaged_versions_states_and_revision_numbers_get_a_message_or_404_never_500(
    app, world, login_as
):
    plan_id = _start(app, world)
    goal = _add_goal(app, world, plan_id, "Cel")
    action = _add_action(app, world, plan_id, "Krok")
    client = login_as(ADVISOR, fresh=True)
    version = str(_current_version(app, plan_id))
    huge = "9" * 30
    damaged = translated(app, "The form is damaged. Reload the page.")
    choose = translated(app, "Choose a state.")
    goal_url = f"/staff/plans/{plan_id}/goals/{goal}/status"
    action_url = f"/staff/plans/{plan_id}/actions/{action}/status"
    before = len(_revisions(app, plan_id))

    for url, data, message in [
        (goal_url, {"status": "achieved", "version": "abc"}, damaged),
        (goal_url, {"status": "achieved", "version": huge}, damaged),
        (goal_url, {"status": "nonsense", "version": version}, choose),
        (goal_url, {"version": version}, choose),
        (action_url, {"status": "achieved", "version": version}, choose),  # a goal's state
        (f"/staff/plans/{plan_id}/restore/1", {"version": huge}, damaged),
        (f"/staff/plans/{plan_id}/restore/1", {"version": "1e3"}, damaged),
        (f"/staff/plans/{plan_id}/goals", {"goal-version": huge, "goal-description": "x"}, damaged),
    ]:
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code in (200, 400), (url, data, response.status_code)
        assert message in response.get_data(as_text=True), (url, data)
    response = _post_section(client, plan_id, "swot", huge, strengths="Nowa")
    assert response.status_code == 400
    assert damaged in response.get_data(as_text=True)
    assert len(_revisions(app, plan_id)) == before

    # Numbers in the address: a revision that cannot exist is not found.
    for query in ("a=abc&b=1", f"a=1&b={huge}", "a=1", "a=&b=", "a=-1&b=1"):
        assert client.get(f"/staff/plans/{plan_id}/history?{query}").status_code == 404, query
    response = client.post(f"/staff/plans/{plan_id}/restore/{huge}", data={"version": version})
    assert response.status_code == 404
    assert client.get(f"/staff/plans/{plan_id}/history?a=1&b=1").status_code == 200
