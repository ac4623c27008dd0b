"""The participants in the central monitoring system's template: the demo's Janów 2013 stage is
37 rows under the PEFS 2007 header; the central system's checks list every fault at its person
and field, with a link to correct it, and a stage with a fault gives no file; each class of bad
data is caught by its check; the template follows the project's programme period."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Job, JobStatus, Participant, Project, ProjectStage, User
from portal.models.people import Answer, Education, LabourMarketStatus, Sex
from portal.services.esf import central_system, central_templates
from portal.services.esf.central_templates import CST2021, PEFS2007, SL2014
from portal.services.reporting import stage_people
from portal.services.reporting.stage_people import Participation
from tests.helpers import demo_stage
from tests.jobs.helpers import job_of, prepared, run_queued

DEMO_PASSWORD = "pierwszy-krok"
COORDINATOR = "koordynator@example.org"


def _page(stage_id: int) -> str:
    return f"/staff/esf-export/stages/{stage_id}/central-system"


def _sheet(body: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(body))
    return list(workbook["Uczestnicy"].iter_rows(values_only=True))


def _exports(app) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "esf.export").order_by(AuditEntry.id)
            )
        )


# --- the demo ---------------------------------------------------------------------------------


def test_janow_2013_is_37_rows_under_the_pefs_header_and_the_download_is_audited(
    app, demo, login_as
):
    client = login_as(COORDINATOR, DEMO_PASSWORD)
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        stage_id = stage.id
        took_part = set(stage_people.participation(stage))
        pesels = set(
            db.session.scalars(select(Participant.pesel).where(Participant.id.in_(took_part)))
        )
    exports_page = client.get(f"/staff/stages/{stage_id}/exports?lang=en").get_data(as_text=True)
    assert f'href="{_page(stage_id)}"' in exports_page
    page = client.get(f"{_page(stage_id)}?lang=en").get_data(as_text=True)
    assert "found no faults" in page
    assert f'action="{_page(stage_id)}.xlsx"' in page

    response = prepared(client, f"{_page(stage_id)}.xlsx")
    assert response.status_code == 200
    assert response.mimetype == central_system.XLSX
    assert "pefs2007-PEFS2007-3.0-1-etap-2013-" in response.headers["Content-Disposition"]
    rows = _sheet(response.get_data())
    assert list(rows[0]) == PEFS2007.header
    assert len(rows) - 1 == 37 == len(took_part)
    column = {header: index for index, header in enumerate(rows[0])}
    assert {row[column["PESEL"]] for row in rows[1:]} == pesels  # the same people, in full
    assert [row[column["Lp."]] for row in rows[1:]] == list(range(1, 38))
    assert all(
        isinstance(row[column["Wiek w chwili przystąpienia do projektu"]], int) for row in rows[1:]
    )

    entries = _exports(app)
    assert len(entries) == 1
    changes = entries[0].changes
    assert changes["target"]["new"] == "central_system"
    assert changes["rows"]["new"] == 37
    assert changes["version"]["new"] == PEFS2007.version
    assert len(changes["sha256"]["new"]) == 64
    with app.app_context():
        coordinator = db.session.scalars(select(User).where(User.email == COORDINATOR)).one()
        assert entries[0].actor_id == coordinator.id
        assert (entries[0].entity_type, entries[0].entity_id) == ("project_stages", stage_id)


def test_a_pesel_that_disagrees_with_the_birth_date_is_listed_and_blocks_the_file(
    app, demo, login_as
):
    client = login_as(COORDINATOR, DEMO_PASSWORD)
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        stage_id = stage.id
        person_id = min(stage_people.participation(stage))
        person = db.session.get_one(Participant, person_id)
        person.birth_date += timedelta(days=1)  # a typo: the PESEL says the day before
        name = person.full_name
        db.session.commit()
    page = client.get(f"{_page(stage_id)}?lang=en").get_data(as_text=True)
    assert name in page
    assert "The PESEL gives the date of birth" in page
    assert f'href="/staff/participants/{person_id}/edit#pesel"' in page  # where to correct it
    assert f'action="{_page(stage_id)}.xlsx"' not in page  # no file is offered

    response = client.post(
        f"{_page(stage_id)}.xlsx?lang=en", headers={"Referer": f"http://localhost{_page(stage_id)}"}
    )
    # The checks run again in the worker: the job fails with the refusal, and no file is made.
    job_id = job_of(response)
    run_queued(app)
    job_page = client.get(f"/staff/jobs/{job_id}?lang=en")
    assert job_page.status_code == 200
    assert "then download the file" in job_page.get_data(as_text=True)
    assert client.get(f"/staff/jobs/{job_id}/file").status_code == 404
    assert _exports(app) == []  # nothing left, not even without the person
    with app.app_context():
        listed = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.listed")
        ).all()
        assert any(person_id in entry.changes["shown"]["new"] for entry in listed)


def test_chrzanow_2009_lists_its_two_incomplete_people_with_links_to_their_monitoring(
    app, demo, login_as
):
    client = login_as("chrzanow@example.org", DEMO_PASSWORD)
    with app.app_context():
        stage_id = demo_stage("gops-chrzanow", 2009).id
        ids = sorted(stage_people.participation(demo_stage("gops-chrzanow", 2009)))
    page = client.get(f"{_page(stage_id)}?lang=en").get_data(as_text=True)
    for person_id in ids:
        assert f'href="/staff/participants/{person_id}/monitoring#labour_market_status"' in page
    assert "Missing from the minimum data set" in page
    assert f'action="{_page(stage_id)}.xlsx"' not in page


def test_a_2021_2027_project_lists_each_unanswered_question_with_a_link_to_its_field(
    app, demo, login_as
):
    client = login_as(COORDINATOR, DEMO_PASSWORD)
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        stage_id = stage.id
        stage.project.number = "FELU.08.01-IZ.00-0001/23"  # a 2021–2027 programme's number
        people = sorted(stage_people.participation(stage))
        answered = db.session.get_one(Participant, people[0])
        answered.national_minority = answered.third_country_national = Answer.NO
        answered.foreign_origin = Answer.REFUSED  # a refusal is an answer
        db.session.commit()
    page = client.get(f"{_page(stage_id)}?lang=en").get_data(as_text=True)
    for field in ("national_minority", "foreign_origin", "third_country_national"):
        link = f'href="/staff/participants/{people[1]}/monitoring#{field}"'
        assert link in page
        assert f'href="/staff/participants/{people[0]}/monitoring#{field}"' not in page
    assert f'action="{_page(stage_id)}.xlsx"' not in page  # no file until all are answered
    refused = client.post(
        f"{_page(stage_id)}.xlsx", headers={"Referer": f"http://localhost{_page(stage_id)}"}
    )
    job_id = job_of(refused)
    run_queued(app)
    with app.app_context():
        assert db.session.get_one(Job, job_id).status == JobStatus.FAILED
    assert _exports(app) == []


def test_another_centres_stage_is_not_found_and_a_social_worker_is_refused(app, demo, login_as):
    with app.app_context():
        chrzanow = demo_stage("gops-chrzanow", 2009).id
        janow = demo_stage("ops-janow", 2013).id
    client = login_as(COORDINATOR, DEMO_PASSWORD)
    assert client.get(_page(chrzanow)).status_code == 404
    assert client.post(f"{_page(chrzanow)}.xlsx").status_code == 404
    worker = login_as("pracownik@example.org", DEMO_PASSWORD, fresh=True)
    assert worker.get(_page(janow)).status_code == 403
    assert worker.post(f"{_page(janow)}.xlsx").status_code == 403
    assert _exports(app) == []


# --- each class of bad data -------------------------------------------------------------------

START = date(2013, 4, 1)
PROJECT = Project(title="P", number="POKL.07.01.01-06-001/08", start_date=date(2008, 1, 1))
PROJECT.end_date = date(2014, 12, 31)
STAGE = ProjectStage(project=PROJECT, year=2013, start_date=START, end_date=date(2013, 12, 31))


def _person(**changes) -> Participant:
    """A person every check passes: a woman of 33 at entry, unemployed for 14 months."""
    values = dict(
        id=1,
        first_name="Anna",
        last_name="Kowalska",
        pesel="79071910749",  # 19 July 1979, a woman's number: the sex below agrees
        sex=Sex.FEMALE,
        birth_date=date(1979, 7, 19),
        education=Education.UPPER_SECONDARY,
        labour_market_status=LabourMarketStatus.UNEMPLOYED_REGISTERED,
        is_long_term_unemployed=True,
        unemployed_since=date(2012, 1, 10),
        jobless_household=Answer.NO,
        single_adult_with_children=Answer.NO,
        minority=Answer.NO,
        national_minority=Answer.NO,
        foreign_origin=Answer.REFUSED,
        third_country_national=Answer.NO,
    )
    values.update(changes)
    return Participant(**values)


def _took(start: date = START, exit: date | None = date(2013, 11, 30)) -> Participation:
    return Participation(start=start, end=exit, exit=exit, on_contract=True, in_pal=False)


BAD = {
    "pesel and birth date disagree": (dict(birth_date=date(1979, 7, 18)), {}, "pesel"),
    "pesel and sex disagree": (dict(sex=Sex.MALE), {}, "sex"),
    "pesel's check digit": (dict(pesel="79071910748"), {}, "pesel"),
    "neither pesel nor country": (dict(pesel=None, no_pesel_country=None), {}, "pesel"),
    "no labour-market status": (
        dict(labour_market_status=None, is_long_term_unemployed=None, unemployed_since=None),
        {},
        "labour_market_status",
    ),
    "no education": (dict(education=None), {}, "education"),
    "no household situation": (dict(jobless_household=None), {}, "jobless_household"),
    "no sex": (dict(sex=None), {}, "sex"),
    "no birth date": (dict(birth_date=None), {}, "birth_date"),
    "born after the start": (
        dict(pesel=None, no_pesel_country="Ukraina", birth_date=date(2013, 5, 1)),
        {},
        "birth_date",
    ),
    "employed at 14": (
        dict(
            pesel=None,
            no_pesel_country="Ukraina",
            birth_date=date(1998, 6, 1),
            education=Education.PRIMARY,
            labour_market_status=LabourMarketStatus.EMPLOYED,
            is_long_term_unemployed=None,
            unemployed_since=None,
        ),
        {},
        "labour_market_status",
    ),
    "registered unemployed at 17": (
        dict(
            pesel="95052413508",
            birth_date=date(1995, 5, 24),
            education=Education.LOWER_SECONDARY,
            is_long_term_unemployed=False,
            unemployed_since=None,
        ),
        {},
        "labour_market_status",
    ),
    "tertiary education at 17": (
        dict(
            pesel="95052413508",
            birth_date=date(1995, 5, 24),
            education=Education.TERTIARY,
            labour_market_status=LabourMarketStatus.INACTIVE,
            is_long_term_unemployed=None,
            unemployed_since=None,
        ),
        {},
        "education",
    ),
    "in education but unemployed": (dict(is_in_education=True), {}, "is_in_education"),
    "long-term but inactive": (
        dict(labour_market_status=LabourMarketStatus.INACTIVE, unemployed_since=None),
        {},
        "is_long_term_unemployed",
    ),
    "long-term after 12 months or less at 25 and over": (
        dict(unemployed_since=date(2012, 4, 1)),
        {},
        "is_long_term_unemployed",
    ),
    "not long-term after more than 6 months under 25": (
        dict(
            pesel="94052211482",
            birth_date=date(1994, 5, 22),
            is_long_term_unemployed=False,
            unemployed_since=date(2012, 9, 1),
        ),
        {},
        "is_long_term_unemployed",
    ),
    "unemployment began after the start": (
        dict(unemployed_since=date(2013, 5, 1)),
        {},
        "unemployed_since",
    ),
    "participation before the project": (
        {},
        dict(start=date(2007, 12, 1), exit=date(2008, 6, 30)),
        "support_start",
    ),
    "exit before the start": ({}, dict(exit=date(2013, 3, 1)), "support_end"),
    "exit after the project": ({}, dict(exit=date(2015, 1, 31)), "support_end"),
}


def test_a_person_with_sound_data_passes_every_check(ctx):
    assert central_system.check_person(_person(), _took(), STAGE, PEFS2007) == []
    assert central_system.check_person(_person(), _took(), STAGE, CST2021) == []


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_each_class_of_bad_data_fails_its_check_at_its_field(ctx, case):
    person_changes, took_changes, field = BAD[case]
    failures = central_system.check_person(
        _person(**person_changes), _took(**took_changes), STAGE, PEFS2007
    )
    assert field in {failure.field for failure in failures}, failures
    assert all(failure.person_id == 1 and failure.message for failure in failures)


CST2021_QUESTIONS = {
    "Osoba z państwa trzeciego": "third_country_national",
    "Osoba obcego pochodzenia": "foreign_origin",
    "Osoba należąca do mniejszości narodowej lub etnicznej (w tym społeczności marginalizowane)": (
        "national_minority"
    ),
}


@pytest.mark.parametrize("field", sorted(CST2021_QUESTIONS.values()))
def test_a_2021_2027_question_left_unanswered_fails_at_its_field_only_there(ctx, field):
    person = _person(**{field: None})
    failures = central_system.check_person(person, _took(), STAGE, CST2021)
    assert [(failure.field, failure.page) for failure in failures] == [
        (field, central_system.MONITORING)
    ]
    # 2007–2020 asked the one question: the three are not needed there.
    assert central_system.check_person(person, _took(), STAGE, SL2014) == []
    assert central_system.check_person(person, _took(), STAGE, PEFS2007) == []


def test_the_three_2021_2027_answers_are_exported_apart_and_the_old_one_is_not_used(ctx):
    person = _person(
        minority=None,  # 2007–2020's one question: no longer read for CST2021
        national_minority=Answer.YES,
        foreign_origin=Answer.REFUSED,
        third_country_national=Answer.NO,
    )
    assert central_system.check_person(person, _took(), STAGE, CST2021) == []
    row = dict(zip(CST2021.header, CST2021.row(person, _took(), 1), strict=True))
    assert {header: row[header] for header in CST2021_QUESTIONS} == {
        "Osoba z państwa trzeciego": "Nie",
        "Osoba obcego pochodzenia": "Odmowa podania informacji",
        "Osoba należąca do mniejszości narodowej lub etnicznej (w tym społeczności "
        "marginalizowane)": "Tak",
    }
    # SL2014 still sends the one answer it asks for.
    sl2014_row = SL2014.row(_person(minority=Answer.YES), _took(), 1)
    sl2014 = dict(zip(SL2014.header, sl2014_row, strict=True))
    one_question = (
        "Osoba należąca do mniejszości narodowej lub etnicznej, migrant, osoba obcego pochodzenia"
    )
    assert sl2014[one_question] == "Tak"


def test_the_age_at_entry_is_computed_from_the_birth_date_and_the_first_support(ctx):
    person = _person()
    row = dict(
        zip(SL2014.header, SL2014.row(person, _took(start=date(2013, 7, 19)), 1), strict=True)
    )
    assert row["Wiek w chwili przystępowania do projektu"] == 34
    row = dict(
        zip(SL2014.header, SL2014.row(person, _took(start=date(2013, 7, 18)), 1), strict=True)
    )
    assert row["Wiek w chwili przystępowania do projektu"] == 33
    assert row["Status osoby na rynku pracy w chwili przystąpienia do projektu"].endswith(
        "w tym: osoba długotrwale bezrobotna"
    )


# --- which template ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "programme", "start", "template"),
    [
        ("POKL.07.01.01-06-001/08", "", date(2008, 1, 1), PEFS2007),
        ("", "Program Operacyjny Kapitał Ludzki", date(2014, 2, 1), PEFS2007),
        ("POWR.01.02.01-00-0001/15", "", date(2015, 1, 1), SL2014),
        ("RPLU.11.01.00-06-0001/16", "", date(2016, 1, 1), SL2014),
        ("FELU.08.05-IZ.00-0001/23", "", date(2023, 1, 1), CST2021),
        ("", "", date(2012, 1, 1), PEFS2007),
        ("", "", date(2019, 1, 1), SL2014),
        ("", "", date(2024, 1, 1), CST2021),
    ],
)
def test_the_template_follows_the_programme_period(number, programme, start, template):
    project = Project(title="P", number=number, programme=programme, start_date=start)
    assert central_templates.for_project(project) is template


def test_every_template_is_versioned_and_has_the_minimum_columns():
    for template in central_templates.TEMPLATES:
        header = template.header
        assert len(set(header)) == len(header), template.key
        assert template.version.startswith(template.key.upper()[:4])
        for needed in ("PESEL", "Płeć", "Wykształcenie", "Data rozpoczęcia udziału w projekcie"):
            assert needed in header, (template.key, needed)
    assert len({template.version for template in central_templates.TEMPLATES}) == 3


def test_the_demo_people_are_the_stage_peoples_count(app, demo):
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        checked = central_system.check(stage)
        assert len(checked.people) == stage_people.counts(stage).activated == 37
        assert checked.ready
        assert db.session.scalar(select(func.count()).select_from(Participant)) >= 37
