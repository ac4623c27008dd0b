"""The payment claim's list of documents (the "zestawienie dokumentów" of a wniosek o płatność):
per stage and claim period, every document paid from the stage's lines, in the order and
columns of the SL2014 list (docs/claim-documents.md), with totals per task and cost category.

What the ledger holds one entry per document is listed as it is. Money spent without a ledger
entry appears as the summary document it is paid on: a payment list ("lista wypłat") for the
allowances paid on it, a month's payroll list for the salaries posted for that month, and the
course places bought from each course. Over the stage's whole period the list sums to what
each line has spent, line by line.

A correction is folded into its document when both fall in the period; otherwise it is a row
of its own in the period of its date, so consecutive claims never count money twice.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    BudgetLine,
    Course,
    CourseAssignment,
    Expense,
    Instalment,
    Participant,
    PaymentList,
    ProjectStage,
)
from portal.models.enums import BudgetLineKind, CourseStatus, InstalmentStatus
from portal.models.spending import DocumentKind
from portal.models.support import ExpenseKind
from portal.services.common import dates, exports
from portal.services.common.errors import PortalError


class ClaimRefused(PortalError):
    pass


@dataclass(frozen=True)
class ClaimDocument:
    line_id: int
    kind: DocumentKind
    number: str
    accounting_number: str
    issuer: str
    issuer_nip: str
    issued_on: date
    paid_on: date
    name: str
    gross: int
    eligible: int
    vat: int


@dataclass
class Sums:
    label: str
    gross: int = 0
    eligible: int = 0
    vat: int = 0

    def add(self, document: ClaimDocument) -> None:
        self.gross += document.gross
        self.eligible += document.eligible
        self.vat += document.vat


@dataclass
class ClaimList:
    stage: ProjectStage
    start: date
    end: date
    # Ordered by task, then budget line, then date of payment.
    documents: list[ClaimDocument]
    lines: dict[int, BudgetLine]
    by_task: list[Sums] = field(default_factory=list)
    by_line: dict[int, Sums] = field(default_factory=dict)
    total: Sums = field(default_factory=lambda: Sums(""))


def check_period(stage: ProjectStage, start: date | None, end: date | None) -> tuple[date, date]:
    """The claim period, by default the stage's; its end never before its start."""
    start = start or stage.start_date
    end = end or stage.end_date
    if end < start:
        raise ClaimRefused(_l("The end cannot be before the start."), field="end")
    return start, end


def task_label(line: BudgetLine) -> str:
    return line.task.label if line.task is not None else str(_l("No task"))


def category_label(line: BudgetLine) -> str:
    label = str(line.kind.label)
    return f"{label} ({line.name})" if line.name else label


def claim_list(
    stage: ProjectStage, start: date | None = None, end: date | None = None
) -> ClaimList:
    """The stage's documents paid from `start` to `end` (both included), with their totals."""
    start, end = check_period(stage, start, end)
    lines = {
        line.id: line
        for line in db.session.scalars(
            select(BudgetLine)
            .where(BudgetLine.stage_id == stage.id)
            .options(selectinload(BudgetLine.task))
            .order_by(BudgetLine.id)
        )
    }
    found = [
        *_ledger(lines, start, end),
        *_payment_lists(lines, start, end),
        *_course_places(stage, lines, start, end),
    ]
    documents = [d for d in found if d.eligible or d.gross]

    def order(document: ClaimDocument) -> tuple[int, int, date, str]:
        task = lines[document.line_id].task
        return (task.number if task else 100, document.line_id, document.paid_on, document.number)

    documents.sort(key=order)
    result = ClaimList(stage=stage, start=start, end=end, documents=documents, lines=lines)
    tasks: dict[str, Sums] = {}
    for line_id, line in lines.items():
        result.by_line[line_id] = Sums(category_label(line))
    for document in documents:
        line = lines[document.line_id]
        tasks.setdefault(task_label(line), Sums(task_label(line))).add(document)
        result.by_line[document.line_id].add(document)
        result.total.add(document)
    result.by_task = list(tasks.values())
    return result


def _within(day: date, start: date, end: date) -> bool:
    return start <= day <= end


