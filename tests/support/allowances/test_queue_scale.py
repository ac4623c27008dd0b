"""Issue 24: the approval queue, the payment list (and the bank account changes waiting) cost
the same whatever the centre's size.

A page of 50 rows with the figures of all from the database, "approve all that match" decided
on the server from the filter after a confirmation of its number and amount, namesakes told
apart by their birth year and village, and wrong filter values answered with a message."""

import re
from datetime import date, timedelta

from sqlalchemy import func, insert, select, update

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    BankAccountChange,
    BankAccountChangeStatus,
    Instalment,
    Participant,
    PaymentList,
    Village,
)
from portal.models.base import utcnow
from portal.models.enums import AllowanceStatus, Role
from portal.services.support import payments
from tests.helpers import email, translated
from tests.support.allowances.bulk import submitted_requests
from tests.support.allowances.steps import A, approve, followed, run, staff_user, zl
from tests.support.allowances.test_queue import ABOUT, APPROVED, SHOWN, plural

ROW = re.compile(r'id="approve-(\d+)"')
PAID_ROW = re.compile(r'id="paid-(\d+)"')


def _listed(page: str) -> list[int]:
    return [int(found) for found in ROW.findall(page)]


def _confirmed(page: str) -> dict[str, str]:
    found = dict(re.findall(r'name="(count|total|check)" value="([0-9]+)"', page))
    assert found.keys() == {"count", "total", "check"}, "no confirmation form"
    return found


def _requests(app, o, count, *, preparer=None, people=None, **kw) -> list[int]:
    return submitted_requests(
        app,
        centre_id=o.centre,
        participant_ids=people or [o.person, o.other],
        preparer_id=preparer or o.worker,
        count=count,
        submitted_at=kw.pop("submitted_at", utcnow() - timedelta(minutes=5)),
        **kw,
    )


def _statuses(app, ids) -> dict:
    with app.app_context():
        rows = db.session.execute(
            select(Allowance.status, func.count(Allowance.id))
            .where(Allowance.id.in_(ids))
            .group_by(Allowance.status)
        )
        return dict(rows.all())


def _born_in(app, person: int, year: int, village: str) -> None:
    with app.app_context():
        centre = db.session.get(Participant, person).centre_id
        village_id = db.session.scalar(
            select(Village.id).where(Village.centre_id == centre, Village.name == village)
        )
        db.session.execute(
            update(Participant)
            .where(Participant.id == person)
            .values(birth_date=date(year, 5, 1), village_id=village_id)
        )
        db.session.commit()


def test_a_queue_of_120_shows_one_page_of_50_in_as_many_statements_as_a_queue_of_5(
    app, office, login_as, query_counter
):
    o = office
    boss = login_as(email(app, o.boss), fresh=True)
    first = _requests(app, o, 5)
    boss.get("/staff/approvals")  # once before measuring
    with query_counter() as statements:
        small = boss.get("/staff/approvals").get_data(as_text=True)
    few = len(statements)
    more = _requests(app, o, 115, submitted_at=utcnow() - timedelta(minutes=1))
    with query_counter() as statements:
        large = boss.get("/staff/approvals").get_data(as_text=True)
    assert len(statements) == few, (few, len(statements))
    assert _listed(small) == first
    assert _listed(large) == (first + more)[:50]
    assert plural(app, SHOWN, 120, amount=zl(app, 120 * 10_00)) in large
    # The next pages, by plain links that keep the filter.
    filtered = boss.get(f"/staff/approvals?worker={o.worker}").get_data(as_text=True)
    assert f'href="/staff/approvals?page=3&amp;worker={o.worker}"' in filtered
    with query_counter() as statements:
        last = boss.get(f"/staff/approvals?page=3&worker={o.worker}").get_data(as_text=True)
    assert len(statements) == few
    assert _listed(last) == (first + more)[100:]
    # Rows chosen on a page are decided, and the coordinator is back on that filter and page.
    response = boss.post(
        "/staff/approvals/approve",
        data={"allowance_id": _listed(last)[:2], "worker": str(o.worker), "page": "3"},
    )
    assert response.headers["Location"].endswith(f"/staff/approvals?worker={o.worker}&page=3")


def test_namesakes_are_told_apart_by_birth_year_and_village(
    app, office, login_as, make_participant
):
    o = office
    twin = make_participant(o.centre, first_name="Genowefa", last_name="Pigwa")
    _born_in(app, o.person, 1961, "Biała Pierwsza")
    _born_in(app, twin, 1987, "Biała Druga")
    _requests(app, o, 2, people=[o.person, twin])
    boss = login_as(email(app, o.boss), fresh=True)
    page = boss.get("/staff/approvals").get_data(as_text=True)
    for year, village in ((1961, "Biała Pierwsza"), (1987, "Biała Druga")):
        assert f"{translated(app, 'born %(year)s', year=year)} · {village}" in page


