"""Steps the allowance tests share: services run as a request would, records read back."""

from datetime import date

from flask_babel import force_locale
from sqlalchemy import select

from portal.extensions import db
from portal.i18n import money
from portal.models import (
    Allowance,
    BudgetLine,
    Instalment,
    Participant,
    SocialContract,
    User,
)
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    PurposeCategory,
)
from portal.services.common.errors import PortalError
from portal.services.support import allowances, approvals
from portal.services.support.allowances import AllowanceFields
from tests.factories import NOW
from tests.helpers import audit_rows, translated

A = AllowanceStatus
K = AllowanceKind
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


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


def staff_user(user_id: int) -> User:
    return db.session.get(User, user_id)


def get(allowance_id: int) -> Allowance:
    return db.session.get(Allowance, allowance_id)


def approve(app, ids, approver: int, now=NOW):
    """approve_many as a request runs it: (approved ids, {id: refusal message})."""

    def action():
        approved, refused = approvals.approve_many(
            list(ids),
            centre_id=staff_user(approver).centre_id,
            approver=staff_user(approver),
            now=now,
        )
        return approved, {i: (type(e), str(e.message)) for i, e in refused.items()}

    return run(app, action)


def reject(app, allowance_id: int, approver: int, reason="Brak dokumentów", now=NOW):
    return run(
        app,
        lambda: approvals.reject(
            get(allowance_id), reason=reason, approver=staff_user(approver), now=now
        ),
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
            prepared_by=staff_user(preparer or o.worker),
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


def followed(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)
