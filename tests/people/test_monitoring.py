"""ESF monitoring data on one staff form, the list of incomplete minimum data, the end of support
and the list of results at exit still due."""

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, CaseworkEntry, Participant, User
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.models.people import Answer, LabourMarketStatus
from portal.models.support import ContactKind
from portal.services.common import dates
from portal.services.common.errors import PortalError
from portal.services.people import monitoring
from tests.helpers import EnglishClient, input_tag

PESEL = "44051401359"  # born 1944-05-14


@pytest.fixture(autouse=True)
def _english_pages(app):
    """These tests read the English wording; the portal speaks Polish by default."""
    app.test_client_class = EnglishClient


@pytest.fixture
def centre(make_centre):
    return make_centre()


@pytest.fixture
def worker(centre, make_user, login_as):
    make_user(Role.SOCIAL_WORKER, centre_id=centre, email="worker@example.org")
    login_as("worker@example.org")


def _person(app, person_id) -> Participant:
    with app.app_context():
        person = db.session.get(Participant, person_id)
        db.session.expunge(person)
        return person


def _monitoring(app, person_id, **overrides) -> dict:
    data = {
        "version": str(_person(app, person_id).version_id),
        # No support is recorded for these people: the start is a correction, with its reason.
        "support_start": "2026-02-01",
        "support_start_reason": "First interview held before the portal was used",
        "education": "upper_secondary",
        "town": "Janów Lubelski",
        "postcode": "23-300",
        "area": "rural",
        "labour_market_status": "unemployed_registered",
        "is_long_term_unemployed": "y",
        "minority": "refused",
        "homeless": "no",
        "disability": "no",
        "jobless_household": "yes",
        "jobless_household_with_children": "no",
        "single_adult_with_children": "no",
        "other_disadvantage": "refused",
        "cares_for_child_under_7": "no",
    }
    return data | overrides


def test_age_at_entry_is_counted_in_full_years():
    assert monitoring.age_at_entry(date(1980, 3, 2), date(2026, 3, 1)) == 45
    assert monitoring.age_at_entry(date(1980, 3, 2), date(2026, 3, 2)) == 46
    assert monitoring.age_at_entry(None, date(2026, 3, 2)) is None


