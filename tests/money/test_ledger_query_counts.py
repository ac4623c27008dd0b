"""The stage's money page and its event-cost page run the same number of SQL statements for a
short ledger and a ten times longer one (corrections, salaries and event costs included)."""

from datetime import UTC, date, datetime

from portal.extensions import db
from portal.models import BudgetLine, User
from portal.models.enums import BudgetLineKind, Role
from portal.models.support import EventCostKind
from portal.services.money import ledger, posts
from portal.services.people import participants

N = 3


class Ledger:
    """One stage whose ledger grows in units: an expense and its correction, a new post with
    its salary, and a cost of the watched event."""

    def __init__(self, app, make_centre, make_user, make_budget_line, make_event):
        self.app = app
        self.centre = make_centre()
        self.boss = make_user(Role.COORDINATOR, centre_id=self.centre, email="szef@example.org")
        self.other = make_budget_line(self.centre, 10**9, BudgetLineKind.OTHER)
        self.salaries = make_budget_line(self.centre, 10**9, BudgetLineKind.SALARIES)
        make_budget_line(self.centre, 10**9, BudgetLineKind.PAL_EVENTS)
        self.event = make_event(self.centre, starts_at=datetime(2026, 6, 1, 10, tzinfo=UTC))
        with app.app_context():
            self.stage = db.session.get(BudgetLine, self.other).stage_id
        self.units = 0

    def grow(self, units: int) -> None:
        with self.app.app_context():
            boss = db.session.get(User, self.boss)
            project = participants.current_project(self.centre)
            for _ in range(units):
                self.units += 1
                n = self.units
                expense = ledger.record_expense(
                    self.centre,
                    self.stage,
                    self.other,
                    date(2026, 2, 1),
                    f"FV {n}",
                    "Papier",
                    100_00,
                    boss,
                )
                ledger.correct(expense.id, 90_00, f"Rabat {n}", boss)
                post = posts.create_post(
                    self.centre,
                    posts.PostFields(
                        project_id=project.id,
                        person_name=f"Osoba {n}",
                        user_id=None,
                        title="Doradca",
                        fte_percent=50,
                        starts_on=date(2026, 1, 1),
                        ends_on=None,
                        monthly_cost_grosze=2_000_00,
                    ),
                    actor=boss,
                )
                posts.post_salary(post.id, date(2026, 3, 1), boss)
                ledger.record_event_cost(
                    self.event, EventCostKind.CATERING, date(2026, 6, 1), f"R {n}", 50_00, boss
                )
            db.session.commit()


def _counts(query_counter, client, paths: list[str]) -> dict[str, int]:
    for path in paths:
        client.get(path)
    counts = {}
    for path in paths:
        with query_counter() as statements:
            assert client.get(path).status_code == 200, path
        counts[path] = len(statements)
    return counts


def test_money_pages_do_not_grow_with_the_ledger(
    app, client, login_as, query_counter, make_centre, make_user, make_budget_line, make_event
):
    world = Ledger(app, make_centre, make_user, make_budget_line, make_event)
    login_as("szef@example.org")
    paths = [
        f"/staff/stages/{world.stage}/money",
        f"/staff/events/{world.event}/costs",
        "/staff/posts",
    ]
    world.grow(N)
    small = _counts(query_counter, client, paths)
    world.grow(9 * N)
    large = _counts(query_counter, client, paths)
    assert large == small
    # 90 entries, newest first, 50 a page: the event costs and salaries come first, the first
    # invoices on the second page, each with its correction under it.
    first = client.get(paths[0]).get_data(as_text=True)
    assert first.count('<tr id="entry-') == 50
    assert f"{paths[0]}?page=2" in first
    page = client.get(f"{paths[0]}?page=2").get_data(as_text=True)
    assert page.count('<tr id="entry-') == 40
    assert f"FV {10 * N}" in page
    assert f"Rabat {10 * N}" in page
    with query_counter() as statements:
        client.get(f"{paths[0]}?page=2")
    assert len(statements) <= small[paths[0]]  # a page of invoices loads no posts or events
