"""Reading is audited (ASVS 8.3.5): every staff page that shows one participant's data writes one
entry naming who read whose data on which page, and a list of people writes one entry naming
them all by number, never what was searched for."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    Event,
    Instalment,
    Participant,
    PaymentList,
    Registration,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import AllowanceKind, AllowanceStatus, RegistrationStatus
from portal.services.audit import audit_labels
from tests import urlmap
from tests.records import STAFF_ROLES, WORDS, build_side

COORDINATOR = "coordinator.a@example.org"

# (route, the page's kind in the entry, the id of the record it shows, if one record's)
PAGES = [
    ("/staff/participants/<int:participant_id>", "detail", None),
    ("/staff/participants/<int:participant_id>/edit", "edit", None),
    ("/staff/participants/<int:participant_id>/bank-account", "bank_account", None),
    ("/staff/participants/<int:participant_id>/monitoring", "monitoring", None),
    ("/staff/participants/<int:participant_id>/exit", "exit", None),
    ("/staff/participants/<int:participant_id>/merge", "merge", None),
    ("/staff/participants/<int:participant_id>/casework", "casework", None),
    ("/staff/participants/<int:participant_id>/contracts/new", "contract_form", None),
    ("/staff/contracts/<int:contract_id>", "contract", "contract_id"),
    ("/staff/contracts/<int:contract_id>/edit", "contract_form", "contract_id"),
    ("/staff/contracts/<int:contract_id>/terminate", "contract_termination", "contract_id"),
    ("/staff/participants/<int:participant_id>/allowances/new", "allowance_form", None),
    ("/staff/allowances/<int:allowance_id>", "allowance", "allowance_id"),
    ("/staff/allowances/<int:allowance_id>/edit", "allowance_form", "allowance_id"),
    ("/staff/allowances/<int:allowance_id>/reject", "allowance_rejection", "allowance_id"),
    ("/staff/participants/<int:participant_id>/plan", "plan", "plan_id"),
    ("/staff/plans/<int:plan_id>/sections/<section>", "plan_part", "plan_id"),
    ("/staff/plans/<int:plan_id>/goals", "plan_part", "plan_id"),
    ("/staff/plans/<int:plan_id>/actions", "plan_part", "plan_id"),
    ("/staff/plans/<int:plan_id>/history", "plan_history", "plan_id"),
    ("/staff/plans/<int:plan_id>/restore/<int:number>", "plan_restore", "plan_id"),
    ("/staff/participants/<int:participant_id>/diagnosis-tests", "diagnosis", None),
    ("/staff/participants/<int:participant_id>/counselling-sessions", "counselling", None),
    ("/staff/participants/<int:participant_id>/contacts", "contacts", None),
    ("/staff/participants/<int:participant_id>/contacts/new", "contact_form", None),
    ("/staff/contacts/<int:contact_id>/edit", "contact_form", "contact_id"),
    ("/staff/participants/<int:participant_id>/placements", "placements", None),
    ("/staff/participants/<int:participant_id>/placements/new", "placement_form", None),
    ("/staff/placements/<int:placement_id>", "placement", "placement_id"),
    ("/staff/placements/<int:placement_id>/edit", "placement_form", "placement_id"),
    ("/staff/placements/<int:placement_id>/hours", "placement_hours", "placement_id"),
    (
        "/staff/events/<int:event_id>/registrations/<int:registration_id>/letter",
        "letter",
        "registration_id",
    ),
]
# Staff pages about one person's records that write another entry, with the reason.
NOT_READS = {
    "/staff/contracts/<int:contract_id>/contract.pdf": "a document download, audited as such",
    "/staff/plans/<int:plan_id>/plan.pdf": "a document download, audited as such",
    "/staff/placements/<int:placement_id>/hours.csv": "a document download, audited as such",
    "/staff/placements/<int:placement_id>/hours.pdf": "a document download, audited as such",
    "/staff/placements/<int:placement_id>/hours.xlsx": "a document download, audited as such",
}
# The arguments that name a person or one of their records.
PERSONAL_IDS = {
    "participant_id", "contract_id", "allowance_id", "plan_id", "placement_id", "contact_id",
    "registration_id",
}  # fmt: skip


@pytest.fixture
def side(app, make_centre, make_user, make_participant):
    return build_side(app, make_centre, make_user, make_participant, "a", "Kowalczyk")


def _last_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEntry.id))) or 0


def _reads_since(app, last: int) -> list[AuditEntry]:
    with app.app_context():  # committed apart from the request: read on a new session
        return list(
            db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.id > last, AuditEntry.action.like("participant.%"))
                .order_by(AuditEntry.id)
            )
        )


def test_every_staff_page_about_one_person_is_in_the_list(app):
    """A page added tomorrow that shows someone's records fails here by name until it says who
    read it (or why another entry covers it)."""
    covered = {rule for rule, _page, _record in PAGES} | NOT_READS.keys()
    personal = {
        route.rule
        for route in urlmap.routes(
            app, lambda r: r.method == "GET" and r.endpoint.startswith("staff.")
        )
        if route.ids & PERSONAL_IDS
    }
    assert personal - covered == set()


@pytest.mark.parametrize(("rule", "page", "record"), PAGES, ids=[p[0] for p in PAGES])
def test_opening_a_page_of_one_persons_data_records_who_read_it(
    app, client, login_as, side, rule, page, record
):
    login_as(COORDINATOR)
    ids = side.ids | {"section": "swot"}
    last = _last_id(app)
    response = client.get(urlmap.fill(rule, ids))
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        reader = db.session.scalar(select(User.id).where(User.email == COORDINATOR))
    shown = side.unassigned if page == "letter" else side.assigned  # the letter's addressee
    [entry] = _reads_since(app, last)
    assert (entry.action, entry.actor_id, entry.entity_type, entry.entity_id) == (
        "participant.viewed",
        reader,
        "participants",
        shown,
    )
    assert entry.centre_id == side.centre_id
    assert entry.changes["page"] == {"old": None, "new": page}
    if record is not None:
        assert entry.changes["record"] == {"old": None, "new": ids[record]}
    else:
        assert "record" not in entry.changes


def _centre_people(app, side) -> list[int]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(Participant.id).where(Participant.centre_id == side.centre_id)
            )
        )


def _one_listing(app, last: int) -> dict:
    [entry] = _reads_since(app, last)
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        "participant.listed",
        "participants",
        None,
    )
    return entry.changes


@pytest.mark.parametrize("path", ["/staff/participants", "/staff/caseload"])
def test_a_list_of_people_writes_one_entry_naming_them(app, client, login_as, side, path):
    login_as(COORDINATOR)
    last = _last_id(app)
    assert client.get(path).status_code == 200
    changes = _one_listing(app, last)
    assert changes["page"]["new"] == ("list" if path.endswith("participants") else "caseload")
    assert sorted(changes["shown"]["new"]) == _centre_people(app, side)


def test_a_search_by_pesel_names_who_was_found_never_the_pesel(app, client, login_as, side):
    signed_in = login_as(COORDINATOR)
    page = signed_in.get("/staff/participants").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    last = _last_id(app)
    response = signed_in.post("/staff/participants", data={"q": "44051401359", "csrf_token": token})
    assert response.status_code == 200
    changes = _one_listing(app, last)
    assert changes == {
        "page": {"old": None, "new": "list"},
        "shown": {"old": None, "new": [side.assigned]},
    }


def test_a_search_that_finds_nobody_writes_nothing(app, client, login_as, side):
    login_as(COORDINATOR)
    last = _last_id(app)
    assert client.get("/staff/participants?q=Nikt-taki").status_code == 200
    assert _reads_since(app, last) == []


def test_the_trail_says_in_words_what_was_read(app, client, login_as, side):
    login_as(COORDINATOR)
    client.get(f"/staff/contracts/{side.ids['contract_id']}")
    client.get("/staff/participants")
    html = client.get("/staff/audit?lang=en").get_data(as_text=True)
    assert "List of participants shown" in html
    assert "social contract" in html


# -- lists of people beyond the participants' list ----------------------------------------------


def _at(app, record, record_id: int, starts) -> None:
    """The event or session `record_id` starting at `starts` (attendance and walk-ins are taken
    from the event's day on; a session that has begun tells nobody of its cancelling)."""
    with app.app_context():
        event = db.session.get(record, record_id)
        event.starts_at, event.ends_at = starts, starts + timedelta(hours=2)
        db.session.commit()


def _today(app, side) -> list[int]:
    _at(app, Event, side.ids["event_id"], utcnow() - timedelta(minutes=5))
    return [side.unassigned]  # the one registered


def _session_today(app, side) -> list[int]:
    _at(app, Event, side.ids["session_id"], utcnow() - timedelta(minutes=5))
    return _centre_people(app, side)  # everyone in the project may walk in


def _begun(app, side) -> list[int]:
    """Someone enrolled in a session that has begun: nobody is e-mailed, so the page names them."""
    with app.app_context():
        db.session.add(
            Registration(
                centre_id=side.centre_id, event_id=side.ids["session_id"],
                participant_id=side.unassigned, status=RegistrationStatus.CONFIRMED,
                queue_number=1,
            )
        )  # fmt: skip
        db.session.commit()
    _at(app, Event, side.ids["session_id"], utcnow() - timedelta(minutes=5))
    return [side.unassigned]


def _on_the_payment_list(app, side) -> list[int]:
    with app.app_context():
        month = db.session.get(PaymentList, side.ids["list_id"]).month
        db.session.add(
            Instalment(
                centre_id=side.centre_id, allowance_id=side.ids["allowance_id"], month=month,
                amount_grosze=10_000, payment_list_id=side.ids["list_id"],
            )
        )  # fmt: skip
        db.session.commit()
    return [side.assigned]


def _left_without_result(app, side) -> list[int]:
    with app.app_context():
        person = db.session.get(Participant, side.assigned)
        person.support_start = utcnow().date() - timedelta(days=60)
        person.support_end = utcnow().date() - timedelta(days=1)
        db.session.commit()
    return [side.assigned]


def _two_requests(app, side) -> list[int]:
    """A second request of the same person: two rows, one person shown."""
    with app.app_context():
        first = db.session.get(Allowance, side.ids["allowance_id"])
        db.session.add(
            Allowance(
                centre_id=side.centre_id, participant_id=side.assigned,
                contract_id=first.contract_id, kind=AllowanceKind.PURPOSE, amount_grosze=5_000,
                purpose="Odzież", prepared_by_id=side.worker_id,
                status=AllowanceStatus.SUBMITTED, submitted_at=utcnow(),
            )
        )  # fmt: skip
        db.session.commit()
    return [side.assigned]


def _the_assigned(_app, side) -> list[int]:
    """The person with the side's allowance request and casework contact."""
    return [side.assigned]


def _asking_for_another_account(_app, side) -> list[int]:
    """The person whose change of bank account waits for staff (tests/records.py)."""
    return [side.unassigned]


# (route, who reads it, the page's kind in the entry, what the test sets up first, returning the
# people the page then shows)
LISTS = [
    ("/staff/approvals", "coordinator", "approvals", _two_requests),
    ("/staff/payments/<int:list_id>", "coordinator", "payment_list", _on_the_payment_list),
    # Those registered, and everyone else offered by name to be signed up.
    ("/staff/events/<int:event_id>", "coordinator", "event", _centre_people),
    ("/staff/events/<int:event_id>/attendance", "coordinator", "attendance", _today),
    # Nobody enrolled yet: everyone in the project is offered by name to be enrolled.
    ("/staff/sessions/<int:session_id>", "coordinator", "session", _centre_people),
    ("/staff/sessions/<int:session_id>/walk-in", "coordinator", "walk_in", _session_today),
    ("/staff/sessions/<int:session_id>/cancel", "coordinator", "session_cancel", _begun),
    ("/staff/participants/esf-incomplete", "coordinator", "esf_incomplete", _centre_people),
    ("/staff/participants/results-due", "coordinator", "results_due", _left_without_result),
    ("/staff/casework", "social_worker", "my_casework", _the_assigned),
    ("/staff/bank-account-changes", "social_worker", "bank_account_changes",
     _asking_for_another_account),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "reader", "page", "prepare"), LISTS, ids=[p[0] for p in LISTS])