def test_the_monitoring_data_are_saved_audited_and_the_age_shown(
    app, client, centre, worker, make_participant
):
    person_id = make_participant(centre, pesel_number=PESEL)
    url = f"/staff/participants/{person_id}/monitoring"
    assert client.get(url).status_code == 200
    response = client.post(url, data=_monitoring(app, person_id))
    assert response.status_code == 302, response.get_data(as_text=True)
    person = _person(app, person_id)
    assert person.labour_market_status == LabourMarketStatus.UNEMPLOYED_REGISTERED
    assert person.is_long_term_unemployed is True
    assert person.is_in_education is None
    assert person.minority == Answer.REFUSED
    assert person.cares_for_child_under_7 is False
    assert person.support_start == date(2026, 2, 1)
    assert person.postcode == "23-300"
    page = client.get(url).get_data(as_text=True)
    assert "<dd>81</dd>" in page  # 1944-05-14 to 2026-02-01
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.monitoring")
        ).one()
        assert entry.changes["minority"] == {"old": None, "new": "refused"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"labour_market_status": "employed"}, "is_long_term_unemployed"),
        ({"is_in_education": "y"}, "is_in_education"),
        ({"occupation": "Spawacz"}, "occupation"),
        ({"jobless_household": "no"}, "jobless_household_with_children"),
        ({"support_start": "1944-05-13"}, "support_start"),
        ({"support_start": "2000-01-01"}, None),
        ({"postcode": "23300"}, "postcode"),
        ({"area": "suburban"}, "area"),
        ({"town": "x" * 101}, "town"),
        ({"street": "ul.\x00Długa"}, "street"),
        ({"support_start": "9999-01-01"}, "support_start"),
    ],
)
def test_inconsistent_or_bad_answers_are_refused_beside_the_field(
    app, client, centre, worker, make_participant, overrides, field
):
    person_id = make_participant(centre, pesel_number=PESEL)
    if field is None:  # 2000-01-01 is after the birth: accepted
        response = client.post(
            f"/staff/participants/{person_id}/monitoring",
            data=_monitoring(app, person_id, **overrides),
        )
        assert response.status_code == 302
        return
    response = client.post(
        f"/staff/participants/{person_id}/monitoring", data=_monitoring(app, person_id, **overrides)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert _person(app, person_id).labour_market_status is None  # nothing saved


def test_support_before_birth_is_refused(app, client, centre, worker, make_participant):
    person_id = make_participant(centre)
    with app.app_context():
        db.session.get(Participant, person_id).birth_date = date(2010, 6, 1)
        db.session.commit()
    response = client.post(
        f"/staff/participants/{person_id}/monitoring",
        data=_monitoring(app, person_id, support_start="2009-01-01"),
    )
    assert "Participation cannot start before the date of birth." in response.get_data(as_text=True)


def test_the_incomplete_list_names_people_missing_minimum_data_in_bounded_queries(
    app, client, centre, worker, make_participant, make_centre, query_counter
):
    complete = make_participant(
        centre, first_name="Pełna", last_name="Kompletna", pesel_number=PESEL
    )
    assert (
        client.post(
            f"/staff/participants/{complete}/monitoring", data=_monitoring(app, complete)
        ).status_code
        == 302
    )
    for n in range(3):
        make_participant(centre, first_name="Niepełna", last_name=f"Brakowska{n}")
    make_participant(make_centre(), first_name="Obca", last_name="Zagraniczna")
    with query_counter() as statements:
        page = client.get("/staff/participants/esf-incomplete").get_data(as_text=True)
    assert "Brakowska0" in page
    assert "Brakowska2" in page
    assert "Kompletna" not in page
    assert "Zagraniczna" not in page
    assert "labour-market status" in page
    few = len(statements)
    for n in range(3, 8):
        make_participant(centre, first_name="Niepełna", last_name=f"Brakowska{n}")
    with query_counter() as statements:
        client.get("/staff/participants/esf-incomplete")
    assert len(statements) == few  # the count does not grow with the people listed


def test_months_are_counted_in_calendar_months_to_the_same_day():
    assert monitoring.months_later(date(2025, 8, 1), 6) == date(2026, 2, 1)
    assert monitoring.months_later(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert monitoring.months_later(date(2023, 2, 28), 12) == date(2024, 2, 28)
    assert monitoring.months_later(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert monitoring.months_later(date(2025, 12, 15), 1) == date(2026, 1, 15)


UNDER_25 = date(2001, 2, 2)  # 24 on 2026-02-01, the start of support, 25 the day after
AT_25 = date(2001, 2, 1)  # 25 on the day support starts


@pytest.mark.parametrize(
    ("born", "since", "ticked", "refused"),
    [
        # Under 25: more than 6 months before 2026-02-01 is long-term.
        (UNDER_25, "2025-08-01", True, True),  # exactly 6 months
        (UNDER_25, "2025-08-01", False, False),
        (UNDER_25, "2025-07-31", True, False),  # one day more
        (UNDER_25, "2025-07-31", False, True),
        # 25 and over: more than 12 months.
        (AT_25, "2025-02-01", True, True),  # exactly 12 months
        (AT_25, "2025-02-01", False, False),
        (AT_25, "2025-01-31", True, False),  # one day more
        (AT_25, "2025-01-31", False, True),
        (AT_25, "2025-07-31", True, True),  # long-term under 25, not at 25
        (AT_25, "2025-07-31", False, False),
        (date(1944, 5, 14), "1999-05-01", True, False),  # before the centre's years of records
    ],
)
def test_the_long_term_flag_must_agree_with_the_date_and_the_age_at_entry(
    app, client, centre, worker, make_participant, born, since, ticked, refused
):
    person_id = make_participant(centre, birth_date=born)
    data = _monitoring(
        app, person_id, unemployed_since=since, is_long_term_unemployed="y" if ticked else ""
    )
    response = client.post(f"/staff/participants/{person_id}/monitoring", data=data)
    person = _person(app, person_id)
    if refused:
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert 'id="is_long_term_unemployed-error"' in page
        assert f'value="{since}"' in input_tag(page, "unemployed_since")
        assert (person.labour_market_status, person.unemployed_since) == (None, None)
    else:
        assert response.status_code == 302, response.get_data(as_text=True)
        assert person.unemployed_since == date.fromisoformat(since)
        assert person.is_long_term_unemployed is ticked


def test_the_refusal_names_the_threshold_of_the_persons_age(
    app, client, centre, worker, make_participant
):
    young = make_participant(centre, birth_date=UNDER_25)
    page = client.post(
        f"/staff/participants/{young}/monitoring",
        data=_monitoring(app, young, unemployed_since="2025-08-01"),
    ).get_data(as_text=True)
    error = page[page.index('id="is_long_term_unemployed-error"') :][:400]
    assert "Under 25 at entry" in error
    assert "more than 6 months" in error
    older = make_participant(centre, birth_date=AT_25)
    page = client.post(
        f"/staff/participants/{older}/monitoring",
        data=_monitoring(app, older, unemployed_since="2025-01-31", is_long_term_unemployed=""),
    ).get_data(as_text=True)
    error = page[page.index('id="is_long_term_unemployed-error"') :][:400]
    assert "At 25 and over at entry" in error
    assert "more than 12 months" in error
    assert "Tick this box" in error


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("tomorrow", "cannot be in the future"),
        ("2026-02-02", "cannot be after the start of support"),
        ("1944-05-13", "cannot be before the date of birth"),
        ("1899-12-31", "Enter a date between"),
    ],
)
def test_an_impossible_unemployment_date_is_refused_beside_it(
    app, client, centre, worker, make_participant, since, message
):
    person_id = make_participant(centre, pesel_number=PESEL)
    if since == "tomorrow":
        since = (dates.local_date(utcnow()) + timedelta(days=1)).isoformat()
    response = client.post(
        f"/staff/participants/{person_id}/monitoring",
        data=_monitoring(app, person_id, unemployed_since=since),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    error = page[page.index('id="unemployed_since-error"') :][:300]
    assert message in error
    assert f'value="{since}"' in input_tag(page, "unemployed_since")
    assert _person(app, person_id).labour_market_status is None


def test_the_flag_alone_or_with_an_unknown_age_is_kept_as_given(
    app, client, centre, worker, make_participant
):
    known = make_participant(centre, pesel_number=PESEL)
    response = client.post(
        f"/staff/participants/{known}/monitoring",
        data=_monitoring(app, known, unemployed_since=""),
    )
    assert response.status_code == 302
    person = _person(app, known)
    assert (person.is_long_term_unemployed, person.unemployed_since) == (True, None)
    unknown = make_participant(centre)  # no PESEL, no birth date: the age at entry is unknown
    response = client.post(
        f"/staff/participants/{unknown}/monitoring",
        data=_monitoring(app, unknown, unemployed_since="2025-12-01"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    person = _person(app, unknown)
    assert (person.is_long_term_unemployed, person.unemployed_since) == (True, date(2025, 12, 1))


def test_the_unemployment_date_is_shown_and_cleared_when_the_status_changes(
    app, client, centre, worker, make_participant
):
    person_id = make_participant(centre, pesel_number=PESEL)
    url = f"/staff/participants/{person_id}/monitoring"
    response = client.post(url, data=_monitoring(app, person_id, unemployed_since="2024-06-03"))
    assert response.status_code == 302
    assert 'value="2024-06-03"' in input_tag(
        client.get(url).get_data(as_text=True), "unemployed_since"
    )
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.monitoring")
        ).one()
        assert entry.changes["unemployed_since"] == {"old": None, "new": "2024-06-03"}
    inactive = _monitoring(
        app,
        person_id,
        labour_market_status="inactive",
        is_long_term_unemployed="",
        unemployed_since="2024-06-03",
    )
    assert client.post(url, data=inactive).status_code == 302
    person = _person(app, person_id)
    assert person.labour_market_status == LabourMarketStatus.INACTIVE
    assert (person.unemployed_since, person.is_long_term_unemployed) == (None, None)
    assert 'value=""' in input_tag(client.get(url).get_data(as_text=True), "unemployed_since")


def test_the_service_clears_the_date_and_checks_it_with_its_own_clock(app, make_participant):
    person_id = make_participant(birth_date=UNDER_25)
    with app.app_context():
        person = db.session.get(Participant, person_id)
        blank = {
            field.name: "" if field.type is str else None
            for field in dataclasses.fields(monitoring.MonitoringData)
        }
        data = monitoring.MonitoringData(
            **blank
            | {
                "labour_market_status": LabourMarketStatus.UNEMPLOYED_UNREGISTERED,
                "is_long_term_unemployed": False,
                "is_in_education": False,
                "unemployed_since": date(2026, 1, 10),
            }
        )
        actor = None
        early = datetime(2026, 1, 9, 12, tzinfo=UTC)
        with pytest.raises(PortalError) as refused:
            monitoring.update(person, data, version=person.version_id, actor=actor, now=early)
        assert refused.value.field == "unemployed_since"
        monitoring.update(
            person, data, version=person.version_id, actor=actor, now=early + timedelta(days=1)
        )
        assert person.unemployed_since == date(2026, 1, 10)
        data.labour_market_status = LabourMarketStatus.EMPLOYED
        monitoring.update(
            person, data, version=person.version_id, actor=actor, now=early + timedelta(days=1)
        )
        assert person.unemployed_since is None
        db.session.rollback()


def _exit(app, person_id, **overrides) -> dict:
    data = {
        "version": str(_person(app, person_id).version_id),
        "support_end": "2026-03-31",
        "how": "completed",
        "reason": "",
        "result_on": "",
    }
    return data | overrides


@pytest.fixture
def started(app, client, centre, worker, make_participant):
    person_id = make_participant(centre, pesel_number=PESEL)
    response = client.post(
        f"/staff/participants/{person_id}/monitoring", data=_monitoring(app, person_id)
    )
    assert response.status_code == 302
    return person_id


def _supported(app, person_id: int, day: date) -> None:
    """A social worker's contact with the person on `day`: support delivered."""
    with app.app_context():
        person = db.session.get(Participant, person_id)
        db.session.add(
            CaseworkEntry(
                centre_id=person.centre_id,
                worker_id=db.session.scalar(
                    select(User.id).where(User.email == "worker@example.org")
                ),
                participant_id=person_id,
                happened_on=day,
                contact_kind=ContactKind.INTERVIEW,
                minutes=30,
            )
        )
        db.session.commit()


def test_an_exit_without_result_is_due_until_the_result_is_recorded(app, client, started):
    url = f"/staff/participants/{started}/exit"
    response = client.post(url, data=_exit(app, started, how="early", reason="Podjął pracę"))
    assert response.status_code == 302, response.get_data(as_text=True)
    person = _person(app, started)
    assert person.left_early is True
    assert person.exit_completed_path is False
    assert person.exit_reason == "Podjął pracę"
    assert person.exit_employed is None
    # Someone recorded who never received support is no participant and owes no result.
    due = client.get("/staff/participants/results-due").get_data(as_text=True)
    assert person.last_name not in due
    _supported(app, started, date(2026, 2, 3))
    due = client.get("/staff/participants/results-due").get_data(as_text=True)
    assert person.last_name in due
    assert "*******1359" in due
    today = dates.local_date(utcnow()).isoformat()
    response = client.post(
        url,
        data=_exit(
            app, started, how="early", reason="Podjął pracę", result_on=today, exit_employed="y"
        ),
    )
    assert response.status_code == 302
    person = _person(app, started)
    assert person.exit_employed is True
    assert person.exit_job_seeking is False
    assert person.last_name not in client.get("/staff/participants/results-due").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"how": "early"}, "reason"),
        ({"reason": "Bez powodu"}, "reason"),
        ({"support_end": "2026-01-31"}, "support_end"),
        ({"support_end": ""}, "support_end"),
        ({"exit_employed": "y"}, "result_on"),
        ({"result_on": "2026-03-30"}, "result_on"),
        ({"how": "maybe"}, "how"),
        ({"reason": "x" * 501, "how": "early"}, "reason"),
    ],
)
def test_a_bad_exit_is_refused_beside_its_field(app, client, started, overrides, field):
    response = client.post(
        f"/staff/participants/{started}/exit", data=_exit(app, started, **overrides)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert _person(app, started).support_end is None


def test_an_exit_in_the_future_or_before_any_start_is_refused(
    app, client, centre, worker, make_participant, started
):
    future = (dates.local_date(utcnow()) + timedelta(days=2)).isoformat()
    response = client.post(
        f"/staff/participants/{started}/exit", data=_exit(app, started, support_end=future)
    )
    assert "cannot be in the future" in response.get_data(as_text=True)
    fresh = make_participant(centre)
    response = client.post(f"/staff/participants/{fresh}/exit", data=_exit(app, fresh))
    assert 'id="support_end-error"' in response.get_data(as_text=True)


def test_a_stale_monitoring_save_is_a_conflict(app, client, started):
    url = f"/staff/participants/{started}/monitoring"
    stale = _monitoring(app, started, town="Stara")
    assert client.post(url, data=_monitoring(app, started, town="Nowa")).status_code == 302
    page = client.post(url, data=stale).get_data(as_text=True)
    assert "Someone else changed this record" in page
    assert 'value="Stara"' in input_tag(page, "town")
    assert _person(app, started).town == "Nowa"


@pytest.mark.parametrize(
    "path", ["esf-incomplete", "results-due", "{id}/monitoring", "{id}/exit", "{id}/edit"]
)
def test_advisors_are_refused(app, client, centre, make_user, make_participant, login_as, path):
    person_id = make_participant(centre)
    make_user(Role.ADVISOR, centre_id=centre, email="advisor@example.org")
    login_as("advisor@example.org")
    assert client.get(f"/staff/participants/{path.format(id=person_id)}").status_code == 403


def test_a_participant_sees_their_monitoring_data_and_corrects_contact_details(
    app, client, centre, make_participant, login_as
):
    person_id = make_participant(centre, first_name="Ewa", last_name="Własna")
    other = make_participant(centre, first_name="Obca", last_name="Sąsiadka")
    with app.app_context():
        person = db.session.get(Participant, person_id)
        person.minority, person.support_start = Answer.REFUSED, date(2026, 2, 1)
        email = person.user.email
        db.session.get(Participant, other).phone = "+48 111 222 333"
        db.session.commit()
    login_as(email)
    page = client.get("/me/my-details").get_data(as_text=True)
    assert "Ewa Własna" in page
    assert "Sąsiadka" not in page
    assert "111 222 333" not in page
    assert "Refuses to answer" in page or "Odmowa" in page
    version = str(_person(app, person_id).version_id)
    bad = client.post("/me/my-details", data={"version": version, "phone": "dzwoń\x00"})
    assert 'id="phone-error"' in bad.get_data(as_text=True)
    assert _person(app, person_id).phone is None
    good = client.post(
        "/me/my-details",
        data={"version": version, "email": "Ewa.Nowa@Example.org", "phone": "600 700 800"},
    )
    assert good.status_code == 302
    person = _person(app, person_id)
    assert (person.email, person.phone) == ("ewa.nowa@example.org", "600 700 800")
    with app.app_context():
        assert db.session.get(Participant, person_id).user.email == email  # sign-in unchanged
    assert client.post("/me/my-details/confirm").status_code == 302
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"participant.contact", "participant.data_confirmed"} <= actions


