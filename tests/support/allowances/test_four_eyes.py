"""Four eyes: nobody decides a request they prepared or changed, and a decision happens once."""

import threading
from datetime import date

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import (
    Allowance,
)
from portal.models.enums import (
    InstalmentStatus,
)
from portal.services.support import allowances, approvals
from portal.services.support.allowances import OwnRequest
from tests.factories import NOW
from tests.helpers import email, translated
from tests.support.allowances.steps import (
    APRIL,
    MARCH,
    A,
    actions,
    approve,
    fields,
    followed,
    get,
    instalments,
    line,
    refusal,
    reject,
    run,
    staff_user,
    status,
)

# -- four eyes ----------------------------------------------------------------------------------


def test_the_preparer_cannot_decide_their_own_request(
    app, office, make_allowance, make_budget_line
):
    o = office
    make_budget_line(o.centre, 10_000_00)
    by_worker = make_allowance(o.person, o.worker)
    by_boss = make_allowance(o.person, o.boss)  # a coordinator may prepare one too
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


def test_the_page_refuses_a_coordinators_own_request(
    app, office, login_as, make_allowance, make_budget_line
):
    o = office
    make_budget_line(o.centre, 10_000_00)
    own = make_allowance(o.person, o.boss)
    boss = login_as(email(app, o.boss), fresh=True)
    queue = boss.get("/staff/approvals").get_data(as_text=True)
    assert f'value="{own}" id="approve-{own}" disabled' in queue  # the page hides it ...
    page = followed(boss, boss.post("/staff/approvals/approve", data={"allowance_id": [own]}))
    reason = translated(
        app, "You prepared or changed this request, so someone else must decide it.", html=False
    )
    assert translated(app, "Not approved (%(n)d): %(reason)s", n=1, reason=reason) in page
    followed(boss, boss.post(f"/staff/allowances/{own}/reject", data={"reason": "Nie"}))
    assert status(app, own) == A.SUBMITTED  # ... and the service refuses it


def test_the_database_refuses_a_decision_by_the_preparer(app, office, make_allowance):
    o = office
    request = make_allowance(o.person, o.worker)
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(
            update(Allowance)
            .where(Allowance.id == request)
            .values(status=A.APPROVED, decided_by_id=o.worker)
        )
    assert status(app, request) == A.SUBMITTED


def test_whoever_changed_a_request_cannot_decide_it(app, office, make_allowance, make_budget_line):
    o = office
    make_budget_line(o.centre, 10_000_00)
    request = make_allowance(o.person, o.worker)
    run(
        app,
        lambda: allowances.update_request(
            get(request), None, fields(amount_grosze=350_00), actor=staff_user(o.boss2), now=NOW
        ),
    )
    assert actions(app, request)[-1] == "allowance.update"
    approved, refused = approve(app, [request], o.boss2)
    assert approved == []
    assert refused[request][0] is OwnRequest
    assert isinstance(reject(app, request, o.boss2), OwnRequest)
    assert approve(app, [request], o.boss) == ([request], {})
    assert instalments(app, request) == [(MARCH, 350_00, InstalmentStatus.DUE, None)]


def test_a_correction_is_refused_once_a_decision_slipped_in(
    app, office, make_allowance, make_budget_line
):
    o = office
    make_budget_line(o.centre, 10_000_00)
    request = make_allowance(o.person, o.worker)

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
            allowance, None, fields(amount_grosze=999_00), actor=staff_user(o.worker), now=NOW
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
            get(request), None, fields(amount_grosze=amount), actor=staff_user(editor), now=NOW
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


def test_an_approval_waits_for_a_correction_being_saved(
    app, office, make_allowance, make_budget_line
):
    o = office
    budget = make_budget_line(o.centre, 10_000_00)
    request = make_allowance(o.person, o.worker, amount=300_00)
    approved, refused = _approve_while_correcting(app, o, request, o.worker, o.boss, 350_00)
    assert (approved, refused) == ([request], {})
    # The corrected amount is what was approved, charged and scheduled.
    assert instalments(app, request) == [(MARCH, 350_00, InstalmentStatus.DUE, None)]
    assert line(app, budget)[1] == 350_00


def test_a_coordinator_correcting_and_approving_at_once_is_refused(
    app, office, make_allowance, make_budget_line
):
    o = office
    budget = make_budget_line(o.centre, 10_000_00)
    request = make_allowance(o.person, o.worker, amount=300_00)
    approved, refused = _approve_while_correcting(app, o, request, o.boss2, o.boss2, 350_00)
    assert approved == []
    assert refused[request][0] is OwnRequest
    assert status(app, request) == A.SUBMITTED
    assert line(app, budget)[1] == 0


