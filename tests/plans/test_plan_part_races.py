"""Each part of a plan is locked on its own: two advisors, in two browser sessions served by
separate worker processes, save two different parts at the same instant and both saves land;
the same part at once gives one of them the conflict page with both texts.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (the plan row locked, then the part
compared with what the form saw).
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import IndividualPlan, Participant, PlanRevision, User
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.plans import plans
from tests.live import signed_in

pytestmark = pytest.mark.live

FIRST, SECOND = "doradca1@example.org", "doradca2@example.org"
ROUNDS = 5
TIMEOUT = 120
PAGES = {"swot": "sections/swot", "notes": "sections/notes", "goal": "goals", "action": "actions"}


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    assert match, f"no hidden {name}"
    return match.group(1)


class Advisor:
    """One advisor's browser session: its own cookie, connection and open form."""

    def __init__(self, url: str, email: str):
        self.url = url
        self.http = signed_in(url, email, timeout=TIMEOUT)

    def open(self, plan_id: int, prefix: str) -> "Advisor":
        """Open one part's page and keep what its form carries, as the browser has it."""
        page = self.http.get(f"{self.url}/staff/plans/{plan_id}/{PAGES[prefix]}", timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        self.prefix, self.plan_id = prefix, plan_id
        self.carried = {
            f"{prefix}-{name}": _hidden(page.text, f"{prefix}-{name}")
            for name in ("csrf_token", "version", "base")
        }
        return self

    def save(self, **fields: str) -> requests.Response:
        target = {"goal": "goals", "action": "actions"}.get(self.prefix, PAGES[self.prefix])
        return self.http.post(
            f"{self.url}/staff/plans/{self.plan_id}/{target}",
            data=self.carried | {f"{self.prefix}-{k}": v for k, v in fields.items()},
            allow_redirects=False,
            timeout=TIMEOUT,
        )


@pytest.fixture
def plan(app, make_centre, make_user, make_participant):
    centre = make_centre()
    advisor = make_user(Role.ADVISOR, centre_id=centre, email=FIRST)
    # Advisors see only their own caseload: the second one also coordinates, and so sees it.
    make_user(Role.ADVISOR, Role.COORDINATOR, centre_id=centre, email=SECOND)
    person = make_participant(centre, advisor=SimpleNamespace(id=advisor))
    with app.app_context():
        started = plans.start(
            db.session.get(Participant, person),
            advisor=db.session.get(User, advisor),
            now=utcnow(),
        )
        db.session.commit()
        return SimpleNamespace(id=started.id)


def _together(*calls):
    """Run the calls in threads released at the same instant; their results in order."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _stored(app, plan_id: int) -> tuple[IndividualPlan, int]:
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        goals = [g.description for g in plan.goals]
        revisions = db.session.scalar(
            select(func.count(PlanRevision.id)).where(PlanRevision.plan_id == plan_id)
        )
        return SimpleNamespace(
            strengths=plan.strengths, notes=plan.advisor_notes, goals=goals
        ), revisions


def test_two_advisors_saving_two_different_parts_at_once_both_land(app, plan, server):
    first, second = Advisor(server, FIRST), Advisor(server, SECOND)
    for round_ in range(1, ROUNDS + 1):
        first.open(plan.id, "swot")
        second.open(plan.id, "notes")
        assert first.carried["swot-version"] == second.carried["notes-version"]

        responses = _together(
            lambda r=round_: first.save(
                strengths=f"Runda {r}: sumienność", weaknesses="", opportunities="", threats=""
            ),
            lambda r=round_: second.save(advisor_notes=f"Runda {r}: notatka"),
        )

        assert [r.status_code for r in responses] == [302, 302], round_
        stored, revisions = _stored(app, plan.id)
        assert stored.strengths == [f"Runda {round_}: sumienność"]
        assert stored.notes == f"Runda {round_}: notatka"
        # Each save is a revision of its own: the history records both.
        assert revisions == 1 + 2 * round_


def test_a_goal_and_a_section_saved_at_once_both_land(app, plan, server):
    first, second = Advisor(server, FIRST), Advisor(server, SECOND)
    first.open(plan.id, "goal")
    second.open(plan.id, "swot")

    responses = _together(
        lambda: first.save(description="Prawo jazdy kat. C"),
        lambda: second.save(strengths="Punktualność", weaknesses="", opportunities="", threats=""),
    )

    assert [r.status_code for r in responses] == [302, 302]
    stored, revisions = _stored(app, plan.id)
    assert stored.goals == ["Prawo jazdy kat. C"]
    assert stored.strengths == ["Punktualność"]
    assert revisions == 3


def test_the_same_part_at_once_gives_one_the_conflict_page_with_both_texts(app, plan, server):
    first, second = Advisor(server, FIRST), Advisor(server, SECOND)
    for round_ in range(1, ROUNDS + 1):
        first.open(plan.id, "notes")
        second.open(plan.id, "notes")
        texts = (f"Runda {round_}: pierwsza", f"Runda {round_}: druga")

        responses = _together(
            lambda t=texts[0]: first.save(advisor_notes=t),
            lambda t=texts[1]: second.save(advisor_notes=t),
        )

        codes = [r.status_code for r in responses]
        assert sorted(codes) == [302, 409], (round_, codes)
        won, lost = codes.index(302), codes.index(409)
        page = responses[lost].text
        assert f'id="mine-advisor_notes">{texts[lost]}<' in page
        assert f'id="theirs-advisor_notes">{texts[won]}<' in page
        stored, _ = _stored(app, plan.id)
        assert stored.notes == texts[won]
