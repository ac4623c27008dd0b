"""The budget: an approval never commits more than the allowance line has left."""

from datetime import timedelta

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import (
    BudgetLine,
)
from portal.services.support.allowances import BudgetExceeded
from tests.factories import NOW
from tests.helpers import email, translated
from tests.support.allowances.steps import (
    A,
    actions,
    approve,
    followed,
    instalments,
    line,
    status,
)

# -- the budget ---------------------------------------------------------------------------------


def test_an_approval_beyond_what_is_left_is_refused_and_changes_nothing(
    app, office, make_allowance, make_budget_line
):
    o = office
    budget = make_budget_line(o.centre, 1000_00)
    first = make_allowance(o.person, o.worker, amount=600_00)
    second = make_allowance(o.other, o.worker, amount=400_01)
    assert approve(app, [first], o.boss) == ([first], {})
    approved, refused = approve(app, [second], o.boss)
    exceeded = translated(app, "Not enough money left on the allowance budget line.", html=False)
    assert (approved, refused) == ([], {second: (BudgetExceeded, exceeded)})
    assert line(app, budget) == (1000_00, 600_00, 0)
    assert status(app, second) == A.SUBMITTED
    assert instalments(app, second) == []
    assert "allowance.approved" not in actions(app, second)
    # What is exactly left still fits.
    exact = make_allowance(o.other, o.worker, amount=400_00)
    assert approve(app, [exact], o.boss) == ([exact], {})
    assert line(app, budget) == (1000_00, 1000_00, 0)


def test_the_page_shows_why_the_budget_refused(
    app, office, login_as, make_allowance, make_budget_line
):
    o = office
    make_budget_line(o.centre, 100_00)
    request = make_allowance(o.person, o.worker, amount=100_01)
    boss = login_as(email(app, o.boss), fresh=True)
    page = followed(boss, boss.post("/staff/approvals/approve", data={"allowance_id": [request]}))
    exceeded = translated(app, "Not enough money left on the allowance budget line.", html=False)
    assert translated(app, "Not approved (%(n)d): %(reason)s", n=1, reason=exceeded) in page


def test_without_an_allowance_line_nothing_is_approved(app, office, make_allowance):
    o = office
    request = make_allowance(o.person, o.worker)
    approved, refused = approve(app, [request], o.boss)
    assert approved == []
    assert refused[request] == (
        BudgetExceeded,
        translated(app, "There is no allowance budget line for %(year)d.", html=False, year=2026),
    )


def test_approve_many_takes_the_oldest_first_until_the_line_is_exhausted(
    app, office, make_allowance, make_budget_line
):
    o = office
    budget = make_budget_line(o.centre, 3 * 300_00 + 299_99)
    people = [o.person, o.other]
    requests = [
        make_allowance(people[n % 2], o.worker, amount=300_00, now=NOW + timedelta(minutes=n))
        for n in range(5)
    ]
    approved, refused = approve(app, list(reversed(requests)), o.boss)
    assert sorted(approved) == requests[:3]
    assert set(refused) == set(requests[3:])
    assert {kind for kind, _message in refused.values()} == {BudgetExceeded}
    assert line(app, budget) == (3 * 300_00 + 299_99, 900_00, 0)
    assert [status(app, r) for r in requests] == [A.APPROVED] * 3 + [A.SUBMITTED] * 2


def test_the_database_keeps_committed_within_planned(app, office, make_budget_line):
    o = office
    budget = make_budget_line(o.centre, 1000_00)
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(
            update(BudgetLine).where(BudgetLine.id == budget).values(committed_grosze=1000_01)
        )
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE budget_lines SET committed_grosze = -1 WHERE id = :id"), {"id": budget}
        )
    assert line(app, budget) == (1000_00, 0, 0)
