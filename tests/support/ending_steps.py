"""The reported case of entitlements ending with the contract, shared by the tests of
services/support/entitlements (tests/support/test_entitlements.py, test_paid_after_end.py) and of
a person's exit (tests/people): a contract with a periodic allowance of 300 zł a month for
January–March 2026, and the steps the pages take with it."""

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

from flask_babel import force_locale, ngettext
from markupsafe import escape
from sqlalchemy import select, update

from portal.extensions import db
from portal.formatting import money, month
from portal.models import AuditEntry, Instalment, Participant, PaymentList, User
from portal.models.enums import InstalmentStatus, Role
from portal.services.money import budget
from portal.services.support import contracts
from tests.factories import contract_fields
from tests.helpers import input_tag
from tests.support.allowances.steps import approve

I = InstalmentStatus  # noqa: E741 - as in the services
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))
DECEMBER_20 = datetime(2025, 12, 20, 10, 0, tzinfo=UTC)
JANUARY_15 = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
REASON = "Wyjazd za granicę"

SAID = (
    "%(num)d instalment of the periodic allowance, %(amount)s, falls after %(month)s, the month "
    "of the end: it is cancelled, will not be paid, and its money goes back to the budget line.",
    "%(num)d instalments of the periodic allowance, %(amount)s in all, fall after %(month)s, the "
    "month of the end: they are cancelled, will not be paid, and their money goes back to the "
    "budget line.",
)


def said(app, count: int, amount: int, end: date) -> str:
    """What the confirmation says ending on `end` cancels, as the page shows it in Polish."""
    with app.test_request_context(), force_locale("pl"):
        return str(escape(ngettext(*SAID, count, amount=money(amount), month=month(end))))


def hidden(page: str, name: str) -> str:
    found = re.search(r'value="([^"]*)"', input_tag(page, name))
    assert found, name
    return found.group(1)


def build_case(
    app, make_centre, make_user, make_participant, make_budget_line, make_periodic_allowance
) -> SimpleNamespace:
    """Genowefa's contract (1 Dec 2025 – 30 Jun 2026, signed 1 Dec) with a periodic allowance of
    300 zł for January–March 2026, approved on 3 December and charged to the 2026 line."""
    centre = make_centre()
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre, last_name="Socjalna")
    boss = make_user(Role.COORDINATOR, centre_id=centre, last_name="Pierwszy")
    person = make_participant(centre, first_name="Genowefa", last_name="Pigwa")
    budget_line = make_budget_line(centre, 10_000_00)
    with app.app_context():
        contract = contracts.create(
            db.session.get(Participant, person),
            contract_fields(start_date=date(2025, 12, 1), end_date=date(2026, 6, 30)),
            social_worker=db.session.get(User, worker),
            now=datetime(2025, 11, 28, 9, tzinfo=UTC),
        )
        contracts.sign(
            contract,
            signed_on=date(2025, 12, 1),
            actor=db.session.get(User, worker),
            now=datetime(2025, 12, 1, 12, tzinfo=UTC),
        )
        db.session.commit()
        contract_id = contract.id
    allowance = make_periodic_allowance(
        person, worker, contract_id, JAN, MAR, 300_00, now=datetime(2025, 12, 2, 9, tzinfo=UTC)
    )
    assert approve(app, [allowance], boss, now=datetime(2025, 12, 3, 9, tzinfo=UTC))[0] == [
        allowance
    ]
    return SimpleNamespace(
        centre=centre,
        worker=worker,
        boss=boss,
        person=person,
        line=budget_line,
        contract=contract_id,
        allowance=allowance,
    )


def rows(app, allowance_id: int) -> dict[date, tuple]:
    """month -> (status, why cancelled, payment list) of the allowance's instalments."""
    with app.app_context():
        return {
            i.month: (i.status, i.cancelled_because, i.payment_list_id)
            for i in db.session.scalars(
                select(Instalment).where(Instalment.allowance_id == allowance_id)
            )
        }


def cancellations(app, allowance_id: int) -> dict[date, dict]:
    """month -> the changes of the audit entry that cancelled that instalment."""
    with app.app_context():
        months = dict(
            db.session.execute(
                select(Instalment.id, Instalment.month).where(
                    Instalment.allowance_id == allowance_id
                )
            ).all()
        )
        entries = db.session.execute(
            select(AuditEntry.entity_id, AuditEntry.changes).where(
                AuditEntry.action == "instalment.cancelled",
                AuditEntry.entity_type == "instalments",
                AuditEntry.entity_id.in_(months),
            )
        ).all()
    return {months[entity_id]: changes for entity_id, changes in entries}


def payment_list(app, client, month_value: str) -> tuple[int, str]:
    """Make (or open) the month's payment list as the coordinator does: (its id, its page)."""
    response = client.post("/staff/payments", data={"month": month_value})
    assert response.status_code == 302, response.status_code
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        list_id = db.session.scalar(
            select(PaymentList.id).where(
                PaymentList.month == date.fromisoformat(month_value + "-01")
            )
        )
    return list_id, page


def made_in_advance(app, case, month: date, *, paid_on: date | None = None) -> int:
    """A list of `month` made (and, with `paid_on`, paid) before its month began, as lists could
    be before that was refused: older data the rules must still handle. Returns its id."""
    with app.app_context():
        made = PaymentList(centre_id=case.centre, month=month, created_by_id=case.boss)
        db.session.add(made)
        db.session.flush()
        paid = {"status": I.PAID, "paid_on": paid_on} if paid_on else {}
        db.session.execute(
            update(Instalment)
            .where(Instalment.allowance_id == case.allowance, Instalment.month == month)
            .values(payment_list_id=made.id, **paid)
        )
        if paid_on:
            budget.pay({case.line: 300_00})
        db.session.commit()
        return made.id


def on_list(app, list_id: int) -> set[date]:
    with app.app_context():
        return set(
            db.session.scalars(
                select(Instalment.month).where(Instalment.payment_list_id == list_id)
            )
        )


PAID_SAID = (
    "%(num)d instalment after the end is already paid (%(amount)s): it stays paid; recover it "
    "from the person if repayment is due.",
    "%(num)d instalments after the end are already paid (%(amount)s in all): they stay paid; "
    "recover them from the person if repayment is due.",
)
PAID_WARNED = (
    "%(num)d instalment of the periodic allowance was paid for a month after the end of the "
    "contract or of support (%(amount)s): it stays paid; recover it from the person if "
    "repayment is due.",
    "%(num)d instalments of the periodic allowance were paid for months after the end of the "
    "contract or of support (%(amount)s in all): they stay paid; recover them from the person "
    "if repayment is due.",
)


def paid_said(app, count: int, amount: int, *, warned: bool = False) -> str:
    """What a confirmation (or, `warned`, a page after the change) says of the instalments after
    the end already paid, as the page shows it in Polish."""
    with app.test_request_context(), force_locale("pl"):
        text = ngettext(*(PAID_WARNED if warned else PAID_SAID), count, amount=money(amount))
    return str(escape(text))
