"""No request ends in a 5xx, by construction: a property-based walk of every form and route.

tests/test_hostile_input.py tries hand-picked classes of bad input; here hypothesis draws them,
field by field and mixed with plausible values, so that a bad value also reaches the rules behind
a form that otherwise validates. One app and one seeded demo serve the whole module. For each demo
login the walk posts drawn values into
- every form the login's crawl finds (the crawler of test_hostile_input, imported),
- every POST route of the url_map, with ids of its own and other centres' records and the field
  names the crawled forms use,
and GETs every route with drawn query strings. It asserts: never a 5xx; a form shown again with
an error keeps a typed text value; a refusal (a 4xx, or the form again with an error) stores
nothing, by the row counts of every table. Runs on SQLite and, with TEST_DATABASE_URL, on
PostgreSQL. Examples are derandomised, so a run in CI repeats the one before it.
"""

import os
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from config import TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import Participant, User
from tests import test_hostile_input as hostile
from tests import urlmap
from tests.conftest import _clean
from tests.helpers import sign_in

# A deeper hunt runs with more examples a form: NO_500_EXAMPLES=50 pytest tests/test_no_500_walk.py
EXAMPLES = int(os.environ.get("NO_500_EXAMPLES", "4"))
WALK = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Downloads are built by their own tests (and a PDF costs a second); sign-out ends the walk.
NOT_WALKED = re.compile(r"\.(pdf|csv|xlsx|ics|json|docx|zip)$|<fmt>|/logout$|^/static/|^/dev/")
OTHER_PART = {"/me": "/staff/", "/staff": "/me/"}
CRAWLED_PAGES = 60
ROW_COUNTS = select(
    *(
        select(func.count()).select_from(table).scalar_subquery()
        for table in db.metadata.sorted_tables
    )
)
QUERY_NAMES = [
    *["q", "tab", "type", "kind", "month", "year", "worker", "stage", "status", "page"],
    *["centre", "before", "village", "a", "b"],
]

# Classes of hostile input, each a strategy of its own so hypothesis mixes them field by field.
CONTROL = st.text(
    alphabet=st.characters(codec="utf-8", categories=["Cc"]) | st.sampled_from("ab\x00 "),
    min_size=1,
    max_size=12,
)
LONG = st.sampled_from([61, 201, 255, 301, 1001, 5001, 20_001]).map(lambda n: "ż" * n)
BIDI = st.sampled_from(["\u202eabc", "a\u200fb", "\u2066x\u2069", "\u061c", "\u202a1\u202c"])
ASTRAL = st.sampled_from(["👩‍👩‍👧", "𝕏𝕐", "\U0010fffd", "🇵🇱", "e\u0301"])
FRAGMENTS = st.sampled_from(
    [
        "' OR 1=1 --",
        "'; DROP TABLE users; --",
        '"><img src=x onerror=alert(1)>',
        "<script>alert(1)</script>",
        "{{ 7*7 }}",
        "%s%n%x",
        "\\",
        "%00",
    ]
)
NUMBERS = st.sampled_from(
    [
        str(2**31),
        str(-(2**31) - 1),
        str(2**31 - 1),
        str(2**63),
        str(-(2**63)),
        "1e309",
        "-1e309",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "-1",
        "-0,01",
        "0",
        "1,234.56",
        "1.234,56",
        "1 234,56",
        "1\u00a0234,56",
        "1_000",
        "0x1F",
        "١٢٣",
        "１２３",
        "²³",
        "12,345",
        "0,001",
        "9" * 5000,  # past the 4 300 digits int() converts
    ]
)
DATES = (
    st.dates().map(date.isoformat)
    | st.datetimes().map(lambda moment: moment.isoformat(timespec="minutes"))
    | st.dates().map(lambda day: day.isoformat()[:7])
    | st.sampled_from(
        [
            "0000-00-00",
            "0001-01-01",
            "9999-12-31",
            "2024-02-30",
            "2024-13-01",
            "yesterday",
            "1700000000",
            "10000-01-01",
            "-2024-01-01",
            "2024-1-1",
            "2026-03-02T25:61",
            "9999-12-31T23:59",
            "0000-00",
            "2026-13",
            "31.12.2026",
            "0001-01-01T00:30",
        ]
    )
)
IDS = st.integers(min_value=1, max_value=60).map(str)
UNKNOWN_CHOICE = st.sampled_from(["", "unknown", "999999", "-1", "0", "None", "ADMIN", "admin"])
HOSTILE = st.one_of(
    CONTROL, LONG, BIDI, ASTRAL, FRAGMENTS, NUMBERS, DATES, IDS, UNKNOWN_CHOICE, st.text()
)
# Each kind of field gets its own classes as often as all the others together.
# The first and last moments a date field can parse: year 1 before the Warsaw offset, year 9999.
EDGES = st.sampled_from(["0001-01-01", "9999-12-31", "0001-01", "9999-12"])
EDGE_TIMES = st.sampled_from(["0001-01-01T00:00", "0001-01-01T00:30", "9999-12-31T23:59"])
FOR_KIND = {
    "date": EDGES | DATES | HOSTILE,
    "month": EDGES | DATES | HOSTILE,
    "datetime-local": EDGE_TIMES | DATES | HOSTILE,
    "number": NUMBERS | HOSTILE,
    "hidden": NUMBERS | IDS | HOSTILE,
    "select": IDS | UNKNOWN_CHOICE | NUMBERS | HOSTILE,
    "radio": UNKNOWN_CHOICE | HOSTILE,
    "checkbox": UNKNOWN_CHOICE | IDS | HOSTILE,
}
# What a person would type into an empty field, so the rest of a form can get past validation.
PLAUSIBLE = st.sampled_from(["Próba", "12", "12,50", "2026-03-02", "2026-03", "2026-03-02T10:00"])
# Values that survive every field's filters unchanged: the form must show them again.
KEPT_TEXT = st.sampled_from(["Próba zapisu", "Zażółć gęślą jaźń", "ab\u200fcd 👩‍👩‍👧"])