def test_every_list_of_people_writes_one_entry_naming_those_it_shows(
    app, client, login_as, side, rule, reader, page, prepare
):
    shown = prepare(app, side)
    login_as(side.emails[reader])
    last = _last_id(app)
    response = client.get(urlmap.fill(rule, side.ids))
    assert response.status_code == 200, response.get_data(as_text=True)
    changes = _one_listing(app, last)
    assert changes["page"] == {"old": None, "new": page}
    assert sorted(changes["shown"]["new"]) == sorted(shown)  # each person once, ids only
    with app.app_context():
        [(_field, _old, words)] = audit_labels.changes_of({"page": changes["page"]})
        assert words != page  # the trail names the page in words
    with app.app_context():
        names = db.session.execute(
            select(Participant.last_name).where(Participant.id.in_(shown))
        ).scalars()
        html = response.get_data(as_text=True)
        assert all(name in html for name in names)  # the entry names whom the page shows


@pytest.mark.parametrize(
    ("rule", "reader", "prepare"),
    [
        ("/staff/payments/<int:list_id>", "coordinator", None),  # nothing due this month
        ("/staff/events/<int:event_id>/attendance", "coordinator", None),  # not the day yet
        ("/staff/casework", "coordinator", None),  # the coordinator logged no contact
    ],
)
def test_a_list_that_shows_nobody_writes_nothing(
    app, client, login_as, side, rule, reader, prepare
):
    login_as(side.emails[reader])
    last = _last_id(app)
    assert client.get(urlmap.fill(rule, side.ids)).status_code == 200
    assert _reads_since(app, last) == []


