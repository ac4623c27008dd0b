"""The audit trail's pages: who reads which entries, the filters, the keyset pages, a fixed number
of queries per page, a record's history, and the readings (views) the trail itself records."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from portal.extensions import db
from portal.models import AuditEntry, Participant
from portal.models.enums import Role
from portal.services.audit import audit_labels, audit_trail
from tests.conftest import count_queries

COORDINATOR = "koordynator@example.org"


def add_entries(app, centre_id, count, *, actor_ids=(None,), action="participant.update", **kw):
    """`count` entries written straight into the table, oldest first, one a minute."""
    start = kw.pop("start", datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    with app.app_context():
        db.session.execute(
            insert(AuditEntry),
            [
                {
                    "centre_id": centre_id,
                    "actor_id": actor_ids[n % len(actor_ids)],
                    "at": start + timedelta(minutes=n),
                    "action": action,
                    "entity_type": kw.get("entity_type", "participants"),
                    "entity_id": kw.get("first_id", 1000) + n,
                    "changes": {"phone": {"old": f"{n}00", "new": f"{n}01"}},
                }
                for n in range(count)
            ],
        )
        db.session.commit()


def shown_ids(html: str) -> list[int]:
    """The participants' numbers of the entries on a page, in order (each links to its history;
    the staff accounts made for the test have entries of their own, about users)."""
    return [int(n) for n in re.findall(r"/staff/history/participants/(\d+)\"", html)]


@pytest.fixture
def two_centres(make_centre, make_user):
    own, other = make_centre(), make_centre(name="Ośrodek Drugi")
    coordinator = make_user(Role.COORDINATOR, centre_id=own, email=COORDINATOR)
    make_user(Role.COORDINATOR, centre_id=other, email="drugi@example.org")
    return own, other, coordinator


def test_a_coordinator_reads_their_centre_newest_first(app, client, login_as, two_centres):
    own, other, coordinator = two_centres
    add_entries(app, own, 3, actor_ids=(coordinator,))
    add_entries(app, other, 2, first_id=5000)
    login_as(COORDINATOR)
    page = client.get("/staff/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert shown_ids(html) == [1002, 1001, 1000]
    assert "5000" not in html
    # Readable: the action in words, the change as old → new, who did it.
    assert "Participant&#39;s details changed" in html or "Zmieniono dane uczestnika" in html
    assert "200" in html
    assert "201" in html
    assert "→" in html
    # Asking for the other centre changes nothing for a coordinator.
    assert shown_ids(client.get(f"/staff/audit?centre={other}").get_data(as_text=True)) == [
        1002,
        1001,
        1000,
    ]


def test_an_administrator_reads_every_centre_and_filters_by_one(
    app, client, login_as, two_centres, make_user
):
    own, other, _coordinator = two_centres
    make_user(Role.ADMIN, email="admin@example.org")
    add_entries(app, own, 2)
    add_entries(app, other, 2, first_id=5000)
    login_as("admin@example.org")
    everything = shown_ids(client.get("/staff/audit").get_data(as_text=True))
    assert sorted(everything) == [1000, 1001, 5000, 5001]
    only_other = shown_ids(client.get(f"/staff/audit?centre={other}").get_data(as_text=True))
    assert only_other == [5001, 5000]


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.ADVISOR])
def test_other_staff_may_not_read_the_trail_or_a_history(
    app, client, login_as, make_centre, make_user, make_participant, role
):
    centre = make_centre()
    make_user(role, centre_id=centre, email="staff@example.org")
    person = make_participant(centre)
    login_as("staff@example.org")
    assert client.get("/staff/audit").status_code == 403
    assert client.get(f"/staff/history/participants/{person}").status_code == 403


def test_a_participant_may_not_read_the_trail(app, client, login_as, make_centre, make_participant):
    centre = make_centre()
    make_participant(centre)
    login_as("participant1@example.org")
    assert client.get("/staff/audit").status_code == 403


def test_the_filters_narrow_the_entries(app, client, login_as, two_centres, make_user):
    own, _other, coordinator = two_centres
    worker = make_user(Role.SOCIAL_WORKER, centre_id=own)
    add_entries(app, own, 2, actor_ids=(coordinator,), action="user.invite", first_id=10)
    add_entries(app, own, 2, actor_ids=(worker,), first_id=20)
    add_entries(
        app, own, 1, actor_ids=(worker,), first_id=30, start=datetime(2026, 5, 2, 8, tzinfo=UTC)
    )
    login_as(COORDINATOR)

    def ids(query: str) -> list[int]:
        response = client.get(f"/staff/audit?{query}")
        assert response.status_code == 200
        return shown_ids(response.get_data(as_text=True))

    assert ids(f"actor={coordinator}") == [11, 10]
    assert ids("action=user.invite") == [11, 10]
    assert ids("record_type=participants&record_id=21") == [21]
    assert ids("since=2026-05-01") == [30]
    assert ids("until=2026-04-30") == [21, 20, 11, 10]
    assert ids(f"actor={worker}&since=2026-03-01&until=2026-03-01") == [21, 20]
    assert "Invitation sent" in client.get("/staff/audit?lang=en").get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "actor=abc",
        "actor=999999",
        "action=no.such.action",
        "record_type=passwords",
        "record_id=-3",
        "record_id=abc",
        "record_id=99999999999999",
        "record_id=5",  # a number without its kind of record
        "since=2026-13-45",
        "since=1999-12-31",
        "since=2026-05-02&until=2026-05-01",
        "centre=abc",
    ],
)
def test_a_bad_filter_is_explained_never_a_server_error(app, client, login_as, two_centres, query):
    own, _other, _coordinator = two_centres
    add_entries(app, own, 1)
    login_as(COORDINATOR)
    response = client.get(f"/staff/audit?{query}&lang=en")
    html = response.get_data(as_text=True)
    if query == "centre=abc":  # not a filter a coordinator has: ignored
        assert response.status_code == 200
        assert shown_ids(html) == [1000]
        return
    assert response.status_code == 200
    assert "There is a problem" in html
    assert shown_ids(html) == []


def test_a_damaged_page_link_shows_the_newest_entries(app, client, login_as, two_centres):
    own, _other, _coordinator = two_centres
    add_entries(app, own, 2)
    login_as(COORDINATOR)
    html = client.get("/staff/audit?before=x1&lang=en").get_data(as_text=True)
    assert "The page link is damaged" in html
    assert shown_ids(html) == [1001, 1000]


def test_keyset_pages_walk_the_whole_trail_once(app, client, login_as, two_centres):
    own, _other, _coordinator = two_centres
    total = audit_trail.PAGE_SIZE * 2 + 7
    add_entries(app, own, total)
    login_as(COORDINATOR)
    seen: list[int] = []
    url = "/staff/audit?action=participant.update"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += shown_ids(html)
        older = re.search(r'href="(/staff/audit\?[^"]*before=\d+[^"]*)"', html)
        url = older.group(1).replace("&amp;", "&") if older else None
        if url:
            assert "action=participant.update" in url  # the filters stay on the next page
    assert seen == [1000 + n for n in reversed(range(total))]


def test_a_page_takes_the_same_number_of_queries_whatever_the_trail_holds(
    app, client, login_as, two_centres, make_user
):
    own, _other, coordinator = two_centres

    def queries_for_a_page() -> int:
        client.get("/staff/audit")  # warm: the session's user and its roles are loaded alike
        with count_queries(app) as statements:
            assert client.get("/staff/audit").status_code == 200
        return len(statements)

    login_as(COORDINATOR)
    n = 5
    staff = [make_user(Role.SOCIAL_WORKER, centre_id=own) for _ in range(n)]
    add_entries(app, own, n, actor_ids=(coordinator, *staff))
    small = queries_for_a_page()
    staff += [make_user(Role.SOCIAL_WORKER, centre_id=own) for _ in range(9 * n)]
    add_entries(app, own, 10 * n, actor_ids=(coordinator, *staff))
    assert queries_for_a_page() == small


def test_a_records_history_is_its_entries_and_stays_in_its_centre(
    app, client, login_as, two_centres, make_participant
):
    own, other, _coordinator = two_centres
    mine, theirs = make_participant(own), make_participant(other)
    login_as(COORDINATOR)
    client.post(f"/staff/participants/{mine}/pesel")  # writes an entry about `mine`
    page = client.get(f"/staff/history/participants/{mine}?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Full PESEL shown" in html
    assert "Participant recorded" in html
    assert client.get(f"/staff/history/participants/{theirs}").status_code == 404
    assert client.get("/staff/history/participants/999999").status_code == 404
    assert client.get(f"/staff/history/no_such_table/{mine}").status_code == 404


def test_an_administrator_reads_any_centres_history(
    app, client, login_as, two_centres, make_participant, make_user
):
    _own, other, _coordinator = two_centres
    theirs = make_participant(other)
    make_user(Role.ADMIN, email="admin@example.org")
    login_as("admin@example.org")
    assert client.get(f"/staff/history/participants/{theirs}").status_code == 200


def test_record_pages_link_to_their_history(
    app, client, login_as, two_centres, make_participant, make_event
):
    own, _other, _coordinator = two_centres
    person = make_participant(own)
    event = make_event(own)
    login_as(COORDINATOR)
    for url, target in [
        (f"/staff/participants/{person}", f"/staff/history/participants/{person}"),
        (f"/staff/events/{event}", f"/staff/history/events/{event}"),
    ]:
        assert target in client.get(url).get_data(as_text=True), url


@pytest.mark.parametrize("page", ["", "/edit", "/monitoring", "/exit"])
def test_opening_a_participants_record_is_recorded_as_viewed(
    app, client, login_as, two_centres, make_participant, page
):
    own, _other, coordinator = two_centres
    person = make_participant(own)
    login_as(COORDINATOR)
    assert client.get(f"/staff/participants/{person}{page}").status_code == 200
    with app.app_context():  # committed by the request's boundary, read on a new session
        viewed = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.viewed")
        ).all()
        assert [(e.actor_id, e.entity_id, e.centre_id) for e in viewed] == [
            (coordinator, person, own)
        ]
        assert viewed[0].changes["page"]["new"] == (page.strip("/") or "detail")
        assert db.session.get(Participant, person) is not None


def test_an_unknown_action_is_still_read_in_words(app):
    with app.test_request_context("/?lang=en"):
        assert audit_labels.action_label("contract.signed") == "Contract signed"
        assert audit_labels.action_label("expense.correct") == "Expense: corrected"
        assert audit_labels.action_label("contract.renamed") == "Contract: renamed"
        assert audit_labels.action_label("odd") == "odd"
        assert audit_labels.changes_of({"roles": {"old": ["advisor"], "new": None}}) == [
            ("Roles", Role.ADVISOR.label, "—")
        ]
        assert audit_labels.changes_of({"page": {"old": None, "new": "detail"}}) == [
            ("Page", None, "the participant's page")
        ]


def test_a_participant_who_acted_is_shown_by_account_number_not_by_name(
    app, client, login_as, two_centres, make_participant
):
    own, _other, _coordinator = two_centres
    person = make_participant(own, last_name="Wiśniewska")
    with app.app_context():
        account = db.session.get(Participant, person).user_id
    add_entries(app, own, 1, actor_ids=(account,), action="registration.sign_up")
    login_as(COORDINATOR)
    html = client.get("/staff/audit?action=registration.sign_up&lang=en").get_data(as_text=True)
    assert f"a participant (account no. {account})" in html
    assert "Wiśniewska" not in html
