"""Starting a plan and saving its sections: revisions, and a stale version refused."""

import html
import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    IndividualPlan,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import (
    PlanStatus,
)
from portal.services.plans import plan_goals, plans
from tests.helpers import translated
from tests.plans.steps import (
    ADVISOR,
    _audit,
    _current_version,
    _part_page,
    _plan_page,
    _post_section,
    _revisions,
    _start,
    _textarea,
    _version,
)

# Starting and saving.


def test_an_advisor_starts_a_plan_for_an_assigned_person_as_a_draft_with_revision_one(
    app, world, login_as
):
    client = login_as(ADVISOR, fresh=True)
    page = _plan_page(client, world.person)
    assert translated(app, "This person has no plan yet.") in page

    assert client.post(f"/staff/participants/{world.person}/plan").status_code == 302
    # Pressing the button twice does not start a second plan.
    assert client.post(f"/staff/participants/{world.person}/plan").status_code == 302

    with app.app_context():
        plan = plans.get_for(world.person)
        assert plan.status == PlanStatus.DRAFT
        assert plan.advisor_id == world.advisor
        assert plan.shared_revision_number is None
        assert db.session.scalar(select(func.count(IndividualPlan.id))) == 1
        plan_id = plan.id
    [first] = _revisions(app, plan_id)
    assert (first.number, first.author_id) == (1, world.advisor)
    assert first.changes == {"status": {"old": None, "new": "draft"}}
    assert first.snapshot["strengths"] == []
    assert first.snapshot["goals"] == []
    assert ("plan.revision", world.advisor) in [(a, who) for a, who, _ in _audit(app)]
    page = _plan_page(client, world.person)
    assert translated(app, "Draft") in page
    assert _version(_part_page(client, plan_id)) == _current_version(app, plan_id)