def test_a_corrected_one_off_request_keeps_one_month(app, office, make_allowance):
    o = office
    request = make_allowance(o.person, o.worker)
    run(
        app,
        lambda: allowances.update_request(
            get(request),
            None,
            fields(first_month=date(2026, 4, 20), last_month=MARCH),
            actor=staff_user(o.worker),
            now=NOW,
        ),
    )
    with app.app_context():
        assert (get(request).first_month, get(request).last_month) == (APRIL, None)


def test_approving_twice_has_one_effect(app, office, make_allowance, make_budget_line):
    o = office
    budget = make_budget_line(o.centre, 10_000_00)
    request = make_allowance(o.person, o.worker, amount=700_00)
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


def test_the_double_click_on_the_page_approves_once(
    app, office, login_as, make_allowance, make_budget_line
):
    o = office
    budget = make_budget_line(o.centre, 10_000_00)
    request = make_allowance(o.person, o.worker, amount=700_00)
    boss = login_as(email(app, o.boss), fresh=True)
    followed(boss, boss.post("/staff/approvals/approve", data={"allowance_id": [request]}))
    page = followed(boss, boss.post("/staff/approvals/approve", data={"allowance_id": [request]}))
    waiting = translated(app, "This request is not waiting for a decision.", html=False)
    assert translated(app, "Not approved (%(n)d): %(reason)s", n=1, reason=waiting) in page
    assert line(app, budget)[1] == 700_00
    assert len(instalments(app, request)) == 1


def test_a_decided_request_cannot_be_edited_but_can_be_withdrawn(
    app, office, make_allowance, make_budget_line, make_periodic_allowance
):
    o = office
    budget = make_budget_line(o.centre, 10_000_00)
    kept = make_allowance(o.person, o.worker, amount=100_00)
    approved = make_periodic_allowance(
        o.person, o.worker, o.contract, MARCH, date(2026, 5, 1), 200_00
    )
    rejected = make_allowance(o.person, o.worker)
    approve(app, [kept, approved], o.boss)
    reject(app, rejected, o.boss)
    assert line(app, budget)[1] == 100_00 + 3 * 200_00
    for decided in (approved, rejected):
        refusal(
            app,
            lambda decided=decided: allowances.update_request(
                get(decided), None, fields(amount_grosze=1_00), actor=staff_user(o.worker), now=NOW
            ),
            "A decided request cannot be edited. Withdraw it and prepare a new one.",
        )
    with app.app_context():
        assert get(approved).amount_grosze == 200_00
    assert (
        run(app, lambda: allowances.withdraw(get(approved), actor=staff_user(o.worker), now=NOW))
        is None
    )
    with app.app_context():
        withdrawn = get(approved)
        assert (withdrawn.status, withdrawn.withdrawn_at) == (A.WITHDRAWN, NOW)
    # The instalments are cancelled, not deleted (the allowance's page keeps them) ...
    assert [row[2] for row in instalments(app, approved)] == [InstalmentStatus.CANCELLED] * 3
    assert line(app, budget) == (10_000_00, 100_00, 0)  # ... and the money is free again
    assert actions(app, approved)[-1] == "allowance.withdrawn"
    # Withdrawn is final.
    assert isinstance(
        run(app, lambda: allowances.withdraw(get(approved), actor=staff_user(o.worker), now=NOW)),
        allowances.AllowanceRefused,
    )
    assert isinstance(
        run(app, lambda: allowances.withdraw(get(rejected), actor=staff_user(o.worker), now=NOW)),
        allowances.AllowanceRefused,
    )


def test_rejecting_needs_a_reason(app, office, login_as, make_allowance):
    o = office
    request = make_allowance(o.person, o.worker)
    for blank in ("", "   "):
        refusal(
            app,
            lambda blank=blank: approvals.reject(
                get(request), reason=blank, approver=staff_user(o.boss), now=NOW
            ),
            "Give the reason for rejecting.",
            "reason",
        )
    boss = login_as(email(app, o.boss), fresh=True)
    for blank in ("", "   "):
        # The reject page comes back with the message at the reason field.
        response = boss.post(f"/staff/allowances/{request}/reject", data={"reason": blank})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'id="reason-error"' in page
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
