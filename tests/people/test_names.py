"""Names are letters of any alphabet, spaces, hyphens and apostrophes, on every form that takes one.

A digit or a symbol is refused beside the field and nothing is saved; a Polish, Ukrainian,
Belarusian or accented name is taken as typed (Ukrainian participants are common in Polish
social-welfare centres). Each form is posted over HTTP as its page would post it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AccountRequest, Participant, ProjectPost, Registration, User
from portal.models.enums import Role
from portal.services.common import names
from portal.services.people import participants
from tests.helpers import translated, village_id

LETTERS_ONLY = "Use only letters, spaces, hyphens and apostrophes."
LIST_OF_NAMES = "Use only letters, spaces, hyphens and apostrophes; put a comma between names."

REFUSED = ["Jan3", "Anna<b>", "Kowalski!", "Nowak_Jan", "@nna", "Ewa (8 lat)", "Zoë#"]
ACCEPTED = [
    "Zoë O’Brien-Łukasik",
    "Олена Шевченко-Коваль",  # Ukrainian
    "Мар'яна Ґалаган",  # Ukrainian, with the ASCII apostrophe and Ґ
    "Мар’яна Її",  # the typographic apostrophe, ї
    "Марʼяна",  # the Ukrainian modifier-letter apostrophe
    "Аляксандр Лукашэвіч",  # Belarusian
    "D’Angelo",
    "Zoe\u0308",  # ë typed as e and a combining diaeresis
]


def test_the_rule_itself():
    for name in ACCEPTED:
        assert names.is_name(name), name
    for name in [*REFUSED, "", " ", "-", "'", "’-’", "\u0308e", "Jan\u00a0Nowak", "Jan\tNowak"]:
        assert not names.is_name(name), name
    assert names.is_name("Ola, Ela i Kuba", separators=",")
    assert not names.is_name("Ola, Ela i Kuba")
    assert not names.is_name(" , ", separators=",")


@dataclass
class NameForm:
    """One form that takes a name: who posts it where, with which other fields, and how to
    tell whether something was saved."""

    name: str
    fields: tuple[str, ...]
    who: Callable  # (world) -> the e-mail to sign in with, or None for a visitor
    url: Callable  # (world) -> where the form is posted
    data: Callable  # (app, world) -> the form's other fields
    saved: Callable  # (app) -> a count that a successful post raises by one


@pytest.fixture
def world(app, make_centre, make_user, make_participant, make_event):
    centre = make_centre()
    make_user(Role.COORDINATOR, centre_id=centre, email="koordynator@example.org")
    make_user(Role.ADMIN, email="admin@example.org")
    person = make_participant(centre, on_pal_path=True)
    with app.app_context():
        project = participants.current_project(centre).id
        participant_email = db.session.get(Participant, person).user.email
    return {
        "centre": centre,
        "project": project,
        "person": person,
        "participant_email": participant_email,
        "event": make_event(centre, capacity=20),
    }


def _count(model, *where):
    def saved(app):
        with app.app_context():
            return db.session.scalar(select(func.count(model.id)).where(*where))

    return saved


def _participant_version(app, world):
    with app.app_context():
        return str(db.session.get(Participant, world["person"]).version_id)


def _edited(app):
    """The participant's record's version: a saved edit raises it by one."""
    with app.app_context():
        return db.session.scalar(select(func.max(Participant.version_id)))


def _coordinator(world):
    return "koordynator@example.org"


FORMS = [
    NameForm(
        "participant recorded by staff",
        ("first_name", "last_name"),
        _coordinator,
        lambda w: "/staff/participants/new",
        lambda app, w: {"first_name": "Jan", "last_name": "Nowak", "pesel": ""},
        _count(Participant),
    ),
    NameForm(
        "participant's details edited",
        ("first_name", "last_name"),
        _coordinator,
        lambda w: f"/staff/participants/{w['person']}/edit",
        lambda app, w: {
            "version": _participant_version(app, w),
            "first_name": "Jan",
            "last_name": "Nowak",
            "pesel": "",
            "no_pesel_country": "Ukraina",
            "birth_date": "1980-03-02",
            "village_id": "0",
            "advisor_id": "0",
            "social_worker_id": "0",
            "on_pal_path": "y",
        },
        _edited,
    ),
    NameForm(
        "account requested by a resident",
        ("first_name", "last_name"),
        lambda w: None,
        lambda w: "/request-account",
        lambda app, w: {
            "first_name": "Maria",
            "last_name": "Lis",
            "email": "maria.lis@example.org",
            "village_id": str(village_id(app, w["centre"], "Biała Druga")),
            "consent": "y",
        },
        _count(AccountRequest),
    ),
    NameForm(
        "staff account",
        ("first_name", "last_name"),
        _coordinator,
        lambda w: "/staff/users",
        lambda app, w: {
            "first_name": "Jan",
            "last_name": "Nowak",
            "email": "doradca@example.org",
            "roles": "advisor",
        },
        _count(User, User.email == "doradca@example.org"),
    ),
    NameForm(
        "centre and its first coordinator",
        ("coordinator_first_name", "coordinator_last_name"),
        lambda w: "admin@example.org",
        lambda w: "/staff/centres",
        lambda app, w: {
            "name": "Gminny Ośrodek Pomocy Społecznej w Zielonej",
            "short_name": "gops-zielona",
            "kind": "gops",
            "town": "Zielona",
            "coordinator_email": "koordynator@zielona.example.org",
            "coordinator_first_name": "Alicja",
            "coordinator_last_name": "Nowak",
        },
        _count(User, User.email == "koordynator@zielona.example.org"),
    ),
    NameForm(
        "project post",
        ("person_name",),
        _coordinator,
        lambda w: "/staff/posts/new",
        lambda app, w: {
            "project_id": str(w["project"]),
            "person_name": "Anna Nowak",
            "user_id": "",
            "title": "Doradca zawodowy",
            "fte_percent": "100",
            "starts_on": "2026-01-01",
            "ends_on": "",
            "monthly_cost": "4 200,00",
        },
        _count(ProjectPost),
    ),
    NameForm(
        "family members at an event",
        ("companion_names",),
        lambda w: w["participant_email"],
        lambda w: f"/me/events/{w['event']}/sign-up",
        lambda app, w: {"companions": "2", "companion_names": "Ola, Ela"},
        _count(Registration),
    ),
]


def _error_beside(page: str, field: str) -> str:
    """The text of the error message shown beside the field, or "" when there is none."""
    found = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', page, re.S)
    if not found:
        return ""
    text = re.sub(r'<span class="visually-hidden">.*?</span>', "", found.group(1))
    return unescape(re.sub(r"<[^>]+>", "", text)).strip()


@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_digits_and_symbols_are_refused_beside_the_field_any_alphabet_is_taken(
    app, client, login_as, world, form
):
    message = LIST_OF_NAMES if form.fields == ("companion_names",) else LETTERS_ONLY
    email = form.who(world)
    if email is not None:  # else a visitor's form
        login_as(email)
    before = form.saved(app)
    for field in form.fields:
        for bad in REFUSED[:3] if field != form.fields[0] else REFUSED:
            data = form.data(app, world) | {field: bad}
            response = client.post(form.url(world), data=data)
            assert response.status_code in (200, 400), (field, bad, response.status_code)
            page = response.get_data(as_text=True)
            assert _error_beside(page, field) == translated(app, message, html=False), (field, bad)
            assert form.saved(app) == before, (field, bad)

    # Polish, accented and Ukrainian names, with hyphens and both apostrophes, are taken.
    last = form.fields[-1]
    value = ", ".join(ACCEPTED[:4]) if last == "companion_names" else ACCEPTED[0]
    data = form.data(app, world) | {form.fields[0]: ACCEPTED[1]} | {last: value}
    response = client.post(form.url(world), data=data)
    page = response.get_data(as_text=True)
    assert not any(_error_beside(page, name) for name in form.fields), page
    assert response.status_code in (200, 302)
    assert form.saved(app) == before + 1


def test_every_name_in_the_demo_and_the_factories_obeys_the_rule(app, demo, make_participant):
    # The factories' counters are letters too (the tenth person is not "Uczestnik10").
    for _ in range(30):
        make_participant()
    with app.app_context():
        people = db.session.execute(select(Participant.first_name, Participant.last_name)).all()
        staff = db.session.execute(select(User.first_name, User.last_name)).all()
        posts = db.session.scalars(select(ProjectPost.person_name)).all()
        families = db.session.scalars(
            select(Registration.companion_names).where(Registration.companion_names != "")
        ).all()
    assert len(people) > 30
    for first, last in [*people, *staff]:
        assert names.is_name(first), first
        assert names.is_name(last), last
    assert all(names.is_name(name) for name in posts), posts
    assert all(names.is_name(text, separators=",") for text in families), families