def _ledger(lines: dict[int, BudgetLine], start: date, end: date) -> list[ClaimDocument]:
    """Ledger entries: one row per document, a month's salaries of a line as one payroll list,
    corrections folded into their document when it is in the same period."""
    entries = list(
        db.session.scalars(
            select(Expense)
            .where(Expense.budget_line_id.in_(lines), Expense.paid_on.between(start, end))
            .order_by(Expense.id)
        )
    )
    originals = {e.id: e for e in entries if e.corrects_id is None}
    rows: dict[tuple[object, ...], ClaimDocument] = {}
    key_of: dict[int, tuple[object, ...]] = {}
    for entry in originals.values():
        if entry.kind == ExpenseKind.SALARY and entry.month is not None:
            key: tuple[object, ...] = ("payroll", entry.budget_line_id, entry.month)
            name = f"Lista płac {entry.month:%m/%Y}"
            document = ClaimDocument(
                line_id=entry.budget_line_id,
                kind=DocumentKind.PAYROLL,
                number=entry.document_number or name,
                accounting_number=entry.accounting_number,
                issuer="",
                issuer_nip="",
                issued_on=entry.issued_on,
                paid_on=entry.paid_on,
                name=f"Wynagrodzenia personelu projektu {entry.month:%m/%Y}",
                gross=entry.gross_grosze,
                eligible=entry.amount_grosze,
                vat=entry.vat_grosze,
            )
            if key in rows:
                document = _merged(rows[key], document)
        else:
            key = ("entry", entry.id)
            document = _of_entry(entry)
        rows[key] = document
        key_of[entry.id] = key
    for entry in entries:
        if entry.corrects_id is None:
            continue
        if entry.corrects_id in key_of:
            key = key_of[entry.corrects_id]
            folded = rows[key]
            rows[key] = replace(
                folded,
                eligible=folded.eligible + entry.amount_grosze,
                gross=folded.gross + entry.gross_grosze,
                vat=folded.vat + entry.vat_grosze,
            )
        else:  # the document was claimed in an earlier period: the difference is claimed now
            corrected = _of_entry(entry)
            rows[("correction", entry.id)] = replace(
                corrected, name=f"Korekta: {corrected.name}"[:300]
            )
    return list(rows.values())


def _of_entry(entry: Expense) -> ClaimDocument:
    return ClaimDocument(
        line_id=entry.budget_line_id,
        kind=entry.document_kind,
        number=entry.document_number,
        accounting_number=entry.accounting_number,
        issuer=entry.issuer,
        issuer_nip=entry.issuer_nip,
        issued_on=entry.issued_on,
        paid_on=entry.paid_on,
        name=entry.description,
        gross=entry.gross_grosze,
        eligible=entry.amount_grosze,
        vat=entry.vat_grosze,
    )


def _merged(first: ClaimDocument, second: ClaimDocument) -> ClaimDocument:
    return replace(
        first,
        issued_on=min(first.issued_on, second.issued_on),
        paid_on=max(first.paid_on, second.paid_on),
        gross=first.gross + second.gross,
        eligible=first.eligible + second.eligible,
        vat=first.vat + second.vat,
    )


def _payment_lists(lines: dict[int, BudgetLine], start: date, end: date) -> list[ClaimDocument]:
    """Allowances paid in the period, one document per payment list and line."""
    rows: Any = db.session.execute(
        select(
            Allowance.budget_line_id,
            PaymentList.month,
            func.min(Instalment.paid_on),
            func.max(Instalment.paid_on),
            func.sum(Instalment.amount_grosze),
        )
        .join(Allowance, Allowance.id == Instalment.allowance_id)
        .join(PaymentList, PaymentList.id == Instalment.payment_list_id)
        .where(
            Allowance.budget_line_id.in_(lines),
            Instalment.status == InstalmentStatus.PAID,
            Instalment.paid_on.between(start, end),
        )
        .group_by(Allowance.budget_line_id, PaymentList.id, PaymentList.month)
    ).all()
    documents = []
    for line_id, month, first_paid, last_paid, amount in rows:
        name = f"Lista wypłat {month:%m/%Y}"
        documents.append(
            ClaimDocument(
                line_id=line_id,
                kind=DocumentKind.PAYMENT_LIST,
                number=name,
                accounting_number="",
                issuer="",
                issuer_nip="",
                issued_on=min(month, first_paid),
                paid_on=last_paid,
                name=f"Zasiłki wypłacone uczestnikom, {name.lower()}",
                gross=int(amount),
                eligible=int(amount),
                vat=0,
            )
        )
    return documents


