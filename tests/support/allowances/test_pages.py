"""What the participant sees, and pages over records stored before dates were bounded."""

from datetime import date, timedelta

from flask_babel import force_locale
from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import short_date
from portal.models import (
    Allowance,
    Instalment,
    PaymentList,
    SocialContract,
)
from portal.services.support import payments
from tests.factories import NOW
from tests.helpers import email, translated, user_of
from tests.support.allowances.steps import (
    APRIL,
    MARCH,
    A,
    K,
    approve,
    followed,
    reject,
    run,
    staff_user,
    status,
    zl,
)

# -- what the participant sees ------------------------------------------------------------------


def test_the_participant_sees_each_status_in_plain_words(
    app, office, login_as, make_allowance, make_budget_line
):
    o = office
    make_budget_line(o.centre, 10_000_00)
    draft = make_allowance(o.person, o.worker, purpose="Szkic wniosku", submit=False)
    make_allowance(o.person, o.worker, purpose="Buty zimowe")
    rejected = make_allowance(o.person, o.worker, purpose="Pralka")
    granted = make_allowance(o.person, o.worker, purpose="Leki", first_month=APRIL)
    paid = make_allowance(o.person, o.worker, purpose="Opał", first_month=MARCH)
    make_allowance(o.other, o.worker, purpose="Sekret Zenona")
    reject(app, rejected, o.boss, reason="Dochód powyżej kryterium")
    approve(app, [granted, paid], o.boss)
    paid_on = date(2026, 3, 12)

    def pay():
        payment_list = payments.get_or_create(o.centre, MARCH, actor=staff_user(o.boss), now=NOW)
        ids = [i.id for i in payments.items(payment_list)]
        payments.mark_paid(
            payment_list,
            ids,
            paid_on=paid_on,
            actor=staff_user(o.boss),
            now=NOW + timedelta(days=3),
        )

    run(app, pay)
    assert status(app, paid) == A.PAID
    with app.app_context():
        participant_email = user_of(o.person).email
    page = login_as(participant_email, fresh=True).get("/me/allowances").get_data(as_text=True)
    assert draft
    assert "Szkic wniosku" not in page  # a draft is not the person's business yet
    assert "Sekret Zenona" not in page
    with app.test_request_context(), force_locale("pl"):
        paid_date = short_date(paid_on)
    for purpose, words in (
        ("Buty zimowe", translated(app, "Waiting for a decision")),
        ("Pralka", translated(app, "Not granted") + ": Dochód powyżej kryterium"),
        ("Leki", translated(app, "Granted")),
        ("Opał", translated(app, "Paid") + " " + paid_date),
    ):
        card = page[page.index(purpose) :]
        card = card[: card.index("</li>")]
        assert words in card, (purpose, card)
    assert zl(app, 300_00) in page


def test_a_periodic_allowance_reads_as_a_monthly_amount(
    app, office, login_as, make_budget_line, make_periodic_allowance
):
    o = office
    make_budget_line(o.centre, 10_000_00)
    make_periodic_allowance(o.person, o.worker, o.contract, date(2026, 2, 1), APRIL, 450_00)
    with app.app_context():
        participant_email = user_of(o.person).email
    page = login_as(participant_email, fresh=True).get("/me/allowances").get_data(as_text=True)
    assert zl(app, 1350_00) in page
    assert f"{zl(app, 450_00)} {translated(app, 'a month')}" in page
    assert "luty 2026 – kwiecień 2026" in page  # months as Polish names them, not ISO


# -- records stored before dates were bounded ---------------------------------------------------


