"""No request anyone can make ends in a 5xx: hostile input by classes, over the whole portal.

The demo is seeded, one stored record of every extreme kind is added, then each demo login
crawls the pages it can reach. Every page and every form found is tried with each class of bad
input: control characters (NUL breaks PostgreSQL), numbers past the database's integer and
past the 4 300 digits Python's int() converts, non-numeric and Unicode digits in hidden and number
fields and in every query value a page's links carry, dates in year 1 and 9999 — and every route
with an id is asked for ids past the database's range. Each must answer with a message
(a 4xx page or the form again), never a 5xx. Runs on SQLite and, with TEST_DATABASE_URL, on
PostgreSQL.
"""

import re
from collections import Counter, deque
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.models import Allowance, Event, SocialContract, User
from portal.models.enums import AllowanceKind, AllowanceStatus, EventStatus, Role
from tests import urlmap
from tests.helpers import translated

DEMO_PASSWORD = "pierwszy-krok"
LOGINS = [
    "koordynator@example.org",
    "doradca@example.org",
    "pracownik@example.org",
    "uczestnik@example.org",
    "mieszkanka@example.org",
    "admin@example.org",
]
MAX_PAGES = 120
SKIP = re.compile(r"\.(pdf|csv|xlsx|ics|json)$|/logout$|/feed/|/static/")

NUL = "abc\x00def"
CONTROL = "line\x1b[31m\x07"
HUGE = "99999999999999999999"
PAST_INT = str(2**31)
# int() refuses more than 4 300 digits with a ValueError: an id read without a length check ends
# in a 500.
DIGITS_5000 = "9" * 5000
UNICODE_DIGITS = "²³"
TEXT_TYPES = {"text", "email", "search", "tel", "password", "url", None, "textarea"}