def _config(url: str) -> type[TestConfig]:
    return type(
        "WalkConfig",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False},
    )


@pytest.fixture(scope="module")
def walk_app(database_url):
    """One app and one seeded demo for the whole module: the walk only reads what it needs."""
    app = create_app(_config(database_url))
    with app.app_context():
        _clean(database_url)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.session.remove()
        _clean(database_url)  # the next module starts from empty tables, as its fixtures expect
        db.engine.dispose()


@pytest.fixture(scope="module")
def protected(walk_app):
    """Ids the url_map walk never fills in: the demo logins and their participant records.

    Deactivating or merging away the account a walk is signed in with would end the walk, not
    find a bug; every other record of every centre is fair game.
    """
    with walk_app.app_context():
        users = db.session.scalars(select(User.id).where(User.email.in_(hostile.LOGINS))).all()
        people = db.session.scalars(
            select(Participant.id).where(Participant.user_id.in_(users))
        ).all()
    return {"user_id": set(users), "participant_id": set(people)}


class Walker:
    """A signed-in client that signs in again whenever a request ended its session."""

    def __init__(self, app, email: str):
        self.app = app
        self.email = email
        # Not `login_as`: it brings the suite's `app`, which empties the database seeded here.
        self.client = sign_in(app.test_client(), email, hostile.DEMO_PASSWORD)
        self.home = self.client.get("/").headers["Location"]
        self.part = "/me" if self.home.startswith("/me") else "/staff"

    def send(self, method: str, path: str, data=None, query=None):
        response = self.client.open(path, method=method, data=data, query_string=query)
        assert response.status_code < 500, (method, path, query, data, response.status_code)
        location = response.headers.get("Location", "")
        if response.status_code == 302 and "/auth/login" in location:
            sign_in(self.client, self.email, hostile.DEMO_PASSWORD)
        return response

    def walks(self, rule: str) -> bool:
        """A route of this login's part of the portal: the other part refuses the role before
        reading anything (tests/test_centres.py walks that), so fuzzing it would repeat a 403."""
        if NOT_WALKED.search(rule) or rule.startswith("/auth/"):
            return False
        return not rule.startswith(OTHER_PART[self.part])

    def fingerprint(self) -> tuple[int, ...]:
        """The row count of every table, in one statement."""
        with self.app.app_context(), db.engine.connect() as connection:
            return tuple(connection.execute(ROW_COUNTS).one())


