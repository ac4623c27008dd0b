"""Two coordinators merging the same two records at once: one merge, nothing lost or doubled.

Both coordinators sign in through the login form of the real app under gunicorn (3 workers),
open the check page of the merge (its CSRF token and the record to remove, as the browser has
them) and press "merge" at the same instant from two threads, each on a connection of its own.
Either both merge A into B, or one merges A into B while the other merges B into A. The server
processes share nothing but the database the `app` fixture prepared: SQLite (BEGIN IMMEDIATE,
WAL) by default, PostgreSQL (both rows locked FOR UPDATE) with TEST_DATABASE_URL.

The press that loses is told so on the page it came from; only when its own record was merged
away before its request read it does it meet that record's page not found, like any page of a
record that no longer exists. Never a 500, never a second merge.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    IndividualPlan,
    Participant,
    Registration,
    SocialContract,
)
from portal.models.base import utcnow
from portal.models.enums import ContractStatus, RegistrationStatus, Role
from portal.services.events import signups
from tests.helpers import translated
from tests.live import csrf, signed_in

pytestmark = pytest.mark.live

ROUNDS = 3  # fresh pairs per scenario, so that the presses meet in more than one way
TIMEOUT = 120
FIRST, SECOND = "pierwsza@example.org", "druga@example.org"
DONE = "The two records are merged into this one."
ALREADY_MERGED = "These two records have already been merged into this one."
MERGED_AWAY = (
    "One of the two records has already been merged into another record. Open the participant "
    "again to see the record that remains."
)
NOT_FOUND = "The page does not exist or you cannot see it."
MOVED = (Registration, IndividualPlan, SocialContract, Allowance)


class Coordinator:
    """One coordinator's browser, in English, with the check page of one merge open."""

    def __init__(self, url: str, email: str):
        self.url = url
        self.http = signed_in(url, email, timeout=TIMEOUT)
        self.http.headers["Accept-Language"] = "en"

    def open(self, kept: int, removed: int) -> "Coordinator":
        """Choose the duplicate and read the check page: its confirm form, as the browser has it."""
        page = f"{self.url}/staff/participants/{kept}/merge"
        choice = self.http.get(page, timeout=TIMEOUT)
        assert choice.status_code == 200, choice.status_code
        check = self.http.post(
            page,
            data={"csrf_token": csrf(choice.text), "other_id": str(removed)},
            timeout=TIMEOUT,
        )
        assert check.status_code == 200, check.status_code
        assert f'name="removed_id" type="hidden" value="{removed}"' in check.text
        self.kept, self.removed, self.token = kept, removed, csrf(check.text)
        return self

    def confirm(self) -> requests.Response:
        # The check page's address goes along, as a browser sends it (Referrer-Policy:
        # same-origin): a refusal that replaces the page is flashed there.
        return self.http.post(
            f"{self.url}/staff/participants/{self.kept}/merge/confirm",
            data={"csrf_token": self.token, "removed_id": str(self.removed)},
            headers={"Referer": f"{self.url}/staff/participants/{self.kept}/merge"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def follow(self, response: requests.Response) -> requests.Response:
        """Where the answer sends the browser (a 302), or the answer itself."""
        if response.status_code != 302:
            return response
        return self.http.get(self.url + response.headers["Location"], timeout=TIMEOUT)


def _together(*calls):
    """Run the calls in threads released at the same instant; their results in order."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def office(app, make_centre, make_user):
    centre = make_centre()
    return SimpleNamespace(
        centre=centre,
        first=make_user(Role.COORDINATOR, centre_id=centre, email=FIRST),
        second=make_user(Role.COORDINATOR, centre_id=centre, email=SECOND),
        worker=make_user(Role.SOCIAL_WORKER, centre_id=centre, email="worker@example.org"),
    )


@dataclass
class Pair:
    a: int
    b: int
    records: dict[str, set[int]]  # kind -> ids of every record either of the two holds


@pytest.fixture
def pairs(app, office, make_participant, make_event, make_registration, make_contract,
          make_allowance) -> list[Pair]:  # fmt: skip
    """ROUNDS times one person recorded twice, each record holding what the other does not.

    A has the account, a signed contract with an allowance, a plan and a place at the first
    event; B has a place at the second event and a cancelled registration for the first.
    """

    def pair(n: int) -> Pair:
        a = make_participant(office.centre, first_name="Maria", last_name=f"Nowak-{n}")
        b = make_participant(
            office.centre, first_name="Maria", last_name=f"Nowak-{n}", with_account=False
        )
        first, second = make_event(office.centre), make_event(office.centre)
        make_registration(a, first)
        make_registration(b, second)
        cancelled = make_registration(b, first)
        contract = make_contract(a, office.worker)
        make_allowance(a, office.worker, contract_id=contract)
        with app.app_context():
            signups.cancel(cancelled, now=utcnow(), actor=None, by_staff=True)
            db.session.add(IndividualPlan(centre_id=office.centre, participant_id=a))
            db.session.commit()
            records = {
                model.__tablename__: set(
                    db.session.scalars(select(model.id).where(model.participant_id.in_((a, b))))
                )
                for model in MOVED
            }
        # The cancelled registration beside a live one is dropped by the merge, not moved.
        records[Registration.__tablename__].discard(cancelled)
        return Pair(a, b, records)

    return [pair(n) for n in range(ROUNDS)]


def _after(app, pair: Pair) -> SimpleNamespace:
    """The database after the two presses, for this pair."""
    with app.app_context():
        left = set(
            db.session.scalars(select(Participant.id).where(Participant.id.in_((pair.a, pair.b))))
        )
        holders = {
            model.__tablename__: {
                record_id: holder
                for record_id, holder in db.session.execute(
                    select(model.id, model.participant_id).where(
                        model.participant_id.in_((pair.a, pair.b))
                    )
                )
            }
            for model in MOVED
        }
        registrations = db.session.execute(
            select(Registration.event_id, func.count())
            .where(Registration.participant_id.in_((pair.a, pair.b)))
            .group_by(Registration.event_id)
        ).all()
        live_contracts = db.session.execute(
            select(SocialContract.participant_id, SocialContract.project_id, func.count())
            .where(
                SocialContract.participant_id.in_((pair.a, pair.b)),
                SocialContract.status.in_((ContractStatus.SIGNED, ContractStatus.ACTIVE)),
            )
            .group_by(SocialContract.participant_id, SocialContract.project_id)
        ).all()
        merges = db.session.execute(
            select(AuditEntry.entity_id, AuditEntry.actor_id, AuditEntry.changes).where(
                AuditEntry.action == "participant.merge",
                AuditEntry.entity_id.in_((pair.a, pair.b)),
            )
        ).all()
        accounts = db.session.scalars(
            select(Participant.user_id).where(Participant.id.in_((pair.a, pair.b)))
        ).all()
        return SimpleNamespace(
            left=left,
            holders=holders,
            registrations=registrations,
            live_contracts=live_contracts,
            merges=merges,
            accounts=accounts,
            statuses={
                status
                for (status,) in db.session.execute(
                    select(Registration.status).where(
                        Registration.participant_id.in_((pair.a, pair.b))
                    )
                )
            },
        )


def _assert_one_merge(app, pair: Pair, kept: dict[int, int], answers: dict[int, tuple]) -> None:
    """Exactly one press merged; everything sits on the one record left, once; one audit entry.

    `kept` maps each coordinator's user id to the record they kept; `answers` maps it to the
    status of the press, the status of the page the browser lands on, and that page.
    """
    seen = _after(app, pair)
    assert len(seen.left) == 1, seen.left
    (survivor,) = seen.left
    [(entity, actor, changes)] = seen.merges
    assert entity == survivor
    assert kept[actor] == survivor  # the audit names the coordinator whose merge won
    assert changes["merged_from"]["new"] == ({pair.a, pair.b} - {survivor}).pop()
    # Every record either of the two held is on the survivor, none lost, none doubled.
    for kind, ids in pair.records.items():
        assert set(seen.holders[kind]) == ids, kind
        assert set(seen.holders[kind].values()) == {survivor}, kind
    assert all(count == 1 for _event, count in seen.registrations), seen.registrations
    assert seen.statuses == {RegistrationStatus.CONFIRMED}
    assert [count for *_key, count in seen.live_contracts] == [1]
    assert len([user for user in seen.accounts if user]) == 1

    winner, loser = sorted(answers, key=lambda coordinator: coordinator != actor)
    pressed, landed, page = answers[winner]
    assert (pressed, landed) == (302, 200)
    assert translated(app, DONE, locale="en") in page
    pressed, landed, page = answers[loser]
    assert translated(app, DONE, locale="en") not in page
    if kept[loser] == survivor:
        # The loser's own record is the one left: told on its merge page that it is done.
        assert (pressed, landed) == (302, 200)
        assert translated(app, ALREADY_MERGED, locale="en") in page
    elif pressed == 404:
        # The loser's own record was merged away before its request read it: its page, like
        # any page of a record that no longer exists, is not found.
        assert translated(app, NOT_FOUND, locale="en") in page
    else:
        # Read before the other merge removed it, gone once the lock was had: told why.
        assert (pressed, landed) == (302, 404)
        assert translated(app, MERGED_AWAY, locale="en") in page


def _race(app, server, office, pair: Pair, first_keeps: int, second_keeps: int) -> None:
    other = {pair.a: pair.b, pair.b: pair.a}
    first = Coordinator(server, FIRST).open(first_keeps, other[first_keeps])
    second = Coordinator(server, SECOND).open(second_keeps, other[second_keeps])
    responses = _together(first.confirm, second.confirm)
    answers = {}
    for who, browser, response in zip(
        (office.first, office.second), (first, second), responses, strict=True
    ):
        landing = browser.follow(response)
        answers[who] = (response.status_code, landing.status_code, landing.text)
    _assert_one_merge(app, pair, {office.first: first_keeps, office.second: second_keeps}, answers)


def test_two_coordinators_merging_a_into_b_at_once_merge_once(app, office, pairs, server):
    for pair in pairs:
        _race(app, server, office, pair, first_keeps=pair.b, second_keeps=pair.b)


def test_a_into_b_against_b_into_a_at_once_merge_once(app, office, pairs, server):
    for n, pair in enumerate(pairs):
        # Each coordinator in turn is the one keeping A, so both sides get to press first.
        keeps = (pair.b, pair.a) if n % 2 == 0 else (pair.a, pair.b)
        _race(app, server, office, pair, first_keeps=keeps[0], second_keeps=keeps[1])


def test_a_press_arriving_after_the_merge_is_told_it_is_done(app, office, pairs, login_as):
    # The slowest of the two, one step at a time: the second check page was open before the
    # first merge; its press comes after. The page it came from says why nothing happened.
    pair = pairs[0]
    first = login_as(FIRST, fresh=True)
    second = login_as(SECOND, fresh=True)
    second.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = f"/staff/participants/{pair.b}/merge"
    assert first.post(url + "/confirm", data={"removed_id": str(pair.a)}).status_code == 302
    late = second.post(
        url + "/confirm",
        data={"removed_id": str(pair.a)},
        headers={"Referer": f"http://localhost{url}"},
        follow_redirects=True,
    )
    assert late.request.path == url
    assert translated(app, ALREADY_MERGED, locale="en") in late.get_data(as_text=True)
    # Choosing the removed record again on the choice page is refused the same way.
    again = second.post(url, data={"other_id": str(pair.a)}, follow_redirects=True)
    assert translated(app, ALREADY_MERGED, locale="en") in again.get_data(as_text=True)
    # From the removed record's side, its own page is gone.
    assert (
        second.post(
            f"/staff/participants/{pair.a}/merge/confirm", data={"removed_id": str(pair.b)}
        ).status_code
        == 404
    )
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "participant.merge")
            )
            == 1
        )
