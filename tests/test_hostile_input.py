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
from markupsafe import escape
from sqlalchemy import func, select
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


# --- The forms that send money to the bank and data to the funder -------------------------------
# The crawl above reaches them only when the page budget allows; here each is opened by name and
# given the generic classes and the classes of its own domain: an account number with a wrong
# check digit or of the wrong country, a tax number with a wrong checksum, an amount of 0 or past
# any plausible figure, control characters in names and titles, texts past their length. Each
# domain class is refused beside its field, keeps what was typed and changes nothing.

VALID_NIP = "526-025-02-74"
BAD_ACCOUNT_CLASSES = [
    ({"bank_account": "PL61 1090 1014 0000 0712 1981 2875"}, "bank_account"),  # check digits
    ({"bank_account": "DE89 3704 0044 0532 0130 00"}, "bank_account"),  # not a Polish account
    ({"bank_account": "61 1090 1014 0000 O712 1981 2874"}, "bank_account"),  # a letter O
    ({"bank_account": "61 1090 1014\x07 0000 0712 1981 2874"}, "bank_account"),
    ({"bank_account": "1" * 20_000}, "bank_account"),
]
OWNER_CLASSES = [
    ({"bank_account_owner": "Maria\x1b[31m Nowak"}, "bank_account_owner"),
    ({"bank_account_owner": "M" * 141}, "bank_account_owner"),
]


def _changed_rows() -> list[int]:
    """Row counts of every table, the audit trail's included (a posted form is no reading)."""
    return [
        db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    ]


def _page_form(client, path: str) -> dict[str, str]:
    """The values the page's own form sends (the first form posting to the page itself)."""
    response = client.get(path)
    assert response.status_code == 200, path
    parser = _Forms()
    parser.feed(response.get_data(as_text=True))
    form = next(f for f in parser.forms if f["method"] == "post" and f["action"] in ("", path))
    return {name: value for name, value, _kind in form["fields"]}


def _refused_beside(app, client, path, data, field, typed) -> None:
    with app.app_context():
        before = _changed_rows()
    response = client.post(path, data=data)
    assert response.status_code == 200, (path, field, typed[:40], response.status_code)
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page, (path, field, typed[:40])
    if typed.isprintable() and len(typed) <= 300:
        assert f'value="{escape(typed)}"' in page, (path, field, typed)  # what was typed stays
    with app.app_context():
        assert _changed_rows() == before, (path, field, typed[:40])


def _funder_forms(app) -> dict[str, object]:
    from portal.models import BudgetLine, Participant
    from portal.models.centres import BudgetLineKind
    from tests.helpers import demo_stage

    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        line_id = db.session.scalar(
            select(BudgetLine.id)
            .where(BudgetLine.stage_id == stage.id, BudgetLine.kind != BudgetLineKind.ALLOWANCES)
            .order_by(BudgetLine.id)
        )
        person_id = db.session.scalar(
            select(Participant.id)
            .join(User, User.id == Participant.user_id)
            .where(User.email == "uczestnik@example.org")
        )
        return {
            "stage": stage.id,
            "project": stage.project_id,
            "line": line_id,
            "person": person_id,
        }


def test_the_bank_and_funder_forms_refuse_each_bad_class_beside_the_field(app, demo, login_as):
    ids = _funder_forms(app)
    staff = login_as("koordynator@example.org", DEMO_PASSWORD)
    expense = {
        "line_id": str(ids["line"]),
        "document_kind": "invoice",
        "document_number": "FV 77/06/2013",
        "accounting_number": "",
        "issuer": "Hurtownia Papiernicza",
        "issuer_nip": VALID_NIP,
        "issued_on": "2013-06-14",
        "spent_on": "2013-06-15",
        "description": "Materiały biurowe",
        "gross": "",
        "amount": "12,50",
        "vat": "",
    }
    forms = [
        (
            f"/staff/participants/{ids['person']}/bank-account",
            {"method": "account"},
            BAD_ACCOUNT_CLASSES + OWNER_CLASSES,
        ),
        ("/staff/setup/bank-account", {}, BAD_ACCOUNT_CLASSES),
        (
            f"/staff/stages/{ids['stage']}/money",
            expense,
            [
                ({"amount": "0"}, "amount"),
                ({"amount": "0,00"}, "amount"),
                ({"amount": "99 999 999 999,99"}, "amount"),
                ({"gross": "0"}, "gross"),
                ({"issuer_nip": "526-025-02-75"}, "issuer_nip"),  # a wrong check digit
                ({"issuer_nip": "526-025-02-7"}, "issuer_nip"),  # nine digits
                ({"issuer": "Hurtownia\x00 Papiernicza"}, "issuer"),
                ({"description": "Materiały\x1b[31m biurowe"}, "description"),
                ({"document_number": "FV\x07 77"}, "document_number"),
                ({"document_number": "F" * 61}, "document_number"),
            ],
        ),
        (
            f"/staff/setup/projects/{ids['project']}/tasks/new",
            {"number": "5", "name": "Zadanie piąte"},
            [
                ({"number": "0"}, "number"),
                ({"number": "100"}, "number"),
                ({"number": DIGITS_5000}, "number"),
                ({"name": "Zadanie\x07 piąte"}, "name"),
                ({"name": "z" * 301}, "name"),
            ],
        ),
    ]
    for path, valid, cases in forms:
        base = _page_form(staff, path) | valid
        for overrides, field in cases:
            _refused_beside(app, staff, path, base | overrides, field, overrides[field])
        for label, data in _variants([(n, v, "text") for n, v in base.items()]):
            status = staff.post(path, data=data).status_code
            assert status < 500, (label, path, status)

    participant = login_as("uczestnik@example.org", DEMO_PASSWORD, fresh=True)
    path = "/me/my-details/bank-account"
    base = _page_form(participant, path) | {"method": "account"}
    for overrides, field in BAD_ACCOUNT_CLASSES + OWNER_CLASSES:
        _refused_beside(app, participant, path, base | overrides, field, overrides[field])
    for label, data in _variants([(n, v, "text") for n, v in base.items()]):
        assert participant.post(path, data=data).status_code < 500, label