def test_approve_all_that_match_is_decided_by_the_filter_after_a_confirmation(
    app, office, login_as, make_budget_line, make_user, make_centre, make_participant
):
    o = office
    make_budget_line(o.centre, 100_000_00)
    other_worker = make_user(Role.SOCIAL_WORKER, centre_id=o.centre)
    mine = _requests(app, o, 70, amount=25_00)
    theirs = _requests(app, o, 4, preparer=other_worker)
    # Another centre's requests, prepared by a worker with the same filter values.
    elsewhere = make_centre()
    make_budget_line(elsewhere, 100_000_00)
    far_worker = make_user(Role.SOCIAL_WORKER, centre_id=elsewhere)
    far_person = make_participant(elsewhere)
    far = submitted_requests(
        app,
        centre_id=elsewhere,
        participant_ids=[far_person],
        preparer_id=far_worker,
        count=3,
        submitted_at=utcnow() - timedelta(minutes=5),
    )
    boss = login_as(email(app, o.boss), fresh=True)
    query = f"worker={o.worker}&month=2026-03&kind=purpose"
    queue = boss.get(f"/staff/approvals?{query}").get_data(as_text=True)
    assert len(_listed(queue)) == 50  # one page of the 70
    assert 'id="approve-all"' in queue

    confirm = boss.get(f"/staff/approvals/all?{query}").get_data(as_text=True)
    assert plural(app, ABOUT, 70, amount=zl(app, 70 * 25_00)) in confirm
    confirmed = _confirmed(confirm)
    assert confirmed["count"] == "70"
    assert confirmed["total"] == str(70 * 25_00)
    assert _statuses(app, mine) == {A.SUBMITTED: 70}  # asking changed nothing

    # A request added meanwhile: refused, nothing decided, asked again with the new figures.
    added = _requests(app, o, 1, amount=25_00)
    form = {"worker": str(o.worker), "month": "2026-03", "kind": "purpose", **confirmed}
    response = boss.post("/staff/approvals/all", data=form)
    assert response.status_code == 302
    page = followed(boss, response)
    changed = translated(
        app,
        "The requests waiting have changed since you were asked to confirm. "
        "Check the new number and confirm again.",
    )
    assert changed in page
    assert plural(app, ABOUT, 71, amount=zl(app, 71 * 25_00)) in page
    assert _statuses(app, mine + added) == {A.SUBMITTED: 71}

    # One decided and one of the same amount added: same number, same sum, other requests.
    reconfirmed = _confirmed(page)
    run(app, lambda: approve_one(mine[0], o.boss2))
    swapped = _requests(app, o, 1, amount=25_00)
    page = followed(boss, boss.post("/staff/approvals/all", data={**form, **reconfirmed}))
    assert changed in page
    assert _statuses(app, mine[1:] + added + swapped) == {A.SUBMITTED: 71}

    # Confirmed again: exactly the filter's requests are decided, in one submit.
    page = followed(boss, boss.post("/staff/approvals/all", data={**form, **_confirmed(page)}))
    assert plural(app, APPROVED, 71) in page
    assert _statuses(app, mine + added + swapped) == {A.APPROVED: 72}
    assert _statuses(app, theirs) == {A.SUBMITTED: 4}  # another worker's: outside the filter
    assert _statuses(app, far) == {A.SUBMITTED: 3}  # another centre's: never seen
    with app.app_context():  # each decision on the trail, one entry a request
        entries = db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.entity_type == Allowance.__tablename__,
                AuditEntry.entity_id.in_(mine + added + swapped),
                AuditEntry.action == "allowance.approved",
            )
        )
    assert entries == 72


def approve_one(allowance_id: int, approver: int) -> None:
    from portal.services.support import approvals

    approvals.approve_many(
        [allowance_id],
        centre_id=staff_user(approver).centre_id,
        approver=staff_user(approver),
        now=utcnow(),
    )


