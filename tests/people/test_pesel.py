"""PESEL: checksum, the birth date it encodes, how the participant form reports a bad one, one
person per number even when recorded twice at once, and a search that keeps it out of addresses."""

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial

import pytest
import requests
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Centre, Participant
from portal.models.enums import Role
from portal.models.people import Sex
from portal.services.common.errors import AlreadyExists
from portal.services.people import participants, pesel
from portal.services.people.pesel import InvalidPesel
from tests.helpers import input_tag, translated
from tests.live import csrf, signed_in

TIMEOUT = 120

CHECKSUM_MESSAGE = "its check digit does not match"
DATE_MESSAGE = "does not encode an existing date of birth"
LENGTH_MESSAGE = "exactly 11 digits"


def english(error: InvalidPesel) -> str:
    with force_locale("en"):
        return str(error.message)


def build(born: date, serial: str = "123", sex_digit: int = 5) -> str:
    """A PESEL written from the rules in DOMAIN.md, independently of the code under test."""
    offset = {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[born.year // 100]
    return with_check(
        f"{born.year % 100:02d}{born.month + offset:02d}{born.day:02d}{serial}{sex_digit}"
    )


def with_check(digits: str) -> str:
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return digits + str(check)


@pytest.mark.parametrize("number", ["44051401359", "02211307589"])
def test_valid_numbers_are_accepted(ctx, number):
    assert pesel.normalise(number) == number


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("44051401358", CHECKSUM_MESSAGE),
        ("02381307589", DATE_MESSAGE),
        ("4405140135", LENGTH_MESSAGE),
        ("440514013590", LENGTH_MESSAGE),
        ("4405140135X", LENGTH_MESSAGE),
        ("abcdefghijk", LENGTH_MESSAGE),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(ctx, number, message):
    with pytest.raises(InvalidPesel) as refused:
        pesel.normalise(number)
    assert message in english(refused.value)
    assert refused.value.field == "pesel"


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("44051401359", date(1944, 5, 14), Sex.MALE),
        ("02211307589", date(2002, 1, 13), Sex.FEMALE),
        (build(date(1880, 3, 9), sex_digit=4), date(1880, 3, 9), Sex.FEMALE),
        (build(date(2101, 5, 14), sex_digit=7), date(2101, 5, 14), Sex.MALE),
        (build(date(2230, 12, 31), sex_digit=0), date(2230, 12, 31), Sex.FEMALE),
    ],
)
def test_birth_date_and_sex_follow_from_the_number(ctx, number, born, sex):
    assert pesel.normalise(number) == number
    assert pesel.birth_date(number) == born
    assert pesel.sex(number) == sex


def test_month_offsets_decide_the_century(ctx):
    assert build(date(1880, 3, 9))[2:4] == "83"
    assert build(date(2101, 5, 14))[2:4] == "45"
    # A correct check digit does not save a date that does not exist: 30 February 2004.
    with pytest.raises(InvalidPesel) as refused:
        pesel.normalise(with_check("0422301235"))
    assert DATE_MESSAGE in english(refused.value)


