"""A stage's expense ledger: money spent from its budget lines, and corrections of it.

Every entry moves its line through `budget.spend` (committed and paid together, one conditional
UPDATE), in the same transaction as the entry and its audit record. Entries are never edited:
a correction is a new entry with the difference, pointing at the entry it corrects.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from stdnum.pl import nip as nip_numbers

from portal.extensions import db
from portal.formatting import money
from portal.models import BudgetLine, Event, Expense, ProjectStage, User
from portal.models.base import utcnow
from portal.models.enums import BudgetLineKind
from portal.models.spending import DocumentKind
from portal.models.support import EventCostKind, ExpenseKind
from portal.services.audit import audit
from portal.services.common import dates, loading
from portal.services.common.errors import PortalError
from portal.services.money import budget


class LedgerRefused(PortalError):
    pass


class LineExhausted(LedgerRefused):
    """What the line has left is less than the amount; the message says how much is left."""


def left_on(line_id: int) -> int:
    """What is left on a line as it is now (read again after a refused charge)."""
    line = db.session.scalar(
        select(BudgetLine).where(BudgetLine.id == line_id).execution_options(populate_existing=True)
    )
    return line.left_grosze if line is not None else 0


def spend_or_refuse(line_id: int, amount: int, *, field: str = "amount") -> None:
    """Charge the line, or refuse saying how much it still has."""
    if budget.spend(line_id, amount):
        return
    if amount < 0:  # only possible if the line was changed by hand: say so plainly
        raise LedgerRefused(_l("The line cannot give back more than was spent."), field=field)
    left = left_on(line_id)
    if left <= 0:
        raise LineExhausted(_l("Nothing is left on this line."), field=field)
    raise LineExhausted(_l("Only %(left)s is left on this line.", left=money(left)), field=field)


def _line_of_stage(centre_id: int, stage_id: int, line_id: int) -> BudgetLine:
    line = db.session.scalar(
        select(BudgetLine).where(
            BudgetLine.id == line_id,
            BudgetLine.stage_id == stage_id,
            BudgetLine.centre_id == centre_id,
        )
    )
    if line is None:
        raise LedgerRefused(_l("Choose a line of this stage's budget."), field="line_id")
    return line


def _text(value: str, limit: int, field: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise LedgerRefused(_l("This cannot be empty."), field=field)
    if len(text) > limit:
        raise LedgerRefused(_l("At most %(limit)d characters.", limit=limit), field=field)
    return text


def _positive(amount: int) -> int:
    if amount <= 0:
        raise LedgerRefused(_l("The amount must be more than zero."), field="amount")
    return amount


@dataclass(frozen=True)
class Document:
    """What the payment claim's list of documents needs of an expense, beside its number,
    description and eligible amount; None: the default (issued on the day it is paid, the
    gross amount wholly eligible, no VAT in it)."""

    kind: DocumentKind = DocumentKind.INVOICE
    accounting_number: str = ""
    issuer: str = ""
    issuer_nip: str = ""
    issued_on: date | None = None
    gross_grosze: int | None = None
    vat_grosze: int = 0


# Documents whose issuer is a business: an invoice always names its tax number.
NIP_REQUIRED = frozenset({DocumentKind.INVOICE})
# Documents issued by someone else than the centre (a payroll list is the centre's own).
ISSUER_REQUIRED = frozenset({DocumentKind.INVOICE, DocumentKind.BILL})


def checked_nip(value: str, *, required: bool) -> str:
    """The issuer's tax number as ten digits (spaces, dashes and a "PL" prefix dropped), or
    empty; refused when its check digit is wrong."""
    typed = (value or "").strip()
    if not typed:
        if required:
            raise LedgerRefused(
                _l("An invoice names its issuer's tax number (NIP): enter it."),
                field="issuer_nip",
            )
        return ""
    if any(char.isdigit() and not char.isascii() for char in typed):
        raise LedgerRefused(_l("A tax number (NIP) has ten digits."), field="issuer_nip")
    number = nip_numbers.compact(typed)
    if number.upper().startswith("PL"):
        number = number[2:]
    if not (len(number) == 10 and number.isascii() and number.isdigit()):
        raise LedgerRefused(_l("A tax number (NIP) has ten digits."), field="issuer_nip")
    if not nip_numbers.is_valid(number):
        raise LedgerRefused(
            _l("This tax number (NIP) is not valid: check its digits."), field="issuer_nip"
        )
    return number


def document_values(
    document: Document, *, paid_on: date, amount_grosze: int, today: date
) -> dict[str, Any]:
    """The document's columns of an entry, checked: dates not in the future and issued no
    later than paid, the eligible amount within the gross, the VAT within the eligible."""
    issued_on = document.issued_on or paid_on
    if paid_on > today:
        raise LedgerRefused(_l("The date cannot be in the future."), field="spent_on")
    if issued_on > today:
        raise LedgerRefused(_l("The date cannot be in the future."), field="issued_on")
    if paid_on < issued_on:
        raise LedgerRefused(_l("A document cannot be paid before it was issued."), field="spent_on")
    gross = amount_grosze if document.gross_grosze is None else document.gross_grosze
    if gross <= 0:
        raise LedgerRefused(_l("The amount must be more than zero."), field="gross")
    if amount_grosze > gross:
        raise LedgerRefused(
            _l(
                "The eligible amount cannot be more than the document's gross amount (%(gross)s).",
                gross=money(gross),
            ),
            field="amount",
        )
    if document.vat_grosze < 0:
        raise LedgerRefused(_l("The VAT cannot be negative."), field="vat")
    if document.vat_grosze > amount_grosze:
        raise LedgerRefused(
            _l("The VAT counted cannot be more than the eligible amount."), field="vat"
        )
    return {
        "document_kind": document.kind,
        "accounting_number": _text(
            document.accounting_number, 60, "accounting_number", required=False
        ),
        "issuer": _text(document.issuer, 200, "issuer", required=document.kind in ISSUER_REQUIRED),
        "issuer_nip": checked_nip(document.issuer_nip, required=document.kind in NIP_REQUIRED),
        "issued_on": issued_on,
        "paid_on": paid_on,
        "gross_grosze": gross,
        "vat_grosze": document.vat_grosze,
    }


def _add(
    expense: Expense, *, actor: User, action: str, extra: dict[str, tuple[Any, Any]] | None = None
) -> Expense:
    """Store the entry, charge its line, audit it: one transaction, one outcome."""
    db.session.add(expense)
    db.session.flush()
    spend_or_refuse(expense.budget_line_id, expense.amount_grosze)
    audit.record(
        action,
        expense,
        actor=actor,
        changes={
            "budget_line_id": (None, expense.budget_line_id),
            "amount_grosze": (None, expense.amount_grosze),
            "document_number": (None, expense.document_number),
            **(extra or {}),
        },
    )
    return expense


def record_expense(
    centre_id: int,
    stage_id: int,
    line_id: int,
    spent_on: date,
    document_number: str,
    description: str,
    amount_grosze: int,
    actor: User,
    *,
    document: Document | None = None,
    today: date | None = None,
) -> Expense:
    """An expense paid from a line of the stage, dated (paid) within the stage, never beyond
    plan; with its document, as the payment claim lists it, when one is given.

    The allowances line is paid through payment lists only, so it takes no ledger entries."""
    line = _line_of_stage(centre_id, stage_id, line_id)
    if line.kind == BudgetLineKind.ALLOWANCES:
        raise LedgerRefused(
            _l("Allowances are paid through payment lists, not entered here."), field="line_id"
        )
    stage = db.session.get_one(ProjectStage, stage_id)
    if not stage.start_date <= spent_on <= stage.end_date:
        raise LedgerRefused(
            _l("The date must fall within the stage (%(year)d).", year=stage.year),
            field="spent_on",
        )
    amount = _positive(amount_grosze)
    values = (
        document_values(
            document,
            paid_on=spent_on,
            amount_grosze=amount,
            today=today or dates.local_date(utcnow()),
        )
        if document is not None
        else {}
    )
    expense = Expense(
        centre_id=centre_id,
        budget_line_id=line.id,
        kind=ExpenseKind.LEDGER,
        spent_on=spent_on,
        document_number=_text(document_number, 60, "document_number", required=True),
        description=_text(description, 300, "description", required=True),
        amount_grosze=amount,
        created_by_id=actor.id,
        **values,
    )
    extra = {name: (None, value) for name, value in values.items()}
    return _add(expense, actor=actor, action="expense.record", extra=extra)


def cost_line(event: Event) -> BudgetLine:
    """The line an event's costs are charged to: PAL events on the PAL line, a session of a
    group instrument on the other-costs line, of the stage of the event's year."""
    year = dates.local_date(event.starts_at).year
    kind = BudgetLineKind.OTHER if event.instrument is not None else BudgetLineKind.PAL_EVENTS
    stage = db.session.scalar(
        select(ProjectStage).where(
            ProjectStage.project_id == event.project_id, ProjectStage.year == year
        )
    )
    if stage is None:
        raise LedgerRefused(
            _l("The event's project has no stage for %(year)d: add it in the set-up.", year=year),
            field="amount",
        )
    line = db.session.scalar(
        select(BudgetLine).where(BudgetLine.stage_id == stage.id, BudgetLine.kind == kind)
    )
    if line is None:
        raise LedgerRefused(
            _l(
                "The stage %(year)d has no line “%(line)s”: add it in the set-up.",
                year=year,
                line=kind.label,
            ),
            field="amount",
        )
    return line


