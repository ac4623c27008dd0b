"""Every state change of a request is in the audit trail, with who and when."""

from datetime import date, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    AuditEntry,
)
from portal.services.support import allowances, payments
from tests.factories import NOW
from tests.helpers import audit_rows
from tests.support.allowances.steps import (
    MARCH,
    approve,
    get,
    reject,
    run,
    staff_user,
)

# -- the audit trail ----------------------------------------------------------------------------


def test_every_state_change_is_in_the_audit_trail_with_who_and_when(
    app, office, make_allowance, make_budget_line
):
    o = office
    make_budget_line(o.centre, 10_000_00)
    t = [NOW + timedelta(hours=n) for n in range(6)]
    paid = make_allowance(o.person, o.worker, now=t[0])
    rejected = make_allowance(o.person, o.worker, now=t[0])
    withdrawn = make_allowance(o.person, o.worker, now=t[0])
    approve(app, [paid, withdrawn], o.boss, now=t[1])
    reject(app, rejected, o.boss2, now=t[2])
    run(app, lambda: allowances.withdraw(get(withdrawn), actor=staff_user(o.worker), now=t[3]))

    def pay():
        payment_list = payments.get_or_create(o.centre, MARCH, actor=staff_user(o.boss), now=t[4])
        ids = [i.id for i in payments.items(payment_list)]
        return payments.mark_paid(
            payment_list, ids, paid_on=date(2026, 3, 10), actor=staff_user(o.boss), now=t[5]
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
        # A reason written about a person is personal data: recorded as given, not its text.
        assert entry.changes["rejection_reason"]["new"] == "***"
