"""Issue 22's walk, over HTTP from an empty database: a new centre records four people (one with a
signed contract, three with the PAL path ticked, one of them signed up for an event still to
come). The yearly report, the dashboard, the funder's participants export and the ESF export all
count the one person who received support, from the month of their first support; once the PAL
person has attended the event (after it started) they count two, 1 on a contract and 1 in the
PAL; importing another person with the PAL path ticked changes nothing."""

import csv
import io
import re
from datetime import timedelta

from freezegun import freeze_time

from portal.models import Event, Participant, ProjectStage, Registration, SocialContract
from tests.centres.test_go_live import PASSWORD, _id, _invited, _ok
from tests.helpers import EnglishClient
from tests.jobs.helpers import prepared

# A Tuesday morning in June, Warsaw time (UTC+2): the stage is the whole year.
MORNING = "2031-06-10 06:00:00"
EVENT_DAY = "2031-06-12"
AFTER_THE_START = "2031-06-12 08:30:00"  # 10:30 in Warsaw; the event began at 10:00


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _report(coordinator, stage_id: int) -> tuple[int, int, int]:
    page = coordinator.get(f"/staff/stages/{stage_id}/report").get_data(as_text=True)
    found = re.search(
        r"In the stage (\d+) (?:person was|people were) activated: (\d+) on social contracts "
        r"and (\d+) in the Local Activity Programme",
        page,
    )
    assert found, page[-3000:]
    return int(found[1]), int(found[2]), int(found[3])