def test_a_page_sent_back_with_its_errors_writes_no_second_entry(app, client, login_as, side):
    """The list was recorded when the page was opened; the form posted back is a change."""
    login_as(COORDINATOR)
    event = side.ids["event_id"]
    assert client.get(f"/staff/events/{event}").status_code == 200
    last = _last_id(app)
    sent_back = client.post(f"/staff/events/{event}/registrations", data={"participant_id": "0"})
    assert sent_back.status_code == 200  # nobody chosen: the page again, with the error
    assert f"{side.surname}ski" in sent_back.get_data(as_text=True)
    assert _reads_since(app, last) == []


def test_the_account_requests_list_names_the_requests_shown(app, client, login_as, side):
    """A resident asking for an account is no participant yet: the entry names the requests."""
    login_as(COORDINATOR)
    last = _last_id(app)
    assert client.get("/staff/account-requests").status_code == 200
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.id > last)).all()
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        "account_request.listed",
        "account_requests",
        None,
    )
    assert entry.changes == {
        "page": {"old": None, "new": "account_requests"},
        "shown": {"old": None, "new": [side.ids["request_id"]]},
    }


# Staff pages that name people and write no entry naming them, with the reason.
NAMED_UNRECORDED = {
    "/staff/participants/<int:participant_id>/merge": "the record kept is recorded as viewed; "
    "the others are offered by name to pick the duplicate from (staff/merge.py)",
}


