"""A centre sets itself up: projects, stages, budget lines and its own lists, over HTTP."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, BudgetLine, Course, DiagnosisTestType, ProjectStage, Village
from portal.models.enums import Role


@pytest.fixture
def coordinator(make_user, login_as):
    make_user(Role.COORDINATOR, email="coordinator@example.org")
    login_as("coordinator@example.org")


def _project(client) -> str:
    response = client.post(
        "/staff/setup/projects/new",
        data={
            "title": "Aktywna integracja",
            "number": "POKL.07.01.01-06-001/13",
            "programme": "PO Kapitał Ludzki",
            "funder": "Europejski Fundusz Społeczny",
            "start_date": "2026-01-01",
            "end_date": "2027-12-31",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]  # the new project's first stage


def _stage(client) -> str:
    response = client.post(
        _project(client),
        data={"year": "2026", "start_date": "2026-01-01", "end_date": "2026-12-31"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]  # the stage's first budget line


def test_a_coordinator_sets_up_a_project_with_a_stage_and_budget(app, client, coordinator):
    lines = _stage(client)
    response = client.post(
        lines, data={"kind": "allowances", "funding_source": "esf", "planned": "12 000,50"}
    )
    assert response.status_code == 302
    again = client.post(
        lines + "?lang=en", data={"kind": "allowances", "funding_source": "own", "planned": "1"}
    )
    assert "already has a line of this kind" in again.get_data(as_text=True)
    page = client.get("/staff/setup/?lang=en").get_data(as_text=True)
    assert "Aktywna integracja" in page
    assert "Stage 2026" in page
    with app.app_context():
        line = db.session.scalars(select(BudgetLine)).one()
        assert line.planned_grosze == 1_200_050
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"project.create", "stage.create", "budget_line.create"} <= actions


def test_a_stage_outside_the_project_or_its_year_is_refused_beside_the_field(client, coordinator):
    stages = _project(client)
    for start, end in (("2025-01-01", "2025-12-31"), ("2026-06-01", "2027-01-31")):
        response = client.post(
            stages + "?lang=en", data={"year": "2026", "start_date": start, "end_date": end}
        )
        assert response.status_code == 200
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
        assert start in response.get_data(as_text=True)  # what was typed is kept


def test_a_planned_amount_never_goes_below_what_is_committed(app, client, coordinator):
    client.post(
        _stage(client), data={"kind": "allowances", "funding_source": "esf", "planned": "1000"}
    )
    with app.app_context():
        line = db.session.scalars(select(BudgetLine)).one()
        line.committed_grosze = 60_000
        db.session.commit()
        line_id = line.id
    url = f"/staff/setup/lines/{line_id}?lang=en"
    too_low = client.post(url, data={"funding_source": "esf", "planned": "500", "reason": "cut"})
    assert "committed already" in too_low.get_data(as_text=True)
    no_reason = client.post(url, data={"funding_source": "esf", "planned": "700", "reason": ""})
    assert "Enter the reason" in no_reason.get_data(as_text=True)
    ok = client.post(url, data={"funding_source": "own", "planned": "600", "reason": "Aneks 2"})
    assert ok.status_code == 302
    with app.app_context():
        line = db.session.get(BudgetLine, line_id)
        assert (line.planned_grosze, line.funding_source.value) == (60_000, "own")
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "budget_line.replan")
        ).one()
        assert entry.changes["reason"]["new"] == "Aneks 2"
        assert entry.changes["planned_grosze"] == {"old": 100_000, "new": 60_000}


def test_villages_courses_and_tests_are_added_retired_and_kept(app, client, coordinator):
    assert (
        client.post("/staff/setup/villages", data={"name": "Zagródki", "area": "rural"}).status_code
        == 302
    )
    twice = client.post("/staff/setup/villages?lang=en", data={"name": "Zagródki", "area": "rural"})
    assert "already has a village with this name" in twice.get_data(as_text=True)
    response = client.post(
        "/staff/setup/courses", data={"name": "Prawo jazdy kat. B", "hours": "30", "price": "2 500"}
    )
    assert response.status_code == 302
    assert client.post("/staff/setup/tests", data={"name": "Multiselect"}).status_code == 302
    with app.app_context():
        village_id = db.session.scalar(select(Village.id).where(Village.name == "Zagródki"))
        assert db.session.get(Village, village_id).is_active is True
        course = db.session.scalars(select(Course)).one()
        assert (course.hours, course.price_grosze) == (30, 250_000)
    retire = client.post(
        f"/staff/setup/villages/{village_id}", data={"name": "Zagródki", "area": "rural"}
    )
    assert retire.status_code == 302
    with app.app_context():
        assert db.session.get(Village, village_id).is_active is False
    assert "Retired" in client.get("/staff/setup/villages?lang=en").get_data(as_text=True)


def test_set_up_is_for_the_centres_coordinator_only(app, client, make_user, make_centre, login_as):
    make_user(Role.SOCIAL_WORKER, email="worker@example.org")
    login_as("worker@example.org")
    assert client.get("/staff/setup/").status_code == 403
    assert client.post("/staff/setup/villages", data={"name": "X"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Village.id)).where(Village.name == "X")) == 0


def test_another_centres_stage_is_not_found(app, client, coordinator, make_user, login_as):
    _stage(client)
    with app.app_context():
        stage_id = db.session.scalar(select(ProjectStage.id))
    other = app.test_client()
    other_centre_user = make_user(Role.COORDINATOR, email="other@example.org", centre_id=None)
    assert other_centre_user
    login_as("other@example.org", test_client=other)
    assert other.get(f"/staff/setup/stages/{stage_id}/lines/new").status_code == 404


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("villages", {"name": "Zagródki", "area": "rural"}),
        ("courses", {"name": "Prawo jazdy kat. B", "hours": "30", "price": "2 500"}),
        ("tests", {"name": "Multiselect"}),
    ],
)
def test_a_name_already_taken_is_said_beside_the_field_in_the_persons_language(
    app, client, coordinator, kind, values
):
    # Without ?lang= the page's language comes from the account, read after the refused insert:
    # the session must still be usable then (the walk in test_no_500_walk found a 500 here).
    assert client.post(f"/staff/setup/{kind}", data=values).status_code == 302
    twice = client.post(f"/staff/setup/{kind}", data=values)
    assert twice.status_code == 200
    assert "już" in twice.get_data(as_text=True)
    client.post(f"/staff/setup/{kind}", data={**values, "name": "Inna nazwa"})
    with app.app_context():
        model = {"villages": Village, "courses": Course, "tests": DiagnosisTestType}[kind]
        other = db.session.scalar(select(model.id).where(model.name == "Inna nazwa"))
        count = db.session.scalar(select(func.count()).select_from(model))
    renamed = client.post(f"/staff/setup/{kind}/{other}", data=values)
    assert renamed.status_code == 200
    assert 'aria-invalid="true"' in renamed.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(model, other).name == "Inna nazwa"
        assert db.session.scalar(select(func.count()).select_from(model)) == count


def test_a_free_course_keeps_its_price_of_0_when_edited(app, client, coordinator):
    """0 zł is a price (the place costs nothing), an empty price is none: the edit form shows
    the 0, so saving it unchanged keeps the course free rather than without a price."""
    client.post("/staff/setup/courses", data={"name": "Kurs bezpłatny", "price": "0"})
    with app.app_context():
        course = db.session.scalars(select(Course)).one()
        assert course.price_grosze == 0
    page = client.get(f"/staff/setup/courses/{course.id}").get_data(as_text=True)
    assert 'value="0,00"' in page
    saved = client.post(
        f"/staff/setup/courses/{course.id}",
        data={"name": "Kurs bezpłatny", "price": "0,00", "is_active": "y"},
    )
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Course, course.id).price_grosze == 0
