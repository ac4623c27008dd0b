"""A nearly exhausted line is never overspent, and a salary month is never posted twice, under
parallel presses.

Coordinators sign in through the real app under gunicorn (3 workers) and, from many threads at
once, enter expenses on the stage's salaries line and post salaries for several months (the same
month more than once). The server processes share nothing but the database: SQLite (BEGIN
IMMEDIATE, WAL) by default, PostgreSQL (row locks, the unique index) with TEST_DATABASE_URL.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import requests
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, BudgetLine, Expense, User
from portal.models.enums import BudgetLineKind, Role
from portal.models.support import ExpenseKind
from portal.services.money import ledger, posts
from portal.services.people import participants
from tests.helpers import email
from tests.live import csrf, signed_in

pytestmark = pytest.mark.live

TIMEOUT = 120
ZL = 100
PLANNED = 10_000 * ZL
SPENT_BEFORE = 7_500 * ZL  # 2 500 zł left
EXPENSE = 300 * ZL
SALARY = 1_000 * ZL
REFUSALS = ("is left on this line", "Nothing is left on this line", "is already posted")
ERROR = re.compile(r'class="error-message"[^>]*>(.*?)</p>', re.S)


class Coordinator:
    """One coordinator's browser in English, signed in, with the money page's CSRF token."""

    def __init__(self, url: str, user_email: str, stage_id: int):
        self.url = url
        self.http = signed_in(url, user_email, timeout=TIMEOUT)
        self.http.headers["Accept-Language"] = "en"
        page = self.http.get(f"{url}/staff/stages/{stage_id}/money", timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        self.token = csrf(page.text)

    def post(self, path: str, data: dict) -> requests.Response:
        """One press on a connection of its own, with this coordinator's cookie."""
        twin = requests.Session()
        twin.cookies.update(self.http.cookies)
        twin.headers["Accept-Language"] = "en"
        return twin.post(
            f"{self.url}{path}",
            data={"csrf_token": self.token, **data},
            allow_redirects=False,
            timeout=TIMEOUT,
        )


def _seed(app, make_centre, make_user, make_budget_line):
    centre = make_centre()
    bosses = [make_user(Role.COORDINATOR, centre_id=centre) for _ in range(3)]
    line_id = make_budget_line(centre, PLANNED, BudgetLineKind.SALARIES)
    with app.app_context():
        boss = db.session.get(User, bosses[0])
        line = db.session.get(BudgetLine, line_id)
        stage_id = line.stage_id
        project = participants.current_project(centre)
        ledger.record_expense(
            centre, stage_id, line_id, date(2026, 1, 5), "FV 1", "Zaliczka", SPENT_BEFORE, boss
        )
        post_ids = [
            posts.create_post(
                centre,
                posts.PostFields(
                    project_id=project.id,
                    person_name=f"Osoba {n}",
                    user_id=None,
                    title="Pracownik socjalny",
                    fte_percent=100,
                    starts_on=date(2026, 1, 1),
                    ends_on=None,
                    monthly_cost_grosze=SALARY,
                ),
                actor=boss,
            ).id
            for n in range(2)
        ]
        db.session.commit()
    return centre, bosses, line_id, stage_id, post_ids


def _outcome(app, line_id: int) -> dict:
    with app.app_context():
        line = db.session.get(BudgetLine, line_id)
        entries = db.session.scalars(select(Expense).where(Expense.budget_line_id == line_id))
        entries = list(entries)
        salary_keys = [(e.post_id, e.month) for e in entries if e.kind == ExpenseKind.SALARY]
        audited = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.entity_type == "expenses")
        )
        return {
            "planned": line.planned_grosze,
            "committed": line.committed_grosze,
            "paid": line.paid_grosze,
            "sum": sum(e.amount_grosze for e in entries),
            "count": len(entries),
            "salary_keys": salary_keys,
            "audited": audited,
        }


def test_parallel_expenses_and_salaries_never_overspend_nor_post_a_month_twice(
    app, make_centre, make_user, make_budget_line, server
):
    _centre, bosses, line_id, stage_id, (first, second) = _seed(
        app, make_centre, make_user, make_budget_line
    )
    with ThreadPoolExecutor(max_workers=3) as pool:
        coordinators = list(
            pool.map(lambda b: Coordinator(server, email(app, b), stage_id), bosses)
        )
    expense = {
        "line_id": str(line_id),
        "document_kind": "other",
        "spent_on": "2026-03-10",
        "description": "Szkolenie BHP",
        "amount": "300,00",
    }
    presses = [
        (f"/staff/stages/{stage_id}/money", {**expense, "document_number": f"FV {n}"})
        for n in range(12)
    ]
    # Several months, and the same months two and three times over.
    for post_id, month in [
        (first, "2026-02"),
        (first, "2026-02"),
        (first, "2026-02"),
        (first, "2026-03"),
        (first, "2026-04"),
        (second, "2026-02"),
        (second, "2026-02"),
        (second, "2026-05"),
    ]:
        presses.append((f"/staff/posts/{post_id}/salary", {"month": month, "amount": ""}))
    start = threading.Barrier(len(presses))

    def press(n: int) -> requests.Response:
        path, data = presses[n]
        start.wait(timeout=TIMEOUT)
        return coordinators[n % 3].post(path, data)

    with ThreadPoolExecutor(max_workers=len(presses)) as pool:
        responses = list(pool.map(press, range(len(presses))))

    statuses = [r.status_code for r in responses]
    assert all(status in (200, 302) for status in statuses), statuses
    refused = [r for r in responses if r.status_code == 200]
    assert refused, "a line with 2 500 zł left cannot take 12 × 300 zł and 8 salaries"
    for response in refused:  # each refusal says why, beside its field
        messages = " ".join(ERROR.findall(response.text))
        assert any(reason in messages for reason in REFUSALS), messages

    seen = _outcome(app, line_id)
    assert 0 <= seen["paid"] == seen["committed"] <= seen["planned"]
    assert seen["committed"] == seen["sum"]
    assert seen["count"] == 1 + statuses.count(302)
    assert seen["audited"] == seen["count"]
    assert len(seen["salary_keys"]) == len(set(seen["salary_keys"]))
    # Nothing left that any refused press could still have taken.
    assert seen["planned"] - seen["committed"] < EXPENSE


def test_the_same_month_pressed_by_three_coordinators_at_once_is_posted_once(
    app, make_centre, make_user, make_budget_line, server
):
    _centre, bosses, line_id, stage_id, (first, _second) = _seed(
        app, make_centre, make_user, make_budget_line
    )
    coordinators = [Coordinator(server, email(app, b), stage_id) for b in bosses]
    responses = []
    for month in ["2026-06", "2026-07"]:
        start = threading.Barrier(6)

        def press(c: Coordinator, month: str = month, start=start) -> requests.Response:
            start.wait(timeout=TIMEOUT)
            return c.post(f"/staff/posts/{first}/salary", {"month": month, "amount": ""})

        with ThreadPoolExecutor(max_workers=6) as pool:
            responses += list(pool.map(press, coordinators * 2))

    assert [r.status_code for r in responses].count(302) == 2
    for response in responses:
        if response.status_code != 302:
            assert response.status_code == 200
            assert "is already posted" in " ".join(ERROR.findall(response.text))
    seen = _outcome(app, line_id)
    assert sorted(seen["salary_keys"]) == [(first, date(2026, 6, 1)), (first, date(2026, 7, 1))]
    assert seen["committed"] == seen["paid"] == seen["sum"] == SPENT_BEFORE + 2 * SALARY
