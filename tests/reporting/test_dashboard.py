"""The coordinator's dashboard per stage: the demo's Janów 2013 and Chrzanów 2009 figures as their
reports give them, the stage chooser, another centre's stage refused, and a fixed number of
statements whatever the data size."""

import re
from datetime import date

import pytest

from portal.models.base import utcnow
from portal.models.enums import PlanStatus
from portal.models.support import GroupInstrument
from portal.services.common import dates
from portal.services.reporting import dashboard, dashboard_money
from portal.services.reporting.stage_people import StageCounts
from tests.events.test_query_counts import N, World
from tests.helpers import EnglishClient, demo_stage

DEMO_PASSWORD = "pierwszy-krok"


def _stage_id(app, short_name: str, year: int) -> int:
    with app.app_context():
        return demo_stage(short_name, year).id


def _english(app, login_as, email: str):
    app.test_client_class = EnglishClient
    return login_as(email, DEMO_PASSWORD, fresh=True)


def test_janow_2013_figures_are_the_reports(app, demo):
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        people = dashboard.people(stage)
        assert people.counts == StageCounts(37, 17, 20)
        by_month = {
            month.month: (contract, pal, all_) for month, contract, pal, all_ in people.months
        }
        assert len(people.months) == 12
        # Nobody before their first support: the contracts run from April to November, the PAL
        # people count from the first event they attended (24 April, 29 May, 20 June) to their
        # exit after the summary meeting of 12 December.
        assert by_month[1] == by_month[3] == (0, 0, 0)
        assert by_month[4] == (17, 11, 28)
        assert by_month[5] == (17, 19, 36)
        assert by_month[6] == by_month[11] == (17, 20, 37)
        assert by_month[12] == (0, 20, 20)

        events = dashboard.events(stage)
        assert events.held == 6
        assert events.attended >= 60
        assert events.absent > 0
        assert sum(m[1] for m in events.months) == 6

        sessions = dashboard.sessions(stage)
        assert sessions.sessions == 7
        assert sessions.minutes == (5 * 5 + 2 * 4) * 60  # five meetings of 5 h, two of 4 h
        assert sessions.people == 17
        assert [(i.instrument, i.sessions, i.minutes) for i in sessions.instruments] == [
            (GroupInstrument.SOCIAL_SKILLS, 5, 1500),
            (GroupInstrument.GROUP_COUNSELLING, 2, 480),
        ]

        courses = dashboard.courses(stage)
        assert (courses.started, courses.completed) == (17, 17)

        money = dashboard_money.budget(stage)
        assert money.total.spent == 353_456_00
        allowances = dashboard_money.allowances(stage, money)
        paid = {row.month.month: row.paid for row in allowances.months}
        # 17 periodic allowances of 700 zł April to November, travel in September for all,
        # work clothing in June for two.
        assert paid[4] == paid[5] == paid[7] == 17 * 700_00
        assert paid[6] == 17 * 700_00 + 2 * 500_00
        assert paid[9] == 17 * (700_00 + 1_400_00)
        assert paid[1] == paid[12] == 0
        assert allowances.paid == allowances.planned == 120_000_00
        assert allowances.requested == allowances.approved == 120_000_00

        esf = dashboard.esf(stage, date(2026, 1, 1))
        assert esf.activated == 37


def test_chrzanow_2009_figures(app, demo):
    with app.app_context():
        stage = demo_stage("gops-chrzanow", 2009)
        assert dashboard.people(stage).counts == StageCounts(2, 2, 0)
        assert dashboard.events(stage).held == 0
        assert dashboard.sessions(stage).sessions == 0
        courses = dashboard.courses(stage)
        assert courses.courses == [("Stylizacja paznokci", 2, 2)]
        plans = dict(dashboard.plans(stage))
        assert plans[PlanStatus.COMPLETED] == 2
        assert sum(plans.values()) == 2
        money = dashboard_money.budget(stage)
        assert money.total.spent == 6_000_00  # the two course places