def record_event_cost(
    event_id: int,
    cost_kind: EventCostKind,
    spent_on: date,
    document_number: str,
    amount_grosze: int,
    actor: User,
    description: str = "",
    *,
    document: Document | None = None,
    today: date | None = None,
) -> Expense:
    """An event's cost (bus, catering...), charged to the line its kind of event is paid from;
    with its document, as the payment claim lists it, when one is given."""
    event = loading.of_centre(Event, event_id, loading.centre_id_of(actor))
    line = cost_line(event)
    amount = _positive(amount_grosze)
    values = (
        document_values(
            document,
            paid_on=spent_on,
            amount_grosze=amount,
            today=today or dates.local_date(utcnow()),
        )
        if document is not None
        else {}
    )
    expense = Expense(
        centre_id=event.centre_id,
        budget_line_id=line.id,
        kind=ExpenseKind.EVENT_COST,
        spent_on=spent_on,
        document_number=_text(document_number, 60, "document_number", required=True),
        description=_text(description, 300, "description", required=False)
        or f"{cost_kind.label}: {event.title}"[:300],
        amount_grosze=amount,
        event_id=event.id,
        cost_kind=cost_kind,
        created_by_id=actor.id,
        **values,
    )
    extra = {name: (None, value) for name, value in values.items()}
    return _add(expense, actor=actor, action="expense.event_cost", extra=extra)