def test_staff_cannot_use_the_participants_own_page(client, centre, worker):
    assert client.get("/me/my-details").status_code == 403


# --- the three questions 2021–2027 asks apart -------------------------------------------------

CST2021_ANSWERS = {
    "national_minority": "yes",
    "foreign_origin": "refused",
    "third_country_national": "no",
}


def test_the_three_2021_2027_answers_are_saved_apart_audited_and_shown_to_the_person(
    app, client, centre, worker, make_participant, login_as
):
    person_id = make_participant(centre, pesel_number=PESEL)
    url = f"/staff/participants/{person_id}/monitoring"
    response = client.post(url, data=_monitoring(app, person_id, **CST2021_ANSWERS))
    assert response.status_code == 302, response.get_data(as_text=True)
    person = _person(app, person_id)
    assert (person.national_minority, person.foreign_origin, person.third_country_national) == (
        Answer.YES,
        Answer.REFUSED,
        Answer.NO,
    )
    assert person.minority == Answer.REFUSED  # 2007–2020's one question is its own answer
    form = client.get(url).get_data(as_text=True)
    for name, value in CST2021_ANSWERS.items():  # the form opens on the saved answers
        inputs = re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', form)
        checked = [tag for tag in inputs if re.search(r"\bchecked\b", tag)]
        assert len(checked) == 1, inputs
        assert f'value="{value}"' in checked[0], checked
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.monitoring")
        ).one()
        assert entry.changes["national_minority"] == {"old": None, "new": "yes"}
        assert entry.changes["third_country_national"] == {"old": None, "new": "no"}
        email = db.session.get(Participant, person_id).user.email
    participant = login_as(email, fresh=True)
    own = participant.get("/me/my-details").get_data(as_text=True)
    for anchor, label in (
        ("national-minority", "Yes"),
        ("foreign-origin", "Refuses to answer"),
        ("third-country-national", "No"),
    ):
        block = own.split(f'id="{anchor}"', 1)[1].split("</div>", 1)[0]
        assert f"<dd>{label}</dd>" in block
    # Everything held about the person: the download and its readable page name each answer.
    held = participant.get("/me/my-data.json").get_json()["participant"]
    assert {name: held[name] for name in CST2021_ANSWERS} == CST2021_ANSWERS
    readable = participant.get("/me/my-data").get_data(as_text=True)
    for label in (
        "National or ethnic minority",
        "Person of foreign origin",
        "Third-country national",
    ):
        assert label in readable


def test_a_third_country_national_is_not_refused_as_of_foreign_origin_beside_the_field(
    app, client, centre, worker, make_participant
):
    person_id = make_participant(centre, pesel_number=PESEL)
    response = client.post(
        f"/staff/participants/{person_id}/monitoring",
        data=_monitoring(app, person_id, third_country_national="yes", foreign_origin="no"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="foreign_origin-error"' in page
    assert _person(app, person_id).third_country_national is None  # nothing saved
    allowed = client.post(
        f"/staff/participants/{person_id}/monitoring",
        data=_monitoring(app, person_id, third_country_national="yes", foreign_origin="yes"),
    )
    assert allowed.status_code == 302
