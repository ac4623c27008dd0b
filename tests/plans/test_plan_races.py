"""Never a silent overwrite: one advisor in two browser sessions saves a section at once.

The app runs under gunicorn with 3 workers (the server fixture of test_event_races), so the two
saves are handled by separate processes that share nothing but the database: SQLite (BEGIN
IMMEDIATE) and, with TEST_DATABASE_URL, PostgreSQL (the plan row locked, then its version checked).
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
from tests.live import csrf as _csrf
from tests.live import signed_in

pytestmark = pytest.mark.live

ADVISOR = "doradca@example.org"
ROUNDS = 10
TIMEOUT = 120
VERSION = re.compile(r'name="swot-version"[^>]*value="(\d+)"')
TOKEN = re.compile(r'name="swot-csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """One browser session of the advisor: its own cookie and connection."""

    def __init__(self, url: str, email: str):
        self.url = url
        self.http = signed_in(url, email, timeout=TIMEOUT)

    def open(self, plan_id: int) -> "Browser":
        """Open the SWOT's page: its form's version and CSRF token, as the browser has them."""
        page = self.http.get(f"{self.url}/staff/plans/{plan_id}/sections/swot", timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        self.version = VERSION.search(page.text).group(1)
        self.token = TOKEN.search(page.text).group(1)
        return self

    def save_strengths(self, plan_id: int, text: str) -> requests.Response:
        return self.http.post(
            f"{self.url}/staff/plans/{plan_id}/sections/swot",
            data={
                "swot-csrf_token": self.token,
                "swot-version": self.version,
                "swot-strengths": text,
                "swot-weaknesses": "",
                "swot-opportunities": "",
                "swot-threats": "",
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )


def _textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return match.group(1)


@pytest.fixture
def plan(app, make_centre, make_user, make_participant):
    centre = make_centre()
    advisor = make_user(Role.ADVISOR, centre_id=centre, email=ADVISOR)
    person = make_participant(centre, advisor=SimpleNamespace(id=advisor))
    with app.app_context():
        started = plans.start(
            db.session.get(Participant, person),
            advisor=db.session.get(User, advisor),
            now=utcnow(),
        )
        db.session.commit()
        return SimpleNamespace(id=started.id, person=person)


def _together(*calls):
    """Run the calls in threads released at the same instant; their results in order."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _stored(app, plan_id: int) -> tuple[list[str], int]:
    with app.app_context():
        strengths = db.session.get(IndividualPlan, plan_id).strengths
        revisions = db.session.scalar(
            select(func.count(PlanRevision.id)).where(PlanRevision.plan_id == plan_id)
        )
        return strengths, revisions


def test_two_sessions_saving_one_section_at_once_one_wins_the_other_keeps_its_text(
    app, plan, server
):
    first, second = Browser(server, ADVISOR), Browser(server, ADVISOR)
    wins, statuses = 0, []
    for round_ in range(1, ROUNDS + 1):
        first.open(plan.id)
        second.open(plan.id)
        assert first.version == second.version
        texts = (f"Runda {round_}: tekst z pierwszej karty", f"Runda {round_}: z drugiej karty")

        responses = _together(
            lambda t=texts[0]: first.save_strengths(plan.id, t),
            lambda t=texts[1]: second.save_strengths(plan.id, t),
        )

        codes = [r.status_code for r in responses]
        statuses += codes
        assert all(code < 500 for code in codes), codes
        won = [i for i, code in enumerate(codes) if code in (200, 302)]
        lost = [i for i, code in enumerate(codes) if code == 409]
        assert len(won) == 1, (round_, codes)
        assert len(lost) == 1, (round_, codes)
        wins += 1
        # The loser's page holds its own text in the form, and the winner's as saved now.
        page = responses[lost[0]].text
        assert _textarea(page, "swot-strengths") == texts[lost[0]], round_
        assert texts[won[0]] in page
        strengths, revisions = _stored(app, plan.id)
        assert strengths == [texts[won[0]]], round_
        assert revisions == 1 + wins

    assert wins == ROUNDS
    assert all(code < 500 for code in statuses)
    _, revisions = _stored(app, plan.id)
    assert revisions == 1 + wins


def test_starting_the_plan_twice_at_once_makes_one_plan(
    app, make_centre, make_user, make_participant, server
):
    centre = make_centre()
    advisor = make_user(Role.ADVISOR, centre_id=centre, email=ADVISOR)
    person = make_participant(centre, advisor=SimpleNamespace(id=advisor))
    browsers = [Browser(server, ADVISOR) for _ in range(2)]
    tokens = []
    for browser in browsers:
        page = browser.http.get(f"{server}/staff/participants/{person}/plan", timeout=TIMEOUT)
        tokens.append(_csrf(page.text))

    responses = _together(
        *[
            lambda b=b, t=t: b.http.post(
                f"{server}/staff/participants/{person}/plan",
                data={"csrf_token": t},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            for b, t in zip(browsers, tokens, strict=True)
        ]
    )

    assert [r.status_code for r in responses] == [302, 302]
    with app.app_context():
        assert db.session.scalar(select(func.count(IndividualPlan.id))) == 1
        assert db.session.scalar(select(func.count(PlanRevision.id))) == 1
