"""A namesake is warned of on the name alone (another village, another birth date, case and
diacritics aside), shown with birth year, village and masked PESEL, and confirmed by staff; the
pickers where staff choose a person tell namesakes apart by birth year and village."""

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Participant, Village
from portal.services.people import duplicates, labels, participants
from tests.helpers import EnglishClient, village_id

PESEL = "44051401359"  # born 1944-05-14


@pytest.fixture(autouse=True)
def _english_pages(app):
    app.test_client_class = EnglishClient


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Participant.id)))


def test_the_name_alone_is_enough_for_the_warning(app, client, centre, worker, make_participant):
    make_participant(
        centre,
        first_name="Łukasz",
        last_name="Wójcik",
        pesel_number=PESEL,
        village=None,
        with_account=False,
    )
    other = {
        "first_name": "LUKASZ",
        "last_name": "wojcik",
        "birth_date": "1990-02-03",
        "no_pesel_country": "Polska",
        "village_id": str(village_id(app, centre, "Biała Druga")),
    }
    warned = client.post("/staff/participants/new", data=other)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200
    assert 'name="different_person"' in page
    assert "born 1944" in page
    assert "*******1359" in page
    assert "no village" in page
    assert PESEL not in page
    assert 'value="LUKASZ"' in page  # what was typed is kept
    assert _count(app) == 1
    confirmed = client.post("/staff/participants/new", data=other | {"different_person": "y"})
    assert confirmed.status_code == 302
    assert _count(app) == 2


def test_the_service_folds_case_and_diacritics(app, centre, make_participant):
    make_participant(centre, first_name="Zoë", last_name="Łęcka", with_account=False)
    with app.app_context():
        assert duplicates.name_key(" Łęcka ") == "lecka"
        found = duplicates.namesakes(centre, first_name="zoe", last_name="LECKA")
        assert [p.last_name for p in found] == ["Łęcka"]
        assert duplicates.namesakes(centre, first_name="Zoe", last_name="Lecki") == []


def test_the_label_tells_namesakes_apart(app, centre, make_participant):
    biala = village_id(app, centre, "Biała Pierwsza")
    first = make_participant(centre, first_name="Jan", last_name="Kos", with_account=False)
    second = make_participant(centre, first_name="Jan", last_name="Kos", with_account=False)
    with app.app_context():
        one, two = db.session.get(Participant, first), db.session.get(Participant, second)
        one.birth_date, one.village_id = date(1980, 1, 2), biala
        db.session.commit()
        with force_locale("en"):
            found = participants.list_by_ids(centre, [first, second])
            people = {p.id: labels.label(p) for p in found}
        assert people[first] == "Kos Jan (born 1980 · Biała Pierwsza)"
        assert people[second] == "Kos Jan (year of birth unknown · no village)"
        assert two.village is None


def test_a_list_of_people_for_a_picker_is_one_statement(
    app, centre, make_participant, query_counter
):
    for _ in range(3):
        make_participant(centre, with_account=False)
    with app.app_context():
        village = db.session.scalar(select(Village).where(Village.centre_id == centre))
        for person in db.session.scalars(select(Participant)):
            person.village_id = village.id
        db.session.commit()
        db.session.expire_all()
        query = labels.with_village(select(Participant).where(Participant.centre_id == centre))
        with query_counter() as statements:
            shown = [labels.label(p) for p in db.session.scalars(query)]
        assert len(shown) == 3
        assert all(village.name in text for text in shown)
        assert len(statements) == 1


def test_the_event_sign_up_picker_shows_birth_year_and_village(
    app, client, centre, worker, make_participant, make_event
):
    person_id = make_participant(
        centre, first_name="Anna", last_name="Bąk", birth_date=date(1971, 5, 6), with_account=False
    )
    with app.app_context():
        db.session.get(Participant, person_id).village_id = village_id(app, centre, "Biała Druga")
        db.session.commit()
    page = client.get(f"/staff/events/{make_event(centre)}").get_data(as_text=True)
    assert "Bąk Anna (born 1971 · Biała Druga)" in page
