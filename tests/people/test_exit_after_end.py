"""A person's exit recorded after some months were already paid: the instalments paid for months
after the exit cannot be cancelled, so the exit page says so before saving and the person's and
the contract's pages warn afterwards. After the exit, a placement cannot start and a session the
person is still enrolled in keeps them, saying they have left.

The reported case (tests/support/ending_steps.py): 300 zł a month for January–March 2026. The
exit on 15 January is recorded only on 5 March, after February (and, in one test, March) were
paid on their lists.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale
from freezegun import freeze_time
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Centre, Instalment, Participant, SocialContract, User
from portal.models.base import utcnow
from portal.models.enums import ContractStatus, InstalmentCancellation, Role
from portal.models.support import GroupInstrument, PlacementKind
from portal.services.events import sessions
from portal.services.people import participants
from portal.services.support import placements
from tests.factories import today
from tests.helpers import email, translated
from tests.support.allowances.steps import line
from tests.support.ending_steps import (
    FEB,
    JAN,
    MAR,
    REASON,
    I,
    build_case,
    hidden,
    paid_said,
    payment_list,
    rows,
    said,
)

MARCH_5 = datetime(2026, 3, 5, 9, tzinfo=UTC)


@pytest.fixture
def case(app, make_centre, make_user, make_participant, make_budget_line, make_periodic_allowance):
    made = build_case(
        app, make_centre, make_user, make_participant, make_budget_line, make_periodic_allowance
    )
    with app.app_context():
        db.session.get(Participant, made.person).support_start = date(2025, 12, 1)
        db.session.commit()
    return made


def pay_month(app, case, login_as, month_value: str, day: int) -> None:
    """The month's list made on its `day` and everything on it paid that day, as on the page."""
    with freeze_time(datetime(2026, int(month_value[-2:]), day, 9, tzinfo=UTC)):
        boss = login_as(email(app, case.boss), fresh=True)
        list_id, page = payment_list(app, boss, month_value)
        assert "Pigwa" in page
        with app.app_context():
            ids = list(
                db.session.scalars(
                    select(Instalment.id).where(Instalment.payment_list_id == list_id)
                )
            )
        assert len(ids) == 1
        response = boss.post(
            f"/staff/payments/{list_id}/paid",
            data={"instalment_id": ids, "paid_on": f"{month_value}-{day:02d}"},
        )
        assert response.status_code == 302


def exit_data(app, case) -> dict[str, str]:
    with app.app_context():
        version = db.session.get(Participant, case.person).version_id
    return {
        "version": str(version),
        "support_end": "2026-01-15",
        "how": "early",
        "reason": REASON,
        "result_on": "",
    }


def test_an_exit_says_which_months_after_it_are_paid_and_the_pages_warn_after(app, case, login_as):
    pay_month(app, case, login_as, "2026-02", 5)
    url = f"/staff/participants/{case.person}/exit"
    data = exit_data(app, case)
    with freeze_time(MARCH_5):
        boss = login_as(email(app, case.boss), fresh=True)
        response = boss.post(url, data=data)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'id="exit-confirm"' in page
        assert said(app, 1, 300_00, date(2026, 1, 15)) in page  # March is cancelled
        assert 'id="ending-paid"' in page
        assert paid_said(app, 1, 300_00) in page  # February stays paid
        response = boss.post(url, data=data | {"cancels": hidden(page, "cancels")})
        assert response.status_code == 302, response.get_data(as_text=True)
        person_page = boss.get(f"/staff/participants/{case.person}")
        assert person_page.status_code == 200
        contract_page = boss.get(f"/staff/contracts/{case.contract}")
    left = (I.CANCELLED, InstalmentCancellation.PERSON_LEFT, None)
    found = rows(app, case.allowance)
    assert [found[month][0] for month in (JAN, FEB)] == [I.DUE, I.PAID]
    assert found[MAR] == left
    assert line(app, case.line)[1:] == (600_00, 300_00)
    warning = paid_said(app, 1, 300_00, warned=True)
    page = person_page.get_data(as_text=True)
    assert 'id="paid-after-end"' in page
    assert warning in page
    # The contract's own page says it too: its entitlement ended with the exit.
    assert contract_page.status_code == 200
    assert warning in contract_page.get_data(as_text=True)


def test_an_exit_after_which_everything_is_paid_still_asks_first(app, case, login_as):
    """Nothing left to cancel, but two months paid after the end: said before saving."""
    pay_month(app, case, login_as, "2026-02", 5)
    pay_month(app, case, login_as, "2026-03", 3)
    url = f"/staff/participants/{case.person}/exit"
    data = exit_data(app, case)
    with freeze_time(MARCH_5):
        boss = login_as(email(app, case.boss), fresh=True)
        response = boss.post(url, data=data)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'id="exit-confirm"' in page
        assert paid_said(app, 2, 600_00) in page
        assert (
            translated(
                app,
                "No allowance instalment is due after %(month)s, the month of the end: nothing is "
                "cancelled.",
                month=_month(app, JAN),
            )
            in page
        )
        with app.app_context():  # nothing saved yet
            assert db.session.get(Participant, case.person).support_end is None
        response = boss.post(url, data=data | {"cancels": hidden(page, "cancels")})
        assert response.status_code == 302
        # Recording the result later, with the same end, does not ask again.
        later = exit_data(app, case) | {"result_on": "2026-03-05", "exit_employed": "y"}
        assert boss.post(url, data=later).status_code == 302
    with app.app_context():
        person = db.session.get(Participant, case.person)
        assert (person.support_end, person.exit_employed) == (date(2026, 1, 15), True)
    found = rows(app, case.allowance)
    assert [found[month][0] for month in (JAN, FEB, MAR)] == [I.DUE, I.PAID, I.PAID]
    assert line(app, case.line)[1:] == (900_00, 600_00)


