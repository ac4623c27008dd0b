"""The money tables of a stage's exports: allowances, courses, and spending.

Spending is what the stage's budget lines say was spent, row by row, so that the file adds up to
the money page's "spent" total: the ledger's entries with their corrections, plus the two kinds
of spending that move a line without a ledger entry — allowance instalments paid (one row per
payment list and line: the payment list is the document) and course places bought (a place is
spent from the course line when the person is enrolled). Rows name no person: who received an
allowance or a course is in those two tables.
"""

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    BudgetLine,
    Course,
    CourseAssignment,
    Instalment,
    Participant,
    PaymentList,
    ProjectStage,
)
from portal.models.enums import BudgetLineKind, CourseStatus, InstalmentStatus
from portal.services.common import dates
from portal.services.money import ledger_reports
from portal.services.reporting import stage_people
from portal.services.reporting.stage_exports_people import Cell, Table, window

# --- allowances -----------------------------------------------------------------------------


def allowances(stage: ProjectStage) -> Table:
    """Allowances charged to the stage's lines, and requests not yet charged (draft, waiting,
    rejected, withdrawn) of people supported in the stage, for a month of it or, without
    months, made in it: one statement. No purpose text and no justification."""
    starts, ends = window(stage)
    stage_lines = select(BudgetLine.id).where(BudgetLine.stage_id == stage.id)
    paid_in_stage = (
        select(func.coalesce(func.sum(Instalment.amount_grosze), 0))
        .where(
            Instalment.allowance_id == Allowance.id,
            Instalment.status == InstalmentStatus.PAID,
            Instalment.paid_on >= stage.start_date,
            Instalment.paid_on <= stage.end_date,
        )
        .scalar_subquery()
    )
    # A cancelled instalment (the entitlement ended before its month) was never granted.
    kept = (
        Instalment.allowance_id == Allowance.id,
        Instalment.status != InstalmentStatus.CANCELLED,
    )
    granted = select(func.coalesce(func.sum(Instalment.amount_grosze), 0)).where(*kept)
    instalments = select(func.count(Instalment.id)).where(*kept)
    found = db.session.execute(
        select(
            Participant.last_name,
            Participant.first_name,
            Allowance.kind,
            Allowance.category,
            Allowance.amount_grosze,
            Allowance.first_month,
            Allowance.last_month,
            instalments.scalar_subquery(),
            granted.scalar_subquery(),
            Allowance.status,
            paid_in_stage,
        )
        .join(Participant, Participant.id == Allowance.participant_id)
        .where(
            or_(
                Allowance.budget_line_id.in_(stage_lines),
                and_(
                    Allowance.budget_line_id.is_(None),
                    Allowance.participant_id.in_(stage_people.activated(stage)),
                    or_(
                        and_(
                            Allowance.first_month >= stage.start_date.replace(day=1),
                            Allowance.first_month <= stage.end_date,
                        ),
                        and_(
                            Allowance.first_month.is_(None),
                            Allowance.created_at >= starts,
                            Allowance.created_at < ends,
                        ),
                    ),
                ),
            )
        )
        .order_by(Participant.last_name, Participant.first_name, Allowance.id)
    ).all()
    rows: list[list[Cell]] = [
        [
            row.last_name,
            row.first_name,
            row.kind.label,
            row.category.label if row.category else "",
            row.amount_grosze,
            f"{row.first_month:%Y-%m}" if row.first_month else "",
            f"{row.last_month:%Y-%m}" if row.last_month else "",
            int(row[7]),
            int(row[8]),  # sums are numeric on PostgreSQL: grosze are whole numbers
            row.status.label,
            int(row[10]),
        ]
        for row in found
    ]
    header = [
        _("Last name"),
        _("First name"),
        _("Kind"),
        _("Category"),
        _("Amount (a month, or once)"),
        _("First month"),
        _("Last month"),
        _("Instalments"),
        _("Granted in all"),
        _("Status"),
        _("Paid within the stage"),
    ]
    return Table(_("Allowances"), header, rows, frozenset({4, 8, 10}))


