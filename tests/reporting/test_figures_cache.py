"""The coordinator's home keeps its figures between visits and recounts only after a change.

After every kind of change (attendance recorded, a contract signed, a contract terminated, a
payment list paid, a ledger entry) the home shows the figures a fresh count gives, which are the
yearly report's and leave the check of the figures with nothing to say: the kept figures are
never stale. A visit with no change in between recounts nothing; a change in one centre leaves
another's figures kept; rows moved in bulk (`move_many`) move the version like any change,
whether a request (a centre's session) or a command (no centre) made them.
"""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal import database
from portal.extensions import db
from portal.models import (
    Centre,
    CentreFigures,
    Instalment,
    Participant,
    PaymentList,
    ProjectStage,
    SocialContract,
    StageFigures,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.common.errors import PortalError
from portal.services.events import signups
from portal.services.lifecycle import transitions
from portal.services.money import budget, ledger
from portal.services.reporting import figures_cache, figures_check, stage_people, yearly_figures
from portal.services.support import contracts, payments
from tests.factories import NOW
from tests.reporting.checking import COORDINATOR, EVENT_START, JANUARY

# Tables only a recount reads: a visit that touches none of them counted nothing.
COUNTED_FROM = ("registrations", "social_contracts", "instalments", "course_assignments")


def _home(client, stage_id: int) -> str:
    response = client.get(f"/staff/?stage={stage_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _version(centre_id: int) -> int:
    return db.session.scalar(select(Centre.figures_version).where(Centre.id == centre_id))


def _shows_the_counted_figures(app, client, ids) -> figures_cache.StageSummary:
    """The home's figures are those kept for the centre's current version, and they are what a
    count made now gives, the report's, with nothing for the check to find."""
    html = _home(client, ids["stage"])
    with app.app_context():
        now = utcnow()
        stage = db.session.get_one(ProjectStage, ids["stage"])
        kept = db.session.get_one(StageFigures, stage.id)
        assert kept.version == _version(ids["centre"])
        shown = figures_cache.typed(figures_cache.StageSummary, kept.figures["figures"])
        counted = figures_cache.count_stage(stage, now=now)
        assert shown == counted
        centre = db.session.get_one(CentreFigures, ids["centre"])
        assert centre.version == kept.version
        assert figures_cache.typed(
            stage_people.StageCounts, centre.figures["figures"]
        ) == stage_people.centre_counts(ids["centre"], now=now)

        report = yearly_figures.figures(stage.id, now=now)
        people = shown.people.counts
        assert (report.activated, report.on_contract, report.in_pal) == (
            people.activated,
            people.on_contract,
            people.in_pal,
        )
        assert sum(paid.paid_grosze for paid in report.allowances) == shown.allowances.paid
        assert figures_check.check_stage(stage, now=now) == []
        db.session.rollback()
    assert re.search(rf'id="figure-activated">{people.activated}<', html)
    return shown


def _as_request(centre_id: int | None = None):
    """The session limited to a centre, as a request of its staff is (None: a command's)."""
    database.scope_session(db.session, centre_id)


def _commit(app, action, *, centre_id: int | None = None):
    with app.app_context():
        _as_request(centre_id)
        try:
            result = action()
            db.session.commit()
        finally:
            _as_request(None)
        return result


@pytest.fixture
def coordinator_id(app, centre):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == COORDINATOR))


def test_after_each_kind_of_change_the_home_shows_the_counted_figures(
    app, login_as, centre, coordinator_id, make_participant, make_event, make_registration,
    make_contract,
):  # fmt: skip
    client = login_as(COORDINATOR)
    before = _shows_the_counted_figures(app, client, centre)

    def user(user_id: int) -> User:
        return db.session.get_one(User, user_id)

    # Attendance recorded: somebody new took part in a PAL event.
    newcomer = make_participant(centre["centre"])
    event = make_event(centre["centre"], starts_at=EVENT_START)
    registration = make_registration(newcomer, event, now=EVENT_START - timedelta(days=9))
    _commit(
        app,
        lambda: signups.record_attendance(
            event, {registration: True}, actor=user(coordinator_id), now=utcnow()
        ),
        centre_id=centre["centre"],
    )
    attended = _shows_the_counted_figures(app, client, centre)
    assert attended.people.counts.in_pal == before.people.counts.in_pal + 1
    assert attended.events.attended == before.events.attended + 1

    # A contract signed (the draft made first: a draft is no support).
    signer = make_participant(centre["centre"])
    draft = make_contract(signer, centre["worker"], sign=False)
    assert _shows_the_counted_figures(app, client, centre) == attended
    _commit(
        app,
        lambda: contracts.sign(
            db.session.get_one(SocialContract, draft),
            signed_on=date(2026, 1, 2),
            actor=user(centre["worker"]),
            now=NOW,
        ),
    )
    signed = _shows_the_counted_figures(app, client, centre)
    assert signed.people.counts.on_contract == attended.people.counts.on_contract + 1

    # January's list paid (instalments and the allowance moved in bulk).
    def pay() -> int:
        the_list = payments.get_or_create(
            centre["centre"], JANUARY, actor=user(coordinator_id), now=NOW
        )
        db.session.flush()
        return payments.mark_paid(
            the_list,
            [centre["instalments"][0]],
            paid_on=date(2026, 1, 20),
            actor=user(coordinator_id),
            now=NOW,
        )

    assert _commit(app, pay, centre_id=centre["centre"]) == 1
    paid = _shows_the_counted_figures(app, client, centre)
    assert paid.allowances.paid == signed.allowances.paid + 300_00

    # The first contract terminated: what was still to pay after it is cancelled.
    def terminate() -> None:
        contract = db.session.get_one(SocialContract, centre["contract"])
        confirmed = contracts.ending(contract, now=NOW).fingerprint
        contracts.terminate(
            contract, reason="Wyjazd", actor=user(centre["worker"]), now=NOW, confirmed=confirmed
        )

    _commit(app, terminate)
    ended = _shows_the_counted_figures(app, client, centre)
    assert ended.people.months != paid.people.months  # April to June without the contract

    # A ledger entry on the course line.
    with app.app_context():
        version = _version(centre["centre"])
    _commit(
        app,
        lambda: ledger.record_expense(
            centre["centre"],
            centre["stage"],
            centre["course_line"],
            date(2026, 3, 2),
            "FV/2026/7",
            "Podręczniki",
            100_00,
            user(coordinator_id),
            today=date(2026, 3, 10),
        ),
        centre_id=centre["centre"],
    )
    with app.app_context():
        assert _version(centre["centre"]) == version + 1
    _shows_the_counted_figures(app, client, centre)


