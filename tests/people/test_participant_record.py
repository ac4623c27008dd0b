"""A participant's details after recording: edited, audited, guarded against stale saves and
against recording one person twice."""

from datetime import date

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Participant, Village
from portal.models.enums import Role
from portal.models.people import Sex
from tests.helpers import EnglishClient, input_tag

PESEL = "44051401359"  # born 1944-05-14, a man
OTHER_PESEL = "02211307589"  # born 2002-01-13, a woman


@pytest.fixture(autouse=True)
def _english_pages(app):
    """These tests read the English wording; the portal speaks Polish by default."""
    app.test_client_class = EnglishClient


def _person(app, person_id) -> Participant:
    with app.app_context():
        person = db.session.get(Participant, person_id)
        db.session.expunge(person)
        return person


def _version(app, person_id) -> str:
    return str(_person(app, person_id).version_id)


def _edit(client, app, person_id, **overrides):
    """Post the details form as opened now (on the record's current version)."""
    data = {"version": _version(app, person_id)} | _details(**overrides)
    return client.post(f"/staff/participants/{person_id}/edit", data=data)


def _details(**overrides) -> dict:
    data = {
        "first_name": "Zofia",
        "last_name": "Nowak",
        "pesel": "",
        "no_pesel_country": "Ukraina",
        "birth_date": "1980-03-02",
        "sex": "female",
        "email": "zofia@example.org",
        "phone": "+48 600 100 200",
        "village_id": "0",
        "advisor_id": "0",
        "social_worker_id": "0",
        "on_pal_path": "y",
    }
    return data | overrides


def test_every_detail_is_edited_and_audited_with_old_and_new(
    app, client, centre, worker, make_participant
):
    person_id = make_participant(centre, first_name="Zosia", last_name="Nowakowa")
    with app.app_context():
        village = db.session.scalar(select(Village.id).where(Village.centre_id == centre))
    page = client.get(f"/staff/participants/{person_id}/edit").get_data(as_text=True)
    assert 'value="Zosia"' in input_tag(page, "first_name")
    response = _edit(client, app, person_id, village_id=str(village), social_worker_id=str(worker))
    assert response.status_code == 302, response.get_data(as_text=True)
    person = _person(app, person_id)
    assert (person.first_name, person.last_name, person.no_pesel_country) == (
        "Zofia",
        "Nowak",
        "Ukraina",
    )
    assert person.birth_date == date(1980, 3, 2)
    assert person.sex == Sex.FEMALE
    assert (person.phone, person.village_id, person.social_worker_id) == (
        "+48 600 100 200",
        village,
        worker,
    )
    assert person.on_pal_path
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.update")
        ).one()
        # Personal data: the trail says what changed, never from what to what.
        assert entry.changes["first_name"] == {"old": "***", "new": "***"}
        assert entry.changes["birth_date"] == {"old": None, "new": "***"}
        assert "Zosia" not in str(entry.changes)


def test_a_pesel_gives_birth_date_and_sex_and_they_must_agree(
    app, client, centre, worker, make_participant
):
    person_id = make_participant(centre)
    before = _version(app, person_id)
    wrong = _edit(
        client, app, person_id, pesel=PESEL, no_pesel_country="", birth_date="1944-05-15", sex=""
    )
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 200
    assert "does not agree with the PESEL number" in page
    assert 'aria-invalid="true"' in input_tag(page, "birth_date")
    assert 'value="Zofia"' in input_tag(page, "first_name")  # what was typed is kept
    assert _version(app, person_id) == before  # nothing changed
    right = _edit(client, app, person_id, pesel=PESEL, no_pesel_country="", birth_date="", sex="")
    assert right.status_code == 302
    person = _person(app, person_id)
    assert (person.pesel, person.birth_date, person.sex) == (PESEL, date(1944, 5, 14), Sex.MALE)
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.update")
        ).one()
        assert entry.changes["pesel"] == {"old": None, "new": "***"}  # never in clear