# --- courses --------------------------------------------------------------------------------


def courses(stage: ProjectStage) -> Table:
    """Courses of people supported in the stage whose planned period meets the stage (an open
    date counts as meeting it): one statement."""
    found = db.session.execute(
        select(
            Participant.last_name,
            Participant.first_name,
            Course.name,
            Course.provider,
            Course.hours,
            CourseAssignment.status,
            CourseAssignment.planned_start,
            CourseAssignment.planned_end,
            CourseAssignment.completed_on,
            CourseAssignment.certificate_number,
            CourseAssignment.cost_grosze,
        )
        .join(Course, Course.id == CourseAssignment.course_id)
        .join(Participant, Participant.id == CourseAssignment.participant_id)
        .where(
            CourseAssignment.participant_id.in_(stage_people.activated(stage)),
            or_(
                CourseAssignment.planned_start.is_(None),
                CourseAssignment.planned_start <= stage.end_date,
            ),
            or_(
                CourseAssignment.planned_end.is_(None),
                CourseAssignment.planned_end >= stage.start_date,
            ),
        )
        .order_by(Participant.last_name, Participant.first_name, CourseAssignment.id)
    ).all()
    rows: list[list[Cell]] = [
        [
            row.last_name,
            row.first_name,
            row.name,
            row.provider,
            row.hours,
            row.status.label,
            row.planned_start,
            row.planned_end,
            row.completed_on,
            row.certificate_number or "",
            row.cost_grosze,
        ]
        for row in found
    ]
    header = [
        _("Last name"),
        _("First name"),
        _("Course"),
        _("Provider"),
        _("Course hours"),
        _("Status"),
        _("Planned start"),
        _("Planned end"),
        _("Completed on"),
        _("Certificate number"),
        _("Cost"),
    ]
    return Table(_("Courses"), header, rows, frozenset({10}))


# --- spending -------------------------------------------------------------------------------


def _ledger_rows(stage: ProjectStage) -> list[tuple[date, int, list[Cell]]]:
    rows: list[tuple[date, int, list[Cell]]] = []
    for row in ledger_reports.ledger(stage.id):
        for entry in (row.entry, *row.corrections):
            line = entry.budget_line
            description = entry.description
            if entry.month is not None:
                description = f"{description} ({entry.month:%Y-%m})"
            rows.append(
                (
                    entry.spent_on,
                    entry.id,
                    [
                        entry.spent_on,
                        entry.kind.label,
                        line.kind.label,
                        line.funding_source.label,
                        entry.document_number,
                        description,
                        entry.amount_grosze,
                        entry.id,
                        entry.corrects_id,
                        entry.reason or "",
                    ],
                )
            )
    return rows


def _allowance_rows(stage: ProjectStage) -> list[tuple[date, int, list[Cell]]]:
    """Paid instalments charged to the stage's lines, summed per line, payment list and day of
    payment (the line's spent amount counts every paid instalment charged to it)."""
    found = db.session.execute(
        select(
            BudgetLine.kind,
            BudgetLine.funding_source,
            PaymentList.month,
            Instalment.paid_on,
            func.count(Instalment.id),
            func.sum(Instalment.amount_grosze),
        )
        .select_from(Instalment)
        .join(Allowance, Allowance.id == Instalment.allowance_id)
        .join(BudgetLine, BudgetLine.id == Allowance.budget_line_id)
        .outerjoin(PaymentList, PaymentList.id == Instalment.payment_list_id)
        .where(BudgetLine.stage_id == stage.id, Instalment.status == InstalmentStatus.PAID)
        .group_by(
            BudgetLine.id,
            BudgetLine.kind,
            BudgetLine.funding_source,
            PaymentList.month,
            Instalment.paid_on,
        )
        .order_by(Instalment.paid_on, PaymentList.month)
    ).all()
    rows: list[tuple[date, int, list[Cell]]] = []
    for kind, source, month, paid_on, count, amount in found:
        if paid_on is None:  # pragma: no cover - a paid instalment has its day (CHECK)
            continue
        document = _("Payment list %(month)s", month=f"{month:%Y-%m}") if month else ""
        description = ngettext(
            "%(num)d allowance instalment paid", "%(num)d allowance instalments paid", count
        )
        rows.append(
            (
                paid_on,
                0,
                [
                    paid_on,
                    _("Allowance payment"),
                    kind.label,
                    source.label,
                    document,
                    description,
                    int(amount),
                    None,
                    None,
                    "",
                ],
            )
        )
    return rows


