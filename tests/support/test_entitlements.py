"""Entitlements end with the contract: a contract ended early, or a person's exit, cancels the
periodic instalments dated after the end (their month starts after the end day), releases their
money and says so beforehand; payment lists never hold them; hours after the end are refused;
events after the end keep the registration and say the person has left.

The reported case: a contract with a periodic allowance of 300 zł a month for January–March
2026, ended early in late December 2025 (or in mid-January), whose instalments stayed "to pay".
Pages run under freezegun at the day of each step; each step signs in afresh at its own time.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale, ngettext
from freezegun import freeze_time
from markupsafe import escape
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import (
    Allowance,
    Instalment,
    Participant,
    SocialContract,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import (
    AllowanceStatus,
    ContractStatus,
    InstalmentCancellation,
)
from portal.models.support import PlacementKind
from portal.services.support import contracts, entitlements, placements
from tests.factories import today
from tests.helpers import email, translated
from tests.support.allowances.steps import approve, line
from tests.support.ending_steps import (
    APR,
    DECEMBER_20,
    FEB,
    JAN,
    JANUARY_15,
    MAR,
    REASON,
    I,
    build_case,
    cancellations,
    hidden,
    made_in_advance,
    on_list,
    payment_list,
    rows,
    said,
)


@pytest.fixture
def case(app, make_centre, make_user, make_participant, make_budget_line, make_periodic_allowance):
    return build_case(
        app, make_centre, make_user, make_participant, make_budget_line, make_periodic_allowance
    )


# -- the reported case ----------------------------------------------------------------------------


def test_ending_a_contract_in_december_cancels_january_to_march_and_no_list_pays_them(
    app, case, login_as
):
    committed = line(app, case.line)[1]
    assert committed == 3 * 300_00
    with freeze_time(DECEMBER_20):
        boss = login_as(email(app, case.boss), fresh=True)
        url = f"/staff/contracts/{case.contract}/terminate"
        page = boss.get(url).get_data(as_text=True)
        # Said beforehand: how many instalments and how much.
        assert said(app, 3, 900_00, date(2025, 12, 20)) in page
        response = boss.post(url, data={"reason": REASON, "cancels": hidden(page, "cancels")})
        assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        ended = db.session.get(SocialContract, case.contract)
        assert (ended.status, ended.ended_on) == (ContractStatus.TERMINATED, date(2025, 12, 20))
    cancelled = (I.CANCELLED, InstalmentCancellation.CONTRACT_ENDED, None)
    assert rows(app, case.allowance) == {JAN: cancelled, FEB: cancelled, MAR: cancelled}
    # The money is back on the line.
    assert line(app, case.line)[1] == committed - 900_00
    # Each cancellation is audited with the reason.
    audited = cancellations(app, case.allowance)
    assert set(audited) == {JAN, FEB, MAR}
    for changes in audited.values():
        assert changes["status"] == {"old": "due", "new": "cancelled"}
        assert changes["cancelled_because"]["new"] == "contract_ended"
        assert changes["reason"]["new"] == REASON
        assert changes["contract_id"]["new"] == case.contract
    # The January list, made in January, holds nothing of hers.
    with freeze_time(datetime(2026, 1, 5, 9, tzinfo=UTC)):
        boss = login_as(email(app, case.boss), fresh=True)
        january, page = payment_list(app, boss, "2026-01")
    assert on_list(app, january) == set()
    assert "Pigwa" not in page


def test_ending_in_mid_january_keeps_january_and_takes_february_off_its_unpaid_list(
    app, case, login_as
):
    with freeze_time(datetime(2026, 1, 10, 9, tzinfo=UTC)):
        boss = login_as(email(app, case.boss), fresh=True)
        january, _page = payment_list(app, boss, "2026-01")
    february = made_in_advance(app, case, FEB)  # not paid
    assert (on_list(app, january), on_list(app, february)) == ({JAN}, {FEB})
    with freeze_time(JANUARY_15):
        boss = login_as(email(app, case.boss), fresh=True)
        url = f"/staff/contracts/{case.contract}/terminate"
        page = boss.get(url).get_data(as_text=True)
        # The month of the end (January) is still due: February and March only.
        assert said(app, 2, 600_00, date(2026, 1, 15)) in page
        with app.test_request_context(), force_locale("pl"):
            taken_off = ngettext(
                "%(num)d of them is on a payment list not paid yet and is taken off it.",
                "%(num)d of them are on a payment list not paid yet and are taken off it.",
                1,
            )
        assert str(escape(taken_off)) in page
        response = boss.post(url, data={"reason": REASON, "cancels": hidden(page, "cancels")})
        assert response.status_code == 302
    cancelled = (I.CANCELLED, InstalmentCancellation.CONTRACT_ENDED, None)
    assert rows(app, case.allowance) == {
        JAN: (I.DUE, None, january),
        FEB: cancelled,
        MAR: cancelled,
    }
    assert line(app, case.line)[1] == 300_00
    assert cancellations(app, case.allowance)[FEB]["payment_list_id"] == {
        "old": february,
        "new": None,
    }
    with freeze_time(datetime(2026, 2, 2, 9, tzinfo=UTC)):
        boss = login_as(email(app, case.boss), fresh=True)
        assert "Pigwa" not in boss.get(f"/staff/payments/{february}").get_data(as_text=True)
        assert "Pigwa" in boss.get(f"/staff/payments/{january}").get_data(as_text=True)
    assert on_list(app, february) == set()


def test_a_confirmation_that_no_longer_holds_cancels_nothing(
    app, case, login_as, make_periodic_allowance
):
    """Another instalment granted after the page was read: the page asks again, nothing moves."""
    with freeze_time(DECEMBER_20):
        boss = login_as(email(app, case.boss), fresh=True)
        url = f"/staff/contracts/{case.contract}/terminate"
        token = hidden(boss.get(url).get_data(as_text=True), "cancels")
        april = make_periodic_allowance(case.person, case.worker, case.contract, APR, APR, 450_00)
        assert approve(app, [april], case.boss, now=utcnow())[0] == [april]
        response = boss.post(url, data={"reason": REASON, "cancels": token})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
    assert translated(app, str(entitlements.EntitlementsChanged.message)) in page
    assert said(app, 4, 900_00 + 450_00, date(2025, 12, 20)) in page  # the new figures
    with app.app_context():
        assert db.session.get(SocialContract, case.contract).status == ContractStatus.SIGNED
    assert {status for status, _why, _list in rows(app, case.allowance).values()} == {I.DUE}
    assert line(app, case.line)[1] == 900_00 + 450_00


def test_an_instalment_paid_after_the_confirmation_is_never_cancelled(app, case):
    """The cancellation is conditional: one paid in a parallel request since the confirmation
    was read stays paid, and nothing else is cancelled either."""
    with app.app_context():
        contract = db.session.get(SocialContract, case.contract)
        worker = db.session.get(User, case.worker)
        shown = contracts.ending(contract, now=JANUARY_15)
        assert shown.months == [FEB, MAR]
        # A parallel request pays February (its update bypasses this session's objects).
        db.session.execute(
            update(Instalment)
            .where(Instalment.allowance_id == case.allowance, Instalment.month == FEB)
            .values(status=I.PAID, paid_on=date(2026, 1, 14))
            .execution_options(synchronize_session=False)
        )
        with pytest.raises(entitlements.EntitlementsChanged):
            contracts.terminate(
                contract, reason=REASON, confirmed=shown.fingerprint, actor=worker, now=JANUARY_15
            )
        db.session.rollback()
    assert {status for status, _why, _list in rows(app, case.allowance).values()} == {I.DUE}


def test_the_database_keeps_a_cancelled_instalment_off_every_list(app, case, login_as):
    with freeze_time(datetime(2026, 1, 10, 9, tzinfo=UTC)):
        boss = login_as(email(app, case.boss), fresh=True)
        january, _page = payment_list(app, boss, "2026-01")
    with app.app_context():
        march = db.session.scalar(
            select(Instalment.id).where(
                Instalment.allowance_id == case.allowance, Instalment.month == MAR
            )
        )
        db.session.execute(
            update(Instalment)
            .where(Instalment.id == march)
            .values(status=I.CANCELLED, cancelled_because=InstalmentCancellation.PERSON_LEFT)
        )
        with pytest.raises(IntegrityError):
            db.session.execute(
                update(Instalment).where(Instalment.id == march).values(payment_list_id=january)
            )
        db.session.rollback()


def test_a_list_never_takes_an_instalment_dated_after_an_ended_contract(app, case, login_as):
    """Instalments left due by an end recorded before this rule (or by hand) stay off lists."""
    with app.app_context():
        db.session.execute(
            update(SocialContract)
            .where(SocialContract.id == case.contract)
            .values(status=ContractStatus.TERMINATED, ended_on=date(2025, 12, 20))
        )
        db.session.commit()
    with freeze_time(datetime(2026, 1, 5, 9, tzinfo=UTC)):
        boss = login_as(email(app, case.boss), fresh=True)
        january, page = payment_list(app, boss, "2026-01")
    assert on_list(app, january) == set()
    assert "Pigwa" not in page


def test_a_periodic_request_for_months_after_the_end_is_not_approved(
    app, case, login_as, make_periodic_allowance
):
    later = make_periodic_allowance(
        case.person, case.worker, case.contract, APR, APR, 450_00, now=DECEMBER_20
    )
    with freeze_time(JANUARY_15):
        boss = login_as(email(app, case.boss), fresh=True)
        url = f"/staff/contracts/{case.contract}/terminate"
        page = boss.get(url).get_data(as_text=True)
        boss.post(url, data={"reason": REASON, "cancels": hidden(page, "cancels")})
        response = boss.post("/staff/approvals/approve", data={"allowance_id": [later]})
        assert response.status_code == 302
        page = boss.get(response.headers["Location"]).get_data(as_text=True)
    message = translated(
        app,
        "The contract ended or the person left on %(date)s: a periodic allowance cannot be "
        "granted for the months after that.",
        date="2026-01-15",
    )
    assert message in page
    with app.app_context():
        assert (
            db.session.scalar(select(Instalment.id).where(Instalment.allowance_id == later)) is None
        )
    assert line(app, case.line)[1] == 300_00


def test_completing_a_contract_early_says_so_beside_the_button_and_cancels_the_rest(
    app, case, login_as
):
    with freeze_time(JANUARY_15):
        boss = login_as(email(app, case.boss), fresh=True)
        url = f"/staff/contracts/{case.contract}"
        page = boss.get(url).get_data(as_text=True)
        assert said(app, 2, 600_00, date(2026, 1, 15)) in page
        response = boss.post(
            f"{url}/complete",
            data={"evaluation": "Podjęła pracę", "cancels": hidden(page, "cancels")},
        )
        assert response.status_code == 302
    done = (I.CANCELLED, InstalmentCancellation.CONTRACT_ENDED, None)
    assert rows(app, case.allowance) == {JAN: (I.DUE, None, None), FEB: done, MAR: done}
    assert line(app, case.line)[1] == 300_00
    assert {c["contract_status"]["new"] for c in cancellations(app, case.allowance).values()} == {
        "completed"
    }


# -- a person's exit ------------------------------------------------------------------------------


def test_an_exit_says_what_it_cancels_then_cancels_the_instalments_after_it(app, case, login_as):
    with app.app_context():
        db.session.get(Participant, case.person).support_start = date(2025, 12, 1)
        db.session.commit()
        version = db.session.get(Participant, case.person).version_id
    url = f"/staff/participants/{case.person}/exit"
    data = {
        "version": str(version),
        "support_end": "2026-01-15",
        "how": "early",
        "reason": REASON,
        "result_on": "",
    }
    with freeze_time(datetime(2026, 1, 20, 9, tzinfo=UTC)):
        boss = login_as(email(app, case.boss), fresh=True)
        response = boss.post(url, data=data)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'id="exit-confirm"' in page
        assert said(app, 2, 600_00, date(2026, 1, 15)) in page
        with app.app_context():  # nothing saved yet
            assert db.session.get(Participant, case.person).support_end is None
        assert {status for status, _why, _list in rows(app, case.allowance).values()} == {I.DUE}
        response = boss.post(url, data=data | {"cancels": hidden(page, "cancels")})
        assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Participant, case.person).support_end == date(2026, 1, 15)
    left = (I.CANCELLED, InstalmentCancellation.PERSON_LEFT, None)
    assert rows(app, case.allowance) == {JAN: (I.DUE, None, None), FEB: left, MAR: left}
    assert line(app, case.line)[1] == 300_00
    audited = cancellations(app, case.allowance)
    assert set(audited) == {FEB, MAR}
    for changes in audited.values():
        assert changes["cancelled_because"]["new"] == "person_left"
        assert changes["reason"]["new"] == REASON
    with freeze_time(datetime(2026, 2, 2, 9, tzinfo=UTC)):
        boss = login_as(email(app, case.boss), fresh=True)
        february, page = payment_list(app, boss, "2026-02")
    assert on_list(app, february) == set()
    assert "Pigwa" not in page
    # The allowance's page says which months are not paid, and why.
    with freeze_time(datetime(2026, 2, 2, 9, tzinfo=UTC)):
        page = boss.get(f"/staff/allowances/{case.allowance}").get_data(as_text=True)
    with app.test_request_context(), force_locale("pl"):
        assert str(escape(InstalmentCancellation.PERSON_LEFT.label)) in page
    with app.app_context():
        assert db.session.get(Allowance, case.allowance).status == AllowanceStatus.APPROVED


# -- hours and events after the end ---------------------------------------------------------------


def _last_month() -> date:
    return (today().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.mark.parametrize("ended_by", ["exit", "contract"])
def test_hours_after_the_end_are_refused_beside_the_day(app, case, login_as, ended_by):
    first = _last_month()
    end = first + timedelta(days=9)
    with app.app_context():
        worker = db.session.get(User, case.worker)
        placement = placements.create(
            case.person,
            kind=PlacementKind.SOCIALLY_USEFUL_WORK,
            employer="Urząd Gminy",
            starts_on=first,
            ends_on=first + timedelta(days=60),
            hours_per_month=80,
            hourly_rate_grosze=987,
            contract_id=case.contract,
            actor=worker,
            now=utcnow(),
        ).id
        if ended_by == "exit":
            person = db.session.get(Participant, case.person)
            person.support_start, person.support_end = date(2025, 12, 1), end
        else:
            db.session.execute(
                update(SocialContract)
                .where(SocialContract.id == case.contract)
                .values(status=ContractStatus.TERMINATED, ended_on=end)
            )
        db.session.commit()
    client = login_as(email(app, case.worker), fresh=True)
    url = f"/staff/placements/{placement}/hours?month={first:%Y-%m}"
    after = f"day-{end.day + 2:02d}"
    response = client.post(url, data={"day-05": "8", after: "6", "version": "1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    message = (
        "The person left the project on %(date)s: hours after that day cannot be recorded."
        if ended_by == "exit"
        else "The contract ended on %(date)s: hours after that day cannot be recorded."
    )
    error = re.search(rf'<p class="error-message" id="{after}-error">(.*?)</p>', page, re.S)
    assert error, "the refusal is not beside the day"
    assert translated(app, message, date=end.isoformat()) in error.group(1)
    # Up to the end, hours are taken.
    response = client.post(url, data={"day-05": "8", "version": "1"})
    assert response.status_code == 302


def test_an_event_after_the_exit_keeps_the_registration_and_says_the_person_left(
    app, case, login_as, make_participant, make_event, make_registration
):
    stays = make_participant(case.centre, first_name="Zenon", last_name="Obecny")
    event = make_event(case.centre, starts_in=timedelta(days=3))
    registrations = [make_registration(case.person, event), make_registration(stays, event)]
    end = today() - timedelta(days=1)
    with app.app_context():
        person = db.session.get(Participant, case.person)
        person.support_start, person.support_end = date(2025, 12, 1), end
        db.session.commit()
    client = login_as(email(app, case.boss), fresh=True)
    page = client.get(f"/staff/events/{event}").get_data(as_text=True)
    with app.test_request_context(), force_locale("pl"):
        day = app.jinja_env.filters["date"](end)
    left = translated(app, "Left the project on %(date)s", date=day)
    rows_of = {
        name: re.search(rf"<tr>\s*<td>{name}.*?</tr>", page, re.S).group(0)
        for name in ("Pigwa Genowefa", "Obecny Zenon")
    }
    assert left in rows_of["Pigwa Genowefa"]  # the registration is kept, with the note
    assert (
        translated(app, "Left the project on %(date)s", date="").strip()
        not in (rows_of["Obecny Zenon"])
    )
    assert len(registrations) == 2
