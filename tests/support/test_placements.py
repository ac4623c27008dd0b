"""Work placements and their monthly hours sheets: the rules, the forms, two editors at once,
exact pay, the printable and exported sheet, each centre's records its own."""

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.formatting import money
from portal.models import AuditEntry, Participant, User
from portal.models.enums import Role
from portal.models.support import Placement, PlacementDay, PlacementKind
from portal.services.common.errors import NotFound
from portal.services.support import placements
from tests.factories import NOW, today
from tests.helpers import email, input_tag, translated

HOSTILE_EMPLOYER = '=HYPERLINK("http://example.org","Gmina")'


def _last_month() -> date:
    return (today().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def office(app, make_centre, make_user, make_participant, make_contract):
    centre = make_centre()
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre, last_name="Adamska")
    coordinator = make_user(Role.COORDINATOR, centre_id=centre, last_name="Celińska")
    advisor = make_user(Role.ADVISOR, centre_id=centre)
    person = make_participant(centre, first_name="Janina", last_name="Kowalczyk")
    other_person = make_participant(centre, first_name="Piotr", last_name="Nowicki")
    elsewhere = make_centre()
    return {
        "centre": centre,
        "worker": worker,
        "coordinator": coordinator,
        "advisor": advisor,
        "person": person,
        "contract": make_contract(person, worker),
        "others_contract": make_contract(other_person, worker),
        "stranger": make_user(Role.SOCIAL_WORKER, centre_id=elsewhere),
    }


def create(app, office, **overrides) -> int:
    """Socially useful work from the 5th of last month for two months, 40 h at 9,87 zł."""
    values = {
        "kind": PlacementKind.SOCIALLY_USEFUL_WORK,
        "employer": "Urząd Gminy Janów Lubelski",
        "supervisor": "Maria Wiśniewska",
        "starts_on": _last_month() + timedelta(days=4),
        "ends_on": _last_month() + timedelta(days=60),
        "hours_per_month": 40,
        "hourly_rate_grosze": 987,
    } | overrides
    with app.app_context():
        placement = placements.create(
            office["person"], **values, actor=db.session.get(User, office["worker"]), now=NOW
        )
        db.session.commit()
        return placement.id


def _form(**overrides) -> dict:
    return {
        "kind": "socially_useful_work",
        "employer": "Urząd Gminy",
        "supervisor": "Maria Wiśniewska",
        "starts_on": "2026-02-01",
        "ends_on": "2026-06-30",
        "hours_per_month": "40",
        "hourly_rate": "9,87",
        "contract_id": "0",
    } | overrides


def test_a_worker_records_a_placement_through_the_form(app, client, office, login_as):
    login_as(email(app, office["worker"]))
    person = office["person"]
    detail = client.get(f"/staff/participants/{person}").get_data(as_text=True)
    assert f"/staff/participants/{person}/placements" in detail
    response = client.post(
        f"/staff/participants/{person}/placements/new",
        data=_form(contract_id=str(office["contract"])),
    )
    assert response.status_code == 302
    with app.app_context():
        placement = db.session.scalars(select(Placement)).one()
        assert placement.hourly_rate_grosze == 987
        assert placement.contract_id == office["contract"]
        assert (placement.starts_on, placement.ends_on) == (date(2026, 2, 1), date(2026, 6, 30))
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == "placements")
        ).all()
        assert actions == ["placement.create"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Urząd Gminy" in page
    assert translated(app, "Socially useful work") in page
    # Work training without a rate.
    training = _form(kind="work_training", hourly_rate="", employer="Piekarnia")
    assert (
        client.post(f"/staff/participants/{person}/placements/new", data=training).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"hourly_rate": ""}, "hourly_rate",
         "Socially useful work is paid by the hour: enter the hourly rate."),
        ({"kind": "work_training"}, "hourly_rate",
         "Work training is not paid by the hour: leave the rate empty."),
        ({"hourly_rate": "dziewięć"}, "hourly_rate",
         "Enter an amount in złoty, for example 1234,56."),
        ({"hourly_rate": "0"}, "hourly_rate", "The amount must be more than zero."),
        ({"ends_on": "2026-01-31"}, "ends_on", "The placement cannot end before it starts."),
        ({"hours_per_month": "745"}, "hours_per_month", "Enter from 1 to 744 hours."),
        ({"hours_per_month": "abc"}, "hours_per_month", None),
        ({"employer": "   "}, "employer", "Enter the employer or institution."),
        ({"starts_on": "2026-02-30"}, "starts_on", None),
    ],
)  # fmt: skip
def test_bad_input_is_refused_beside_its_field_with_the_typed_value_kept(
    app, client, office, login_as, overrides, field, message
):
    login_as(email(app, office["worker"]))
    response = client.post(
        f"/staff/participants/{office['person']}/placements/new", data=_form(**overrides)
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    if message:
        assert translated(app, message) in page
    if field != "employer":
        assert f'value="{_form(**overrides)[field]}"' in input_tag(page, field)
    with app.app_context():
        assert db.session.scalars(select(Placement)).all() == []


def test_only_the_persons_own_contracts_can_be_linked(app, office):
    with pytest.raises(placements.PlacementRefused) as refused:
        create(app, office, contract_id=office["others_contract"])
    assert refused.value.field == "contract_id"
    with pytest.raises(NotFound), app.app_context():
        placements.create(
            office["person"], kind=PlacementKind.WORK_TRAINING, employer="X",
            starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1), hours_per_month=10,
            actor=db.session.get(User, office["stranger"]), now=NOW,
        )  # fmt: skip