def test_saving_a_section_records_who_when_old_new_and_a_snapshot(app, world, login_as):
    plan_id = _start(app, world)
    client = login_as(ADVISOR, fresh=True)
    version = _version(_part_page(client, plan_id))
    before = utcnow()

    response = _post_section(
        client,
        plan_id,
        "swot",
        version,
        strengths="Punktualność\n\n- Prawo jazdy kat. B  \n",
        weaknesses="",
        opportunities="Nowy zakład w gminie",
        threats="",
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/participants/{world.person}/plan")
    first, second = _revisions(app, plan_id)
    assert second.number == 2
    assert second.author_id == world.advisor
    assert before <= second.created_at <= utcnow()
    assert second.changes == {
        "strengths": {"old": [], "new": ["Punktualność", "Prawo jazdy kat. B"]},
        "opportunities": {"old": [], "new": ["Nowy zakład w gminie"]},
    }
    assert second.snapshot["strengths"] == ["Punktualność", "Prawo jazdy kat. B"]
    assert second.snapshot["opportunities"] == ["Nowy zakład w gminie"]
    assert second.snapshot["weaknesses"] == []
    assert second.snapshot["potential"] == ""
    assert first.snapshot["strengths"] == []  # an older revision is never rewritten
    page = _part_page(client, plan_id)
    assert _textarea(page, "swot-strengths")[1] == "Punktualność\nPrawo jazdy kat. B"
    assert _version(page) > version

    # Another section: only its own fields change; saving the same text again is no revision.
    response = _post_section(
        client,
        plan_id,
        "potential",
        _version(_part_page(client, plan_id, "potential"), "potential"),
        potential="Dobra organizacja pracy",
        predispositions="",
    )
    assert response.status_code == 302
    version = _current_version(app, plan_id)
    response = _post_section(
        client, plan_id, "potential", version, potential="Dobra organizacja pracy"
    )
    assert response.status_code == 302
    revisions = _revisions(app, plan_id)
    assert [r.number for r in revisions] == [1, 2, 3]
    assert revisions[-1].changes == {"potential": {"old": "", "new": "Dobra organizacja pracy"}}
    assert revisions[-1].snapshot["strengths"] == ["Punktualność", "Prawo jazdy kat. B"]
    assert _current_version(app, plan_id) == version


def test_a_save_based_on_an_old_version_gets_the_conflict_page_with_both_texts(
    app, world, login_as
):
    plan_id = _start(app, world)
    client = login_as(ADVISOR, fresh=True)
    opened = _version(_part_page(client, plan_id))
    assert (
        _post_section(client, plan_id, "swot", opened, strengths="Zapisane wcześniej").status_code
        == 302
    )

    mine = "Mój tekst <pisany> długo & starannie\nDruga linia"
    response = _post_section(
        client, plan_id, "swot", opened, strengths=mine, threats="Moje zagrożenie"
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert translated(app, "Someone else saved this plan") in page
    # The typed text is in the form, ready to be saved again, on the current version.
    assert _textarea(page, "swot-strengths")[1] == mine
    assert _textarea(page, "swot-threats")[1] == "Moje zagrożenie"
    current = _current_version(app, plan_id)
    assert _version(page) == current
    # Beside it, what is saved now.
    assert re.search(r'id="theirs-strengths">\s*Zapisane wcześniej\s*<', page)
    assert str(html.escape(mine, quote=False)).split("\n")[0] in page
    # Nothing changed: no revision, the saved text stays.
    assert [r.number for r in _revisions(app, plan_id)] == [1, 2]
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).strengths == ["Zapisane wcześniej"]

    # Sending the conflict page's form (merged by the person) saves on the current version.
    response = _post_section(
        client,
        plan_id,
        "swot",
        current,
        strengths="Zapisane wcześniej\n" + mine,
        threats="Moje zagrożenie",
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(IndividualPlan, plan_id)
        assert saved.strengths == [
            "Zapisane wcześniej",
            "Mój tekst <pisany> długo & starannie",
            "Druga linia",
        ]
        assert saved.threats == ["Moje zagrożenie"]


def test_two_people_saving_the_same_version_one_gets_the_conflict(app, world, login_as):
    plan_id = _start(app, world)
    first, second = (
        login_as(ADVISOR, fresh=True),
        login_as(ADVISOR, fresh=True),
    )  # two browser sessions
    first_version = _version(_part_page(first, plan_id))
    second_version = _version(_part_page(second, plan_id))
    assert first_version == second_version

    won = _post_section(first, plan_id, "swot", first_version, strengths="Tekst pierwszej")
    lost = _post_section(second, plan_id, "swot", second_version, strengths="Tekst drugiej")

    assert won.status_code == 302
    assert lost.status_code == 409
    page = lost.get_data(as_text=True)
    assert _textarea(page, "swot-strengths")[1] == "Tekst drugiej"
    assert "Tekst pierwszej" in page
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).strengths == ["Tekst pierwszej"]
    assert len(_revisions(app, plan_id)) == 2


def test_the_service_refuses_a_second_save_on_the_same_version(app, world):
    plan_id = _start(app, world)
    with app.app_context():
        advisor = db.session.get(User, world.advisor)
        plan = db.session.get(IndividualPlan, plan_id)
        version = plan.version_id
        plans.save_section(
            plan, "swot", {"strengths": "Raz"}, version=version, actor=advisor, now=utcnow()
        )
        db.session.commit()
        with pytest.raises(plans.PlanConflict) as conflict:
            plans.save_section(
                plan, "swot", {"strengths": "Dwa"}, version=version, actor=advisor, now=utcnow()
            )
        assert conflict.value.current.strengths == ["Raz"]
        # Goals and actions carry the plan's version too.
        with pytest.raises(plans.PlanConflict):
            plan_goals.add_goal(
                plan,
                description="Cel",
                target_date=None,
                version=version,
                actor=advisor,
                now=utcnow(),
            )
        db.session.rollback()
    assert len(_revisions(app, plan_id)) == 2


def test_a_save_that_read_the_plan_before_a_parallel_commit_is_refused_at_write(app, world):
    """Both read version v; the other commits first; our locked re-read finds v + 1 and refuses."""
    plan_id = _start(app, world)
    with app.app_context():
        advisor = db.session.get(User, world.advisor)
        ours = db.session.get(IndividualPlan, plan_id)
        version = ours.version_id
        assert ours.goals == []
        assert ours.actions == []
        db.session.expunge(ours)
        db.session.rollback()  # our read is done; SQLite's write lock is released
        with app.app_context():  # the other person's request: a session of its own
            theirs = db.session.get(IndividualPlan, plan_id)
            plans.save_section(
                theirs,
                "swot",
                {"strengths": "Ich tekst"},
                version=version,
                actor=db.session.get(User, world.advisor),
                now=utcnow(),
            )
            db.session.commit()
        db.session.add(ours)
        assert ours.version_id == version  # what we read is stale, but we do not know yet
        with pytest.raises(plans.PlanConflict) as conflict:
            plans.save_section(
                ours,
                "swot",
                {"strengths": "Nasz tekst"},
                version=version,
                actor=advisor,
                now=utcnow(),
            )
        assert conflict.value.current.strengths == ["Ich tekst"]
        db.session.rollback()
    revisions = _revisions(app, plan_id)
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[-1].snapshot["strengths"] == ["Ich tekst"]
