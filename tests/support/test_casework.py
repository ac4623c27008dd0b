"""The casework log: contacts recorded and corrected through the forms, hours a month per worker,
the note kept from participants and exports, each centre's records its own."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Participant, ProjectStage, User
from portal.models.enums import Role
from portal.models.support import CaseworkEntry, ContactKind
from portal.services.common.errors import Forbidden, NotFound
from portal.services.esf import esf_export
from portal.services.support import casework
from tests.factories import NOW, today
from tests.helpers import email, input_tag, translated

NOTE = "Rodzina w trudnej sytuacji mieszkaniowej – tylko dla pracowników"


@pytest.fixture
def office(app, make_centre, make_user, make_participant, make_contract):
    """A centre with two social workers, a coordinator, an advisor and a person with a contract;
    another centre with a worker of its own."""
    centre = make_centre()
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre, last_name="Adamska")
    colleague = make_user(Role.SOCIAL_WORKER, centre_id=centre, last_name="Borowy")
    coordinator = make_user(Role.COORDINATOR, centre_id=centre, last_name="Celińska")
    advisor = make_user(Role.ADVISOR, centre_id=centre, last_name="Doradcza")
    person = make_participant(centre, first_name="Janina", last_name="Kowalczyk")
    other_person = make_participant(centre, first_name="Piotr", last_name="Nowicki")
    contract = make_contract(person, worker)
    others_contract = make_contract(other_person, worker)
    elsewhere = make_centre()
    stranger = make_user(Role.SOCIAL_WORKER, centre_id=elsewhere, last_name="Obca")
    return {
        "centre": centre,
        "worker": worker,
        "colleague": colleague,
        "coordinator": coordinator,
        "advisor": advisor,
        "person": person,
        "other_person": other_person,
        "contract": contract,
        "others_contract": others_contract,
        "elsewhere": elsewhere,
        "stranger": stranger,
    }


def record(app, worker_id: int, participant_id: int, *, on: date, minutes: int, **kw) -> int:
    with app.app_context():
        entry = casework.record(
            participant_id,
            happened_on=on,
            contact_kind=kw.pop("contact_kind", ContactKind.HOME_VISIT),
            minutes=minutes,
            actor=db.session.get(User, worker_id),
            now=kw.pop("now", NOW),
            **kw,
        )
        db.session.commit()
        return entry.id


def _form(**overrides) -> dict:
    return {
        "happened_on": (today() - timedelta(days=1)).isoformat(),
        "contact_kind": "home_visit",
        "minutes": "90",
        "with_whom": "family",
        "contract_id": "0",
        "note": NOTE,
    } | overrides


def test_a_worker_records_a_contact_through_the_form(app, client, office, login_as):
    login_as(email(app, office["worker"]))
    person = office["person"]
    page = client.get(f"/staff/participants/{person}/contacts/new")
    assert page.status_code == 200
    response = client.post(
        f"/staff/participants/{person}/contacts/new",
        data=_form(contract_id=str(office["contract"])),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/participants/{person}/contacts")
    with app.app_context():
        entry = db.session.scalars(select(CaseworkEntry)).one()
        assert (entry.worker_id, entry.participant_id) == (office["worker"], person)
        assert (entry.minutes, entry.with_family, entry.contract_id) == (
            90, True, office["contract"],
        )  # fmt: skip
        assert entry.contact_kind == ContactKind.HOME_VISIT
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "casework_entries")
        ).one()
        assert audit.action == "casework.record"
        assert audit.actor_id == office["worker"]
    log = client.get(f"/staff/participants/{person}/contacts").get_data(as_text=True)
    assert NOTE in log
    assert translated(app, "Home visit") in log
    # The participant's staff page links to the log.
    detail = client.get(f"/staff/participants/{person}").get_data(as_text=True)
    assert f"/staff/participants/{person}/contacts" in detail
    contract = client.get(f"/staff/contracts/{office['contract']}").get_data(as_text=True)
    assert f"/staff/participants/{person}/contacts" in contract


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"happened_on": (today() + timedelta(days=3)).isoformat()}, "happened_on",
         "The contact cannot be in the future."),
        ({"minutes": "0"}, "minutes", "Enter from 1 to 1440 minutes."),
        ({"minutes": "1441"}, "minutes", "Enter from 1 to 1440 minutes."),
        ({"minutes": ""}, "minutes", "Enter the duration in minutes."),
        ({"happened_on": "2026-13-45"}, "happened_on", None),
        ({"note": "x" * 1001}, "note", None),
    ],
)  # fmt: skip
def test_bad_input_is_refused_beside_its_field_with_the_typed_value_kept(
    app, client, office, login_as, overrides, field, message
):
    login_as(email(app, office["worker"]))
    response = client.post(
        f"/staff/participants/{office['person']}/contacts/new", data=_form(**overrides)
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    if message:
        assert translated(app, message) in page
    if field != "note":
        assert f'value="{overrides[field]}"' in input_tag(page, field)
    with app.app_context():
        assert db.session.scalars(select(CaseworkEntry)).all() == []


def test_only_the_persons_own_contracts_can_be_linked(app, office):
    with app.app_context():
        worker = db.session.get(User, office["worker"])
        with pytest.raises(casework.CaseworkRefused) as refused:
            casework.record(
                office["person"],
                happened_on=date(2026, 3, 2),
                contact_kind=ContactKind.PHONE,
                minutes=10,
                contract_id=office["others_contract"],
                actor=worker,
                now=NOW,
            )
        assert refused.value.field == "contract_id"
        with pytest.raises(casework.CaseworkRefused) as future:
            casework.record(
                office["person"],
                happened_on=date(2026, 3, 11),
                contact_kind=ContactKind.PHONE,
                minutes=10,
                actor=worker,
                now=NOW,
            )
        assert future.value.field == "happened_on"
        with pytest.raises(Forbidden):  # an advisor keeps no casework log
            casework.record(
                office["person"],
                happened_on=date(2026, 3, 2),
                contact_kind=ContactKind.PHONE,
                minutes=10,
                actor=db.session.get(User, office["advisor"]),
                now=NOW,
            )
        with pytest.raises(NotFound):  # nor a worker for another centre's person
            casework.record(
                office["person"],
                happened_on=date(2026, 3, 2),
                contact_kind=ContactKind.PHONE,
                minutes=10,
                actor=db.session.get(User, office["stranger"]),
                now=NOW,
            )


def test_monthly_hours_per_worker_are_summed_by_the_database(app, client, office, login_as):
    worker, colleague, person = office["worker"], office["colleague"], office["person"]
    record(app, worker, person, on=date(2026, 2, 2), minutes=90)
    record(app, worker, office["other_person"], on=date(2026, 2, 27), minutes=45)
    record(app, worker, person, on=date(2026, 2, 28), minutes=1440)
    record(app, worker, person, on=date(2026, 3, 1), minutes=30)  # the next month
    record(app, worker, person, on=date(2026, 1, 31), minutes=30)  # the month before
    record(app, colleague, person, on=date(2026, 2, 14), minutes=20, with_family=True)
    with app.app_context():
        rows = casework.monthly_hours(office["centre"], date(2026, 2, 1))
        by_worker = {r.worker_id: (r.contacts, r.minutes) for r in rows}
        # Everyone who keeps the log is listed, the coordinator with nothing this month.
        assert by_worker == {
            worker: (3, 1575),
            colleague: (1, 20),
            office["coordinator"]: (0, 0),
        }
        mine = casework.monthly_hours(office["centre"], date(2026, 2, 1), worker_id=worker)
        assert [(r.whole_hours, r.rest_minutes) for r in mine] == [(26, 15)]
    hours = translated(app, "%(hours)d h %(minutes)d min", hours=26, minutes=15)
    login_as(email(app, office["coordinator"]))
    page = client.get("/staff/casework/hours?month=2026-02").get_data(as_text=True)
    assert hours in page
    assert "Borowy" in page
    assert translated(app, "%(hours)d h %(minutes)d min", hours=26, minutes=35) in page  # total
    # A worker sees their own hours only.
    colleague_client = login_as(email(app, office["colleague"]), fresh=True)
    own = colleague_client.get("/staff/casework/hours?month=2026-02").get_data(as_text=True)
    assert "Borowy" in own
    assert "Adamska" not in own
    assert translated(app, "%(hours)d h %(minutes)d min", hours=0, minutes=20) in own
    # The worker's own log of the month.
    log = colleague_client.get("/staff/casework?month=2026-02").get_data(as_text=True)
    assert "Kowalczyk Janina" in log
    assert "Nowicki" not in log


def test_a_month_that_is_no_month_is_said_and_replaced(app, client, office, login_as):
    login_as(email(app, office["worker"]))
    for bad in ("2026-13", "abc", "0001-01", "2026-1"):
        response = client.get(f"/staff/casework/hours?month={bad}")
        assert response.status_code == 200
        assert translated(app, "The month was not understood; showing %(month)s.",
                          month=f"{today():%Y-%m}") in response.get_data(as_text=True)  # fmt: skip


def _edit(client, contact_id: int) -> dict:
    page = client.get(f"/staff/contacts/{contact_id}/edit").get_data(as_text=True)
    seen = input_tag(page, "seen").split('value="')[1].split('"')[0]
    return _form(seen=seen, happened_on="2026-03-02", contact_kind="phone", with_whom="person")


def test_two_people_correcting_one_entry_the_second_is_told(app, office, login_as):
    entry = record(app, office["worker"], office["person"], on=date(2026, 3, 2), minutes=60)
    author = login_as(email(app, office["worker"]), fresh=True)
    coordinator = login_as(email(app, office["coordinator"]), fresh=True)
    first, second = _edit(author, entry), _edit(coordinator, entry)
    url = f"/staff/contacts/{entry}/edit"
    assert author.post(url, data=first | {"minutes": "75"}).status_code == 302
    response = coordinator.post(url, data=second | {"minutes": "80"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    conflict = "Someone else changed this entry meanwhile. Check it and save again."
    assert translated(app, conflict) in page
    assert 'value="80"' in input_tag(page, "minutes")  # the typed value stays
    with app.app_context():
        assert db.session.get(CaseworkEntry, entry).minutes == 75
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == entry,
                                            AuditEntry.entity_type == "casework_entries")
        ).all()  # fmt: skip
        assert actions == ["casework.record", "casework.correct"]
    # Saved again on the version now shown, the correction goes through.
    seen = input_tag(page, "seen").split('value="')[1].split('"')[0]
    again = coordinator.post(url, data=second | {"minutes": "80", "seen": seen})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(CaseworkEntry, entry).minutes == 80


def test_only_the_author_or_a_coordinator_corrects_an_entry(app, office, login_as):
    entry = record(app, office["worker"], office["person"], on=date(2026, 3, 2), minutes=60)
    colleague = login_as(email(app, office["colleague"]), fresh=True)
    data = _edit(login_as(email(app, office["worker"]), fresh=True), entry)
    assert colleague.post(f"/staff/contacts/{entry}/edit", data=data).status_code == 403
    log = colleague.get(f"/staff/participants/{office['person']}/contacts").get_data(as_text=True)
    assert f"/staff/contacts/{entry}/edit" not in log


def test_another_centre_finds_nothing_and_others_are_refused(app, office, login_as):
    entry = record(app, office["worker"], office["person"], on=date(2026, 3, 2), minutes=60,
                   note=NOTE)  # fmt: skip
    person = office["person"]
    paths = [
        f"/staff/participants/{person}/contacts",
        f"/staff/participants/{person}/contacts/new",
        f"/staff/contacts/{entry}/edit",
    ]
    stranger = login_as(email(app, office["stranger"]), fresh=True)
    for path in paths:
        assert stranger.get(path).status_code == 404, path
        if not path.endswith("/contacts"):
            assert stranger.post(path, data=_form()).status_code == 404, path
    assert NOTE not in stranger.get("/staff/casework/hours?month=2026-03").get_data(as_text=True)
    advisor = login_as(email(app, office["advisor"]), fresh=True)
    for path in [*paths, "/staff/casework", "/staff/casework/hours"]:
        assert advisor.get(path).status_code == 403, path
    with app.app_context():
        participant_email = db.session.get(Participant, person).user.email
    participant = login_as(participant_email, fresh=True)
    for path in [*paths, "/staff/casework", "/staff/casework/hours"]:
        assert participant.get(path).status_code == 403, path
    # Nothing the participant can open carries the staff note.
    for path in ("/me/", "/me/contract", "/me/plan", "/me/allowances", "/me/my-data.json"):
        response = participant.get(path)
        assert response.status_code == 200, path
        assert NOTE not in response.get_data(as_text=True), path


def test_the_note_never_reaches_the_esf_export(app, office):
    record(app, office["worker"], office["person"], on=date(2026, 3, 2), minutes=60, note=NOTE)
    with app.app_context():
        stage = db.session.scalars(select(ProjectStage)).first()
        people = esf_export.participants_of(stage)
        assert office["person"] in [p.id for p in people]
        cells = [str(cell) for row in esf_export.rows(stage, people) for cell in row]
        assert all(NOTE not in cell for cell in cells)


def test_casework_pages_do_not_grow_with_the_data(app, client, office, login_as, query_counter):
    def grow(n: int) -> None:
        for k in range(n):
            record(app, office["worker"], office["person"], on=date(2026, 2, 1 + k % 27),
                   minutes=30, contract_id=office["contract"])  # fmt: skip
            record(app, office["colleague"], office["person"], on=date(2026, 2, 1 + k % 27),
                   minutes=15)  # fmt: skip
            record(app, office["worker"], office["other_person"], on=date(2026, 2, 2),
                   minutes=10)  # fmt: skip

    login_as(email(app, office["worker"]))
    paths = [
        f"/staff/participants/{office['person']}/contacts",
        "/staff/casework?month=2026-02",
        "/staff/casework/hours?month=2026-02",
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
    assert page.count("Borowy") == 22
