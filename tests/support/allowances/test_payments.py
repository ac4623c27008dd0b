"""Payment lists: the month's approved instalments, their exports, and paying once."""

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Instalment,
    PaymentList,
)
from portal.models.enums import (
    InstalmentStatus,
)
from portal.services.support import allowances, payments
from tests.factories import NOW, today
from tests.helpers import email, translated
from tests.support.allowances.steps import (
    APRIL,
    MARCH,
    A,
    approve,
    followed,
    get,
    instalments,
    line,
    reject,
    run,
    staff_user,
    status,
    zl,
)

# -- payment lists ------------------------------------------------------------------------------


@pytest.fixture
def month_of_march(
    app, office, login_as, make_allowance, make_budget_line, make_periodic_allowance
):
    """Approved: a periodic allowance Feb-Apr for Genowefa, a purpose one in March for Zenon and
    one in April for Genowefa. Not approved: a March request waiting and one rejected."""
    o = office
    o.budget = make_budget_line(o.centre, 10_000_00)
    o.periodic = make_periodic_allowance(
        o.person, o.worker, o.contract, date(2026, 2, 1), APRIL, 450_00
    )
    o.purpose = make_allowance(o.other, o.worker, amount=300_00, first_month=MARCH)
    o.april = make_allowance(o.person, o.worker, amount=120_00, first_month=APRIL)
    o.waiting = make_allowance(o.other, o.worker, amount=77_00, first_month=MARCH)
    o.rejected = make_allowance(o.person, o.worker, amount=66_00, first_month=MARCH)
    assert len(approve(app, [o.periodic, o.purpose, o.april], o.boss)[0]) == 3
    reject(app, o.rejected, o.boss)
    o.client = login_as(email(app, o.boss), fresh=True)
    response = o.client.post("/staff/payments", data={"month": "2026-03"})
    assert response.status_code == 302
    with app.app_context():
        o.list = db.session.scalar(select(PaymentList.id).where(PaymentList.month == MARCH))
        o.items = {
            allowance_id: instalment_id
            for allowance_id, instalment_id in db.session.execute(
                select(Instalment.allowance_id, Instalment.id).where(
                    Instalment.payment_list_id == o.list
                )
            )
        }
    assert response.headers["Location"].endswith(f"/staff/payments/{o.list}")
    return o


def test_the_months_list_holds_the_approved_instalments_due(app, month_of_march):
    o = month_of_march
    assert set(o.items) == {o.periodic, o.purpose}
    page = o.client.get(f"/staff/payments/{o.list}").get_data(as_text=True)
    assert "Pigwa Genowefa" in page
    assert "Obcy Zenon" in page
    assert zl(app, 750_00) in page
    # Opening the month again adds nothing twice.
    o.client.post("/staff/payments", data={"month": "2026-03"})
    with app.app_context():
        assert db.session.scalar(select(func.count(PaymentList.id))) == 1
        on_list = db.session.scalars(
            select(Instalment.id).where(Instalment.payment_list_id == o.list)
        ).all()
        assert sorted(on_list) == sorted(o.items.values())
        assert payments.totals(payments.items(db.session.get(PaymentList, o.list))) == {
            "all": 750_00,
            "paid": 0,
            "due": 750_00,
        }