def net_amount(expense: Expense) -> int:
    """The entry's amount with every correction of it."""
    corrected = db.session.scalar(
        select(func.coalesce(func.sum(Expense.amount_grosze), 0)).where(
            Expense.corrects_id == expense.id
        )
    )
    return expense.amount_grosze + int(corrected or 0)


def _net_gross(expense: Expense) -> int:
    corrected = db.session.scalar(
        select(func.coalesce(func.sum(Expense.gross_grosze), 0)).where(
            Expense.corrects_id == expense.id
        )
    )
    return expense.gross_grosze + int(corrected or 0)


def check_correction(expense: Expense, new_amount_grosze: int) -> int:
    """The difference a correction to `new_amount_grosze` would book; refused when nothing
    would change, the amount is negative, or the entry is itself a correction."""
    if expense.kind == ExpenseKind.CORRECTION:
        raise LedgerRefused(
            _l("A correction is not corrected itself: correct the entry it belongs to."),
            field="amount",
        )
    if new_amount_grosze < 0:
        raise LedgerRefused(_l("The amount cannot be negative."), field="amount")
    difference = new_amount_grosze - net_amount(expense)
    if difference == 0:
        raise LedgerRefused(
            _l("Nothing to correct: the entry already stands at this amount."), field="amount"
        )
    return difference


def correct(
    expense_id: int,
    new_amount_grosze: int,
    reason: str,
    actor: User,
    *,
    on: date | None = None,
) -> Expense:
    """Set an entry to what was really spent: a correction entry books the difference.

    The corrected entry is locked first, so two corrections at once are booked one after the
    other, each against the net amount the other left; the net never goes below zero."""
    expense = loading.of_centre(Expense, expense_id, loading.centre_id_of(actor), for_update=True)
    why = _text(reason, 500, "reason", required=True)
    difference = check_correction(expense, new_amount_grosze)
    correction = Expense(
        centre_id=expense.centre_id,
        budget_line_id=expense.budget_line_id,
        kind=ExpenseKind.CORRECTION,
        spent_on=on or dates.local_date(utcnow()),
        document_number=expense.document_number,
        description=expense.description,
        amount_grosze=difference,
        # An eligible amount raised above the document's gross raises the gross with it (an
        # additional payment); lowered, the gross stays (what was paid, partly ineligible).
        gross_grosze=max(0, new_amount_grosze - _net_gross(expense)),
        document_kind=expense.document_kind,
        accounting_number=expense.accounting_number,
        issuer=expense.issuer,
        issuer_nip=expense.issuer_nip,
        corrects_id=expense.id,
        reason=why,
        created_by_id=actor.id,
    )
    return _add(
        correction,
        actor=actor,
        action="expense.correct",
        extra={
            "corrects_id": (None, expense.id),
            "net_grosze": (new_amount_grosze - difference, new_amount_grosze),
            "reason": (None, why),
        },
    )