class _Forms(HTMLParser):
    """Links and forms of a page, with the values a browser would send by default."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": [],
                # Boxes a browser leaves out unless ticked: a hostile request sends them anyway.
                "unchecked": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._input(a)
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"].append((a["name"], "", "select"))
        elif tag == "option" and self._select:
            name, value, kind = self._form["fields"][-1]
            if kind == "select" and (not value or "selected" in a):
                self._form["fields"][-1] = (name, a.get("value", ""), kind)
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"].append((a["name"], "", "textarea"))

    def _input(self, a):
        kind = (a.get("type") or "text").lower()
        if kind in {"checkbox", "radio"} and "checked" not in a:
            if kind == "checkbox":
                self._form["unchecked"].append(a["name"])
            if kind == "radio" and not any(f[0] == a["name"] for f in self._form["fields"]):
                self._form["fields"].append((a["name"], a.get("value", "on"), kind))
            return
        if kind in {"submit", "button", "file"}:
            return
        self._form["fields"].append((a["name"], a.get("value", ""), kind))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _variants(fields: list[tuple[str, str, str]], unchecked: list[str] = ()):
    """The classes of bad input, each applied to every field it fits at once."""
    text = [(n, k) for n, _v, k in fields if k in TEXT_TYPES]
    numeric = [
        (n, k) for n, _v, k in fields if k in {"number", "hidden", "select", "radio", "checkbox"}
    ] + [(n, "checkbox") for n in unchecked]
    dated = [(n, k) for n, _v, k in fields if k in {"date", "month", "datetime-local"}]
    base = {n: v for n, v, _k in fields}
    if text:
        yield "nul", {**base, **{n: NUL for n, _k in text}}
        yield "control", {**base, **{n: CONTROL for n, _k in text}}
        yield "long", {**base, **{n: "x" * 20_000 for n, _k in text}}
    numbers = [n for n, _k in numeric if n != "csrf_token"]
    if numbers:
        for label, value in (
            ("huge", HUGE),
            ("past-int", PAST_INT),
            ("digits-5000", DIGITS_5000),
            ("unicode", UNICODE_DIGITS),
        ):
            yield label, {**base, **{n: value for n in numbers}}
        yield "not-a-number", {**base, **{n: "abc" for n in numbers}}
    if dated:
        for label, value in (("year-1", "0001-01-01"), ("year-9999", "9999-12-31")):
            values = {
                n: value[: 7 if k == "month" else 10] + ("T10:00" if k == "datetime-local" else "")
                for n, k in dated
            }
            yield label, {**base, **values}
    # A duplicated field and one missing field.
    if fields:
        first = fields[0][0]
        yield "missing", {n: v for n, v in base.items() if n != first}
        yield "duplicated", MultiDict([*base.items(), (first, NUL)])


def _store_extreme_records() -> None:
    """Records typed before dates were bounded must not break any list."""
    contract = db.session.scalars(select(SocialContract).order_by(SocialContract.id)).first()
    contract.end_date = date(9999, 12, 31)
    worker = db.session.scalars(select(User).where(User.email == "pracownik@example.org")).one()
    db.session.add(
        Allowance(
            centre_id=contract.centre_id,
            participant_id=contract.participant_id,
            contract_id=contract.id,
            kind=AllowanceKind.PERIODIC,
            amount_grosze=50_000,
            first_month=date(9999, 11, 1),
            last_month=date(9999, 12, 1),
            justification="typed before dates were bounded",
            status=AllowanceStatus.SUBMITTED,
            prepared_by_id=worker.id,
            submitted_at=datetime(2026, 1, 5, tzinfo=UTC),
        )
    )
    event = db.session.scalars(
        select(Event).where(Event.status == EventStatus.PUBLISHED).order_by(Event.starts_at.desc())
    ).first()
    event.starts_at = datetime(9999, 12, 31, 21, 0, tzinfo=UTC)
    event.ends_at = datetime(9999, 12, 31, 22, 0, tzinfo=UTC)
    db.session.commit()


@pytest.fixture
def demo(demo, app):
    """The shared demo, with records stored before dates were bounded."""
    with app.app_context():
        _store_extreme_records()


def _local(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _shape(path: str) -> str:
    return re.sub(r"/\d+", "/<id>", urlsplit(path).path)


def _crawl(client, start: str):
    """Breadth first, at most two pages of each shape (the same route with other ids)."""
    seen, queue, forms, shapes = set(), deque([start]), {}, Counter()
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen or shapes[_shape(path)] >= 2:
            continue
        seen.add(path)
        shapes[_shape(path)] += 1
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for href in parser.links:
            target = _local(href)
            if target and target not in seen:
                queue.append(target)
        for form in parser.forms:
            # A form to a skipped address (the sign-out in every page's header) is left out; it
            # must not stand in for the page's own form, which posts to the page itself.
            action = _local(form["action"]) if form["action"] else path
            if action is None:
                continue
            key = (form["method"], _shape(action))
            forms.setdefault(key, (action, form))
    return seen, forms


@pytest.mark.parametrize("email", LOGINS)
def test_no_page_or_form_answers_hostile_input_with_a_server_error(app, demo, login_as, email):
    client = login_as(email, DEMO_PASSWORD)
    home = client.get("/").headers["Location"]  # the signed-in person's own home page
    pages, forms = _crawl(client, home)
    assert len(pages) > 3

    for path in pages:
        query = dict(parse_qsl(urlsplit(path).query))
        for label, value in (
            ("nul", NUL),
            ("huge", HUGE),
            ("digits-5000", DIGITS_5000),
            ("unicode", UNICODE_DIGITS),
        ):
            # Every name the page's own links use, and the ones each list reads as a filter.
            hostile = {
                **dict.fromkeys(query, value),
                "q": value,
                "tab": value,
                "type": value,
                "village": value,
                "month": value,
                "kind": value,
                "worker": value,
                "stage": value,
                "centre": value,
                "before": value,
                "a": value,
                "b": value,
            }
            url = f"{urlsplit(path).path}?{urlencode(hostile)}"
            status = client.get(url).status_code
            assert status < 500, (label, url, status)

    for (method, _shape), (action, form) in forms.items():
        for label, data in _variants(form["fields"], form["unchecked"]):
            if method == "get":
                response = client.get(action.split("?")[0], query_string=data)
            else:
                response = client.post(action, data=data)
            assert response.status_code < 500, (label, method, action, response.status_code)
            if label in {"nul", "control"} and response.status_code == 200:
                assert "\x00" not in response.get_data(as_text=True).replace(NUL, "")
        # Signed out midway would hide the rest of the forms: sign in again when it happened.
        if client.get(home).status_code == 302:
            login_as(email, DEMO_PASSWORD)


def test_ids_past_the_database_integer_are_not_found(app, demo, login_as):
    client = login_as("koordynator@example.org", DEMO_PASSWORD)
    checked = 0
    for route in urlmap.routes(app, lambda route: route.ids):
        for number in (2**31, 2**63, 10**30, DIGITS_5000):
            values = {name: number if name in route.ids else "x" for name in route.arguments}
            path = urlmap.fill(route.rule, values)
            status = client.open(path, method=route.method).status_code
            assert status in {400, 404, 405}, (route.method, path, status)
            checked += 1
    assert checked > 50


def test_an_id_of_5000_digits_in_a_form_is_refused_as_no_record(
    app, client, login_as, make_centre, make_user, make_participant
):
    # int() raises past 4 300 digits: these forms read their ids with int() before any length
    # check and answered 500 (the approval queue's ticked requests, the merge's confirmation).
    centre = make_centre()
    make_user(Role.COORDINATOR, centre_id=centre, email="coordinator@example.org")
    login_as("coordinator@example.org")
    kept = make_participant(centre, with_account=False)
    approve = client.post("/staff/approvals/approve", data={"allowance_id": DIGITS_5000})
    assert approve.status_code == 302
    confirm = client.post(
        f"/staff/participants/{kept}/merge/confirm", data={"removed_id": DIGITS_5000}
    )
    assert confirm.status_code == 302
    assert confirm.headers["Location"].endswith(f"/staff/participants/{kept}/merge")
    choice = client.post(f"/staff/participants/{kept}/merge", data={"other_id": DIGITS_5000})
    assert choice.status_code == 200
    assert 'aria-invalid="true"' in choice.get_data(as_text=True)
    for query in ({"stage": DIGITS_5000}, {"worker": DIGITS_5000}):
        assert client.get("/staff/", query_string=query).status_code == 200
    # A number field says what it says of any number past the database's integer.
    event = client.post("/staff/events/new", data={"title": "Piknik", "capacity": DIGITS_5000})
    assert event.status_code == 200
    assert translated(app, "Enter a smaller number.") in event.get_data(as_text=True)