def test_the_list_exports_to_csv_xlsx_and_pdf(app, month_of_march):
    o = month_of_march
    response = o.client.get(f"/staff/payments/{o.list}/list.csv")
    assert response.status_code == 200
    assert 'filename="lista-wyplat-2026-03.csv"' in response.headers["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    body = rows[1:-1]
    assert sorted((r[0], r[1], r[3], r[4]) for r in body) == [
        ("Obcy", "Zenon", "2026-03", "300,00"),
        ("Pigwa", "Genowefa", "2026-03", "450,00"),
    ]
    assert rows[-1][3:5] == [translated(app, "Total", html=False), "750,00"]

    response = o.client.get(f"/staff/payments/{o.list}/list.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    items, total = values[1:-1], values[-1]
    assert sorted((r[0], r[4]) for r in items) == [("Obcy", 300), ("Pigwa", 450)]
    assert total[3] == translated(app, "Total", html=False)
    assert round(total[4], 2) == round(sum(r[4] for r in items), 2) == 750

    response = o.client.get(f"/staff/payments/{o.list}/list.pdf")
    assert response.status_code == 200
    text_of_pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Pigwa Genowefa" in text_of_pdf
    assert "Obcy Zenon" in text_of_pdf
    assert "2026-03" in text_of_pdf


def test_marking_paid_once_and_never_again(app, month_of_march, login_as):
    o = month_of_march
    url = f"/staff/payments/{o.list}/paid"
    ids = list(o.items.values())
    future = (today() + timedelta(days=2)).isoformat()
    page = followed(o.client, o.client.post(url, data={"instalment_id": ids, "paid_on": future}))
    assert translated(app, "The payment date cannot be in the future.") in page
    assert line(app, o.budget)[2] == 0

    paid_on = today() - timedelta(days=1)
    page = followed(
        o.client, o.client.post(url, data={"instalment_id": ids, "paid_on": paid_on.isoformat()})
    )
    assert translated(app, "Marked paid: %(n)d.", n=2) in page
    assert line(app, o.budget) == (10_000_00, 3 * 450_00 + 300_00 + 120_00, 750_00)
    # The purpose allowance is paid; the periodic one still has February and April to pay.
    assert (status(app, o.purpose), status(app, o.periodic)) == (A.PAID, A.APPROVED)
    assert instalments(app, o.periodic)[1] == (MARCH, 450_00, InstalmentStatus.PAID, paid_on)

    # A paid item is never changed: marking it again (another date) does nothing (the list
    # shown again after it is a reading, recorded as such).
    changes = select(func.count(AuditEntry.id)).where(AuditEntry.action != "participant.listed")
    with app.app_context():
        audit_count = db.session.scalar(changes)
    page = followed(
        o.client, o.client.post(url, data={"instalment_id": ids, "paid_on": today().isoformat()})
    )
    assert translated(app, "Marked paid: %(n)d.", n=0) in page
    assert instalments(app, o.periodic)[1][3] == paid_on
    assert line(app, o.budget)[2] == 750_00
    with app.app_context():
        assert db.session.scalar(changes) == audit_count

    # A partly paid allowance cannot be withdrawn; a paid one neither.
    worker = login_as(email(app, o.worker), fresh=True)
    page = followed(worker, worker.post(f"/staff/allowances/{o.periodic}/withdraw"))
    assert (
        translated(app, "Part of this allowance is already paid: it cannot be withdrawn.") in page
    )
    followed(worker, worker.post(f"/staff/allowances/{o.purpose}/withdraw"))
    assert (status(app, o.purpose), status(app, o.periodic)) == (A.PAID, A.APPROVED)
    assert len(instalments(app, o.periodic)) == 3
    assert line(app, o.budget)[1] == 3 * 450_00 + 300_00 + 120_00

    # Paying February and April too makes the periodic allowance paid.
    for month in ("2026-02", "2026-04"):
        response = o.client.post("/staff/payments", data={"month": month})
        list_id = int(response.headers["Location"].rsplit("/", 1)[1])
        with app.app_context():
            due = db.session.scalars(
                select(Instalment.id).where(Instalment.payment_list_id == list_id)
            ).all()
        o.client.post(
            f"/staff/payments/{list_id}/paid",
            data={"instalment_id": due, "paid_on": paid_on.isoformat()},
        )
    assert (status(app, o.periodic), status(app, o.april)) == (A.PAID, A.PAID)
    assert line(app, o.budget)[2] == line(app, o.budget)[1] == 3 * 450_00 + 300_00 + 120_00


def test_withdrawing_while_paying_never_deletes_a_paid_instalment(app, month_of_march):
    """Instalments are deleted only while still due, whatever happened since they were read."""
    o = month_of_march

    def withdraw_while_march_is_paid():
        allowance = get(o.periodic)
        # The withdrawing request has read the instalments, all due ...
        assert {i.status for i in allowance.instalments} == {InstalmentStatus.DUE}
        # ... when a parallel request pays March (its update bypasses this session's objects).
        db.session.execute(
            update(Instalment)
            .where(Instalment.id == o.items[o.periodic])
            .values(status=InstalmentStatus.PAID, paid_on=date(2026, 3, 10))
            .execution_options(synchronize_session=False)
        )
        allowances.withdraw(allowance, actor=staff_user(o.worker), now=NOW)

    error = run(app, withdraw_while_march_is_paid)
    assert isinstance(error, allowances.AllowanceRefused)
    assert error.text == translated(
        app, "Part of this allowance is already paid: it cannot be withdrawn.", html=False
    )
    assert status(app, o.periodic) == A.APPROVED
    assert len(instalments(app, o.periodic)) == 3
    assert line(app, o.budget)[1] == 3 * 450_00 + 300_00 + 120_00
