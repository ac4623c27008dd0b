"""Allowances: the rules of a request, four-eyes decisions, the budget, payment lists, the person.

Service calls run in their own application context (`run`) and commit, as a request would;
a refusal rolls back. Services get a fixed `now` (10 March 2026); pages run on the real clock.
Messages are compared with what the portal shows in Polish (tests.helpers.translated).
"""

import csv
import io
import re
import threading
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.i18n import money, short_date
from portal.models import (
    Allowance,
    AuditEntry,
    BudgetLine,
    Centre,
    Instalment,
    Participant,
    PaymentList,
    SocialContract,
    User,
)
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    InstalmentStatus,
    PurposeCategory,
    Role,
)
from portal.services import allowances, approvals, contracts, payments
from portal.services.allowances import AllowanceFields, BudgetExceeded, OwnRequest
from portal.services.errors import PortalError
from tests.allowance_factories import (
    NOW,
    audit_rows,
    budget_line,
    email,
    new_allowance,
    new_contract,
    periodic,
    today,
)
from tests.conftest import user_of
from tests.helpers import translated

A = AllowanceStatus
K = AllowanceKind
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


@pytest.fixture
def office(app, make_centre, make_user, make_participant):
    """One centre: its staff, two people, and a contract (Jan-Jun 2026) signed with the first."""
    centre = make_centre()
    staff = {
        "worker": make_user(
            Role.SOCIAL_WORKER, centre_id=centre, first_name="Ewa", last_name="Socjalna"
        ),
        "boss": make_user(
            Role.COORDINATOR, centre_id=centre, first_name="Karol", last_name="Pierwszy"
        ),
        "boss2": make_user(
            Role.COORDINATOR, centre_id=centre, first_name="Kinga", last_name="Druga"
        ),
        "admin": make_user(Role.ADMIN, centre_id=centre),
        "advisor": make_user(Role.ADVISOR, centre_id=centre),
    }
    person = make_participant(centre, first_name="Genowefa", last_name="Pigwa")
    other = make_participant(centre, first_name="Zenon", last_name="Obcy")
    contract = new_contract(app, person, staff["worker"])
    return SimpleNamespace(centre=centre, person=person, other=other, contract=contract, **staff)


# -- helpers ------------------------------------------------------------------------------------


def run(app, action):
    """Call action() in its own application context and commit; a refusal is rolled back and
    returned, with its message as the person reads it in `.text`."""
    with app.app_context():
        try:
            result = action()
        except PortalError as error:
            db.session.rollback()
            error.text = str(error.message)
            return error
        db.session.commit()
        return result


def refusal(app, action, msgid: str, field: str | None = None, kind=PortalError, **params):
    error = run(app, action)
    assert isinstance(error, kind), error
    assert error.text == translated(app, msgid, html=False, **params)
    assert error.field == field
    return error


def U(user_id: int) -> User:
    return db.session.get(User, user_id)


def get(allowance_id: int) -> Allowance:
    return db.session.get(Allowance, allowance_id)


def approve(app, ids, approver: int, now=NOW):
    """approve_many as a request runs it: (approved ids, {id: refusal message})."""

    def action():
        approved, refused = approvals.approve_many(
            list(ids), centre_id=U(approver).centre_id, approver=U(approver), now=now
        )
        return approved, {i: (type(e), str(e.message)) for i, e in refused.items()}

    return run(app, action)


def reject(app, allowance_id: int, approver: int, reason="Brak dokumentów", now=NOW):
    return run(
        app,
        lambda: approvals.reject(get(allowance_id), reason=reason, approver=U(approver), now=now),
    )


def fields(**overrides) -> AllowanceFields:
    values = {
        "kind": K.PURPOSE,
        "amount_grosze": 300_00,
        "first_month": MARCH,
        "category": PurposeCategory.FUEL,
        "purpose": "Opał na zimę",
        "justification": "Trudna sytuacja",
    }
    return AllowanceFields(**(values | overrides))


def create(app, o, preparer=None, contract=None, person=None, **overrides):
    def action():
        return allowances.create(
            db.session.get(Participant, person or o.person),
            db.session.get(SocialContract, contract) if contract else None,
            fields(**overrides),
            prepared_by=U(preparer or o.worker),
            now=NOW,
        ).id

    return run(app, action)


def status(app, allowance_id: int) -> AllowanceStatus:
    with app.app_context():
        return get(allowance_id).status


def line(app, line_id: int) -> tuple[int, int, int]:
    """(planned, committed, paid) of a budget line."""
    with app.app_context():
        row = db.session.get(BudgetLine, line_id)
        return row.planned_grosze, row.committed_grosze, row.paid_grosze


def instalments(app, allowance_id: int) -> list[tuple]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(
                    Instalment.month,
                    Instalment.amount_grosze,
                    Instalment.status,
                    Instalment.paid_on,
                )
                .where(Instalment.allowance_id == allowance_id)
                .order_by(Instalment.month)
            )
        ]


def actions(app, allowance_id: int) -> list[str]:
    return [row[0] for row in audit_rows(app, allowance_id)]


def zl(app, grosze: int) -> str:
    with app.test_request_context(), force_locale("pl"):
        return money(grosze)


def client_of(app, user_email: str):
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"email": user_email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302, user_email
    return client


