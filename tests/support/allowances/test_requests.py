"""The rules of a request: months within the contract, categories, the centre's limits."""

import re
from datetime import date

from flask_babel import force_locale
from sqlalchemy import func, select

from portal.extensions import db
from portal.formatting import month
from portal.models import (
    Allowance,
    AuditEntry,
    Centre,
    SocialContract,
)
from portal.models.enums import (
    InstalmentStatus,
)
from portal.services.support import allowances, contracts
from tests.factories import NOW
from tests.helpers import email, translated
from tests.support.allowances.steps import (
    APRIL,
    MARCH,
    A,
    K,
    approve,
    create,
    get,
    instalments,
    line,
    refusal,
    run,
    staff_user,
    zl,
)

# -- the rules of a request ---------------------------------------------------------------------


def test_periodic_months_must_lie_within_the_contract(app, office):
    o = office
    within = "The months must lie within the contract period (%(start)s – %(end)s)."
    # The contract's months as every page names them, in the language of the message.
    with app.test_request_context(), force_locale("pl"):
        period = {"start": month(date(2026, 1, 1)), "end": month(date(2026, 6, 30))}
    assert period == {"start": "styczeń 2026", "end": "czerwiec 2026"}
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


def test_periodic_needs_a_signed_or_active_contract_of_that_person(app, office, make_contract):
    o = office
    draft = make_contract(
        o.person,
        o.worker,
        sign=False,
        start_date=date(2026, 7, 1),
        end_date=date(2026, 12, 31),
    )
    theirs = make_contract(o.other, o.worker)
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
            actor=staff_user(o.worker),
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
    active = make_contract(
        o.person, o.worker, start_date=date(2026, 2, 1), end_date=date(2026, 8, 31)
    )
    run(
        app,
        lambda: contracts.activate(
            db.session.get(SocialContract, active), actor=staff_user(o.worker), now=NOW
        ),
    )
    assert isinstance(create(app, o, contract=active, **kind), int)


def test_one_decision_yields_one_instalment_per_month(
    app, office, make_budget_line, make_periodic_allowance
):
    o = office
    budget = make_budget_line(o.centre, 10_000_00)
    request = make_periodic_allowance(
        o.person, o.worker, o.contract, date(2026, 2, 1), APRIL, 450_00
    )
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
            actor=staff_user(o.admin),
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
                actor=staff_user(o.admin),
            ),
            "Enter a number of days from 1 to 365.",
            "decision_warning_days",
        )
    with app.app_context():
        centre = db.session.get(Centre, o.centre)
        assert (centre.max_purpose_grosze, centre.decision_warning_days) == (500_00, 10)


def test_the_administrator_sets_limits_on_the_page_and_the_form_refuses_more(app, office, login_as):
    o = office
    admin = login_as(email(app, o.admin), fresh=True)
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

    for days in ("abc", "0", "366", "-5", "99999999999999999999"):
        page = limits_page(decision_warning_days=days)
        days_error = error_beside(page, "decision_warning_days")
        assert translated(app, "Enter a number of days from 1 to 365.") in days_error, days
    for days in ("１２", "²"):  # digits int() would read: every number field says which to use
        page = limits_page(decision_warning_days=days)
        days_error = error_beside(page, "decision_warning_days")
        assert translated(app, "Type the number with the digits 0-9.") in days_error, days
    page = limits_page(decision_warning_days="")
    assert translated(app, "Enter a number of days.") in error_beside(page, "decision_warning_days")
    for amount in ("１２３", "²", "1２,00"):
        page = limits_page(max_purpose=amount)
        not_an_amount = translated(
            app, "Type the amount with the digits 0-9 (not full-width or other scripts' digits)."
        )
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
    assert (
        login_as(email(app, o.boss), fresh=True).get("/staff/allowance-limits").status_code == 200
    )
    worker = login_as(email(app, o.worker), fresh=True)
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