def test_wrong_filter_values_are_said_so_and_never_answered_500(
    app, office, login_as, make_user, make_centre, make_budget_line
):
    o = office
    make_budget_line(o.centre, 10_000_00)
    ids = _requests(app, o, 3)
    stranger = make_user(Role.SOCIAL_WORKER, centre_id=make_centre())
    boss = login_as(email(app, o.boss), fresh=True)
    for query, field in (
        ("month=2026-13", "month"),
        ("month=99999999999-01", "month"),
        (f"worker={stranger}", "worker"),  # another centre's worker is no choice here
        (f"worker={o.advisor}", "worker"),  # nor is someone who prepares no requests
        ("worker=abc", "worker"),
        ("worker=" + "9" * 400, "worker"),
        ("kind=" + "x" * 400, "kind"),
    ):
        response = boss.get(f"/staff/approvals?{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        assert f'id="{field}-error"' in page, query
        assert _listed(page) == [], query
        if field == "month":  # what was typed is kept
            assert f'value="{query.split("=")[1]}"' in page, query
    for number in ("-1", "abc", "0", "1e3", "9" * 400):
        response = boss.get(f"/staff/approvals?page={number}")
        assert response.status_code == 200, number
        page = response.get_data(as_text=True)
        assert _listed(page) == ids, number
        assert translated(app, "That is not a page number: the first page is shown.") in page
    assert _listed(boss.get("/staff/approvals?page=2147483647").get_data(as_text=True)) == ids
    # A confirmation whose filter or figures were tampered with decides nothing.
    for data in (
        {"month": "2026-13", "count": "3", "total": "3000", "check": "0"},
        {"count": "3", "total": "3000", "check": "9" * 400},
        {"count": "-3", "total": "x"},
        {},
    ):
        response = boss.post("/staff/approvals/all", data=data)
        assert response.status_code == 302, data
        assert "csrf" not in response.headers["Location"]
    assert _statuses(app, ids) == {A.SUBMITTED: 3}


def test_the_payment_list_shows_a_page_with_the_whole_lists_totals(
    app, office, login_as, make_budget_line, query_counter
):
    o = office
    make_budget_line(o.centre, 100_000_00)
    _born_in(app, o.person, 1961, "Biała Pierwsza")
    ids = _requests(app, o, 5, amount=10_00)
    assert len(approve(app, ids, o.boss)[0]) == 5

    def make_list() -> int:
        return run(
            app,
            lambda: (
                payments.get_or_create(
                    o.centre, date(2026, 3, 1), actor=staff_user(o.boss), now=utcnow()
                ).id
            ),
        )

    list_id = make_list()
    boss = login_as(email(app, o.boss), fresh=True)
    path = f"/staff/payments/{list_id}"
    boss.get(path)
    with query_counter() as statements:
        small = boss.get(path).get_data(as_text=True)
    few = len(statements)
    assert len(PAID_ROW.findall(small)) == 5
    assert f"{translated(app, 'born %(year)s', year=1961)} · Biała Pierwsza" in small

    more = _requests(app, o, 115, amount=10_00)
    assert len(approve(app, more, o.boss)[0]) == 115
    with app.app_context():  # the list takes what came due since it was opened
        assert not db.session.get(PaymentList, list_id).is_locked
    assert make_list() == list_id
    with query_counter() as statements:
        large = boss.get(path).get_data(as_text=True)
    assert len(statements) == few, (few, len(statements))
    assert len(PAID_ROW.findall(large)) == 50
    assert zl(app, 120 * 10_00) in large  # the total of the whole list
    assert f'href="/staff/payments/{list_id}?page=3"' in large
    last = boss.get(f"{path}?page=3").get_data(as_text=True)
    with app.app_context():
        on_list = db.session.scalar(
            select(func.count(Instalment.id)).where(Instalment.payment_list_id == list_id)
        )
    assert on_list == 120
    assert len(PAID_ROW.findall(last)) == 20
    # Items ticked on a page are marked paid, and the coordinator is back on that page.
    chosen = [int(i) for i in PAID_ROW.findall(last)[:2]]
    response = boss.post(
        f"{path}/paid",
        data={"instalment_id": chosen, "paid_on": utcnow().date().isoformat(), "page": "3"},
    )
    assert response.headers["Location"].endswith(f"{path}?page=3")
    with app.app_context():
        paid = db.session.scalars(select(Instalment.status).where(Instalment.id.in_(chosen)))
        assert {status.value for status in paid} == {"paid"}
    # The downloads still hold the whole list.
    rows = boss.get(f"{path}/list.csv").get_data(as_text=True).strip().splitlines()
    assert len(rows) == 1 + 120 + 1  # the header, every item, the total
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Allowance.id)).where(
                    Allowance.status.in_((AllowanceStatus.APPROVED, AllowanceStatus.PAID))
                )
            )
            == 120
        )


def test_the_bank_account_changes_waiting_are_shown_a_page_at_a_time(app, office, login_as):
    o = office
    with app.app_context():
        project = db.session.get(Participant, o.person).project_id
        db.session.execute(
            insert(Participant),
            [
                {
                    "centre_id": o.centre,
                    "project_id": project,
                    "first_name": "Jan",
                    "last_name": f"Zmieniający {chr(ord('A') + n // 26)}{chr(ord('A') + n % 26)}",
                }
                for n in range(55)
            ],
        )
        people = db.session.scalars(
            select(Participant.id).where(Participant.last_name.startswith("Zmieniający"))
        ).all()
        db.session.execute(
            insert(BankAccountChange),
            [
                {
                    "centre_id": o.centre,
                    "participant_id": person,
                    "paid_in_cash": True,
                    "status": BankAccountChangeStatus.PENDING,
                    "requested_at": utcnow() - timedelta(minutes=n),
                }
                for n, person in enumerate(people)
            ],
        )
        db.session.commit()
    boss = login_as(email(app, o.boss), fresh=True)
    confirm = re.compile(r'action="/staff/bank-account-changes/\d+/confirm"')
    first = boss.get("/staff/bank-account-changes").get_data(as_text=True)
    assert len(confirm.findall(first)) == 50
    assert 'href="/staff/bank-account-changes?page=2"' in first
    second = boss.get("/staff/bank-account-changes?page=2").get_data(as_text=True)
    assert len(confirm.findall(second)) == 5
