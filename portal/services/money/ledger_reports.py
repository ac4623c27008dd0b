"""What a stage's money looks like: its lines, totals per funding source, and its ledger, on a
page and in a spreadsheet. Reads only, each in a fixed number of queries."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from portal.extensions import db
from portal.models import BudgetLine, Expense, ProjectStage, ProjectTask
from portal.models.enums import FundingSource
from portal.services.common import exports
from portal.services.common.pages import Pages


@dataclass
class Totals:
    planned: int = 0
    committed: int = 0
    spent: int = 0

    @property
    def left(self) -> int:
        return self.planned - self.committed

    def add(self, line: BudgetLine) -> None:
        self.planned += line.planned_grosze
        self.committed += line.committed_grosze
        self.spent += line.paid_grosze


@dataclass
class TaskMoney:
    """A task of the funding agreement with its lines' sums (task None: lines of no task)."""

    task: ProjectTask | None
    lines: list[BudgetLine] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)


@dataclass
class StageMoney:
    lines: list[BudgetLine]
    by_source: dict[FundingSource, Totals]
    total: Totals
    by_task: list[TaskMoney] = field(default_factory=list)


@dataclass
class LedgerRow:
    """An entry with the corrections of it, oldest first, and what it stands at now."""

    entry: Expense
    corrections: list[Expense] = field(default_factory=list)

    @property
    def net(self) -> int:
        return self.entry.amount_grosze + sum(c.amount_grosze for c in self.corrections)


def stage_money(stage_id: int) -> StageMoney:
    """Per line planned / committed / spent (paid) / left, and the same per task of the funding
    agreement, per funding source and for the whole stage: two queries."""
    lines = list(
        db.session.scalars(
            select(BudgetLine)
            .where(BudgetLine.stage_id == stage_id)
            .options(selectinload(BudgetLine.task))
            .order_by(BudgetLine.id)
        )
    )
    by_source: dict[FundingSource, Totals] = {}
    by_task: dict[int | None, TaskMoney] = {}
    total = Totals()
    for line in lines:
        by_source.setdefault(line.funding_source, Totals()).add(line)
        of_task = by_task.setdefault(line.task_id, TaskMoney(line.task))
        of_task.lines.append(line)
        of_task.totals.add(line)
        total.add(line)
    ordered = {source: by_source[source] for source in FundingSource if source in by_source}
    tasks = sorted(by_task.values(), key=lambda t: t.task.number if t.task else 100)
    return StageMoney(lines=lines, by_source=ordered, total=total, by_task=tasks)


def _rows(condition: ColumnElement[bool]) -> list[LedgerRow]:
    entries = db.session.scalars(
        select(Expense)
        .join(BudgetLine, Expense.budget_line_id == BudgetLine.id)
        .where(condition)
        .options(
            joinedload(Expense.budget_line),
            selectinload(Expense.post),
            selectinload(Expense.event),
        )
        .order_by(Expense.spent_on.desc(), Expense.id.desc())
    ).all()
    rows = {e.id: LedgerRow(e) for e in entries if e.corrects_id is None}
    for entry in sorted(entries, key=lambda e: e.id):
        if entry.corrects_id is not None and entry.corrects_id in rows:
            rows[entry.corrects_id].corrections.append(entry)
    return list(rows.values())


def ledger(stage_id: int) -> list[LedgerRow]:
    """The stage's entries, newest first, each with its corrections under it."""
    return _rows(BudgetLine.stage_id == stage_id)


def event_costs(event_id: int) -> list[LedgerRow]:
    """An event's costs, newest first, each with its corrections."""
    cost = aliased(Expense)
    of_event = select(cost.id).where(cost.event_id == event_id)
    return _rows(or_(Expense.event_id == event_id, Expense.corrects_id.in_(of_event)))


def ledger_count(stage_id: int) -> int:
    """How many entries the stage's ledger holds (its corrections are shown under them)."""
    return (
        db.session.scalar(
            select(func.count(Expense.id))
            .join(BudgetLine, Expense.budget_line_id == BudgetLine.id)
            .where(BudgetLine.stage_id == stage_id, Expense.corrects_id.is_(None))
        )
        or 0
    )


def ledger_page(stage_id: int, pages: Pages) -> list[LedgerRow]:
    """One page of the stage's entries, newest first, each with its corrections under it: the
    same statements whatever the ledger's length (the spreadsheet holds all of it)."""
    in_stage = BudgetLine.stage_id == stage_id
    entries = db.session.scalars(
        pages.of(
            select(Expense)
            .join(BudgetLine, Expense.budget_line_id == BudgetLine.id)
            .where(in_stage, Expense.corrects_id.is_(None))
            .options(
                joinedload(Expense.budget_line),
                selectinload(Expense.post),
                selectinload(Expense.event),
            )
            .order_by(Expense.spent_on.desc(), Expense.id.desc())
        )
    ).all()
    rows = {e.id: LedgerRow(e) for e in entries}
    corrections = db.session.scalars(
        select(Expense)
        .join(BudgetLine, Expense.budget_line_id == BudgetLine.id)
        .where(in_stage, Expense.corrects_id.in_(list(rows)))
        .options(joinedload(Expense.budget_line))
        .order_by(Expense.id)
    )
    for correction in corrections:
        if correction.corrects_id is not None:
            rows[correction.corrects_id].corrections.append(correction)
    return list(rows.values())


def ledger_xlsx(stage: ProjectStage, rows: list[LedgerRow]) -> bytes:
    """The ledger as a workbook: one row per entry, corrections right under what they correct;
    typed text is neutralised against formulas (exports.to_xlsx)."""
    header = [
        _("Entry"),
        _("Date"),
        _("Kind"),
        _("Budget line"),
        _("Funding source"),
        _("Document number"),
        _("Description"),
        _("Amount (PLN)"),
        _("Corrects entry"),
        _("Reason"),
    ]

    def cells(entry: Expense) -> list[object]:
        line = entry.budget_line
        return [
            entry.id,
            entry.spent_on.isoformat(),
            str(entry.kind.label),
            str(line.kind.label),
            str(line.funding_source.label),
            entry.document_number,
            entry.description,
            entry.amount_grosze,
            entry.corrects_id or "",
            entry.reason or "",
        ]

    table = [cells(entry) for row in rows for entry in (row.entry, *row.corrections)]
    title = _("Ledger %(year)d", year=stage.year)
    return exports.to_xlsx(title, header, table, money_columns=(7,))