def test_one_stored_extreme_record_breaks_no_list_page(
    app, office, login_as, make_allowance, make_budget_line
):
    """Issue 8: a contract ending 9999-12-31 and a periodic request for 9999-11..9999-12 (stored
    before forms bounded dates, or by hand) once turned the whole approval queue into a 500."""
    o = office
    make_budget_line(o.centre, 10_000_00)
    paid = make_allowance(o.other, o.worker, amount=120_00)
    approve(app, [paid], o.boss)
    with app.app_context():
        contract = db.session.get(SocialContract, o.contract)
        contract.end_date = date(9999, 12, 31)
        extreme = Allowance(
            centre_id=o.centre,
            participant_id=o.person,
            contract_id=o.contract,
            prepared_by_id=o.worker,
            kind=K.PERIODIC,
            amount_grosze=450_00,
            first_month=date(9999, 11, 1),
            last_month=date(9999, 12, 1),
            justification="Zapisany ręcznie",
            status=A.SUBMITTED,
            submitted_at=NOW,
        )
        earliest = Allowance(
            centre_id=o.centre,
            participant_id=o.person,
            prepared_by_id=o.worker,
            kind=K.PERIODIC,
            amount_grosze=1_00,
            first_month=date(1, 1, 1),
            last_month=date(9999, 12, 1),
            justification="Zapisany ręcznie",
            status=A.SUBMITTED,
            submitted_at=NOW,
        )
        last_list = PaymentList(centre_id=o.centre, month=date(9999, 12, 1))
        db.session.add_all([extreme, earliest, last_list])
        db.session.flush()
        db.session.add(
            Instalment(
                centre_id=o.centre,
                allowance_id=paid,
                month=date(9999, 12, 1),
                amount_grosze=1_00,
                payment_list_id=last_list.id,
            )
        )
        db.session.commit()
        ids = {"extreme": extreme.id, "earliest": earliest.id, "list": last_list.id}
        participant_email = user_of(o.person).email
    boss, worker = (
        login_as(email(app, o.boss), fresh=True),
        login_as(email(app, o.worker), fresh=True),
    )
    pages = {
        boss: [
            "/staff/approvals",
            "/staff/approvals?month=2026-03",
            "/staff/payments",
            f"/staff/payments/{ids['list']}",
            f"/staff/payments/{ids['list']}/list.csv",
            f"/staff/payments/{ids['list']}/list.xlsx",
            f"/staff/payments/{ids['list']}/list.pdf",
        ],
        worker: [
            f"/staff/participants/{o.person}/casework",
            f"/staff/contracts/{o.contract}",
            f"/staff/contracts/{o.contract}/contract.pdf",
            f"/staff/allowances/{ids['extreme']}",
            f"/staff/allowances/{ids['earliest']}",
            f"/staff/allowances/{ids['extreme']}/edit",
            f"/staff/participants/{o.person}/allowances/new",
        ],
        login_as(participant_email, fresh=True): ["/me/", "/me/allowances", "/me/contract"],
    }
    broken = [
        f"{path}: {response.status_code}"
        for client, paths in pages.items()
        for path in paths
        if (response := client.get(path)).status_code != 200
    ]
    assert broken == []
    queue = boss.get("/staff/approvals").get_data(as_text=True)
    assert f'id="approve-{ids["extreme"]}"' in queue
    assert f'id="approve-{ids["earliest"]}"' in queue
    # Deciding them is refused with a message (no budget line for such years), never a 500.
    page = followed(
        boss,
        boss.post(
            "/staff/approvals/approve",
            data={"allowance_id": [ids["extreme"], ids["earliest"]]},
        ),
    )
    no_line = translated(
        app, "There is no allowance budget line for %(year)d.", html=False, year=9999
    )
    assert translated(app, "Not approved (%(n)d): %(reason)s", n=1, reason=no_line) in page
    assert status(app, ids["extreme"]) == A.SUBMITTED


def test_values_typed_by_hand_into_the_decision_pages_are_bounded(
    app, office, login_as, make_allowance, make_budget_line
):
    """Issue 8: filters in the address and ids in the form are read within the database's range;
    a month outside 2000-2099 is no month."""
    o = office
    make_budget_line(o.centre, 10_000_00)
    request = make_allowance(o.person, o.worker)
    boss = login_as(email(app, o.boss), fresh=True)
    for query in (
        "worker=99999999999999999999",
        "worker=²",
        "worker=-1",
        "kind=nothing",
        "month=9999-12",
        "month=0001-01",
        "month=2026-13",
        "month=２０２６-０３",
    ):
        response = boss.get(f"/staff/approvals?{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        name = query.split("=")[0]
        assert f'id="{name}-error"' in page, query  # the reason beside the field
        assert f'id="approve-{request}"' not in page, query  # nothing listed by a wrong filter
        assert 'id="approve-all"' not in page, query
        # The confirmation of "approve all" sends a wrong filter back to the queue.
        response = boss.get(f"/staff/approvals/all?{query}")
        assert response.status_code == 302, query
    for ids in (["²"], ["１"], ["99999999999999999999"], ["-1"], ["0"]):
        page = followed(boss, boss.post("/staff/approvals/approve", data={"allowance_id": ids}))
        assert translated(app, "Choose at least one request.") in page, ids
    for month in ("9999-12", "0001-01", "2026-13", "x", ""):
        response = boss.post("/staff/payments", data={"month": month})
        assert response.status_code == 400, month
        page = response.get_data(as_text=True)
        assert 'id="month-error"' in page, month  # the reason beside the month
        assert f'value="{month}"' in page, month  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count(PaymentList.id))) == 0
    assert status(app, request) == A.SUBMITTED
