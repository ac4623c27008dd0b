"""Instalments dated after a contract's end that are already paid cannot be cancelled: the
termination page says so beforehand, the contract's page warns afterwards (the centre may have to
recover the money), and the check of the figures lists each one for the auditor.

Such an instalment comes from a list paid in advance, before lists waited for their month (older
data): the reported case's February, paid on 10 January, and the contract ended on 15 January.
"""

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from portal.extensions import db
from portal.models import Instalment, Project, ProjectStage
from portal.models.enums import ContractStatus, InstalmentCancellation
from portal.services.reporting import discrepancies, figures_check
from portal.services.support import entitlements
from tests.helpers import email, translated
from tests.support.allowances.steps import line
from tests.support.ending_steps import (
    FEB,
    JAN,
    JANUARY_15,
    MAR,
    REASON,
    I,
    build_case,
    hidden,
    made_in_advance,
    paid_said,
    rows,
    said,
)


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.fixture
def case(app, make_centre, make_user, make_participant, make_budget_line, make_periodic_allowance):
    return build_case(
        app, make_centre, make_user, make_participant, make_budget_line, make_periodic_allowance
    )


@pytest.fixture
def february_paid_early(app, case):
    """February's instalment on a list paid on 10 January."""
    case.february_list = made_in_advance(app, case, FEB, paid_on=date(2026, 1, 10))
    with app.app_context():
        case.february = db.session.scalar(
            select(Instalment.id).where(
                Instalment.allowance_id == case.allowance, Instalment.month == FEB
            )
        )
    return case


def test_the_termination_says_beforehand_what_after_the_end_is_already_paid(
    app, february_paid_early, login_as
):
    case = february_paid_early
    url = f"/staff/contracts/{case.contract}"
    with freeze_time(JANUARY_15):
        boss = login_as(email(app, case.boss), fresh=True)
        # While the contract runs, February is not "after the end": no warning.
        assert 'id="paid-after-end"' not in page_of(boss, url)
        page = page_of(boss, f"{url}/terminate")
        # March is cancelled; February, paid, stays paid: both said before anything changes.
        assert said(app, 1, 300_00, date(2026, 1, 15)) in page
        assert 'id="ending-paid"' in page
        assert paid_said(app, 1, 300_00) in page
        response = boss.post(
            f"{url}/terminate", data={"reason": REASON, "cancels": hidden(page, "cancels")}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        page = page_of(boss, url)
    cancelled = (I.CANCELLED, InstalmentCancellation.CONTRACT_ENDED, None)
    assert rows(app, case.allowance) == {
        JAN: (I.DUE, None, None),
        FEB: (I.PAID, None, case.february_list),
        MAR: cancelled,
    }
    # Only March's money goes back; February's stays paid from the line.
    assert line(app, case.line)[1:] == (600_00, 300_00)
    # After the change the contract's page warns of the paid month after its end.
    assert 'id="paid-after-end"' in page
    assert paid_said(app, 1, 300_00, warned=True) in page


def test_completing_the_contract_says_the_paid_one_beside_the_button(
    app, february_paid_early, login_as
):
    case = february_paid_early
    with freeze_time(JANUARY_15):
        boss = login_as(email(app, case.boss), fresh=True)
        page = page_of(boss, f"/staff/contracts/{case.contract}")
    assert paid_said(app, 1, 300_00) in page


def test_the_figures_check_lists_an_instalment_paid_after_the_termination(
    app, february_paid_early, login_as
):
    case = february_paid_early
    with freeze_time(JANUARY_15):
        boss = login_as(email(app, case.boss), fresh=True)
        url = f"/staff/contracts/{case.contract}/terminate"
        token = hidden(page_of(boss, url), "cancels")
        assert boss.post(url, data={"reason": REASON, "cancels": token}).status_code == 302
    with app.app_context():
        stage = db.session.scalar(
            select(ProjectStage)
            .join(Project, Project.id == ProjectStage.project_id)
            .where(Project.centre_id == case.centre, ProjectStage.year == 2026)
        )
        found = [
            each
            for each in figures_check.check_stage(stage, now=datetime(2026, 1, 20, tzinfo=UTC))
            if each.rule == "instalment-after-end"
        ]
        assert [(f.records[0], dict(f.values)) for f in found] == [
            (
                figures_check.Record("instalment", case.february),
                {"month": FEB, "ended": date(2026, 1, 15)},
            )
        ]
        assert figures_check.Record("social_contract", case.contract) in found[0].records
        with app.test_request_context():
            meaning = discrepancies.meaning(found[0])
        contract = db.session.get(entitlements.SocialContract, case.contract)
        assert contract.status == ContractStatus.TERMINATED
    # The reader (in the portal's default language) is told a paid one counts too.
    assert meaning == translated(
        app,
        "An allowance instalment, due or already paid, falls after the person's contract or "
        "participation ended.",
        html=False,
    )


def test_nothing_paid_after_the_end_says_nothing(app, case, login_as):
    with freeze_time(JANUARY_15):
        boss = login_as(email(app, case.boss), fresh=True)
        page = page_of(boss, f"/staff/contracts/{case.contract}/terminate")
    assert 'id="ending-paid"' not in page
    with app.app_context():
        contract = db.session.get(entitlements.SocialContract, case.contract)
        assert entitlements.paid_after_end_of_contract(contract).count == 0
