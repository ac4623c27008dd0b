"""Isolation between centres, advisors' caseloads, and participants kept out of staff pages.

The URLs come from the app's url_map, so a new route is checked the day it is added: a route
taking an id this module cannot supply for centre B fails loudly instead of going unchecked.
"""

import re

import pytest
from sqlalchemy import func, select

from portal import database
from portal.extensions import db
from portal.models import (
    AccountRequest,
    AuditEntry,
    Event,
    Participant,
    Registration,
    User,
)
from portal.models.enums import (
    Role,
)
from tests import urlmap
from tests.records import STAFF_ROLES, WORDS, Side, build_side

ID = re.compile(r"<int:(\w+)>")
# Every name and title of centre B contains this, so a leak shows on any page.
B_MARK = "Zbych"
A_PEOPLE = re.compile("Andrzejewsk(owa|ski)")
# Sent with every POST, so that a form's own validation does not answer before the id check.
FORM = {"reason": "Sprawdzenie izolacji ośrodków"}
# Routes on which the installation administrator reaches every centre by design (a centre's
# own details, from the centres page); every other role is still refused them.
INSTALLATION_WIDE = {"/staff/centres/<int:centre_id>", "/staff/outbox/<int:message_id>/retry"}


@pytest.fixture
def sides(app, make_centre, make_user, make_participant):
    a = build_side(app, make_centre, make_user, make_participant, "a", "Andrzejewsk")
    b = build_side(app, make_centre, make_user, make_participant, "b", B_MARK + "owsk")
    return a, b


def _routes(app, prefix: str):
    """(rule, method) for every route under `prefix` whose only arguments are integer ids
    (and the fixed-set WORDS)."""
    return [
        (route.rule, route.method)
        for route in urlmap.routes(
            app,
            lambda route: (
                route.rule.startswith(prefix) and route.arguments <= route.ids | WORDS.keys()
            ),
        )
    ]


def _state_of(centre_id: int):
    """Everything a request could change about one centre."""
    return [
        [
            tuple(row)
            for row in db.session.execute(
                select(*columns).where(model.centre_id == centre_id).order_by(*columns)
            )
        ]
        for model, columns in (
            (AuditEntry, (AuditEntry.id,)),
            (User, (User.id, User.session_token, User.password_hash)),
            (Participant, (Participant.id, Participant.user_id)),
            (Event, (Event.id, Event.status, Event.places_taken, Event.version_id)),
            (Registration, (Registration.id, Registration.status)),
            (AccountRequest, (AccountRequest.id, AccountRequest.status)),
        )
    ]


def _id_routes(app, prefix):
    return [(rule, method) for rule, method in _routes(app, prefix) if ID.search(rule)]


def _people(a: Side):
    return [(role, a.emails[role], "/staff") for role in STAFF_ROLES] + [
        ("participant", a.participant_email, "/me")
    ]


def test_someone_elses_ids_are_not_found_for_every_role_and_route(app, sides, login_as):
    a, b = sides
    with app.app_context():
        b_before = _state_of(b.centre_id)
    problems, checked = [], 0
    for role, email, prefix in _people(a):
        client = login_as(email, fresh=True)
        for rule, method in _id_routes(app, prefix):
            data = FORM if method == "POST" else None
            theirs = client.open(urlmap.fill(rule, b.ids), method=method, data=data)
            ours = client.open(urlmap.fill(rule, a.ids), method=method, data=data)
            checked += 1
            # A role refused the route on its own centre's ids may be refused on B's too;
            # any role that may use it must find B's id missing. Nobody ever gets a 500.
            allowed = (404,) if ours.status_code != 403 else (403, 404)
            if role == "admin" and rule in INSTALLATION_WIDE:
                allowed = (200, 302)  # shown, or saved unchanged: FORM holds no detail
            if (
                theirs.status_code not in allowed
                or ours.status_code == 500
                or B_MARK in theirs.get_data(as_text=True)
            ):
                problems.append(
                    f"{role} {method} {rule}: B {theirs.status_code}, A {ours.status_code}"
                )
    assert checked >= 10  # the url_map really was walked
    assert problems == []
    with app.app_context():
        assert _state_of(b.centre_id) == b_before


def test_pages_without_ids_never_show_another_centres_people(app, sides, login_as):
    a, _b = sides
    problems = []
    for role, email, prefix in _people(a):
        client = login_as(email, fresh=True)
        for rule, method in _routes(app, prefix):
            if method != "GET" or ID.search(rule):
                continue
            for query in ("", "?q=sk"):  # a search that matches both centres' people
                response = client.get(rule + query)
                page = response.get_data(as_text=True)
                if response.status_code not in (200, 403) or B_MARK in page:
                    problems.append(f"{role} GET {rule}{query}: {response.status_code}")
    assert problems == []


def test_participant_lists_show_only_the_centres_own_people(app, sides, login_as):
    a, _b = sides
    for role in ("coordinator", "social_worker", "admin"):
        page = (
            login_as(a.emails[role], fresh=True).get("/staff/participants").get_data(as_text=True)
        )
        assert "Andrzejewskowa" in page, role
        assert "Andrzejewskski" in page, role
        assert B_MARK not in page, role


def test_advisor_sees_only_assigned_participants(app, sides, login_as):
    a, _b = sides
    client = login_as(a.emails["advisor"], fresh=True)
    page = client.get("/staff/caseload").get_data(as_text=True)
    assert "Andrzejewskowa" in page
    assert "Andrzejewskski" not in page
    assert client.get(f"/staff/participants/{a.assigned}").status_code == 200
    assert client.get(f"/staff/participants/{a.unassigned}").status_code == 404


def test_participant_is_refused_every_staff_url(app, sides, login_as):
    a, _b = sides
    client = login_as(a.participant_email, fresh=True)
    rules = [
        (route.rule, route.method)
        for route in urlmap.routes(app, lambda route: route.rule.startswith("/staff"))
    ]
    assert rules
    for rule, method in rules:
        url = urlmap.fill(rule, a.ids, ids_only=True)
        assert client.open(url, method=method).status_code == 403, rule


def test_session_scope_limits_every_query_to_one_centre(app, sides):
    a, b = sides
    with app.app_context():
        everyone = set(db.session.scalars(select(Participant.id)))
        assert {a.assigned, b.assigned} <= everyone
        database.scope_session(db.session, a.centre_id)
        seen = db.session.scalars(select(Participant)).all()
        assert {person.centre_id for person in seen} == {a.centre_id}
        assert {person.id for person in seen} == {a.assigned, a.unassigned}
        assert db.session.scalar(select(func.count(Event.id))) == 2  # its event and its session
        assert db.session.get(Participant, b.assigned) is None
        database.scope_session(db.session, None)
        assert set(db.session.scalars(select(Participant.id))) == everyone


def test_an_administrator_without_a_centre_never_meets_an_error(app, sides, make_user, login_as):
    a, _b = sides
    make_user(Role.ADMIN, email="instalacja@example.org")  # installation-wide, no centre
    client = login_as("instalacja@example.org", fresh=True)
    problems = []
    for rule, method in _routes(app, "/staff"):
        if method == "GET":
            response = client.get(urlmap.fill(rule, a.ids))
            page = response.get_data(as_text=True)
            # The participants' names (staff names are the administrator's to see).
            if response.status_code not in (200, 403, 404) or A_PEOPLE.search(page):
                problems.append(f"GET {rule}: {response.status_code}")
    assert problems == []