def test_without_a_pesel_the_country_is_asked_for(app, client, centre, worker, make_participant):
    person_id = make_participant(centre)
    response = _edit(client, app, person_id, no_pesel_country="")
    assert "Enter the country of a person without a PESEL number." in response.get_data(
        as_text=True
    )
    assert _person(app, person_id).first_name == "Jan"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_date", "1899-12-31"),
        ("birth_date", "9999-01-01"),
        ("phone", "call me"),
        ("email", "not-an-address"),
        ("first_name", "x" * 101),
        ("first_name", "Zo\x00fia"),
        ("pesel", "44051401358"),
    ],
)
def test_bad_input_is_refused_beside_its_field(
    app, client, centre, worker, make_participant, field, value
):
    person_id = make_participant(centre)
    before = _version(app, person_id)
    response = _edit(client, app, person_id, **{field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert _version(app, person_id) == before


def test_an_old_birth_date_is_accepted(app, client, centre, worker, make_participant):
    person_id = make_participant(centre)
    response = _edit(client, app, person_id, birth_date="1931-07-01")
    assert response.status_code == 302
    assert _person(app, person_id).birth_date == date(1931, 7, 1)


def test_a_stale_save_is_a_conflict_that_keeps_the_typed_text(
    app, client, centre, worker, make_participant
):
    person_id = make_participant(centre)
    opened = _version(app, person_id)
    assert _edit(client, app, person_id, first_name="Pierwsza").status_code == 302
    stale = _edit(client, app, person_id, first_name="Druga", version=opened)
    page = stale.get_data(as_text=True)
    assert stale.status_code == 200
    assert "Someone else changed this record" in page
    assert 'value="Druga"' in input_tag(page, "first_name")
    assert f'value="{_version(app, person_id)}"' in input_tag(
        page, "version"
    )  # the next save is on the current record
    assert _person(app, person_id).first_name == "Pierwsza"


def test_a_pesel_held_by_another_record_is_refused_with_a_link_to_it(
    app, client, centre, worker, make_participant
):
    holder = make_participant(centre, pesel_number=PESEL)
    person_id = make_participant(centre)
    response = _edit(
        client, app, person_id, pesel=PESEL, no_pesel_country="", birth_date="", sex=""
    )
    page = response.get_data(as_text=True)
    assert "A participant with this PESEL number is already recorded." in page
    assert f'href="/staff/participants/{holder}"' in page
    assert _person(app, person_id).pesel is None
    recorded = client.post(
        "/staff/participants/new",
        data={"first_name": "Ktoś", "last_name": "Inny", "pesel": PESEL, "village_id": "0"},
    )
    assert f'href="/staff/participants/{holder}"' in recorded.get_data(as_text=True)


def test_a_namesake_is_a_warning_to_confirm(app, client, centre, worker, make_participant):
    with app.app_context():
        village = db.session.scalar(select(Village.id).where(Village.centre_id == centre))
    existing = make_participant(
        centre, first_name="Maria", last_name="Kowalska", village=db_village(app, village)
    )
    form = {"first_name": "maria", "last_name": "Kowalska", "village_id": str(village)}
    warned = client.post("/staff/participants/new", data=form)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200
    assert "This is a different person" in page
    assert f'href="/staff/participants/{existing}"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 1
    confirmed = client.post("/staff/participants/new", data=form | {"different_person": "y"})
    assert confirmed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 2


def test_the_confirmation_is_shown_only_when_namesakes_exist(client, centre, worker):
    page = client.get("/staff/participants/new").get_data(as_text=True)
    assert 'name="different_person"' not in page


def test_editing_into_a_namesake_is_warned_too(app, client, centre, worker, make_participant):
    make_participant(centre, first_name="Zofia", last_name="Nowak", with_account=False)
    with app.app_context():
        other = db.session.scalar(select(Participant).where(Participant.last_name == "Nowak"))
        other.birth_date = date(1980, 3, 2)
        db.session.commit()
    person_id = make_participant(centre)
    assert "This is a different person" in _edit(client, app, person_id).get_data(as_text=True)
    assert _edit(client, app, person_id, different_person="y").status_code == 302


def test_only_record_keepers_edit_and_other_centres_are_not_found(
    app, client, centre, make_user, make_participant, login_as
):
    person_id = make_participant(centre)
    make_user(Role.ADVISOR, centre_id=centre, email="advisor@example.org")
    login_as("advisor@example.org")
    assert client.get(f"/staff/participants/{person_id}/edit").status_code == 403
    make_user(Role.COORDINATOR, email="elsewhere@example.org")  # another centre
    elsewhere = app.test_client()
    login_as("elsewhere@example.org", test_client=elsewhere)
    assert elsewhere.get(f"/staff/participants/{person_id}/edit").status_code == 404


def test_people_lists_tell_namesakes_apart(app, client, centre, worker, make_participant):
    make_participant(centre, first_name="Jan", last_name="Kowal", pesel_number=PESEL)
    make_participant(centre, first_name="Jan", last_name="Kowal")
    page = client.get("/staff/participants").get_data(as_text=True)
    assert "*******1359" in page
    assert PESEL not in page


def db_village(app, village_id):
    with app.app_context():
        village = db.session.get(Village, village_id)
        db.session.expunge(village)
        return village


def test_recording_takes_a_birth_date_that_agrees_with_the_pesel(app, client, centre, worker):
    form = {"first_name": "Jan", "last_name": "Datowy", "village_id": "0"}
    wrong = client.post(
        "/staff/participants/new", data=form | {"pesel": PESEL, "birth_date": "1944-05-15"}
    )
    assert 'id="birth_date-error"' in wrong.get_data(as_text=True)
    too_old = client.post("/staff/participants/new", data=form | {"birth_date": "1899-01-01"})
    assert 'id="birth_date-error"' in too_old.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 0
    born = form | {"birth_date": "1950-01-02", "no_pesel_country": "Litwa"}
    assert client.post("/staff/participants/new", data=born).status_code == 302
    again = client.post("/staff/participants/new", data=born)
    assert "This is a different person" in again.get_data(as_text=True)  # same name and birth
    with app.app_context():
        person = db.session.scalars(select(Participant)).one()
        assert (person.birth_date, person.no_pesel_country) == (date(1950, 1, 2), "Litwa")


def test_namesakes_with_pesel_numbers_of_their_own_are_two_people(
    app, client, centre, worker, make_participant
):
    make_participant(centre, first_name="Jan", last_name="Kowal", pesel_number=PESEL)
    other = {"first_name": "Jan", "last_name": "Kowal", "village_id": "0"}
    # A made-up number of the same birth date: a namesake born the same day, with his own PESEL.
    same_day = "44051401366"
    response = client.post("/staff/participants/new", data=other | {"pesel": same_day})
    assert response.status_code == 302, response.get_data(as_text=True)
    without = client.post("/staff/participants/new", data=other | {"birth_date": "1944-05-14"})
    assert "This is a different person" in without.get_data(as_text=True)