def test_participant_form_shows_the_reason_beside_the_field_and_saves_nothing(
    app, client, make_centre, make_user, login_as
):
    make_user(Role.COORDINATOR, centre_id=make_centre(), email="koordynator@example.org")
    login_as("koordynator@example.org")
    response = client.post(
        "/staff/participants/new",
        data={"first_name": "Zdzisława", "last_name": "Pęczek", "pesel": "44051401358"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    message = "This PESEL number is not valid: its check digit does not match. Check for a typo."
    assert translated(app, message) in page
    pesel_input = input_tag(page, "pesel")
    assert 'aria-invalid="true"' in pesel_input
    assert "pesel-error" in pesel_input  # the message is tied to the field for screen readers
    assert 'value="Zdzisława"' in input_tag(page, "first_name")
    assert 'value="Pęczek"' in input_tag(page, "last_name")
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 0


# One PESEL, one person: the unique index decides, also between recordings sent at once.

ALREADY = "A participant with this PESEL number is already recorded."


def test_a_recording_that_slips_past_the_check_is_refused_by_the_index(
    app, make_centre, monkeypatch
):
    """Two recordings at once both find the number free; the second insert then meets the
    unique index and is refused beside the field, and the transaction goes on usable."""
    centre_id = make_centre()
    with app.app_context():
        centre = db.session.get(Centre, centre_id)
        project = participants.current_project(centre.id)
        record = partial(
            participants.create_participant, centre=centre, project=project, actor=None
        )
        record(first_name="Anna", last_name="Pierwsza", pesel_number="44051401359")
        db.session.commit()
        real = participants._pesel_taken
        missed = []

        def first_check_misses(centre_id, number):
            if not missed:
                missed.append(number)  # as if the other recording had not committed yet
                return False
            return real(centre_id, number)

        monkeypatch.setattr(participants, "_pesel_taken", first_check_misses)
        with pytest.raises(AlreadyExists) as refused:
            record(first_name="Anna", last_name="Druga", pesel_number="44051401359")
        assert missed == ["44051401359"]
        assert refused.value.field == "pesel"
        record(first_name="Jan", last_name="Bez-Numeru")
        db.session.commit()
        names = db.session.scalars(select(Participant.last_name).order_by(Participant.id))
        assert list(names) == ["Pierwsza", "Bez-Numeru"]


@pytest.mark.live
def test_four_recordings_of_one_pesel_at_once_give_one_participant(
    app, make_centre, make_user, server
):
    make_user(Role.COORDINATOR, centre_id=make_centre(), email="koordynator@example.org")
    browser = signed_in(server, "koordynator@example.org", timeout=TIMEOUT)
    token = csrf(browser.get(f"{server}/staff/participants/new", timeout=TIMEOUT).text)
    form = {
        "csrf_token": token,
        "first_name": "Zdzisława",
        "last_name": "Pęczek",
        "pesel": "44051401359",
        "village_id": "0",
        "advisor_id": "0",
    }

    def record() -> requests.Response:
        # The same form sent from four tabs, each on a connection of its own.
        tab = requests.Session()
        tab.cookies.update(browser.cookies)
        return tab.post(
            f"{server}/staff/participants/new", data=form, allow_redirects=False, timeout=TIMEOUT
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: record(), range(4)))

    assert sorted(r.status_code for r in responses) == [200, 200, 200, 302]
    for refused in (r for r in responses if r.status_code == 200):
        assert translated(app, ALREADY) in refused.text
        assert 'aria-invalid="true"' in input_tag(refused.text, "pesel")
        assert 'value="Zdzisława"' in input_tag(refused.text, "first_name")
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 1


# The search: a PESEL is posted, never put in an address.


def test_a_posted_pesel_finds_the_person_and_no_address_carries_it(
    app, client, make_centre, make_user, make_participant, login_as
):
    centre = make_centre()
    make_user(Role.SOCIAL_WORKER, centre_id=centre, email="pracownik@example.org")
    make_participant(centre, first_name="Zdzisława", last_name="Pęczek", pesel_number="44051401359")
    make_participant(centre, first_name="Jan", last_name="Inny", pesel_number="02211307589")
    login_as("pracownik@example.org")

    found = client.post("/staff/participants", data={"q": " 44051401359 "})

    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert "Pęczek Zdzisława" in page
    assert "Inny Jan" not in page
    addresses = re.findall(r'(?:href|action)="([^"]*)"', page)
    assert addresses
    assert not [address for address in addresses if "44051401359" in address]
    assert '<form method="post" action="/staff/participants"' in page
    # In an address the number finds nobody: nothing may come to depend on it there.
    by_address = client.get("/staff/participants?q=44051401359").get_data(as_text=True)
    assert "Pęczek" not in by_address
    # A part of a name still works either way.
    assert "Pęczek" in client.post("/staff/participants", data={"q": "ęcz"}).get_data(as_text=True)
    assert "Pęczek" in client.get("/staff/participants?q=ęcz").get_data(as_text=True)
    assert "Inny Jan" in client.get("/staff/participants").get_data(as_text=True)


def test_a_search_with_control_characters_is_refused_beside_the_field(
    app, client, make_centre, make_user, make_participant, login_as
):
    centre = make_centre()
    make_user(Role.COORDINATOR, centre_id=centre, email="koordynator@example.org")
    make_participant(centre, last_name="Pęczek")
    login_as("koordynator@example.org")

    response = client.post("/staff/participants", data={"q": "Pę\x00czek"})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    message = "Remove the invisible control characters (for example pasted from another program)."
    assert translated(app, message) in page
    assert 'aria-invalid="true"' in input_tag(page, "q")
