"""The coordinator's dashboard for one stage: the figures (services/dashboard, dashboard_money)
and the charts drawn from them (portal/charts), labelled in the reader's language."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from portal import charts
from portal.models import ProjectStage
from portal.models.enums import PlanStatus
from portal.services.common import loading
from portal.services.money import ledger_reports
from portal.services.reporting import dashboard, dashboard_money, figures_cache


@dataclass
class StagePage:
    stage: ProjectStage
    people: dashboard.PeopleFigures
    events: dashboard.EventFigures
    sessions: dashboard.SessionFigures
    courses: dashboard.CourseFigures
    plans: list[tuple[PlanStatus, int]]
    esf: dashboard.EsfFigures
    money: ledger_reports.StageMoney
    allowances: dashboard_money.AllowanceFigures
    charts: dict[str, charts.Chart]
    months: list[str]  # each month of the stage in full, for the tables


def chosen(choices: list[ProjectStage], wanted: int | None, today: date) -> ProjectStage | None:
    """The stage asked for (404 when it is not one of the centre's), else the current one."""
    if wanted is None:
        return dashboard.current_stage(choices, today)
    return loading.found(next((stage for stage in choices if stage.id == wanted), None))


def zloty(grosze: int) -> str:
    """Whole złoty, for axes and bar ends: `12 000 zł`, `PLN 12,000`."""
    return cast(
        str, _("PLN %(amount)s", amount=format_decimal(Decimal(grosze) / 100, format="#,##0"))
    )


def hours(minutes: int) -> str:
    return cast(str, _("%(hours)s h", hours=format_decimal(minutes / 60, format="0.#")))


def month_name(month: date) -> str:
    return cast(str, format_date(month, "LLL"))


def build(stage: ProjectStage, kept: figures_cache.StageSummary) -> StagePage:
    """The page from the figures kept for the stage (figures_cache) and its budget lines as they
    stand (a few rows keeping their own totals)."""
    page = StagePage(
        stage=stage,
        people=kept.people,
        events=kept.events,
        sessions=kept.sessions,
        courses=kept.courses,
        plans=kept.plans,
        esf=kept.esf,
        money=dashboard_money.budget(stage),
        allowances=kept.allowances,
        charts={},
        months=[format_date(m, "LLLL y") for m in dashboard.months(stage)],
    )
    page.charts = _charts(page)
    return page


def _charts(page: StagePage) -> dict[str, charts.Chart]:
    year = page.stage.year
    months = [month_name(row[0]) for row in page.people.months]
    allowance_months = page.allowances.months
    lines = page.money.lines
    return {
        "people": charts.columns(
            "chart-people",
            _("People in support per month, %(year)d", year=year),
            _(
                "Columns per month: people on a social contract and in the Local Activity "
                "Programme. The table beside the chart gives the figures."
            ),
            months,
            [
                (_("On a social contract"), [row[1] for row in page.people.months]),
                (_("In the Local Activity Programme"), [row[2] for row in page.people.months]),
            ],
        ),
        "events": charts.columns(
            "chart-events",
            _("Attendance at events per month, %(year)d", year=year),
            _("Columns per month: people who attended and who were absent."),
            months,
            [
                (_("Attended"), [row[2] for row in page.events.months]),
                (_("Absent"), [row[3] for row in page.events.months]),
            ],
        ),
        "sessions": charts.bars(
            "chart-sessions",
            _("Hours of group sessions by instrument, %(year)d", year=year),
            _("A bar per instrument, its length the hours of sessions held."),
            [str(row.instrument.label) for row in page.sessions.instruments],
            [(_("Hours"), [row.minutes for row in page.sessions.instruments])],
            hours,
        ),
        "allowances": charts.columns(
            "chart-allowances",
            _("Allowances per month, %(year)d", year=year),
            _("Columns per month: amounts requested, approved and paid."),
            months,
            [
                (_("Requested"), [row.requested for row in allowance_months]),
                (_("Approved"), [row.approved for row in allowance_months]),
                (_("Paid"), [row.paid for row in allowance_months]),
            ],
            zloty,
        ),
        "budget": charts.bars(
            "chart-budget",
            _("Budget lines, %(year)d", year=year),
            _("Three bars per budget line: planned, committed and spent."),
            [str(line.kind.label) for line in lines],
            [
                (_("Planned"), [line.planned_grosze for line in lines]),
                (_("Committed"), [line.committed_grosze for line in lines]),
                (_("Spent"), [line.paid_grosze for line in lines]),
            ],
            zloty,
        ),
        "courses": charts.bars(
            "chart-courses",
            _("Courses started and completed, %(year)d", year=year),
            _("Two bars per course: places started and completed."),
            [name for name, _started, _completed in page.courses.courses],
            [
                (_("Started"), [row[1] for row in page.courses.courses]),
                (_("Completed"), [row[2] for row in page.courses.courses]),
            ],
        ),
        "plans": charts.bars(
            "chart-plans",
            _("Individual plans by state, %(year)d", year=year),
            _("A bar per state of the plan, its length the number of plans."),
            [str(status.label) for status, _count in page.plans],
            [(_("Plans"), [count for _status, count in page.plans])],
        ),
    }