def test_an_advisor_is_not_shown_the_money(app, case, login_as, make_user):
    pay_month(app, case, login_as, "2026-02", 5)
    advisor = make_user(Role.ADVISOR, centre_id=case.centre)
    with app.app_context():
        person = db.session.get(Participant, case.person)
        person.support_end, person.advisor_id = date(2026, 1, 15), advisor
        db.session.commit()
    boss = login_as(email(app, case.boss), fresh=True)
    page = boss.get(f"/staff/participants/{case.person}").get_data(as_text=True)
    assert 'id="paid-after-end"' in page
    response = login_as(email(app, advisor), fresh=True).get(f"/staff/participants/{case.person}")
    assert response.status_code == 200
    assert 'id="paid-after-end"' not in response.get_data(as_text=True)


def _month(app, day: date) -> str:
    with app.test_request_context(), force_locale("pl"):
        return app.jinja_env.filters["month"](day)


# -- support after the exit -----------------------------------------------------------------------


@pytest.mark.parametrize("ended_by", ["exit", "contract"])
def test_a_placement_cannot_start_after_the_end(app, case, ended_by):
    end = today() - timedelta(days=10)
    with app.app_context():
        if ended_by == "exit":
            db.session.get(Participant, case.person).support_end = end
        else:
            db.session.execute(
                update(SocialContract)
                .where(SocialContract.id == case.contract)
                .values(status=ContractStatus.TERMINATED, ended_on=end)
            )
        db.session.commit()
        worker = db.session.get(User, case.worker)

        def start(on: date) -> placements.Placement:
            return placements.create(
                case.person,
                kind=PlacementKind.WORK_TRAINING,
                employer="Spółdzielnia Socjalna",
                starts_on=on,
                ends_on=on + timedelta(days=30),
                hours_per_month=40,
                contract_id=case.contract,
                actor=worker,
                now=utcnow(),
            )

        with pytest.raises(placements.PlacementRefused) as refused:
            start(end + timedelta(days=1))
        assert refused.value.field == "starts_on"
        db.session.rollback()
        assert start(end).starts_on == end  # up to the end it starts


def test_a_placement_started_after_the_exit_is_refused_beside_its_start(app, case, login_as):
    end = today() - timedelta(days=10)
    with app.app_context():
        db.session.get(Participant, case.person).support_end = end
        db.session.commit()
    client = login_as(email(app, case.worker), fresh=True)
    starts = end + timedelta(days=2)
    response = client.post(
        f"/staff/participants/{case.person}/placements/new",
        data={
            "kind": PlacementKind.WORK_TRAINING.value,
            "employer": "Spółdzielnia Socjalna",
            "supervisor": "",
            "starts_on": starts.isoformat(),
            "ends_on": (starts + timedelta(days=30)).isoformat(),
            "hours_per_month": "40",
            "hourly_rate": "",
            "contract_id": "0",
        },
    )
    page = response.get_data(as_text=True)
    assert 'id="starts_on-error"' in page
    assert (
        translated(
            app,
            "The person left the project on %(date)s: a placement cannot start after that day.",
            date=end.isoformat(),
        )
        in page
    )
    assert f'value="{starts.isoformat()}"' in page


def test_a_session_after_the_exit_keeps_the_person_and_says_they_left(app, case, login_as):
    with app.app_context():
        boss = db.session.get(User, case.boss)
        starts = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
        session = sessions.create(
            db.session.get(Centre, case.centre),
            participants.current_project(case.centre),
            sessions.SessionFields(
                instrument=GroupInstrument.SOCIAL_SKILLS,
                title="",
                place="Sala GOPS",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=5,
                trainer="Ewa Trenerska",
                topics="Komunikacja",
            ),
            actor=boss,
            now=utcnow(),
        )
        sessions.enrol(
            session.id, [db.session.get(Participant, case.person)], actor=boss, now=utcnow()
        )
        end = today() - timedelta(days=1)
        db.session.get(Participant, case.person).support_end = end
        db.session.commit()
        session_id = session.id
    response = login_as(email(app, case.boss), fresh=True).get(f"/staff/sessions/{session_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    with app.test_request_context(), force_locale("pl"):
        day = app.jinja_env.filters["date"](end)
    assert "Pigwa Genowefa" in page  # the enrolment is kept
    assert translated(app, "Left the project on %(date)s", date=day) in page