def test_the_page_shows_the_chosen_stage(app, demo, login_as):
    janow_2013 = _stage_id(app, "ops-janow", 2013)
    client = _english(app, login_as, "koordynator@example.org")
    html = client.get(f"/staff/?stage={janow_2013}").get_data(as_text=True)
    assert re.search(rf'<option value="{janow_2013}"\s+selected>', html)
    assert html.count('role="img"') >= 6
    assert '<title id="chart-people-title">People in support per month, 2013</title>' in html
    assert "6 events held in the stage" in html
    assert "7 sessions held" in html
    assert "33 h in all" in html
    assert "PLN\xa0353,456.00" in html
    assert f'section aria-labelledby="stage-{janow_2013}"' in html
    assert f"/staff/stages/{janow_2013}/money" in html
    for target in ("/staff/events?tab=past", "/staff/sessions?tab=past", "/staff/payments"):
        assert f'href="{target}"' in html
        assert client.get(target).status_code == 200, target
    assert 'href="/staff/participants/esf-incomplete"' in html


def test_the_current_stage_is_shown_by_default(app, demo, login_as):
    client = _english(app, login_as, "koordynator@example.org")
    html = client.get("/staff/").get_data(as_text=True)
    with app.app_context():
        stages = dashboard.stages(demo_stage("ops-janow", 2013).project.centre_id)
        today = dates.local_date(utcnow())
        current = dashboard.current_stage(stages, today)
        assert current.year == today.year  # the demo's stage of this year
    assert re.search(rf'<option value="{current.id}"\s+selected>', html)
    # Rubbish in the address falls back to the current stage.
    again = client.get("/staff/?stage=abc").get_data(as_text=True)
    assert re.search(rf'<option value="{current.id}"\s+selected>', again)


def test_the_current_stage_is_the_one_holding_today_else_the_latest(app, demo):
    with app.app_context():
        stages = dashboard.stages(demo_stage("ops-janow", 2013).project.centre_id)
        assert dashboard.current_stage(stages, date(2013, 6, 1)).year == 2013
        assert dashboard.current_stage(stages, date(2011, 6, 1)).year == max(s.year for s in stages)
        assert dashboard.current_stage([], date(2013, 6, 1)) is None


def test_another_centres_stage_is_not_found(app, demo, login_as):
    chrzanow_2009 = _stage_id(app, "gops-chrzanow", 2009)
    client = _english(app, login_as, "koordynator@example.org")
    assert client.get(f"/staff/?stage={chrzanow_2009}").status_code == 404
    own = _english(app, login_as, "chrzanow@example.org")
    html = own.get(f"/staff/?stage={chrzanow_2009}").get_data(as_text=True)
    assert "Stylizacja paznokci" in html


def test_an_administrator_keeps_the_overview(app, demo, login_as):
    client = _english(app, login_as, "admin@example.org")
    html = client.get("/staff/").get_data(as_text=True)
    assert 'role="img"' not in html
    assert "Budget for 2013" in html
    assert 'id="stage"' not in html


@pytest.fixture
def world(app, make_centre, make_participant, make_user, make_event):
    return World(app, make_centre, make_participant, make_user, make_event)


def test_the_dashboard_does_not_grow_with_the_data(app, client, world, login_as, query_counter):
    """Neither the count after a change nor the visits that read the kept figures."""
    login_as("koordynator@example.org")
    world.grow(N - 1)
    client.get("/staff/events")  # what a first request loads
    with query_counter() as small_count:
        assert client.get("/staff/").status_code == 200
    with query_counter() as small:
        assert client.get("/staff/").status_code == 200
    world.grow(9 * N)
    with query_counter() as large_count:
        assert client.get("/staff/").status_code == 200
    with query_counter() as large:
        response = client.get("/staff/")
    assert response.status_code == 200
    assert len(large_count) == len(small_count)
    assert len(large) == len(small) < len(small_count)
    # The figures really count the grown data: one past event per unit, held with attendance.
    with app.app_context():
        stage = dashboard.stages(world.centre)[0]
        assert dashboard.events(stage).held == 10 * N


def test_the_stage_section_links_its_money_report_and_exports(app, demo, login_as):
    stage_id = _stage_id(app, "ops-janow", 2013)
    client = _english(app, login_as, "koordynator@example.org")
    page = client.get(f"/staff/?stage={stage_id}").get_data(as_text=True)
    for path in ("money", "report", "exports"):
        assert f"/staff/stages/{stage_id}/{path}" in page