def _dashboard(coordinator, stage_id: int) -> tuple[str, list[tuple[int, int, int]]]:
    """The activated figure, and per month (on a contract, in the PAL, activated); the centre's
    figure over every project is the stage's here, the centre having no other."""
    page = coordinator.get(f"/staff/?stage={stage_id}").get_data(as_text=True)
    activated = re.search(r'id="figure-activated">(\d+)<', page)[1]
    assert f"All participants of the centre, in every project: {activated}." in page
    table = page[page.index('id="people-caption"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(
        r'<th scope="row">[^<]*</th><td class="num">(\d+)</td><td class="num">(\d+)</td>'
        r'<td class="num">(\d+)</td>',
        table,
    )
    return activated, [(int(c), int(p), int(a)) for c, p, a in rows]


def _participants_export(coordinator, stage_id: int) -> dict[str, tuple[str, str, str]]:
    """Surname -> (path, support from, support until), from the funder's participants table."""
    response = coordinator.post(f"/staff/stages/{stage_id}/exports/participants.csv")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    header, *rows = _csv(response.data)
    path, start, end = (
        header.index("Path"),
        header.index("Support from"),
        header.index("Support until"),
    )
    return {row[0]: (row[path], row[start], row[end]) for row in rows}


def _esf_export(coordinator, stage_id: int) -> dict[str, tuple[str, str, str]]:
    """Surname -> (start of participation, contract support, PAL support), from the ESF file."""
    response = prepared(coordinator, f"/staff/esf-export/stages/{stage_id}", {"file_format": "csv"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    header, *rows = _csv(response.data)
    column = header.index
    return {
        row[column("Nazwisko")]: (
            row[column("Data rozpoczęcia udziału w projekcie")],
            row[column("Wsparcie: kontrakt socjalny")],
            row[column("Wsparcie: Program Aktywności Lokalnej")],
        )
        for row in rows
    }


def _esf_count(coordinator, stage_id: int) -> int:
    page = coordinator.get(f"/staff/esf-export/stages/{stage_id}").get_data(as_text=True)
    return int(re.search(r"Participants in the file: (\d+)", page)[1])


def _set_up(app, runner, login_as) -> tuple[object, object, int, int]:
    """An administrator made with the CLI opens a centre; its coordinator sets up a project with
    a 2031 stage and a village and invites a social worker. Returns (coordinator, worker, stage
    id, village id)."""
    result = runner.invoke(
        args=["create-user", "admin@example.gov.pl", "--role", "admin", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    admin = login_as("admin@example.gov.pl", PASSWORD, fresh=True)
    _ok(
        admin.post(
            "/staff/centres",
            data={
                "name": "Gminny Ośrodek Pomocy Społecznej w Wrzosowej",
                "short_name": "gops-wrzosowa",
                "kind": "gops",
                "town": "Wrzosowa",
                "coordinator_email": "koordynator@wrzosowa.example.gov.pl",
                "coordinator_first_name": "Alicja",
                "coordinator_last_name": "Nowak",
            },
        )
    )
    coordinator = _invited(app, login_as, "koordynator@wrzosowa.example.gov.pl")
    stages = _ok(
        coordinator.post(
            "/staff/setup/projects/new",
            data={
                "title": "Aktywna integracja w Gminie Wrzosowa",
                "programme": "Program Operacyjny Kapitał Ludzki",
                "start_date": "2031-01-01",
                "end_date": "2031-12-31",
            },
        )
    ).headers["Location"]
    _ok(
        coordinator.post(
            stages, data={"year": "2031", "start_date": "2031-01-01", "end_date": "2031-12-31"}
        )
    )
    _ok(coordinator.post("/staff/setup/villages", data={"name": "Wrzosowa Górna", "area": "rural"}))
    _ok(
        coordinator.post(
            "/staff/users",
            data={
                "first_name": "Jan",
                "last_name": "Pracownik",
                "email": "pracownik@wrzosowa.example.gov.pl",
                "roles": "social_worker",
            },
        )
    )
    worker = _invited(app, login_as, "pracownik@wrzosowa.example.gov.pl")
    form = worker.get("/staff/participants/new").get_data(as_text=True)
    village_id = int(re.search(r'<option value="(\d+)"[^>]*>Wrzosowa Górna', form)[1])
    return coordinator, worker, _id(app, ProjectStage), village_id


def _record(worker, last_name: str, village_id: int, *, contract: bool) -> None:
    path = {"on_contract_path": "y"} if contract else {"on_pal_path": "y"}
    _ok(
        worker.post(
            "/staff/participants/new",
            data={
                "first_name": "Maria",
                "last_name": last_name,
                "village_id": str(village_id),
                **path,
            },
        )
    )


def _import_one_more(coordinator) -> None:
    """Another person with the PAL path ticked, from the ESF import file."""
    from portal.services.esf import import_rules

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([column.header for column in import_rules.COLUMNS])
    values = {"first_name": "Anna", "last_name": "Importowana", "village": "Wrzosowa Górna"}
    values |= {"contract_path": "nie", "pal_path": "tak"}
    writer.writerow([values.get(column.key, "") for column in import_rules.COLUMNS])
    response = coordinator.post(
        "/staff/import",
        data={"file": (io.BytesIO(buffer.getvalue().encode()), "uczestnicy.csv")},
        content_type="multipart/form-data",
    )
    batch = _ok(response).headers["Location"]
    _ok(coordinator.post(batch, data={"mode": "all"}))


def test_only_support_delivered_counts_in_the_report_the_dashboard_and_every_export(
    app, runner, login_as
):
    app.test_client_class = EnglishClient
    with freeze_time(MORNING, tick=True) as clock:
        coordinator, worker, stage_id, village_id = _set_up(app, runner, login_as)

        # Four people: one on the contract path, three on the PAL path.
        _record(worker, "Kontraktowa", village_id, contract=True)
        for name in ("Zapisana", "Czekająca", "Zaznaczona"):
            _record(worker, name, village_id, contract=False)
        signed_up = _id(app, Participant, Participant.last_name == "Zapisana")
        on_contract = _id(app, Participant, Participant.last_name == "Kontraktowa")

        # An event on Thursday, published; one of the PAL people is signed up for it.
        _ok(
            coordinator.post(
                "/staff/events/new",
                data={
                    "event_type": "integration_meeting",
                    "title": "Spotkanie integracyjne",
                    "place": "Świetlica w Wrzosowej Górnej",
                    "starts_at": f"{EVENT_DAY}T10:00",
                    "ends_at": f"{EVENT_DAY}T13:00",
                    "capacity": "20",
                    "audience": "project",
                },
            )
        )
        event_id = _id(app, Event)
        _ok(coordinator.post(f"/staff/events/{event_id}/publish"))
        _ok(
            coordinator.post(
                f"/staff/events/{event_id}/registrations",
                data={"participant_id": str(signed_up), "companions": "0"},
            )
        )

        # The social contract, from today to November, signed today.
        _ok(
            worker.post(
                f"/staff/participants/{on_contract}/contracts/new",
                data={
                    "start_date": "2031-06-10",
                    "end_date": "2031-11-30",
                    "problem": "Długotrwałe bezrobocie.",
                    "goal": "Powrót na rynek pracy.",
                    "participant_obligations": "Udział w doradztwie zawodowym.",
                    "centre_obligations": "Zasiłek celowy na dojazdy.",
                    "support": "Doradztwo zawodowe.",
                    "instruments": "vocational_counselling",
                },
            )
        )
        contract_id = _id(app, SocialContract)
        _ok(worker.post(f"/staff/contracts/{contract_id}/sign", data={"signed_on": "2031-06-10"}))

        # One person supported: the signed contract. The three PAL people are intentions only,
        # the sign-up for Thursday is not support yet.
        assert _report(coordinator, stage_id) == (1, 1, 0)
        activated, months = _dashboard(coordinator, stage_id)
        assert activated == "1"
        assert months == [(0, 0, 0)] * 5 + [(1, 0, 1)] * 6 + [(0, 0, 0)]  # June to November
        assert _participants_export(coordinator, stage_id) == {
            "Kontraktowa": ("social contract", "2031-06-10", "2031-11-30")
        }
        assert _esf_export(coordinator, stage_id) == {"Kontraktowa": ("2031-06-10", "Tak", "Nie")}
        assert _esf_count(coordinator, stage_id) == 1
        # The record shows the ticked path as what it is: planned.
        record = worker.get(f"/staff/participants/{signed_up}").get_data(as_text=True)
        assert re.search(r"Local Activity Programme \(PAL\)</dt><dd>planned<", record)

        # Thursday, half an hour after the start: the attendance list is taken.
        clock.move_to(AFTER_THE_START)
        coordinator = login_as("koordynator@wrzosowa.example.gov.pl", PASSWORD, fresh=True)
        form = coordinator.get(f"/staff/events/{event_id}/attendance").get_data(as_text=True)
        marks = {name: "yes" for name in re.findall(r'name="(present-\d+)"', form)}
        assert len(marks) == 1
        _ok(coordinator.post(f"/staff/events/{event_id}/attendance", data=marks))

        both = (2, 1, 1)
        assert _report(coordinator, stage_id) == both
        activated, months = _dashboard(coordinator, stage_id)
        assert activated == "2"
        # The PAL person has not left: her participation ends with her last support, in June.
        assert months == [(0, 0, 0)] * 5 + [(1, 1, 2)] + [(1, 0, 1)] * 5 + [(0, 0, 0)]
        people = {
            "Kontraktowa": ("social contract", "2031-06-10", "2031-11-30"),
            "Zapisana": ("PAL", "2031-06-12", "2031-06-12"),
        }
        assert _participants_export(coordinator, stage_id) == people
        esf = {
            "Kontraktowa": ("2031-06-10", "Tak", "Nie"),
            "Zapisana": ("2031-06-12", "Nie", "Tak"),
        }
        assert _esf_export(coordinator, stage_id) == esf

        # Another person with the PAL path ticked, imported from a file: nothing changes.
        _import_one_more(coordinator)
        assert _id(app, Participant, Participant.last_name == "Importowana") is not None
        assert _report(coordinator, stage_id) == both
        assert _dashboard(coordinator, stage_id) == ("2", months)
        assert _participants_export(coordinator, stage_id) == people
        assert _esf_export(coordinator, stage_id) == esf
        assert _esf_count(coordinator, stage_id) == 2

        # A registration marked attended for an event that has not begun is no support either
        # (whatever let it be saved): the same event moved to tomorrow counts nobody in the PAL.
        from portal.extensions import db

        with app.app_context():
            event = db.session.get(Event, event_id)
            event.starts_at += timedelta(days=1)
            event.ends_at += timedelta(days=1)
            assert {r.status.value for r in db.session.query(Registration)} == {"attended"}
            db.session.commit()
        assert _report(coordinator, stage_id) == (1, 1, 0)
