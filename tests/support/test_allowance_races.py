"""The allowance budget is never overspent, and a request is never approved twice, under load.

Coordinators sign in through the login form of the real app under gunicorn (3 workers) and
press "approve" from many threads at once, each press on a connection of its own with the
coordinator's cookie and the CSRF token of their approvals page. The server processes share
nothing but the database the `app` fixture prepared: SQLite (BEGIN IMMEDIATE, WAL) by default,
PostgreSQL (row locks) with TEST_DATABASE_URL.
"""

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import requests
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Allowance, AuditEntry, BudgetLine, Instalment
from portal.models.enums import AllowanceStatus, Role
from portal.services.support import allowances
from tests.helpers import email
from tests.live import csrf as _csrf
from tests.live import signed_in

pytestmark = pytest.mark.live

THREADS = 25
TIMEOUT = 120
ZL_1000 = 1000_00  # grosze


class Coordinator:
    """One coordinator's browser: signed in through the form, the approvals page open."""

    def __init__(self, url: str, user_email: str):
        self.url = url
        self.http = signed_in(url, user_email, timeout=TIMEOUT)
        page = self.http.get(f"{url}/staff/approvals", timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        self.token = _csrf(page.text)

    def approve(self, ids: list[int]) -> int:
        """Press "approve" for `ids`, on a connection of its own; the response status."""
        twin = requests.Session()
        twin.cookies.update(self.http.cookies)
        return twin.post(
            f"{self.url}/staff/approvals/approve",
            data={"csrf_token": self.token, "allowance_id": [str(i) for i in ids]},
            allow_redirects=False,
            timeout=TIMEOUT,
        ).status_code


def _coordinators(url: str, emails: list[str]) -> list[Coordinator]:
    with ThreadPoolExecutor(max_workers=len(emails)) as pool:
        return list(pool.map(lambda e: Coordinator(url, e), emails))


def _together(actions) -> list[int]:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(lambda action: action(), actions))


def _staff(make_user, centre: int, role: Role, n: int) -> list[int]:
    return [make_user(role, centre_id=centre) for _ in range(n)]


def _outcome(app, ids: list[int], line_id: int):
    """The database after the storm: statuses, totals, audit rows and instalments per request."""
    with app.app_context():
        requests_ = {a.id: a for a in db.session.scalars(select(Allowance))}
        approved = [i for i in ids if requests_[i].status == AllowanceStatus.APPROVED]
        line = db.session.get(BudgetLine, line_id)
        audited = db.session.scalars(
            select(AuditEntry.entity_id).where(AuditEntry.action == "allowance.approved")
        ).all()
        instalments = {
            allowance_id: (count, amount)
            for allowance_id, count, amount in db.session.execute(
                select(
                    Instalment.allowance_id,
                    func.count(Instalment.id),
                    func.sum(Instalment.amount_grosze),
                ).group_by(Instalment.allowance_id)
            )
        }
        totals = {i: allowances.total(requests_[i]) for i in ids}
        statuses = {i: requests_[i].status for i in ids}
        deciders = {i: requests_[i].decided_by_id for i in approved}
        return {
            "approved": approved,
            "statuses": statuses,
            "planned": line.planned_grosze,
            "committed": line.committed_grosze,
            "audited": sorted(audited),
            "instalments": instalments,
            "totals": totals,
            "deciders": deciders,
        }


def test_three_coordinators_never_overspend_the_allowance_line(
    app, make_centre, make_user, make_participant, server, make_allowance, make_budget_line
):
    centre = make_centre()
    (worker,) = _staff(make_user, centre, Role.SOCIAL_WORKER, 1)
    bosses = _staff(make_user, centre, Role.COORDINATOR, 3)
    people = [make_participant(centre, with_account=False) for _ in range(5)]
    line_id = make_budget_line(centre, 3 * ZL_1000)  # room for exactly three requests
    ids = [make_allowance(people[n % 5], worker, amount=ZL_1000) for n in range(10)]
    coordinators = _coordinators(server, [email(app, boss) for boss in bosses])

    # Every coordinator presses for each request alone, and for several at once, in any order.
    rng = random.Random(20260310)  # noqa: S311 - a fixed, repeatable mix of presses
    batches = [[i] for i in ids] + [ids, ids[::-1], ids[::2], ids[1::2]]
    batches += [rng.sample(ids, rng.randint(2, 6)) for _ in range(6)]
    presses = [
        (lambda c=c, batch=batch: c.approve(batch)) for c in coordinators for batch in batches
    ]
    rng.shuffle(presses)
    statuses = _together(presses)

    assert all(status < 500 for status in statuses), statuses
    assert set(statuses) == {302}, statuses
    seen = _outcome(app, ids, line_id)
    approved = seen["approved"]
    assert len(approved) == 3
    assert seen["committed"] <= seen["planned"]
    assert seen["committed"] == sum(seen["totals"][i] for i in approved) == 3 * ZL_1000
    # Each approved exactly once, by one of the coordinators; nothing else moved.
    assert seen["audited"] == sorted(approved)
    assert set(seen["deciders"].values()) <= set(bosses)
    assert {seen["statuses"][i] for i in ids if i not in approved} == {AllowanceStatus.SUBMITTED}
    assert seen["instalments"] == {i: (1, ZL_1000) for i in approved}


def test_two_coordinators_approving_one_request_at_once_approve_it_once(
    app,
    make_centre,
    make_user,
    make_participant,
    server,
    make_budget_line,
    make_contract,
    make_periodic_allowance,
):
    centre = make_centre()
    (worker,) = _staff(make_user, centre, Role.SOCIAL_WORKER, 1)
    bosses = _staff(make_user, centre, Role.COORDINATOR, 2)
    person = make_participant(centre, with_account=False)
    contract = make_contract(person, worker)  # January to June 2026
    line_id = make_budget_line(centre, 100 * ZL_1000)
    first, last = date(2026, 2, 1), date(2026, 4, 1)  # three instalments each
    ids = [
        make_periodic_allowance(person, worker, contract, first, last, amount=450_00)
        for _ in range(10)
    ]
    coordinators = _coordinators(server, [email(app, boss) for boss in bosses])

    statuses = []
    for allowance_id in ids:  # ten times: both coordinators press twice, at the same moment
        start = threading.Barrier(4)

        def press(coordinator, allowance_id=allowance_id, start=start):
            start.wait(timeout=TIMEOUT)
            return coordinator.approve([allowance_id])

        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses += list(pool.map(press, coordinators * 2))

    assert set(statuses) == {302}, statuses
    seen = _outcome(app, ids, line_id)
    assert seen["approved"] == ids
    assert seen["audited"] == sorted(ids)  # one approval each
    assert seen["instalments"] == {i: (3, 3 * 450_00) for i in ids}  # one instalment set each
    assert seen["committed"] == 10 * 3 * 450_00
    assert set(seen["deciders"].values()) <= set(bosses)
