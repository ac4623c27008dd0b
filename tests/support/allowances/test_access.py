"""Who may do what: the decision routes, and a participant kept to their own records."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Centre,
    PaymentList,
)
from tests import urlmap
from tests.helpers import email, user_of
from tests.support.allowances.steps import (
    MARCH,
    A,
    approve,
    reject,
    status,
)

# -- who may do what ----------------------------------------------------------------------------

DECISION_ENDPOINTS = {
    "staff.approvals",
    "staff.approve",
    "staff.approve_all",
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

DECISION_MODULES = {"portal.staff.support.approvals", "portal.staff.support.payments"}

# Signing in and out is audited too; these tests count the changes the routes made.
NOT_SIGN_INS = AuditEntry.action.not_like("user.sign%")


def _decision_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every route of the approvals and the payment lists, and
    the allowance limits' page."""
    routes = [
        (route.endpoint, route.rule, route.method)
        for route in urlmap.routes(
            app,
            lambda route: (
                route.module in DECISION_MODULES or route.endpoint == "staff.allowance_limits"
            ),
        )
    ]
    assert {endpoint for endpoint, _rule, _method in routes} == DECISION_ENDPOINTS
    return routes


def test_only_coordinators_reach_the_approval_routes(
    app, office, login_as, make_allowance, make_budget_line
):
    o = office
    make_budget_line(o.centre, 10_000_00)
    request = make_allowance(o.person, o.worker)
    with app.app_context():
        payment_list = PaymentList(centre_id=o.centre, month=MARCH)
        db.session.add(payment_list)
        db.session.commit()
        ids = {"allowance_id": request, "list_id": payment_list.id}
        audit_before = db.session.scalar(select(func.count(AuditEntry.id)).where(NOT_SIGN_INS))
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
        client = login_as(who, fresh=True)
        for _endpoint, rule, method in routes:
            response = client.open(urlmap.fill(rule, ids), method=method, data=data)
            if response.status_code != 403:
                refused.append(f"{who} {method} {rule}: {response.status_code}")
    assert refused == []
    assert status(app, request) == A.SUBMITTED
    with app.app_context():
        assert (
            db.session.scalar(select(func.count(AuditEntry.id)).where(NOT_SIGN_INS)) == audit_before
        )
        assert db.session.get(Centre, o.centre).max_purpose_grosze is None
    # The routes really are open to the right people (so the 403s above mean something).
    boss = login_as(email(app, o.boss), fresh=True)
    admin = login_as(email(app, o.admin), fresh=True)
    for endpoint, rule, method in routes:
        if method == "GET":
            allowed = admin if endpoint == "staff.allowance_limits" else boss
            assert allowed.get(urlmap.fill(rule, ids)).status_code == 200, rule


def test_a_participant_never_reaches_another_persons_contract_or_allowance(
    app, office, login_as, make_allowance, make_budget_line, make_contract
):
    o = office
    make_budget_line(o.centre, 10_000_00)
    mine = make_allowance(o.person, o.worker, purpose="Leki Genowefy")
    their_contract = make_contract(o.other, o.worker, goal="Cel Zenona")
    theirs = [
        make_allowance(o.other, o.worker, purpose="Sekret Zenona"),
        make_allowance(o.other, o.worker, purpose="Sekret Zenona", amount=50_00),
    ]
    approve(app, [mine, theirs[0]], o.boss)
    reject(app, theirs[1], o.boss, reason="Sekret Zenona")
    with app.app_context():
        participant_email = user_of(o.person).email
    client = login_as(participant_email, fresh=True)
    ids = {"contract_id": their_contract, "allowance_id": theirs[0], "participant_id": o.other}
    checked, problems = 0, []
    for route in urlmap.routes(app, lambda route: route.arguments & set(ids)):
        if route.arguments - set(ids):
            continue
        response = client.open(
            urlmap.fill(route.rule, ids), method=route.method, data={"reason": "x"}
        )
        checked += 1
        body = response.get_data(as_text=True)
        if response.status_code not in (403, 404) or "Zenon" in body:
            problems.append(f"{route.method} {route.rule}: {response.status_code}")
    assert checked >= 10
    assert problems == []
    for page in ("/me/", "/me/allowances", "/me/contract", "/me/my-data.json"):
        response = client.get(page)
        assert response.status_code == 200, page
        body = response.get_data(as_text=True)
        assert "Sekret Zenona" not in body, page
        assert "Cel Zenona" not in body, page
    assert "Leki Genowefy" in client.get("/me/allowances").get_data(as_text=True)
    assert status(app, theirs[0]) == A.APPROVED