def test_a_visit_with_no_change_counts_nothing(app, login_as, centre, query_counter):
    client = login_as(COORDINATOR)
    with query_counter() as first:
        _home(client, centre["stage"])
    with query_counter() as second:
        _home(client, centre["stage"])
    with query_counter() as third:
        _home(client, centre["stage"])
    counting = [s for s in first if any(f"FROM {t}" in s for t in COUNTED_FROM)]
    assert counting, "the first visit counted the figures"
    for visit in (second, third):
        assert not [s for s in visit if any(f"FROM {t}" in s for t in COUNTED_FROM)]
        assert not [s for s in visit if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(second) == len(third) < len(first)
    assert len(second) <= 8


def test_two_centres_do_not_invalidate_each_other(
    app, login_as, centre, make_centre, make_user, make_participant, make_contract
):
    other = make_centre()
    worker = make_user(Role.SOCIAL_WORKER, centre_id=other)
    person = make_participant(other)
    client = login_as(COORDINATOR)
    _home(client, centre["stage"])
    with app.app_context():
        mine, theirs = _version(centre["centre"]), _version(other)

    # A change of the other centre, by its staff (the session limited to it) and by a command.
    contract = make_contract(person, worker, sign=False, start_date=date(2026, 7, 1),
                             end_date=date(2026, 9, 30))  # fmt: skip
    _commit(
        app,
        lambda: contracts.sign(
            db.session.get_one(SocialContract, contract),
            signed_on=date(2026, 3, 1),
            actor=db.session.get_one(User, worker),
            now=NOW,
        ),
        centre_id=other,
    )
    with app.app_context():
        assert _version(other) > theirs
        assert _version(centre["centre"]) == mine

    with app.app_context():
        kept = db.session.get_one(StageFigures, centre["stage"]).computed_at
    _home(client, centre["stage"])
    with app.app_context():
        assert db.session.get_one(StageFigures, centre["stage"]).computed_at == kept


@pytest.mark.parametrize("centre_scope", [True, False], ids=["in a request", "in a command"])
def test_rows_moved_in_bulk_move_the_version(app, login_as, centre, coordinator_id, centre_scope):
    """move_many's one UPDATE (no record flushed) moves the version: the home recounts."""
    client = login_as(COORDINATOR)
    before = _shows_the_counted_figures(app, client, centre)
    with app.app_context():
        version = _version(centre["centre"])

    def pay_in_bulk() -> None:
        transitions.move_many(
            Instalment,
            centre["instalments"][:2],
            "pay",
            actor=db.session.get_one(User, coordinator_id),
            centre_id=centre["centre"],
            lost=PortalError("lost"),
            now=NOW,
            paid_on=date(2026, 2, 3),
        )

    _commit(app, pay_in_bulk, centre_id=centre["centre"] if centre_scope else None)
    with app.app_context():
        assert _version(centre["centre"]) == version + 1
        assert db.session.scalar(select(PaymentList.id)) is None  # paid without a list: bulk only
    # The line's paid amount follows (a change of its own), so the check has nothing to say.
    _commit(app, lambda: budget.pay({centre["allowance_line"]: 2 * 300_00}))
    after = _shows_the_counted_figures(app, client, centre)
    assert after.allowances.paid == before.allowances.paid + 2 * 300_00


def test_a_change_rolled_back_keeps_the_figures(app, login_as, centre):
    client = login_as(COORDINATOR)
    _home(client, centre["stage"])
    with app.app_context():
        version = _version(centre["centre"])
        person = db.session.get_one(Participant, centre["person"])
        person.support_end = date(2026, 2, 1)
        db.session.flush()
        db.session.rollback()
        db.session.commit()  # nothing left to move
        assert _version(centre["centre"]) == version


def test_a_record_changed_and_flushed_moves_the_version(app, login_as, centre):
    """A change made on the record and flushed (no UPDATE statement of a service's own)."""
    client = login_as(COORDINATOR)
    before = _shows_the_counted_figures(app, client, centre)

    def leave() -> None:
        db.session.get_one(Participant, centre["person"]).support_end = date(2026, 6, 30)

    _commit(app, leave)
    after = _shows_the_counted_figures(app, client, centre)
    assert after.esf.results_due == before.esf.results_due + 1