def _opened(client, placement: int) -> dict:
    page = client.get(f"/staff/placements/{placement}/edit").get_data(as_text=True)
    version = input_tag(page, "version").split('value="')[1].split('"')[0]
    return _form(version=version)


def test_two_editors_of_one_placement_the_second_is_told(app, office, login_as):
    placement = create(app, office)
    first = login_as(email(app, office["worker"]), fresh=True)
    second = login_as(email(app, office["coordinator"]), fresh=True)
    mine, theirs = _opened(first, placement), _opened(second, placement)
    url = f"/staff/placements/{placement}/edit"
    assert first.post(url, data=mine | {"employer": "Gminny Ośrodek Kultury"}).status_code == 302
    response = second.post(url, data=theirs | {"employer": "Szkoła Podstawowa"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    conflict = (
        "Someone else changed this placement meanwhile. Your entries are kept below: "
        "check them against the current version and save again."
    )
    assert translated(app, conflict) in page
    assert 'value="Szkoła Podstawowa"' in input_tag(page, "employer")
    with app.app_context():
        assert db.session.get(Placement, placement).employer == "Gminny Ośrodek Kultury"
    # Saved again from the page it was told on, the change goes through.
    version = input_tag(page, "version").split('value="')[1].split('"')[0]
    again = second.post(url, data=theirs | {"employer": "Szkoła Podstawowa", "version": version})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(Placement, placement).employer == "Szkoła Podstawowa"
        actions = db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "placements", AuditEntry.entity_id == placement)
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["placement.create", "placement.update", "placement.update"]


def _sheet_url(placement: int, month: date | None = None) -> str:
    return f"/staff/placements/{placement}/hours?month={(month or _last_month()):%Y-%m}"


def _day(n: int) -> str:
    return f"day-{n:02d}"


def test_a_month_of_hours_is_entered_and_its_pay_is_exact(app, client, office, login_as):
    placement = create(app, office)
    login_as(email(app, office["worker"]))
    page = client.get(_sheet_url(placement)).get_data(as_text=True)
    # A row per day of the period: from the 5th of the month on.
    assert f'name="{_day(4)}"' not in page
    assert f'name="{_day(5)}"' in page
    version = input_tag(page, "version").split('value="')[1].split('"')[0]
    hours = {_day(5): "8", _day(6): "7", _day(9): "", _day(12): "0", _day(20): "22"}
    response = client.post(_sheet_url(placement), data=hours | {"version": version})
    assert response.status_code == 302
    with app.app_context():
        days = db.session.scalars(select(PlacementDay).order_by(PlacementDay.worked_on)).all()
        first = _last_month()
        assert [(d.worked_on, d.hours) for d in days] == [
            (first + timedelta(days=4), 8),
            (first + timedelta(days=5), 7),
            (first + timedelta(days=19), 22),
        ]
        sheet = placements.month_sheet(db.session.get(Placement, placement), first)
        assert sheet.total_hours == 37
        assert sheet.pay_grosze == 37 * 987 == 36519
    page = client.get(_sheet_url(placement)).get_data(as_text=True)
    with app.test_request_context():
        assert money(36519) in page  # 365,19 zł
    assert 'value="22"' in input_tag(page, _day(20))
    # Clearing a day takes it out; the change is audited day by day.
    response = client.post(
        _sheet_url(placement),
        data={_day(5): "8", _day(6): "", _day(20): "22", "version": str(int(version) + 1)},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(PlacementDay.hours).where(PlacementDay.hours == 7)) is None
        changes = db.session.scalars(
            select(AuditEntry.changes)
            .where(AuditEntry.action == "placement.hours")
            .order_by(AuditEntry.id)
        ).all()
        day6 = (first + timedelta(days=5)).isoformat()
        assert changes[-1] == {day6: {"old": 7, "new": None}}


@pytest.mark.parametrize(
    ("hours", "field", "message"),
    [
        ({_day(5): "25"}, _day(5), "Enter from 0 to 24 hours."),
        ({_day(5): "-1"}, _day(5), "Enter from 0 to 24 hours."),
        ({_day(5): "osiem"}, _day(5), None),
        ({_day(5): "24", _day(6): "24"}, None,
         "%(total)d hours in this month is more than the placement's %(limit)d hours per month."),
    ],
)  # fmt: skip
def test_a_sheet_that_breaks_a_rule_is_refused_with_the_typed_hours_kept(
    app, client, office, login_as, hours, field, message
):
    placement = create(app, office)
    login_as(email(app, office["worker"]))
    response = client.post(_sheet_url(placement), data=hours | {"version": "1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    if field:
        assert f'id="{field}-error"' in page
    if message:
        assert translated(app, message, total=48, limit=40) in page
    for name, value in hours.items():
        assert f'value="{value}"' in input_tag(page, name)
    with app.app_context():
        assert db.session.scalars(select(PlacementDay)).all() == []


def test_days_outside_the_period_or_to_come_are_refused(app, office):
    placement = create(app, office, ends_on=today() + timedelta(days=40))
    with app.app_context():
        worker = db.session.get(User, office["worker"])
        month = _last_month()
        for day, field in ((month + timedelta(days=1), "day-02"),):
            with pytest.raises(placements.PlacementRefused) as refused:
                placements.save_month(placement, month, {day: 4}, actor=worker, now=NOW)
            assert refused.value.field == field
        coming = today() + timedelta(days=1)
        if coming.month == today().month:
            from portal.models.base import utcnow

            with pytest.raises(placements.PlacementRefused) as refused:
                placements.save_month(placement, today(), {coming: 4}, actor=worker, now=utcnow())
            assert refused.value.field == placements.day_field(coming)
        # A day of another month is outside this month's sheet.
        with pytest.raises(placements.PlacementRefused):
            placements.save_month(
                placement, month, {month + timedelta(days=40): 4}, actor=worker,
                now=NOW + timedelta(days=365),
            )  # fmt: skip


def test_a_new_period_or_limit_must_still_hold_the_recorded_hours(app, office):
    placement = create(app, office)
    first = _last_month()
    with app.app_context():
        worker = db.session.get(User, office["worker"])
        placements.save_month(
            placement,
            first,
            {first + timedelta(days=9): 20},
            actor=worker,
            now=NOW.replace(year=2027),
        )
        db.session.commit()
        current = db.session.get(Placement, placement)
        base = placements.PlacementFields(
            kind=current.kind, employer=current.employer, starts_on=current.starts_on,
            ends_on=current.ends_on, hours_per_month=40, hourly_rate_grosze=987,
        )  # fmt: skip
        for change, field in (
            ({"starts_on": first + timedelta(days=12)}, "starts_on"),
            ({"ends_on": first + timedelta(days=8)}, "ends_on"),
            ({"hours_per_month": 19}, "hours_per_month"),
        ):
            fields = placements.PlacementFields(**(vars(base) | change))
            with pytest.raises(placements.PlacementRefused) as refused:
                placements.update(
                    placement, fields, version=current.version_id, actor=worker, now=NOW
                )
            assert refused.value.field == field
            db.session.rollback()


def _recorded(app, office) -> int:
    placement = create(app, office, employer=HOSTILE_EMPLOYER, supervisor="-Kierownik")
    first = _last_month()
    with app.app_context():
        placements.save_month(
            placement, first, {first + timedelta(days=4): 8, first + timedelta(days=6): 3},
            actor=db.session.get(User, office["worker"]), now=NOW.replace(year=2027),
        )  # fmt: skip
        db.session.commit()
    return placement


def test_the_sheet_is_exported_as_csv_and_xlsx_with_formulas_neutralised(
    app, client, office, login_as
):
    placement = _recorded(app, office)
    login_as(email(app, office["worker"]))
    month = f"{_last_month():%Y-%m}"
    response = client.get(f"/staff/placements/{placement}/hours.csv?month={month}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert len(rows) == 4  # header, two days, total
    day = rows[1]
    assert day[:2] == ["Kowalczyk", "Janina"]
    assert day[3] == "'" + HOSTILE_EMPLOYER
    assert day[4] == "'-Kierownik"
    assert day[5:] == [(_last_month() + timedelta(days=4)).isoformat(), "8", "9,87", "78,96"]
    assert rows[3][6:] == ["11", "", "108,57"]  # 11 h × 9,87 zł

    response = client.get(f"/staff/placements/{placement}/hours.xlsx?month={month}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][3] == "'" + HOSTILE_EMPLOYER
    assert all(not (isinstance(v, str) and v.startswith("=")) for row in values for v in row)
    assert float(values[1][8]) == 78.96
    assert float(values[3][8]) == 108.57
    assert values[3][6] in (11, "11")

    response = client.get(f"/staff/placements/{placement}/hours.pdf?month={month}")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")


def test_another_centre_finds_nothing_and_others_are_refused(app, office, login_as):
    placement = _recorded(app, office)
    person = office["person"]
    paths = [
        f"/staff/participants/{person}/placements",
        f"/staff/participants/{person}/placements/new",
        f"/staff/placements/{placement}",
        f"/staff/placements/{placement}/edit",
        f"/staff/placements/{placement}/hours",
        f"/staff/placements/{placement}/hours.csv",
        f"/staff/placements/{placement}/hours.xlsx",
        f"/staff/placements/{placement}/hours.pdf",
    ]
    stranger = login_as(email(app, office["stranger"]), fresh=True)
    for path in paths:
        assert stranger.get(path).status_code == 404, path
    for path in (paths[1], paths[3], paths[4]):
        assert stranger.post(path, data=_form(version="1")).status_code == 404, path
    advisor = login_as(email(app, office["advisor"]), fresh=True)
    with app.app_context():
        participant_email = db.session.get(Participant, person).user.email
    participant = login_as(participant_email, fresh=True)
    for other in (advisor, participant):
        for path in paths:
            assert other.get(path).status_code == 403, path
    with app.app_context():
        assert db.session.get(Placement, placement).version_id == 2  # created, one sheet saved


def test_the_hours_sheet_does_not_grow_with_the_data(app, client, office, login_as, query_counter):
    placement = create(app, office, hours_per_month=744)
    first = _last_month()

    def grow(days: int) -> None:
        with app.app_context():
            placements.save_month(
                placement, first,
                {first + timedelta(days=4 + k): 1 for k in range(days)},
                actor=db.session.get(User, office["worker"]), now=NOW.replace(year=2027),
            )  # fmt: skip
            db.session.commit()
        create(app, office, employer=f"Pracodawca {days}")

    login_as(email(app, office["worker"]))
    paths = [
        _sheet_url(placement),
        f"/staff/placements/{placement}",
        f"/staff/participants/{office['person']}/placements",
    ]

    def counts() -> dict[str, int]:
        for path in paths:
            client.get(path)
        result = {}
        for path in paths:
            with query_counter() as statements:
                assert client.get(path).status_code == 200
            result[path] = len(statements)
        return result

    grow(2)
    small = counts()
    grow(20)
    large = counts()
    assert large == small
    page = client.get(paths[0]).get_data(as_text=True)
    assert "20 / 744" in page