def _course_rows(stage: ProjectStage) -> list[tuple[date, int, list[Cell]]]:
    """Course places spent from the stage's course line: a place is charged to the line of the
    year of its planned start (or, without one, of its enrolment) when the person is enrolled;
    a place dropped after enrolment stays spent. One statement."""
    year_start, year_end = date(stage.year, 1, 1), date(stage.year, 12, 31)
    enrolled_at = (
        select(func.min(AuditEntry.at))
        .where(
            AuditEntry.entity_type == CourseAssignment.__tablename__,
            AuditEntry.entity_id == CourseAssignment.id,
            AuditEntry.action == "course.enrolled",
        )
        .scalar_subquery()
    )
    line = (
        select(BudgetLine.kind, BudgetLine.funding_source)
        .where(BudgetLine.stage_id == stage.id, BudgetLine.kind == BudgetLineKind.COURSES)
        .subquery()
    )
    found = db.session.execute(
        select(
            CourseAssignment.id,
            CourseAssignment.planned_start,
            enrolled_at.label("enrolled_at"),
            Course.name,
            Course.provider,
            CourseAssignment.cost_grosze,
            line.c.kind,
            line.c.funding_source,
        )
        .join(Course, Course.id == CourseAssignment.course_id)
        .join(Participant, Participant.id == CourseAssignment.participant_id)
        .join(line, line.c.kind == BudgetLineKind.COURSES)
        .where(
            Participant.project_id == stage.project_id,
            CourseAssignment.cost_grosze > 0,
            or_(
                CourseAssignment.status.in_((CourseStatus.ENROLLED, CourseStatus.COMPLETED)),
                and_(CourseAssignment.status == CourseStatus.DROPPED, enrolled_at.is_not(None)),
            ),
            or_(
                and_(
                    CourseAssignment.planned_start >= year_start,
                    CourseAssignment.planned_start <= year_end,
                ),
                and_(
                    CourseAssignment.planned_start.is_(None),
                    enrolled_at >= dates.local_to_utc(year_start, time(0)),
                    enrolled_at < dates.local_to_utc(year_end + timedelta(days=1), time(0)),
                ),
            ),
        )
        .order_by(CourseAssignment.planned_start, CourseAssignment.id)
    ).all()
    rows: list[tuple[date, int, list[Cell]]] = []
    for row in found:
        when: date = row.planned_start or dates.local_date(_aware(row.enrolled_at))
        what = f"{row.name} ({row.provider})" if row.provider else row.name
        rows.append(
            (
                when,
                0,
                [
                    when,
                    _("Course place"),
                    row.kind.label,
                    row.funding_source.label,
                    "",
                    what,
                    row.cost_grosze,
                    None,
                    None,
                    "",
                ],
            )
        )
    return rows


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def spending(stage: ProjectStage) -> Table:
    """Every złoty spent from the stage's lines, by date: the ledger (entries and corrections,
    each correction pointing at its entry), allowance payments and course places."""
    rows = _ledger_rows(stage) + _allowance_rows(stage) + _course_rows(stage)
    rows.sort(key=lambda row: (row[0], row[1]))
    header = [
        _("Date"),
        _("Kind"),
        _("Budget line"),
        _("Funding source"),
        _("Document number"),
        _("Description"),
        _("Amount"),
        _("Ledger entry"),
        _("Corrects entry"),
        _("Reason of the correction"),
    ]
    return Table(_("Spending"), header, [row[2] for row in rows], frozenset({6}))