def _rejected(response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    return (
        response.status_code == 200
        and response.mimetype == "text/html"
        and 'aria-invalid="true"' in response.get_data(as_text=True)
    )


def _field_values(fields, draw) -> tuple[MultiDict, dict[str, str]]:
    """Each field kept, typed plausibly, made hostile, left out or sent twice; and the values
    of the simple text fields, which a form shown again must keep."""
    sent: list[tuple[str, str]] = []
    typed: dict[str, str] = {}
    for name, default, kind in fields:
        if name == "csrf_token":
            sent.append((name, default))
            continue
        action = draw(st.sampled_from(["keep", "plausible", "hostile", "hostile", "omit", "twice"]))
        if action == "omit":
            continue
        if action == "keep":
            value = default or draw(PLAUSIBLE)
        elif action == "plausible" and kind in {"text", "textarea"}:
            value = draw(KEPT_TEXT)
            typed[name] = value
        elif action == "plausible":
            value = draw(PLAUSIBLE)
        else:
            value = draw(FOR_KIND.get(kind, HOSTILE))
        sent.append((name, value))
        if action == "twice":
            sent.append((name, draw(HOSTILE | IDS)))
    return MultiDict(sent), typed


def _shown_again(response, typed: dict[str, str]) -> bool:
    page = response.get_data(as_text=True)
    return any(str(escape(value)) in page for value in typed.values())


def _check_post(walker: Walker, action: str, data: MultiDict, typed: dict[str, str]) -> None:
    before = walker.fingerprint()
    response = walker.send("POST", action, data=data)
    if not _rejected(response):
        return
    assert walker.fingerprint() == before, ("a refused form stored something", action, data)
    if response.status_code == 200 and typed:
        assert _shown_again(response, typed), ("typed text lost", action, typed)


def _post_drawn_values(walker: Walker, action: str, fields):
    @WALK
    @given(st.data())
    def post(data):
        values, typed = _field_values(fields, data.draw)
        _check_post(walker, action, values, typed)

    return post


def _touches(path: str, protected) -> bool:
    """Whether a crawled form acts on a demo login's account or participant record."""
    for prefix, name in (("/staff/users/", "user_id"), ("/staff/participants/", "participant_id")):
        number = re.match(re.escape(prefix) + r"(\d+)", path)
        if number and int(number.group(1)) in protected[name]:
            return True
    return False


def _walk_forms(walker: Walker, forms, protected) -> int:
    posted = 0
    for (method, _shape), (action, form) in sorted(forms.items()):
        path = urlsplit(action).path
        if method != "post" or NOT_WALKED.search(path) or _touches(path, protected):
            continue

        _post_drawn_values(walker, action, form["fields"])()
        posted += 1
    return posted


def _route_values(route: urlmap.Route, draw, protected) -> dict[str, object]:
    values: dict[str, object] = {}
    for name in sorted(route.arguments):
        if name in route.ids:
            values[name] = draw(
                st.integers(1, 60).filter(lambda n, name=name: n not in protected.get(name, ()))
            )
        else:
            values[name] = draw(st.sampled_from(["x", "coaching", "1", "%C5%BC", "a.b"]))
    return values


def _post_to_route(walker: Walker, route: urlmap.Route, names: list[str], protected):
    @settings(WALK, max_examples=max(1, EXAMPLES // 4))
    @given(st.data())
    def post(data):
        path = urlmap.fill(route.rule, _route_values(route, data.draw, protected))
        chosen = data.draw(st.lists(st.sampled_from(names), max_size=8, unique=True))
        values = MultiDict([(name, data.draw(HOSTILE | PLAUSIBLE)) for name in chosen])
        _check_post(walker, path, values, {})

    return post


def _walk_routes(walker: Walker, names: list[str], protected) -> int:
    """Every POST route, with drawn ids and the field names any crawled form uses."""
    posted = 0
    for route in urlmap.routes(walker.app, lambda route: route.method == "POST"):
        if NOT_WALKED.search(route.rule) or route.rule.startswith("/auth/"):
            continue

        _post_to_route(walker, route, names, protected)()
        posted += 1
    return posted


def _walk_queries(walker: Walker, pages) -> int:
    """Every GET route of the login's part of the portal, and one crawled page of each shape,
    with drawn query strings."""
    paths = {hostile._shape(page): urlsplit(page).path for page in sorted(pages)}
    for route in urlmap.routes(walker.app, lambda route: route.method == "GET"):
        if walker.walks(route.rule):
            values = {n: 1 if n in route.ids else "x" for n in route.arguments}
            path = urlmap.fill(route.rule, values)
            paths.setdefault(hostile._shape(path), path)

    @settings(WALK, max_examples=len(paths) * max(1, EXAMPLES // 4))
    @given(
        st.sampled_from(sorted(paths)),
        st.dictionaries(
            st.sampled_from(QUERY_NAMES) | st.text(max_size=5), HOSTILE | IDS, max_size=4
        ),
    )
    def get_with_query(path, query):
        walker.send("GET", path, query=query)

    get_with_query()
    return len(paths)


@pytest.mark.parametrize("email", hostile.LOGINS)
def test_drawn_values_in_every_form_and_route_never_answer_a_server_error(
    walk_app, protected, monkeypatch, email
):
    monkeypatch.setattr(hostile, "MAX_PAGES", CRAWLED_PAGES)
    walker = Walker(walk_app, email)
    pages, forms = hostile._crawl(walker.client, walker.home)
    assert len(pages) > 3
    names = sorted({name for _key, (_a, form) in forms.items() for name, _v, _k in form["fields"]})

    forms_walked = _walk_forms(walker, forms, protected)
    routes_walked = _walk_routes(walker, names or ["name"], protected)
    pages_walked = _walk_queries(walker, pages)

    assert routes_walked > 10
    assert pages_walked > 10
    if email != "mieszkanka@example.org":  # a PAL participant has no form to fill in
        assert forms_walked > 0
    # Still signed in and the home page still opens: the walk reached its end as this login.
    assert walker.send("GET", walker.home).status_code == 200


def test_a_body_past_the_limit_gets_a_readable_page_in_both_languages(walk_app):
    limit = walk_app.config["MAX_CONTENT_LENGTH"]
    client = walk_app.test_client()
    body = {"email": "a@example.org", "password": "x" * (limit + 1)}
    expected = {"pl": "Przesłane dane są za duże", "en": "The data sent is too large"}
    for language, heading in expected.items():
        response = client.post(f"/auth/login?lang={language}", data=body)
        assert response.status_code == 413
        page = response.get_data(as_text=True)
        assert heading in page
        assert f'lang="{language}"' in page


@pytest.mark.parametrize("moment", ["0001-01-01T00:30", "9999-12-31T23:59"])
def test_an_event_at_the_first_or_last_moment_a_field_parses_is_refused_beside_it(walk_app, moment):
    # Year 1 before 01:24 has no UTC equivalent: the form's one-pass check computed with it
    # (and the cancellation cut-off before it) and answered 500. A date the range check refused
    # now reads as not given to everything after it.
    walker = Walker(walk_app, "koordynator@example.org")
    parser = hostile._Forms()
    parser.feed(walker.send("GET", "/staff/events/new").get_data(as_text=True))
    (form,) = [form for form in parser.forms if any(f[0] == "starts_at" for f in form["fields"])]
    data = {name: value for name, value, _kind in form["fields"]}
    data.update(title="Warsztaty", place="Sala 1", capacity="5", starts_at=moment, ends_at=moment)
    before = walker.fingerprint()
    response = walker.send("POST", "/staff/events/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(
        r'id="starts_at"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="starts_at"', page
    )
    assert 'value="Warsztaty"' in page
    assert walker.fingerprint() == before


def test_drawn_values_in_the_bank_and_funder_forms_never_answer_a_server_error(walk_app, protected):
    """The forms that send money to the bank and data to the funder, opened by name (a crawl
    of a few dozen pages need not reach them): drawn values never answer a 5xx, a refusal
    stores nothing and keeps what was typed; the claim period's query too."""
    from portal.models import Participant, ProjectTask
    from tests.helpers import demo_stage

    with walk_app.app_context():
        stage = demo_stage("ops-janow", 2013)
        stage_id, project_id = stage.id, stage.project_id
        person_id = db.session.scalar(
            select(Participant.id)
            .where(
                Participant.centre_id == stage.project.centre_id,
                Participant.id.not_in(protected["participant_id"]),
            )
            .order_by(Participant.id)
        )
        task_id = db.session.scalar(
            select(ProjectTask.id).where(ProjectTask.project_id == project_id)
        )
    coordinator = Walker(walk_app, "koordynator@example.org")
    paths = [
        f"/staff/participants/{person_id}/bank-account",
        "/staff/setup/bank-account",
        f"/staff/stages/{stage_id}/money",
        f"/staff/setup/projects/{project_id}/tasks/new",
        *([f"/staff/setup/tasks/{task_id}"] if task_id else []),
    ]
    participant = Walker(walk_app, "uczestnik@example.org")
    for walker, path in [
        *((coordinator, path) for path in paths),
        (participant, "/me/my-details/bank-account"),
    ]:
        parser = hostile._Forms()
        parser.feed(walker.send("GET", path).get_data(as_text=True))
        form = next(f for f in parser.forms if f["method"] == "post" and f["action"] in ("", path))
        _post_drawn_values(walker, path, form["fields"])()

    claim = f"/staff/stages/{stage_id}/claim-documents.xlsx"

    @WALK
    @given(st.fixed_dictionaries({}, optional={"start": HOSTILE | DATES, "end": HOSTILE | DATES}))
    def claim_period(query):
        coordinator.send("GET", claim, query=query)

    claim_period()