def _course_places(
    stage: ProjectStage, lines: dict[int, BudgetLine], start: date, end: date
) -> list[ClaimDocument]:
    """The course places bought for the stage, one document per course. A place is bought at
    enrolment and charged to the first course line of its start's year (or, without a start,
    its enrolment's); a place dropped after enrolment stays bought (services/support/courses)."""
    course_lines = [line.id for line in lines.values() if line.kind == BudgetLineKind.COURSES]
    if not course_lines:
        return []
    enrolled_at = (
        select(func.min(AuditEntry.at))
        .where(
            AuditEntry.entity_type == CourseAssignment.__tablename__,
            AuditEntry.entity_id == CourseAssignment.id,
            AuditEntry.action == "course.enrolled",
        )
        .scalar_subquery()
    )
    rows: Any = db.session.execute(
        select(CourseAssignment, Course, enrolled_at)
        .join(Course, Course.id == CourseAssignment.course_id)
        .join(Participant, Participant.id == CourseAssignment.participant_id)
        .where(
            Participant.project_id == stage.project_id,
            CourseAssignment.cost_grosze > 0,
            CourseAssignment.status != CourseStatus.PROPOSED,
        )
        .order_by(CourseAssignment.id)
    ).all()
    by_course: dict[int, ClaimDocument] = {}
    counts: dict[int, int] = defaultdict(int)
    for place, course, enrolled in rows:
        enrolled_on = dates.local_date(enrolled) if enrolled is not None else None
        if place.status == CourseStatus.DROPPED and enrolled_on is None:
            continue  # a dropped proposal cost nothing
        bought_on = place.planned_start or enrolled_on
        if bought_on is None or bought_on.year != stage.year or not _within(bought_on, start, end):
            continue
        document = ClaimDocument(
            line_id=min(course_lines),
            kind=DocumentKind.OTHER,
            number=f"Miejsca na kursie: {course.name}"[:60],
            accounting_number="",
            issuer=course.provider,
            issuer_nip="",
            issued_on=bought_on,
            paid_on=bought_on,
            name=f"Miejsca na kursie „{course.name}”",
            gross=place.cost_grosze,
            eligible=place.cost_grosze,
            vat=0,
        )
        counts[course.id] += 1
        if course.id in by_course:
            document = _merged(by_course[course.id], document)
        by_course[course.id] = document
    return [
        replace(document, name=f"{document.name}, {counts[course_id]} os.")
        for course_id, document in by_course.items()
    ]


# The SL2014 list's columns (docs/claim-documents.md), then the task and cost category each
# document is assigned to; its money columns are amounts in złoty.
HEADER = [
    "Lp.",
    "Nr dokumentu",
    "Nr księgowy lub ewidencyjny",
    "NIP wystawcy dokumentu",
    "Data wystawienia dokumentu",
    "Data zapłaty",
    "Nazwa towaru lub usługi",
    "Kwota dokumentu brutto",
    "Kwota wydatków kwalifikowalnych",
    "W tym VAT",
    "Zadanie",
    "Kategoria kosztów",
    "Rodzaj dokumentu",
    "Wystawca",
]
MONEY_COLUMNS = (7, 8, 9)
TOTALS_HEADER = [
    "Zestawienie",
    "Pozycja",
    "Kwota dokumentów brutto",
    "Kwota wydatków kwalifikowalnych",
    "W tym VAT",
]


def rows(claim: ClaimList) -> list[list[object]]:
    """The list's rows, as the spreadsheet and the tests read them."""
    return [
        [
            index,
            d.number,
            d.accounting_number,
            d.issuer_nip,
            d.issued_on.isoformat(),
            d.paid_on.isoformat(),
            d.name,
            d.gross,
            d.eligible,
            d.vat,
            task_label(claim.lines[d.line_id]),
            category_label(claim.lines[d.line_id]),
            str(d.kind.label),
            d.issuer,
        ]
        for index, d in enumerate(claim.documents, start=1)
    ]


def to_xlsx(claim: ClaimList) -> bytes:
    """The list as a workbook: the documents, then their totals per task and category."""
    totals: list[list[object]] = [
        ["Zadanie", sums.label, sums.gross, sums.eligible, sums.vat] for sums in claim.by_task
    ]
    totals += [
        [
            "Kategoria kosztów",
            f"{task_label(claim.lines[line_id])} / {sums.label}",
            sums.gross,
            sums.eligible,
            sums.vat,
        ]
        for line_id, sums in claim.by_line.items()
    ]
    totals.append(["Razem", "", claim.total.gross, claim.total.eligible, claim.total.vat])
    return exports.to_xlsx_sheets(
        [
            exports.Sheet("Zestawienie dokumentów", HEADER, rows(claim), MONEY_COLUMNS),
            exports.Sheet("Podsumowanie", TOTALS_HEADER, totals, (2, 3, 4)),
        ]
    )
