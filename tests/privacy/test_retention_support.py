"""Retention counts from the last support of any kind, and never takes a person still supported.

The case reported: the project's archiving day in the past, one year kept after support, and a
person whose recorded end of support was in 2013 but who had a signed contract, 17 allowance
instalments still to pay and a place at next week's meeting. `flask anonymise-expired`
anonymised them. Each test runs the command as cron does, on people built with the factories.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Instalment,
    Participant,
    Registration,
    User,
)
from portal.models.enums import InstalmentStatus, Role
from portal.models.support import ContactKind
from portal.services.privacy import retention
from portal.services.support import casework, contracts
from tests.factories import NOW, today
from tests.support.allowances.steps import approve

OLD_START, OLD_END = date(2013, 1, 1), date(2013, 12, 31)
PESEL = "44051401359"


@pytest.fixture
def centre(app, make_centre):
    """A centre whose project had to be archived until 2014; data kept a year after support."""
    centre_id = make_centre()
    app.config["RETENTION_YEARS_AFTER_SUPPORT"] = 1  # the app is put back before the next test
    return centre_id


@pytest.fixture
def worker(make_user, centre):
    return make_user(Role.SOCIAL_WORKER, centre_id=centre, email="worker@example.org")


@pytest.fixture
def coordinator(make_user, centre):
    return make_user(Role.COORDINATOR, centre_id=centre, email="coordinator@example.org")


@pytest.fixture
def old(app, make_participant, centre):
    """A person whose recorded support started and ended in 2013, with the archive day past."""

    def make(support_end: date = OLD_END, **kw) -> int:
        person_id = make_participant(centre, with_account=False, **kw)
        with app.app_context():
            person = db.session.get(Participant, person_id)
            person.support_start, person.support_end = OLD_START, support_end
            person.project.start_date = date(2008, 1, 1)
            person.project.archive_until = date(2014, 1, 1)
            db.session.commit()
        return person_id

    return make


def _old_contract(app, person_id: int, worker_id: int, *, complete: bool) -> int:
    """A contract of 2013, signed then; completed in 2013 unless `complete` is False."""
    signed_at = datetime(2013, 1, 2, 9, tzinfo=UTC)
    with app.app_context():
        person = db.session.get(Participant, person_id)
        worker = db.session.get(User, worker_id)
        fields = contracts.ContractFields(
            start_date=OLD_START, end_date=OLD_END, problem="Bezrobocie", goal="Praca",
            participant_obligations="Kurs", centre_obligations="Kurs", instruments=[],
            support="Zasiłek",
        )  # fmt: skip
        contract = contracts.create(person, fields, social_worker=worker, now=signed_at)
        contracts.sign(contract, signed_on=OLD_START, actor=worker, now=signed_at)
        if complete:
            contracts.complete(
                contract, evaluation="Cel osiągnięty", actor=worker,
                now=datetime(2013, 12, 31, 12, tzinfo=UTC),
            )  # fmt: skip
        db.session.commit()
        return contract.id


def _contact(app, person_id: int, worker_id: int, on: date) -> None:
    with app.app_context():
        casework.record(
            person_id, happened_on=on, contact_kind=ContactKind.INTERVIEW, minutes=30,
            note="Rozmowa o postępach", actor=db.session.get(User, worker_id),
            now=datetime.combine(on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12),
        )  # fmt: skip
        db.session.commit()


def _row(app, person_id: int) -> tuple:
    with app.app_context():
        person = db.session.get(Participant, person_id)
        return (person.first_name, person.last_name, person.pesel, person.anonymised_at)


def _run(runner, *args: str) -> str:
    result = runner.invoke(args=["anonymise-expired", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def supported_now(
    app, old, worker, coordinator, centre, make_contract, make_periodic_allowance,
    make_budget_line, make_event, make_registration,
):  # fmt: skip
    """The reported person: a signed contract, 17 instalments to pay, a place next week. The
    end of 2013 is recorded after the allowance was granted (no allowance is granted for
    months after a recorded end: services/support/entitlements)."""
    person = old(first_name="Halina", last_name="Wierzbicka", pesel_number=PESEL, support_end=None)
    contract = make_contract(person, worker, end_date=date(2027, 5, 31))
    make_budget_line(centre, 100_000_00)
    allowance = make_periodic_allowance(
        person, worker, contract, date(2026, 1, 1), date(2027, 5, 1)
    )
    approved, refused = approve(app, [allowance], coordinator, now=NOW)
    assert approved == [allowance], refused
    make_registration(person, make_event(centre, starts_in=timedelta(days=7)))
    with app.app_context():
        due = db.session.scalar(
            select(func.count())
            .select_from(Instalment)
            .where(Instalment.allowance_id == allowance, Instalment.status == InstalmentStatus.DUE)
        )
        assert due == 17
        db.session.get(Participant, person).support_end = OLD_END
        db.session.commit()
    return person


@pytest.fixture
def ended_long_ago(app, old, worker):
    """Everything of this person ended in 2013 (the contract after the recorded end)."""
    person = old(first_name="Zofia", last_name="Dawna", support_end=date(2013, 6, 30))
    _old_contract(app, person, worker, complete=True)
    _contact(app, person, worker, date(2013, 11, 5))
    return person


def test_a_person_still_supported_is_not_anonymised_whatever_the_recorded_end(
    app, runner, supported_now, ended_long_ago
):
    before = _row(app, supported_now)
    output = _run(runner)
    assert "1 participant(s) anonymised." in output
    assert _row(app, supported_now) == before
    assert before[2:] == (PESEL, None)
    with app.app_context():
        registration = db.session.scalar(
            select(Registration).where(Registration.participant_id == supported_now)
        )
        assert registration is not None
        # The person who is done with is anonymised: the command did run.
        assert db.session.get(Participant, ended_long_ago).anonymised_at is not None


def test_a_recent_contact_keeps_a_person_whose_other_support_is_old(
    app, runner, old, worker, ended_long_ago
):
    person = old(first_name="Marek", last_name="Niedawny")
    _old_contract(app, person, worker, complete=True)
    _contact(app, person, worker, today() - timedelta(days=30))
    before = _row(app, person)
    assert "1 participant(s) anonymised." in _run(runner)
    assert _row(app, person) == before


def test_support_still_open_keeps_a_person_whose_dates_are_all_old(
    app, runner, old, worker, ended_long_ago
):
    """A 2013 contract never completed or ended is still in force: the person is kept."""
    person = old(first_name="Teresa", last_name="Otwarta")
    _old_contract(app, person, worker, complete=False)
    before = _row(app, person)
    output = _run(runner)
    assert "1 participant(s) anonymised." in output
    assert "1 participant(s) kept because support is still open" in output
    assert _row(app, person) == before


def test_the_dry_run_lists_who_would_be_anonymised_and_why_by_id_only(
    app, runner, old, worker, supported_now, ended_long_ago
):
    open_contract = old(first_name="Teresa", last_name="Otwarta")
    _old_contract(app, open_contract, worker, complete=False)
    output = _run(runner, "--dry-run")
    assert "1 participant(s) would be anonymised (dry run, nothing changed)." in output
    assert (
        f"participant {ended_long_ago}: last support 2013-12-31 (contract), kept until "
        "2014-12-31 (years after support)" in output
    )
    assert f"participant {supported_now}:" not in output  # a registration next week, not past
    assert (
        f"participant {open_contract}: last support 2013-12-31 (recorded end of support), kept "
        "until 2014-12-31 (years after support); still open: contract" in output
    )
    for secret in ("Halina", "Wierzbicka", "Zofia", "Dawna", "Teresa", "Otwarta", PESEL):
        assert secret not in output
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(Participant.anonymised_at.is_not(None)))
            == 0
        )


def test_the_verdicts_take_the_same_statements_for_one_person_or_many(
    app, old, worker, query_counter
):
    def statements() -> int:
        with query_counter() as seen, app.app_context():
            verdicts = retention.review(retention.Policy(), today())
        assert verdicts
        return len(seen)

    first = old()
    _contact(app, first, worker, date(2013, 5, 1))
    one = statements()
    for _ in range(4):
        person = old()
        _old_contract(app, person, worker, complete=False)
        _contact(app, person, worker, date(2013, 5, 1))
    assert statements() == one