def followed(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


# -- the rules of a request ---------------------------------------------------------------------


def test_periodic_months_must_lie_within_the_contract(app, office):
    o = office
    within = "The months must lie within the contract period (%(start)s – %(end)s)."
    period = {"start": "2026-01-01", "end": "2026-06-30"}
    periodic_kind = {"kind": K.PERIODIC, "category": None, "purpose": "", "amount_grosze": 450_00}
    for first, last in (
        (date(2025, 12, 1), MARCH),
        (MARCH, date(2026, 7, 1)),
        (date(2025, 6, 1), date(2027, 1, 1)),
    ):
        refusal(
            app,
            lambda first=first, last=last: create(
                app, o, contract=o.contract, first_month=first, last_month=last, **periodic_kind
            ),
            within,
            "first_month",
            **period,
        )
    refusal(
        app,
        lambda: create(
            app, o, contract=o.contract, first_month=APRIL, last_month=MARCH, **periodic_kind
        ),
        "The last month cannot be before the first.",
        "last_month",
    )
    refusal(
        app,
        lambda: create(
            app, o, contract=o.contract, first_month=MARCH, last_month=None, **periodic_kind
        ),
        "Give the first and the last month.",
        "first_month",
    )
    # The first and the last month of the contract themselves are inside it.
    whole = create(
        app,
        o,
        contract=o.contract,
        first_month=date(2026, 1, 1),
        last_month=date(2026, 6, 1),
        **periodic_kind,
    )
    assert isinstance(whole, int)
    with app.app_context():
        assert db.session.scalar(select(func.count(Allowance.id))) == 1


def test_periodic_needs_a_signed_or_active_contract_of_that_person(app, office):
    o = office
    draft = new_contract(
        app,
        o.person,
        o.worker,
        sign=False,
        start_date=date(2026, 7, 1),
        end_date=date(2026, 12, 31),
    )
    theirs = new_contract(app, o.other, o.worker)
    kind = {
        "kind": K.PERIODIC,
        "category": None,
        "purpose": "",
        "first_month": MARCH,
        "last_month": APRIL,
    }
    refusal(
        app,
        lambda: create(app, o, **kind),
        "A periodic allowance needs a signed contract.",
        "contract_id",
    )
    for contract in (draft, theirs):
        refusal(
            app,
            lambda contract=contract: create(app, o, contract=contract, **kind),
            "Choose a signed or active contract of this person.",
            "contract_id",
        )
    run(
        app,
        lambda: contracts.terminate(
            db.session.get(SocialContract, o.contract),
            reason="Rezygnacja",
            actor=U(o.worker),
            now=NOW,
        ),
    )
    refusal(
        app,
        lambda: create(app, o, contract=o.contract, **kind),
        "Choose a signed or active contract of this person.",
        "contract_id",
    )
    # An active contract will do.
    active = new_contract(
        app, o.person, o.worker, start_date=date(2026, 2, 1), end_date=date(2026, 8, 31)
    )
    run(
        app,
        lambda: contracts.activate(
            db.session.get(SocialContract, active), actor=U(o.worker), now=NOW
        ),
    )
    assert isinstance(create(app, o, contract=active, **kind), int)


def test_one_decision_yields_one_instalment_per_month(app, office):
    o = office
    budget = budget_line(app, o.centre, 10_000_00)
    request = periodic(app, o.person, o.worker, o.contract, date(2026, 2, 1), APRIL, 450_00)
    with app.app_context():
        assert allowances.total(get(request)) == 3 * 450_00
    assert approve(app, [request], o.boss) == ([request], {})
    due = InstalmentStatus.DUE
    assert instalments(app, request) == [
        (date(2026, 2, 1), 450_00, due, None),
        (MARCH, 450_00, due, None),
        (APRIL, 450_00, due, None),
    ]
    assert line(app, budget) == (10_000_00, 1350_00, 0)
    with app.app_context():
        allowance = get(request)
        assert (allowance.status, allowance.decided_by_id, allowance.budget_line_id) == (
            A.APPROVED,
            o.boss,
            budget,
        )
        assert allowance.decided_at == NOW


def test_purpose_needs_a_category_and_a_need_and_in_kind_what_is_given(app, office):
    o = office
    refusal(
        app, lambda: create(app, o, category=None), "Choose what the allowance is for.", "category"
    )
    refusal(app, lambda: create(app, o, purpose="  "), "Describe the need.", "purpose")
    refusal(
        app,
        lambda: create(app, o, kind=K.IN_KIND, category=None, purpose=""),
        "Describe what is given.",
        "purpose",
    )
    in_kind = create(app, o, kind=K.IN_KIND, category=None, purpose="Paczka żywnościowa")
    purpose = create(app, o, first_month=date(2026, 3, 17))
    with app.app_context():
        assert get(in_kind).purpose == "Paczka żywnościowa"
        # A one-off allowance belongs to a month, and has no last month.
        assert (get(purpose).first_month, get(purpose).last_month) == (MARCH, None)


def test_the_centres_limits_refuse_larger_requests(app, office):
    o = office
    run(
        app,
        lambda: allowances.set_limits(
            db.session.get(Centre, o.centre),
            periodic=400_00,
            purpose=500_00,
            in_kind=200_00,
            warning_days=10,
            actor=U(o.admin),
        ),
    )
    message = "The limit for this kind of allowance is %(limit)s."
    refusal(
        app, lambda: create(app, o, amount_grosze=500_01), message, "amount", limit=zl(app, 500_00)
    )
    refusal(
        app,
        lambda: create(app, o, kind=K.IN_KIND, category=None, purpose="Opał", amount_grosze=200_01),
        message,
        "amount",
        limit=zl(app, 200_00),
    )
    refusal(
        app,
        lambda: create(
            app,
            o,
            kind=K.PERIODIC,
            category=None,
            purpose="",
            contract=o.contract,
            first_month=MARCH,
            last_month=APRIL,
            amount_grosze=400_01,
        ),
        message,
        "amount",
        limit=zl(app, 400_00),
    )
    assert isinstance(create(app, o, amount_grosze=500_00), int)  # the limit itself is allowed
    for days in (0, 366, -1):
        refusal(
            app,
            lambda days=days: allowances.set_limits(
                db.session.get(Centre, o.centre),
                periodic=None,
                purpose=None,
                in_kind=None,
                warning_days=days,
                actor=U(o.admin),
            ),
            "Enter a number of days from 1 to 365.",
            "decision_warning_days",
        )
    with app.app_context():
        centre = db.session.get(Centre, o.centre)
        assert (centre.max_purpose_grosze, centre.decision_warning_days) == (500_00, 10)


def test_the_administrator_sets_limits_on_the_page_and_the_form_refuses_more(app, office):
    o = office
    admin = client_of(app, email(app, o.admin))
    assert admin.get("/staff/allowance-limits").status_code == 200
    wrong = admin.post(
        "/staff/allowance-limits",
        data={
            "max_purpose": "1,234",
            "max_periodic": "",
            "max_in_kind": "",
            "decision_warning_days": "7",
        },
    )
    assert wrong.status_code == 200
    assert translated(app, "Use at most two digits after the comma (grosze).") in wrong.get_data(
        as_text=True
    )

    # Days and amounts are read from the digits 0-9 only; anything else is said beside the field.
    def limits_page(**typed) -> str:
        data = {"max_purpose": "", "max_periodic": "", "max_in_kind": ""}
        data["decision_warning_days"] = "7"
        response = admin.post("/staff/allowance-limits", data=data | typed)
        assert response.status_code == 200, typed
        return response.get_data(as_text=True)

    def error_beside(page: str, field: str) -> str:
        error = re.search(rf'id="{field}-error">(.*?)</p>', page, re.S)
        assert error, field
        return error.group(1)

    for days in ("abc", "0", "366", "１２", "²", "-5", "99999999999999999999"):
        page = limits_page(decision_warning_days=days)
        days_error = error_beside(page, "decision_warning_days")
        assert translated(app, "Enter a number of days from 1 to 365.") in days_error, days
    page = limits_page(decision_warning_days="")
    assert translated(app, "Enter a number of days.") in error_beside(page, "decision_warning_days")
    for amount in ("１２３", "²", "1２,00"):
        page = limits_page(max_purpose=amount)
        not_an_amount = translated(app, "Enter an amount in złoty, for example 1234,56.")
        assert not_an_amount in error_beside(page, "max_purpose"), amount
    with app.app_context():
        assert db.session.get(Centre, o.centre).max_purpose_grosze is None
    saved = admin.post(
        "/staff/allowance-limits",
        data={
            "max_purpose": "500,00",
            "max_periodic": "",
            "max_in_kind": "200",
            "decision_warning_days": "7",
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        centre = db.session.get(Centre, o.centre)
        assert (
            centre.max_purpose_grosze,
            centre.max_periodic_grosze,
            centre.max_in_kind_grosze,
            centre.decision_warning_days,
        ) == (500_00, None, 200_00, 7)
        assert (
            db.session.scalar(
                select(AuditEntry.actor_id).where(AuditEntry.action == "centre.allowance_limits")
            )
            == o.admin
        )
    # The centre's coordinator sets them too (issue 10); a social worker does not.
    assert client_of(app, email(app, o.boss)).get("/staff/allowance-limits").status_code == 200
    worker = client_of(app, email(app, o.worker))
    assert worker.get("/staff/allowance-limits").status_code == 403
    form = {
        "kind": "purpose",
        "contract_id": "0",
        "amount": "600,00",
        "first_month": "2026-03",
        "category": "fuel",
        "purpose": "Opał",
        "justification": "Zima",
        "submit_now": "1",
    }
    too_much = worker.post(f"/staff/participants/{o.person}/allowances/new", data=form)
    assert too_much.status_code == 200
    page = too_much.get_data(as_text=True)
    assert '<p class="error-message" id="amount-error">' in page
    assert (
        translated(app, "The limit for this kind of allowance is %(limit)s.", limit=zl(app, 500_00))
        in page
    )
    negative = worker.post(
        f"/staff/participants/{o.person}/allowances/new", data=form | {"amount": "-5"}
    )
    assert translated(app, "The amount cannot be negative.") in negative.get_data(as_text=True)
    ok = worker.post(
        f"/staff/participants/{o.person}/allowances/new", data=form | {"amount": "499,99"}
    )
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Allowance.amount_grosze)).all() == [499_99]
        assert db.session.scalar(select(Allowance.status)) == A.SUBMITTED


# -- four eyes ----------------------------------------------------------------------------------


def test_the_preparer_cannot_decide_their_own_request(app, office):
    o = office
    budget_line(app, o.centre, 10_000_00)
    by_worker = new_allowance(app, o.person, o.worker)
    by_boss = new_allowance(app, o.person, o.boss)  # a coordinator may prepare one too
    own = translated(
        app, "You prepared or changed this request, so someone else must decide it.", html=False
    )
    assert approve(app, [by_worker], o.worker) == ([], {by_worker: (OwnRequest, own)})
    assert approve(app, [by_boss], o.boss) == ([], {by_boss: (OwnRequest, own)})
    for allowance_id, preparer in ((by_worker, o.worker), (by_boss, o.boss)):
        assert isinstance(reject(app, allowance_id, preparer), OwnRequest)
        assert status(app, allowance_id) == A.SUBMITTED
    # Someone else may.
    assert approve(app, [by_boss], o.boss2) == ([by_boss], {})
    assert reject(app, by_worker, o.boss) is None
    assert status(app, by_worker) == A.REJECTED


def test_the_page_refuses_a_coordinators_own_request(app, office):
    o = office
    budget_line(app, o.centre, 10_000_00)
    own = new_allowance(app, o.person, o.boss)
    boss = client_of(app, email(app, o.boss))
    queue = boss.get("/staff/approvals").get_data(as_text=True)
    assert f'value="{own}" id="approve-{own}" disabled' in queue  # the page hides it ...
    page = followed(boss, boss.post("/staff/approvals/approve", data={"allowance_id": [own]}))
    reason = translated(
        app, "You prepared or changed this request, so someone else must decide it.", html=False
    )
    assert translated(app, "Not approved (%(n)d): %(reason)s", n=1, reason=reason) in page
    followed(boss, boss.post(f"/staff/allowances/{own}/reject", data={"reason": "Nie"}))
    assert status(app, own) == A.SUBMITTED  # ... and the service refuses it


def test_the_database_refuses_a_decision_by_the_preparer(app, office):
    o = office
    request = new_allowance(app, o.person, o.worker)
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(
            update(Allowance)
            .where(Allowance.id == request)
            .values(status=A.APPROVED, decided_by_id=o.worker)
        )
    assert status(app, request) == A.SUBMITTED


def test_whoever_changed_a_request_cannot_decide_it(app, office):
    o = office
    budget_line(app, o.centre, 10_000_00)
    request = new_allowance(app, o.person, o.worker)
    run(
        app,
        lambda: allowances.update_request(
            get(request), None, fields(amount_grosze=350_00), actor=U(o.boss2), now=NOW
        ),
    )
    assert actions(app, request)[-1] == "allowance.update"
    approved, refused = approve(app, [request], o.boss2)
    assert approved == [] and refused[request][0] is OwnRequest
    assert isinstance(reject(app, request, o.boss2), OwnRequest)
    assert approve(app, [request], o.boss) == ([request], {})
    assert instalments(app, request) == [(MARCH, 350_00, InstalmentStatus.DUE, None)]


def test_a_correction_is_refused_once_a_decision_slipped_in(app, office):
    o = office
    budget_line(app, o.centre, 10_000_00)
    request = new_allowance(app, o.person, o.worker)

    def correct_after_approval():
        allowance = get(request)  # read while still submitted ...
        assert allowance.status == A.SUBMITTED
        db.session.execute(  # ... then decided by a parallel request
            update(Allowance)
            .where(Allowance.id == request)
            .values(status=A.APPROVED, decided_by_id=o.boss)
            .execution_options(synchronize_session=False)
        )
        allowances.update_request(
            allowance, None, fields(amount_grosze=999_00), actor=U(o.worker), now=NOW
        )

    error = run(app, correct_after_approval)
    assert isinstance(error, allowances.AllowanceRefused)
    assert error.text == translated(
        app, "Someone else has just decided or changed this request.", html=False
    )
    with app.app_context():
        assert get(request).amount_grosze == 300_00


def _approve_while_correcting(app, o, request, editor, approver, amount):
    """A coordinator approves while `editor` is saving a correction (not yet committed)."""
    outcome = []
    with app.app_context():
        allowances.update_request(
            get(request), None, fields(amount_grosze=amount), actor=U(editor), now=NOW
        )
        db.session.flush()
        approving = threading.Thread(
            target=lambda: outcome.append(approve(app, [request], approver))
        )
        approving.start()
        approving.join(timeout=1)
        assert approving.is_alive()  # it waits for the correction (row lock / BEGIN IMMEDIATE)
        db.session.commit()
    approving.join(timeout=30)
    return outcome[0]


def test_an_approval_waits_for_a_correction_being_saved(app, office):
    o = office
    budget = budget_line(app, o.centre, 10_000_00)
    request = new_allowance(app, o.person, o.worker, amount=300_00)
    approved, refused = _approve_while_correcting(app, o, request, o.worker, o.boss, 350_00)
    assert (approved, refused) == ([request], {})
    # The corrected amount is what was approved, charged and scheduled.
    assert instalments(app, request) == [(MARCH, 350_00, InstalmentStatus.DUE, None)]
    assert line(app, budget)[1] == 350_00


def test_a_coordinator_correcting_and_approving_at_once_is_refused(app, office):
    o = office
    budget = budget_line(app, o.centre, 10_000_00)
    request = new_allowance(app, o.person, o.worker, amount=300_00)
    approved, refused = _approve_while_correcting(app, o, request, o.boss2, o.boss2, 350_00)
    assert approved == [] and refused[request][0] is OwnRequest
    assert status(app, request) == A.SUBMITTED
    assert line(app, budget)[1] == 0


def test_a_corrected_one_off_request_keeps_one_month(app, office):
    o = office
    request = new_allowance(app, o.person, o.worker)
    run(
        app,
        lambda: allowances.update_request(
            get(request),
            None,
            fields(first_month=date(2026, 4, 20), last_month=MARCH),
            actor=U(o.worker),
            now=NOW,
        ),
    )
    with app.app_context():
        assert (get(request).first_month, get(request).last_month) == (APRIL, None)


def test_approving_twice_has_one_effect(app, office):
    o = office
    budget = budget_line(app, o.centre, 10_000_00)
    request = new_allowance(app, o.person, o.worker, amount=700_00)
    assert approve(app, [request], o.boss) == ([request], {})
    waiting = translated(app, "This request is not waiting for a decision.", html=False)
    for coordinator in (o.boss, o.boss2):  # a double click, or a second coordinator
        assert approve(app, [request, request], coordinator) == (
            [],
            {request: (allowances.AllowanceRefused, waiting)},
        )
    assert line(app, budget) == (10_000_00, 700_00, 0)
    assert len(instalments(app, request)) == 1
    assert actions(app, request).count("allowance.approved") == 1
    with app.app_context():
        assert get(request).decided_by_id == o.boss
    # Nor can it be rejected afterwards.
    assert isinstance(reject(app, request, o.boss2), allowances.AllowanceRefused)
    assert status(app, request) == A.APPROVED


def test_the_double_click_on_the_page_approves_once(app, office):
    o = office
    budget = budget_line(app, o.centre, 10_000_00)
    request = new_allowance(app, o.person, o.worker, amount=700_00)
    boss = client_of(app, email(app, o.boss))
    followed(boss, boss.post("/staff/approvals/approve", data={"allowance_id": [request]}))
    page = followed(boss, boss.post("/staff/approvals/approve", data={"allowance_id": [request]}))
    waiting = translated(app, "This request is not waiting for a decision.", html=False)
    assert translated(app, "Not approved (%(n)d): %(reason)s", n=1, reason=waiting) in page
    assert line(app, budget)[1] == 700_00
    assert len(instalments(app, request)) == 1


def test_a_decided_request_cannot_be_edited_but_can_be_withdrawn(app, office):
    o = office
    budget = budget_line(app, o.centre, 10_000_00)
    kept = new_allowance(app, o.person, o.worker, amount=100_00)
    approved = periodic(app, o.person, o.worker, o.contract, MARCH, date(2026, 5, 1), 200_00)
    rejected = new_allowance(app, o.person, o.worker)
    approve(app, [kept, approved], o.boss)
    reject(app, rejected, o.boss)
    assert line(app, budget)[1] == 100_00 + 3 * 200_00
    for decided in (approved, rejected):
        refusal(
            app,
            lambda decided=decided: allowances.update_request(
                get(decided), None, fields(amount_grosze=1_00), actor=U(o.worker), now=NOW
            ),
            "A decided request cannot be edited. Withdraw it and prepare a new one.",
        )
    with app.app_context():
        assert get(approved).amount_grosze == 200_00
    assert run(app, lambda: allowances.withdraw(get(approved), actor=U(o.worker), now=NOW)) is None
    with app.app_context():
        withdrawn = get(approved)
        assert (withdrawn.status, withdrawn.withdrawn_at) == (A.WITHDRAWN, NOW)
    assert instalments(app, approved) == []  # the instalments are gone ...
    assert line(app, budget) == (10_000_00, 100_00, 0)  # ... and the money is free again
    assert actions(app, approved)[-1] == "allowance.withdrawn"
    # Withdrawn is final.
    assert isinstance(
        run(app, lambda: allowances.withdraw(get(approved), actor=U(o.worker), now=NOW)),
        allowances.AllowanceRefused,
    )
    assert isinstance(
        run(app, lambda: allowances.withdraw(get(rejected), actor=U(o.worker), now=NOW)),
        allowances.AllowanceRefused,
    )


def test_rejecting_needs_a_reason(app, office):
    o = office
    request = new_allowance(app, o.person, o.worker)
    for blank in ("", "   "):
        refusal(
            app,
            lambda blank=blank: approvals.reject(
                get(request), reason=blank, approver=U(o.boss), now=NOW
            ),
            "Give the reason for rejecting.",
            "reason",
        )
    boss = client_of(app, email(app, o.boss))
    page = followed(boss, boss.post(f"/staff/allowances/{request}/reject", data={"reason": ""}))
    assert translated(app, "Give the reason for rejecting.") in page
    assert status(app, request) == A.SUBMITTED
    page = followed(
        boss,
        boss.post(
            f"/staff/allowances/{request}/reject",
            data={"reason": " Brak zaświadczenia o dochodach "},
        ),
    )
    assert translated(app, "The request is rejected.") in page
    with app.app_context():
        rejected = get(request)
        assert (rejected.status, rejected.rejection_reason, rejected.decided_by_id) == (
            A.REJECTED,
            "Brak zaświadczenia o dochodach",
            o.boss,
        )


# -- the budget ---------------------------------------------------------------------------------


def test_an_approval_beyond_what_is_left_is_refused_and_changes_nothing(app, office):
    o = office
    budget = budget_line(app, o.centre, 1000_00)
    first = new_allowance(app, o.person, o.worker, amount=600_00)
    second = new_allowance(app, o.other, o.worker, amount=400_01)
    assert approve(app, [first], o.boss) == ([first], {})
    approved, refused = approve(app, [second], o.boss)
    exceeded = translated(app, "Not enough money left on the allowance budget line.", html=False)
    assert (approved, refused) == ([], {second: (BudgetExceeded, exceeded)})
    assert line(app, budget) == (1000_00, 600_00, 0)
    assert status(app, second) == A.SUBMITTED
    assert instalments(app, second) == []
    assert "allowance.approved" not in actions(app, second)
    # What is exactly left still fits.
    exact = new_allowance(app, o.other, o.worker, amount=400_00)
    assert approve(app, [exact], o.boss) == ([exact], {})
    assert line(app, budget) == (1000_00, 1000_00, 0)


def test_the_page_shows_why_the_budget_refused(app, office):
    o = office
    budget_line(app, o.centre, 100_00)
    request = new_allowance(app, o.person, o.worker, amount=100_01)
    boss = client_of(app, email(app, o.boss))
    page = followed(boss, boss.post("/staff/approvals/approve", data={"allowance_id": [request]}))
    exceeded = translated(app, "Not enough money left on the allowance budget line.", html=False)
    assert translated(app, "Not approved (%(n)d): %(reason)s", n=1, reason=exceeded) in page


def test_without_an_allowance_line_nothing_is_approved(app, office):
    o = office
    request = new_allowance(app, o.person, o.worker)
    approved, refused = approve(app, [request], o.boss)
    assert approved == []
    assert refused[request] == (
        BudgetExceeded,
        translated(app, "There is no allowance budget line for %(year)d.", html=False, year=2026),
    )


def test_approve_many_takes_the_oldest_first_until_the_line_is_exhausted(app, office):
    o = office
    budget = budget_line(app, o.centre, 3 * 300_00 + 299_99)
    people = [o.person, o.other]
    requests = [
        new_allowance(app, people[n % 2], o.worker, amount=300_00, now=NOW + timedelta(minutes=n))
        for n in range(5)
    ]
    approved, refused = approve(app, list(reversed(requests)), o.boss)
    assert sorted(approved) == requests[:3]
    assert set(refused) == set(requests[3:])
    assert {kind for kind, _message in refused.values()} == {BudgetExceeded}
    assert line(app, budget) == (3 * 300_00 + 299_99, 900_00, 0)
    assert [status(app, r) for r in requests] == [A.APPROVED] * 3 + [A.SUBMITTED] * 2


def test_the_database_keeps_committed_within_planned(app, office):
    o = office
    budget = budget_line(app, o.centre, 1000_00)
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(
            update(BudgetLine).where(BudgetLine.id == budget).values(committed_grosze=1000_01)
        )
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE budget_lines SET committed_grosze = -1 WHERE id = :id"), {"id": budget}
        )
    assert line(app, budget) == (1000_00, 0, 0)


