"""PESEL: checksum, the birth date it encodes, and how the participant form reports a bad one."""

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Participant
from portal.models.enums import Role, Sex
from portal.services import pesel
from portal.services.pesel import InvalidPesel
from tests.helpers import input_tag, translated

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