def test_every_staff_page_that_names_someone_records_it(app, login_as, side):
    """Walk every staff page as each staff role: a page that names one of the side's people
    (by surname) must have written an entry naming them. A list added tomorrow fails here by
    name, whatever its route takes."""
    surnames = {side.assigned: f"{side.surname}owa", side.unassigned: f"{side.surname}ski"}
    clients = {role: login_as(side.emails[role], fresh=True) for role in STAFF_ROLES}
    pages = urlmap.routes(
        app,
        lambda r: (
            r.method == "GET"
            and r.endpoint.startswith("staff.")
            and r.arguments <= r.ids | WORDS.keys() | {"section"}
            and r.rule not in NAMED_UNRECORDED
        ),
    )
    unrecorded = {}
    for route in pages:
        path = urlmap.fill(route.rule, side.ids | {"section": "swot"})
        for role, signed_in in clients.items():
            last = _last_id(app)
            response = signed_in.get(path)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            named = {person for person, surname in surnames.items() if surname in html}
            recorded = set()
            for entry in _reads_since(app, last):
                if entry.action == "participant.viewed":
                    recorded.add(entry.entity_id)
                elif entry.action == "participant.listed":
                    recorded |= set(entry.changes["shown"]["new"])
            if named - recorded:
                unrecorded[f"{route.rule} ({role})"] = sorted(named - recorded)
    assert unrecorded == {}, "\n".join(f"{page}: {people}" for page, people in unrecorded.items())
