"""A payment list waits for its month: none is made for a month that has not begun in Warsaw, and
nothing on a list is marked paid before its month's first day. The refusal is shown beside the
month (or the payment date), what was typed stays, and nothing changes.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Centre, Instalment, PaymentList, User
from portal.models.base import utcnow
from portal.models.enums import InstalmentStatus
from portal.services.common import dates
from portal.services.support import payments
from tests.helpers import email, translated
from tests.support.allowances.steps import line
from tests.support.ending_steps import FEB, JAN, I, build_case, made_in_advance

NOT_BEGUN = "This month has not begun yet: its payment list can be made from its first day."
PAID_TOO_EARLY = (
    "The list's month has not begun on that date: the items can be marked paid from %(day)s."
)


@pytest.fixture
def case(app, make_centre, make_user, make_participant, make_budget_line, make_periodic_allowance):
    return build_case(
        app, make_centre, make_user, make_participant, make_budget_line, make_periodic_allowance
    )


def lists(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(PaymentList.id)))


def list_entries(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "payment_list.create")
        )


def test_no_list_for_a_month_that_has_not_begun(app, case, login_as):
    with freeze_time(datetime(2026, 1, 10, 9, tzinfo=UTC)):
        boss = login_as(email(app, case.boss), fresh=True)
        response = boss.post("/staff/payments", data={"month": "2026-02"})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert 'id="month-error"' in page  # beside the month
        assert translated(app, NOT_BEGUN) in page
        assert 'value="2026-02"' in page  # what was typed is kept
        assert (lists(app), list_entries(app)) == (0, 0)
        # The month that has begun is made as before.
        response = boss.post("/staff/payments", data={"month": "2026-01"})
        assert response.status_code == 302
    assert (lists(app), list_entries(app)) == (1, 1)


def test_the_month_begins_at_midnight_in_warsaw(app, case):
    """23:30 UTC on 31 January is already 1 February in Warsaw; 22:59 UTC is not."""
    with app.app_context():
        boss = db.session.get(User, case.boss)
        with pytest.raises(payments.PaymentRefused) as refused:
            payments.get_or_create(
                case.centre, FEB, actor=boss, now=datetime(2026, 1, 31, 22, 59, tzinfo=UTC)
            )
        assert refused.value.field == "month"
        db.session.rollback()
        made = payments.get_or_create(
            case.centre, FEB, actor=boss, now=datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
        )
        assert [i.month for i in payments.items(made)] == [FEB]


def test_a_list_is_not_marked_paid_before_its_month_begins(app, case, login_as):
    """A list of February made in January (older data) cannot be paid in January, nor dated
    back to January once February has come."""
    february = made_in_advance(app, case, FEB)
    with app.app_context():
        instalment = db.session.scalar(
            select(Instalment.id).where(Instalment.payment_list_id == february)
        )
    url = f"/staff/payments/{february}"
    with freeze_time(datetime(2026, 1, 20, 9, tzinfo=UTC)):
        boss = login_as(email(app, case.boss), fresh=True)
        page = boss.get(url).get_data(as_text=True)
        assert 'id="not-begun"' in page
        assert 'name="paid_on"' not in page  # nothing to fill in yet
        response = boss.post(
            f"{url}/paid", data={"instalment_id": [instalment], "paid_on": "2026-01-20"}
        )
        assert response.status_code == 302
        page = boss.get(response.headers["Location"]).get_data(as_text=True)
        assert translated(app, PAID_TOO_EARLY, day="2026-02-01") in page
    with freeze_time(datetime(2026, 2, 3, 9, tzinfo=UTC)):
        boss = login_as(email(app, case.boss), fresh=True)
        assert 'id="not-begun"' not in boss.get(url).get_data(as_text=True)
        boss.post(f"{url}/paid", data={"instalment_id": [instalment], "paid_on": "2026-01-31"})
        with app.app_context():
            assert db.session.get(Instalment, instalment).status == I.DUE
        assert line(app, case.line)[2] == 0
        boss.post(f"{url}/paid", data={"instalment_id": [instalment], "paid_on": "2026-02-01"})
    with app.app_context():
        paid = db.session.get(Instalment, instalment)
        assert (paid.status, paid.paid_on) == (I.PAID, date(2026, 2, 1))
    assert line(app, case.line)[2] == 300_00


def test_the_service_refuses_a_payment_date_before_the_month(app, case):
    with app.app_context():
        boss = db.session.get(User, case.boss)
        january = payments.get_or_create(
            case.centre, JAN, actor=boss, now=datetime(2026, 1, 5, 9, tzinfo=UTC)
        )
        ids = [i.id for i in payments.items(january)]
        with pytest.raises(payments.PaymentRefused) as refused:
            payments.mark_paid(
                january,
                ids,
                paid_on=date(2025, 12, 31),
                actor=boss,
                now=datetime(2026, 1, 5, 9, tzinfo=UTC),
            )
        assert refused.value.field == "paid_on"


def test_the_demo_makes_no_list_before_its_month_and_this_months_list_is_made(app, demo):
    with app.app_context():
        this_month = dates.local_date(utcnow()).replace(day=1)
        made = db.session.execute(select(PaymentList.month)).scalars().all()
        assert made
        assert all(month <= this_month for month in made)
        paid_early = db.session.scalar(
            select(func.count(Instalment.id))
            .join(PaymentList, PaymentList.id == Instalment.payment_list_id)
            .where(
                Instalment.status == InstalmentStatus.PAID, Instalment.paid_on < PaymentList.month
            )
        )
        assert paid_early == 0
        centre = db.session.scalar(select(Centre).where(Centre.short_name == "ops-janow"))
        coordinator = db.session.scalar(select(User).where(User.email == "koordynator@example.org"))
        current = payments.get_or_create(centre.id, this_month, actor=coordinator, now=utcnow())
        assert payments.items(current)  # the demo's allowances of this month are on it
        with pytest.raises(payments.PaymentRefused):
            payments.get_or_create(
                centre.id,
                (this_month + timedelta(days=31)).replace(day=1),
                actor=coordinator,
                now=utcnow(),
            )
        db.session.rollback()
