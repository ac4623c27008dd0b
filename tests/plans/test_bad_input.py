"""Bad input: a message next to the field, the rest of the form kept."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Course,
    CourseAssignment,
    IndividualPlan,
    Participant,
    User,
)
from portal.models.base import utcnow
from portal.services.plans import plans
from portal.services.support import courses
from tests.helpers import input_tag, translated
from tests.plans.steps import (
    ADVISOR,
    _advisor_edits,
    _field_error,
    _part_page,
    _post_section,
    _revisions,
    _start,
    _textarea,
    _today,
    _version,
)

# Bad input: a message next to the field, the rest of the form kept.


def test_a_swot_item_without_words_is_refused_next_to_the_field_and_the_form_is_kept(
    app, world, login_as
):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, potential="Potencjał zapisany")
    client = login_as(ADVISOR, fresh=True)
    version = _version(_part_page(client, plan_id))
    typed = {
        "strengths": "Sumienność\n-\nUprzejmość",
        "weaknesses": "Brak doświadczenia",
        "opportunities": "Nowy zakład w gminie",
        "threats": "Dojazd",
    }

    response = _post_section(client, plan_id, "swot", version, **typed)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    message = translated(app, "An item cannot be empty: write a few words or remove the line.")
    assert message in _field_error(page, "swot-strengths")
    tag, text = _textarea(page, "swot-strengths")
    assert 'aria-invalid="true"' in tag
    assert "swot-strengths-error" in tag
    assert text == typed["strengths"]
    for name in ("weaknesses", "opportunities", "threats"):
        tag, text = _textarea(page, f"swot-{name}")
        assert text == typed[name]
        assert "aria-invalid" not in tag
    assert _version(page) == version
    # The other sections still hold what is saved.
    assert _textarea(_part_page(client, plan_id, "potential"), "potential-potential")[1] == (
        "Potencjał zapisany"
    )
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).strengths == []
    assert len(_revisions(app, plan_id)) == 2


def test_text_over_the_limit_is_refused_next_to_the_field(app, world, login_as):
    plan_id = _start(app, world)
    client = login_as(ADVISOR, fresh=True)
    version = _version(_part_page(client, plan_id))

    # A SWOT item longer than an item may be.
    long_item = "d" * (plans.ITEM_MAX + 1)
    response = _post_section(
        client, plan_id, "swot", version, strengths="Krótko", threats=f"Dojazd\n{long_item}"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "Each item may have at most %(n)d characters.", n=plans.ITEM_MAX) in (
        _field_error(page, "swot-threats")
    )
    assert 'aria-invalid="true"' in _textarea(page, "swot-threats")[0]
    assert _textarea(page, "swot-threats")[1] == f"Dojazd\n{long_item}"
    assert _textarea(page, "swot-strengths")[1] == "Krótko"

    # A text longer than a section's text may be.
    too_long = "p" * (plans.TEXT_MAX + 1)
    response = _post_section(
        client, plan_id, "potential", version, potential=too_long, predispositions="Cierpliwość"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert _field_error(page, "potential-potential")
    assert 'aria-invalid="true"' in _textarea(page, "potential-potential")[0]
    assert _textarea(page, "potential-potential")[1] == too_long
    assert _textarea(page, "potential-predispositions")[1] == "Cierpliwość"
    assert len(_revisions(app, plan_id)) == 1

    # The service holds the limit without the form, too.
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        with pytest.raises(plans.PlanRefused) as refused:
            plans.save_section(
                plan,
                "market",
                {"market_demand": too_long},
                version=plan.version_id,
                actor=db.session.get(User, world.advisor),
                now=utcnow(),
            )
        assert refused.value.field == "market_demand"
        db.session.rollback()


def test_a_goal_with_a_past_target_date_is_refused_next_to_the_field(app, world, login_as):
    plan_id = _start(app, world)
    client = login_as(ADVISOR, fresh=True)
    version = _version(_part_page(client, plan_id, "goal"), "goal")
    yesterday = _today() - timedelta(days=1)

    response = client.post(
        f"/staff/plans/{plan_id}/goals",
        data={
            "goal-version": str(version),
            "goal-description": "Zdobyć uprawnienia operatora wózka",
            "goal-target_date": yesterday.isoformat(),
        },
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "The target date cannot be in the past.") in _field_error(
        page, "goal-target_date"
    )
    assert 'aria-invalid="true"' in input_tag(page, "goal-target_date")
    assert f'value="{yesterday.isoformat()}"' in input_tag(page, "goal-target_date")
    assert 'value="Zdobyć uprawnienia operatora wózka"' in input_tag(page, "goal-description")
    # The same for an action's due date.
    response = client.post(
        f"/staff/plans/{plan_id}/actions",
        data={
            "action-version": str(version),
            "action-kind": "course",
            "action-description": "Zapis na kurs",
            "action-due_date": yesterday.isoformat(),
            "action-responsible": "Doradca",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "The due date cannot be in the past.") in _field_error(
        page, "action-due_date"
    )
    assert 'value="Zapis na kurs"' in input_tag(page, "action-description")
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        assert plan.goals == []
        assert plan.actions == []
    assert len(_revisions(app, plan_id)) == 1

    # Today is fine.
    response = client.post(
        f"/staff/plans/{plan_id}/goals",
        data={
            "goal-version": str(version),
            "goal-description": "Zdobyć uprawnienia operatora wózka",
            "goal-target_date": _today().isoformat(),
        },
    )
    assert response.status_code == 302


def test_an_unknown_course_is_refused(app, world, make_centre):
    elsewhere = make_centre()
    with app.app_context():
        foreign = Course(centre_id=elsewhere, name="Kurs z innego ośrodka")
        retired = Course(centre_id=world.centre, name="Kurs wycofany", is_active=False)
        db.session.add_all([foreign, retired])
        db.session.commit()
        person = db.session.get(Participant, world.person)
        advisor = db.session.get(User, world.advisor)
        for course_id in (999_999, foreign.id, retired.id):
            with pytest.raises(courses.CourseRefused) as refused:
                courses.propose(
                    person,
                    course_id,
                    planned_start=None,
                    planned_end=None,
                    cost_grosze=0,
                    actor=advisor,
                    now=utcnow(),
                )
            assert refused.value.field == "course_id"
            assert str(refused.value.message) == translated(
                app, "Choose a course from the catalogue.", html=False
            )
        db.session.rollback()
        assert db.session.scalar(select(func.count(CourseAssignment.id))) == 0
        # The catalogue's own course is accepted.
        courses.propose(
            person,
            world.course,
            planned_start=None,
            planned_end=None,
            cost_grosze=0,
            actor=advisor,
            now=utcnow(),
        )
        db.session.commit()
