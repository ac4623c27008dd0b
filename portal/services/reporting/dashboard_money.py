"""The coordinator's money figures for one project stage: allowances per month against the
allowance line, and the budget (services/ledger_reports.stage_money). Reads only, each in a fixed
number of statements; months are grouped as in services/dashboard."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select

from portal.extensions import db
from portal.models import Allowance, Instalment, Participant, ProjectStage
from portal.models.enums import AllowanceKind, AllowanceStatus, BudgetLineKind
from portal.services.money import ledger_reports
from portal.services.reporting.dashboard import day_bounds, moment_bounds, month_index, months

DECIDED = (AllowanceStatus.APPROVED, AllowanceStatus.PAID)


@dataclass(frozen=True)
class AllowanceMonth:
    month: date
    requested: int  # grosze of the requests submitted in the month (a periodic one in full)
    approved: int  # grosze of the requests approved in the month
    paid: int  # grosze of the instalments paid in the month
    paid_so_far: int  # paid from the start of the stage to the end of the month


@dataclass(frozen=True)
class AllowanceFigures:
    months: list[AllowanceMonth]
    planned: int  # the stage's allowance lines, planned
    requested: int
    approved: int
    paid: int


def _whole(allowance: type[Allowance]) -> ColumnElement[Any]:
    """What a request asks for in all: a periodic allowance's amount times its months
    (services/allowances.total, in SQL)."""
    span = (
        (func.extract("year", allowance.last_month) - func.extract("year", allowance.first_month))
        * 12
        + func.extract("month", allowance.last_month)
        - func.extract("month", allowance.first_month)
        + 1
    )
    periodic = and_(
        allowance.kind == AllowanceKind.PERIODIC,
        allowance.first_month.is_not(None),
        allowance.last_month.is_not(None),
    )
    return case((periodic, allowance.amount_grosze * span), else_=allowance.amount_grosze)


def _per_month(query: Any) -> dict[int, int]:
    rows = db.session.execute(query)
    return {index: int(total or 0) for index, total in rows if index is not None}


def allowances(stage: ProjectStage, money: ledger_reports.StageMoney) -> AllowanceFigures:
    """Requested (submitted), approved (decided and granted) and paid per month of the stage,
    for the project's people, against what the stage's allowance lines plan (`money`, from
    `budget`): three statements."""
    moments, days = moment_bounds(stage), day_bounds(stage)
    of_project = Participant.project_id == stage.project_id
    person = (Participant, Participant.id == Allowance.participant_id)
    submitted = month_index(Allowance.submitted_at, moments)
    requested = _per_month(
        select(submitted, func.sum(_whole(Allowance)))
        .join(*person)
        .where(of_project, Allowance.submitted_at.is_not(None))
        .group_by(submitted)
    )
    decided = month_index(Allowance.decided_at, moments)
    approved = _per_month(
        select(decided, func.sum(_whole(Allowance)))
        .join(*person)
        .where(of_project, Allowance.status.in_(DECIDED))
        .group_by(decided)
    )
    paid_on = month_index(Instalment.paid_on, days)
    paid = _per_month(
        select(paid_on, func.sum(Instalment.amount_grosze))
        .join(Allowance, Allowance.id == Instalment.allowance_id)
        .join(*person)
        .where(of_project, Instalment.paid_on.is_not(None))
        .group_by(paid_on)
    )
    planned = sum(
        line.planned_grosze for line in money.lines if line.kind == BudgetLineKind.ALLOWANCES
    )
    rows, so_far = [], 0
    for index, first in enumerate(months(stage)):
        so_far += paid.get(index, 0)
        rows.append(
            AllowanceMonth(
                first, requested.get(index, 0), approved.get(index, 0), paid.get(index, 0), so_far
            )
        )
    return AllowanceFigures(
        months=rows,
        planned=planned,
        requested=sum(r.requested for r in rows),
        approved=sum(r.approved for r in rows),
        paid=so_far,
    )


def budget(stage: ProjectStage) -> ledger_reports.StageMoney:
    """Planned / committed / spent per line and per funding source (one statement)."""
    return ledger_reports.stage_money(stage.id)