# -- who may do what ----------------------------------------------------------------------------

DECISION_ENDPOINTS = {
    "staff.approvals",
    "staff.approve",
    "staff.reject",
    "staff.payment_lists",
    "staff.payment_list_create",
    "staff.payment_list",
    "staff.payment_list_paid",
    "staff.payment_list_csv",
    "staff.payment_list_xlsx",
    "staff.payment_list_pdf",
    "staff.allowance_limits",
}


def _decision_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every route defined in portal/staff/decisions.py."""
    routes = [
        (rule.endpoint, rule.rule, method)
        for rule in app.url_map.iter_rules()
        if app.view_functions[rule.endpoint].__module__ == "portal.staff.decisions"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    assert {endpoint for endpoint, _rule, _method in routes} == DECISION_ENDPOINTS
    return routes


def _fill(rule: str, ids: dict[str, int]) -> str:
    for name, value in ids.items():
        rule = rule.replace(f"<int:{name}>", str(value))
    assert "<" not in rule, rule
    return rule


def test_only_coordinators_reach_the_approval_routes(app, office):
    o = office
    budget_line(app, o.centre, 10_000_00)
    request = new_allowance(app, o.person, o.worker)
    with app.app_context():
        payment_list = PaymentList(centre_id=o.centre, month=MARCH)
        db.session.add(payment_list)
        db.session.commit()
        ids = {"allowance_id": request, "list_id": payment_list.id}
        audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    data = {
        "allowance_id": [request],
        "reason": "Nie",
        "month": "2026-03",
        "paid_on": "2026-03-10",
        "max_purpose": "1,00",
        "decision_warning_days": "5",
    }
    routes = _decision_routes(app)
    with app.app_context():
        participant_email = user_of(o.person).email
    refused = []
    for who in (email(app, o.worker), email(app, o.advisor), participant_email):
        client = client_of(app, who)
        for _endpoint, rule, method in routes:
            response = client.open(_fill(rule, ids), method=method, data=data)
            if response.status_code != 403:
                refused.append(f"{who} {method} {rule}: {response.status_code}")
    assert refused == []
    assert status(app, request) == A.SUBMITTED
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before
        assert db.session.get(Centre, o.centre).max_purpose_grosze is None
    # The routes really are open to the right people (so the 403s above mean something).
    boss = client_of(app, email(app, o.boss))
    admin = client_of(app, email(app, o.admin))
    for endpoint, rule, method in routes:
        if method == "GET":
            allowed = admin if endpoint == "staff.allowance_limits" else boss
            assert allowed.get(_fill(rule, ids)).status_code == 200, rule


def test_a_participant_never_reaches_another_persons_contract_or_allowance(app, office):
    o = office
    budget_line(app, o.centre, 10_000_00)
    mine = new_allowance(app, o.person, o.worker, purpose="Leki Genowefy")
    their_contract = new_contract(app, o.other, o.worker, goal="Cel Zenona")
    theirs = [
        new_allowance(app, o.other, o.worker, purpose="Sekret Zenona"),
        new_allowance(app, o.other, o.worker, purpose="Sekret Zenona", amount=50_00),
    ]
    approve(app, [mine, theirs[0]], o.boss)
    reject(app, theirs[1], o.boss, reason="Sekret Zenona")
    with app.app_context():
        participant_email = user_of(o.person).email
    client = client_of(app, participant_email)
    ids = {"contract_id": their_contract, "allowance_id": theirs[0], "participant_id": o.other}
    checked, problems = 0, []
    for rule in app.url_map.iter_rules():
        if not set(rule.arguments) & set(ids):
            continue
        if set(rule.arguments) - set(ids):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_fill(rule.rule, ids), method=method, data={"reason": "x"})
            checked += 1
            body = response.get_data(as_text=True)
            if response.status_code not in (403, 404) or "Zenon" in body:
                problems.append(f"{method} {rule.rule}: {response.status_code}")
    assert checked >= 10
    assert problems == []
    for page in ("/me/", "/me/allowances", "/me/contract", "/me/my-data.json"):
        response = client.get(page)
        assert response.status_code == 200, page
        body = response.get_data(as_text=True)
        assert "Sekret Zenona" not in body and "Cel Zenona" not in body, page
    assert "Leki Genowefy" in client.get("/me/allowances").get_data(as_text=True)
    assert status(app, theirs[0]) == A.APPROVED


# -- the audit trail ----------------------------------------------------------------------------


def test_every_state_change_is_in_the_audit_trail_with_who_and_when(app, office):
    o = office
    budget_line(app, o.centre, 10_000_00)
    t = [NOW + timedelta(hours=n) for n in range(6)]
    paid = new_allowance(app, o.person, o.worker, now=t[0])
    rejected = new_allowance(app, o.person, o.worker, now=t[0])
    withdrawn = new_allowance(app, o.person, o.worker, now=t[0])
    approve(app, [paid, withdrawn], o.boss, now=t[1])
    reject(app, rejected, o.boss2, now=t[2])
    run(app, lambda: allowances.withdraw(get(withdrawn), actor=U(o.worker), now=t[3]))

    def pay():
        payment_list = payments.get_or_create(o.centre, MARCH, actor=U(o.boss), now=t[4])
        ids = [i.id for i in payments.items(payment_list)]
        return payments.mark_paid(
            payment_list, ids, paid_on=date(2026, 3, 10), actor=U(o.boss), now=t[5]
        ), ids

    count, instalment_ids = run(app, pay)
    assert count == 1
    assert audit_rows(app, paid) == [
        ("allowance.create", o.worker, t[0]),
        ("allowance.submitted", o.worker, t[0]),
        ("allowance.approved", o.boss, t[1]),
        ("allowance.paid", o.boss, t[5]),
    ]
    assert audit_rows(app, rejected)[-1] == ("allowance.rejected", o.boss2, t[2])
    assert audit_rows(app, withdrawn)[-2:] == [
        ("allowance.approved", o.boss, t[1]),
        ("allowance.withdrawn", o.worker, t[3]),
    ]
    assert audit_rows(app, instalment_ids[0], "instalments") == [("instalment.paid", o.boss, t[5])]
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "allowance.rejected")
        )
        assert entry.centre_id == o.centre
        assert entry.changes["status"] == {"old": "submitted", "new": "rejected"}
        assert entry.changes["rejection_reason"]["new"] == "Brak dokumentów"


# -- payment lists ------------------------------------------------------------------------------


@pytest.fixture
def month_of_march(app, office):
    """Approved: a periodic allowance Feb-Apr for Genowefa, a purpose one in March for Zenon and
    one in April for Genowefa. Not approved: a March request waiting and one rejected."""
    o = office
    o.budget = budget_line(app, o.centre, 10_000_00)
    o.periodic = periodic(app, o.person, o.worker, o.contract, date(2026, 2, 1), APRIL, 450_00)
    o.purpose = new_allowance(app, o.other, o.worker, amount=300_00, first_month=MARCH)
    o.april = new_allowance(app, o.person, o.worker, amount=120_00, first_month=APRIL)
    o.waiting = new_allowance(app, o.other, o.worker, amount=77_00, first_month=MARCH)
    o.rejected = new_allowance(app, o.person, o.worker, amount=66_00, first_month=MARCH)
    assert len(approve(app, [o.periodic, o.purpose, o.april], o.boss)[0]) == 3
    reject(app, o.rejected, o.boss)
    o.client = client_of(app, email(app, o.boss))
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
    assert "Pigwa Genowefa" in page and "Obcy Zenon" in page
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
    assert "Pigwa Genowefa" in text_of_pdf and "Obcy Zenon" in text_of_pdf
    assert "2026-03" in text_of_pdf


def test_marking_paid_once_and_never_again(app, month_of_march):
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

    # A paid item is never changed: marking it again (another date) does nothing.
    with app.app_context():
        audit_count = db.session.scalar(select(func.count(AuditEntry.id)))
    page = followed(
        o.client, o.client.post(url, data={"instalment_id": ids, "paid_on": today().isoformat()})
    )
    assert translated(app, "Marked paid: %(n)d.", n=0) in page
    assert instalments(app, o.periodic)[1][3] == paid_on
    assert line(app, o.budget)[2] == 750_00
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_count

    # A partly paid allowance cannot be withdrawn; a paid one neither.
    worker = client_of(app, email(app, o.worker))
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
        allowances.withdraw(allowance, actor=U(o.worker), now=NOW)

    error = run(app, withdraw_while_march_is_paid)
    assert isinstance(error, allowances.AllowanceRefused)
    assert error.text == translated(
        app, "Part of this allowance is already paid: it cannot be withdrawn.", html=False
    )
    assert status(app, o.periodic) == A.APPROVED
    assert len(instalments(app, o.periodic)) == 3
    assert line(app, o.budget)[1] == 3 * 450_00 + 300_00 + 120_00


# -- what the participant sees ------------------------------------------------------------------


def test_the_participant_sees_each_status_in_plain_words(app, office):
    o = office
    budget_line(app, o.centre, 10_000_00)
    draft = new_allowance(app, o.person, o.worker, purpose="Szkic wniosku", submit=False)
    new_allowance(app, o.person, o.worker, purpose="Buty zimowe")
    rejected = new_allowance(app, o.person, o.worker, purpose="Pralka")
    granted = new_allowance(app, o.person, o.worker, purpose="Leki", first_month=APRIL)
    paid = new_allowance(app, o.person, o.worker, purpose="Opał", first_month=MARCH)
    new_allowance(app, o.other, o.worker, purpose="Sekret Zenona")
    reject(app, rejected, o.boss, reason="Dochód powyżej kryterium")
    approve(app, [granted, paid], o.boss)
    paid_on = date(2026, 3, 12)

    def pay():
        payment_list = payments.get_or_create(o.centre, MARCH, actor=U(o.boss), now=NOW)
        ids = [i.id for i in payments.items(payment_list)]
        payments.mark_paid(
            payment_list, ids, paid_on=paid_on, actor=U(o.boss), now=NOW + timedelta(days=3)
        )

    run(app, pay)
    assert status(app, paid) == A.PAID
    with app.app_context():
        participant_email = user_of(o.person).email
    page = client_of(app, participant_email).get("/me/allowances").get_data(as_text=True)
    assert draft and "Szkic wniosku" not in page  # a draft is not the person's business yet
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


def test_a_periodic_allowance_reads_as_a_monthly_amount(app, office):
    o = office
    budget_line(app, o.centre, 10_000_00)
    periodic(app, o.person, o.worker, o.contract, date(2026, 2, 1), APRIL, 450_00)
    with app.app_context():
        participant_email = user_of(o.person).email
    page = client_of(app, participant_email).get("/me/allowances").get_data(as_text=True)
    assert zl(app, 1350_00) in page
    assert f"{zl(app, 450_00)} {translated(app, 'a month')}" in page
    assert "2026-02 – 2026-04" in page


# -- records stored before dates were bounded ---------------------------------------------------


def test_one_stored_extreme_record_breaks_no_list_page(app, office):
    """Issue 8: a contract ending 9999-12-31 and a periodic request for 9999-11..9999-12 (stored
    before forms bounded dates, or by hand) once turned the whole approval queue into a 500."""
    o = office
    budget_line(app, o.centre, 10_000_00)
    paid = new_allowance(app, o.other, o.worker, amount=120_00)
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
    boss, worker = client_of(app, email(app, o.boss)), client_of(app, email(app, o.worker))
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
        client_of(app, participant_email): ["/me/", "/me/allowances", "/me/contract"],
    }
    broken = [
        f"{path}: {response.status_code}"
        for client, paths in pages.items()
        for path in paths
        if (response := client.get(path)).status_code != 200
    ]
    assert broken == []
    queue = boss.get("/staff/approvals").get_data(as_text=True)
    assert f'id="approve-{ids["extreme"]}"' in queue and f'id="approve-{ids["earliest"]}"' in queue
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


def test_values_typed_by_hand_into_the_decision_pages_are_bounded(app, office):
    """Issue 8: filters in the address and ids in the form are read within the database's range;
    a month outside 2000-2099 is no month."""
    o = office
    budget_line(app, o.centre, 10_000_00)
    request = new_allowance(app, o.person, o.worker)
    boss = client_of(app, email(app, o.boss))
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
        assert f'id="approve-{request}"' in response.get_data(as_text=True), query  # no filter
    for ids in (["²"], ["１"], ["99999999999999999999"], ["-1"], ["0"]):
        page = followed(boss, boss.post("/staff/approvals/approve", data={"allowance_id": ids}))
        assert translated(app, "Choose at least one request.") in page, ids
    for month in ("9999-12", "0001-01", "2026-13", "x"):
        page = followed(boss, boss.post("/staff/payments", data={"month": month}))
        assert translated(app, "Choose a month.") in page, month
    with app.app_context():
        assert db.session.scalar(select(func.count(PaymentList.id))) == 0
    assert status(app, request) == A.SUBMITTED
