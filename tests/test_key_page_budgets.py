"""The key pages each run at most BUDGET statements on the demo's centre (realistic data: a
year's events, contracts, allowances, plans and a queue of requests).

These are the pages people open most (make bench measures the same ones). The signed-in user and
their roles are read once per request, in one statement; each part of a page comes in a statement
of its own, whatever the number of rows it shows; no template loads anything
(portal/rendering.py). tests/test_page_query_counts.py holds every page to the same count for
one record and for ten; this holds the key pages to a fixed, small number.
"""

import re

from sqlalchemy import select

from portal import demo as demo_data
from portal.extensions import db
from portal.models import IndividualPlan, Participant, User
from tests.conftest import count_queries

BUDGET = 8
# Pages above the budget, at most this many, and why; the aim is to take each off this list.
ABOVE_BUDGET = {
    # One statement for each thing the page shows, each read once: the person, the plan and
    # its goals, its actions, the reading's audit entry, diagnosis tests, counselling sessions,
    # courses, events attended, the participant's questions and the plan's saves.
    "plan": 11,
}
PARTICIPANT = "uczestnik@example.org"
ADVISOR = "doradca@example.org"
SOCIAL_WORKER = "pracownik@example.org"
COORDINATOR = "koordynator@example.org"


def _ids(app) -> dict[str, int]:
    """The plan of a person in the advisor's caseload."""
    with app.app_context():
        planned = db.session.scalars(
            select(IndividualPlan.participant_id)
            .join(Participant, IndividualPlan.participant_id == Participant.id)
            .join(User, Participant.advisor_id == User.id)
            .where(User.email == ADVISOR)
            .order_by(IndividualPlan.id)
            .limit(1)
        ).one()
    return {"planned": planned}


def test_each_key_page_runs_at_most_its_budget_of_statements(app, demo, login_as):
    ids = _ids(app)
    clients = {
        email: login_as(email, demo_data.PASSWORD, fresh=True)
        for email in (PARTICIPANT, ADVISOR, SOCIAL_WORKER, COORDINATOR)
    }
    # The first event the participant is offered.
    offered = clients[PARTICIPANT].get("/me/events").get_data(as_text=True)
    event_id = re.search(r'href="/me/events/(\d+)"', offered).group(1)
    pages = {
        "participant home": (PARTICIPANT, "/me/"),
        "event list": (PARTICIPANT, "/me/events"),
        "event page": (PARTICIPANT, f"/me/events/{event_id}"),
        "caseload": (ADVISOR, "/staff/caseload"),
        "plan": (ADVISOR, f"/staff/participants/{ids['planned']}/plan"),
        "participants list": (SOCIAL_WORKER, "/staff/participants"),
        "coordinator home": (COORDINATOR, "/staff/"),
        "approvals": (COORDINATOR, "/staff/approvals"),
    }
    counted = {}
    for name, (email, path) in pages.items():
        assert clients[email].get(path).status_code == 200, name  # warm: templates compiled
        with count_queries(app) as statements:
            response = clients[email].get(path)
        assert response.status_code == 200, name
        counted[name] = statements

    over = {
        name: len(found)
        for name, found in counted.items()
        if len(found) > ABOVE_BUDGET.get(name, BUDGET)
    }
    assert not over, f"statements over the budget of {BUDGET}: {over}\n" + "\n\n".join(
        f"{name}:\n" + "\n".join(f"  {statement[:160]}" for statement in counted[name])
        for name in over
    )
