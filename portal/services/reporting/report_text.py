"""The yearly report's sentences, lists and tables, written from the figures in the reader's
language: the page, the PDF and the DOCX all show the same text from here.

Nothing is typed in: change the data and the sentences change. The coordinator's own texts are
added after each section's figures by whoever renders the report.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from portal.formatting import money
from portal.models.enums import AllowanceKind, BudgetLineKind, EventType, FundingSource
from portal.models.support import GroupInstrument, PlacementKind
from portal.services.reporting.yearly_facts import Figures, Line


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    # Columns holding amounts or counts, right-aligned.
    numeric: tuple[int, ...] = ()


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    table: Table | None = None
    # Sentences that read after the table (the trip's place and aim after the events).
    notes: list[str] = field(default_factory=list)


def day(value: date) -> str:
    """Dates as the centres' reports write them: 24.04.2013."""
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def hours(minutes: int) -> str:
    return str(format_decimal(minutes / 60, "#,##0.#"))


def title(facts: Figures) -> str:
    return str(_("Report on the %(year)d stage of the project", year=facts.year))


def _project(facts: Figures) -> Section:
    said = {"year": facts.year, "centre": facts.centre_name, "title": facts.title}
    if facts.stage_number == 1:
        opening = _(
            "In %(year)d %(centre)s carried out the first stage of the project “%(title)s”.", **said
        )
    elif facts.stage_number > 1:
        opening = _(
            "In %(year)d %(centre)s carried out stage %(number)d of the project “%(title)s”.",
            number=facts.stage_number,
            **said,
        )
    else:  # a report closed before the stage's order was kept
        opening = _(
            "In %(year)d %(centre)s carried out a stage of the project “%(title)s”.", **said
        )
    text = [opening]
    if facts.number:
        text.append(_("Project number: %(number)s.", number=facts.number))
    if facts.programme:
        text.append(_("Programme: %(programme)s.", programme=facts.programme))
    placed = [
        label % value
        for label, value in (
            (_("priority %s"), facts.priority),
            (_("measure %s"), facts.measure),
            (_("sub-measure %s"), facts.submeasure),
        )
        if value
    ]
    if placed:
        text.append(_("Within: %(where)s.", where=", ".join(placed)))
    if facts.funder:
        text.append(_("Funded by: %(funder)s.", funder=facts.funder))
    text.append(
        _(
            "The stage ran from %(start)s to %(end)s.",
            start=day(facts.start_date),
            end=day(facts.end_date),
        )
    )
    return Section("project", _("The project"), paragraphs=[" ".join(text)])


def _pal(facts: Figures) -> Section:
    paragraphs = []
    if facts.villages:
        paragraphs.append(
            _(
                "The Local Activity Programme was carried out for the residents of: %(villages)s.",
                villages=", ".join(facts.villages),
            )
        )
    if not facts.events:
        paragraphs.append(_("No PAL events were held in the stage."))
        return Section("pal", _("Local Activity Programme (PAL)"), paragraphs=paragraphs)
    paragraphs.append(
        ngettext(
            "The PAL included %(num)d event:",
            "The PAL included %(num)d events:",
            len(facts.events),
        )
    )
    notes = []
    for event in facts.events:
        if event.event_type == EventType.EDUCATIONAL_TRIP.value and event.description:
            notes.append(
                _(
                    "%(event)s (%(date)s, %(place)s): %(aim)s",
                    event=event.title,
                    date=day(event.starts_on),
                    place=event.place,
                    aim=event.description,
                )
            )
    table = Table(
        header=[_("No."), _("Event"), _("Date"), _("Place"), _("Attended")],
        rows=[
            [str(number), e.title, day(e.starts_on), e.place, str(e.attended)]
            for number, e in enumerate(facts.events, start=1)
        ],
        numeric=(0, 4),
    )
    return Section(
        "pal",
        _("Local Activity Programme (PAL)"),
        paragraphs=paragraphs,
        table=table,
        notes=notes,
    )


def _people(facts: Figures) -> Section:
    text = ngettext(
        "In the stage %(num)d person was activated: %(contracts)d on social contracts and "
        "%(pal)d in the Local Activity Programme.",
        "In the stage %(num)d people were activated: %(contracts)d on social contracts and "
        "%(pal)d in the Local Activity Programme.",
        facts.activated,
        contracts=facts.on_contract,
        pal=facts.in_pal,
    )
    return Section("people", _("People activated"), paragraphs=[text])


def _instruments(facts: Figures) -> Section:
    items = [
        _(
            "%(instrument)s – meetings: %(meetings)d, hours: %(hours)s, people: %(people)d.",
            instrument=GroupInstrument(g.instrument).label,
            meetings=g.meetings,
            hours=hours(g.minutes),
            people=g.people,
        )
        for g in facts.group_instruments
    ]
    if facts.counselling_sessions:
        items.append(
            _(
                "Individual vocational counselling – sessions: %(sessions)d, people: %(people)d.",
                sessions=facts.counselling_sessions,
                people=facts.counselled_people,
            )
        )
    if facts.tests:
        used = ", ".join(
            _("%(test)s (people: %(people)d)", test=t.name, people=t.people) for t in facts.tests
        )
        items.append(_("Diagnosis tests, in the order used: %(tests)s.", tests=used))
    items += [
        _(
            "%(kind)s – placements: %(placements)d, people: %(people)d.",
            kind=PlacementKind(p.kind).label,
            placements=p.placements,
            people=p.people,
        )
        for p in facts.placements
    ]
    if facts.casework_contacts:
        items.append(
            _(
                "Social work – contacts: %(contacts)d, people: %(people)d, hours: %(hours)s.",
                contacts=facts.casework_contacts,
                people=facts.casework_people,
                hours=hours(facts.casework_minutes),
            )
        )
    paragraphs = (
        [_("The instruments of active integration, in the order they were used:")]
        if items
        else [_("No instruments of active integration were recorded in the stage.")]
    )
    return Section("instruments", _("Instruments"), paragraphs=paragraphs, items=items)


def _courses(facts: Figures) -> Section:
    if not facts.courses:
        return Section(
            "courses", _("Vocational courses"), paragraphs=[_("No courses in the stage.")]
        )
    return Section(
        "courses",
        _("Vocational courses"),
        paragraphs=[_("Vocational courses taken up in the stage:")],
        items=[
            _(
                "%(course)s – people: %(people)d, completed: %(completed)d.",
                course=c.name,
                people=c.people,
                completed=c.completed,
            )
            for c in facts.courses
        ],
    )


def _support(facts: Figures) -> Section:
    if not facts.allowances:
        return Section(
            "support",
            _("Financial support"),
            paragraphs=[_("No allowances were paid in the stage.")],
        )
    return Section(
        "support",
        _("Financial support"),
        paragraphs=[
            _(
                "Allowances paid in the stage, %(total)s in all:",
                total=money(facts.allowances_grosze),
            )
        ],
        items=[
            _(
                "%(kind)s – people: %(people)d, paid: %(amount)s.",
                kind=AllowanceKind(a.kind).label,
                people=a.people,
                amount=money(a.paid_grosze),
            )
            for a in facts.allowances
        ],
    )


def _staff(facts: Figures) -> Section:
    if not facts.posts:
        return Section(
            "staff",
            _("Staff employed from the project"),
            paragraphs=[_("No posts were financed from the project in the stage.")],
        )
    return Section(
        "staff",
        _("Staff employed from the project"),
        paragraphs=[
            ngettext(
                "%(num)d post was financed from the project:",
                "%(num)d posts were financed from the project:",
                facts.posts_count,
            )
        ],
        items=[f"{p.title}: {p.count}" for p in facts.posts],
    )


def _budget(facts: Figures) -> Section:
    text = _(
        "The stage's budget: %(planned)s planned, %(spent)s spent, of which %(salaries)s on "
        "salaries of project posts.",
        planned=money(facts.planned_grosze),
        spent=money(facts.spent_grosze),
        salaries=money(facts.salaries_grosze),
    )
    if any(line.task for line in facts.lines):
        return Section("budget", _("Budget"), paragraphs=[text], table=_budget_by_task(facts))
    table = Table(
        header=[_("Budget line"), _("Funding source"), _("Planned"), _("Spent")],
        rows=[
            [
                line.name or BudgetLineKind(line.kind).label,
                FundingSource(line.funding_source).label,
                money(line.planned_grosze),
                money(line.spent_grosze),
            ]
            for line in facts.lines
        ]
        + [[_("Total"), "", money(facts.planned_grosze), money(facts.spent_grosze)]],
        numeric=(2, 3),
    )
    return Section("budget", _("Budget"), paragraphs=[text], table=table)


def _task_number(task: str) -> int:
    number, _dot, _name = task.partition(".")
    return int(number) if number.isdigit() else 100


def _budget_by_task(facts: Figures) -> Table:
    """The lines under the task of the funding agreement each belongs to, with each task's
    sums after its lines."""
    tasks: dict[str, list[Line]] = {}
    for line in facts.lines:
        tasks.setdefault(line.task, []).append(line)
    rows: list[list[str]] = []
    for task in sorted(tasks, key=_task_number):
        lines = tasks[task]
        for line in lines:
            rows.append(
                [
                    task or _("No task"),
                    line.name or BudgetLineKind(line.kind).label,
                    FundingSource(line.funding_source).label,
                    money(line.planned_grosze),
                    money(line.spent_grosze),
                ]
            )
        rows.append(
            [
                _("Total of the task %(task)s", task=task) if task else _("Total of no task"),
                "",
                "",
                money(sum(line.planned_grosze for line in lines)),
                money(sum(line.spent_grosze for line in lines)),
            ]
        )
    rows.append([_("Total"), "", "", money(facts.planned_grosze), money(facts.spent_grosze)])
    return Table(
        header=[_("Task"), _("Budget line"), _("Funding source"), _("Planned"), _("Spent")],
        rows=rows,
        numeric=(3, 4),
    )


def sections(facts: Figures) -> list[Section]:
    """The report's sections in the order of `yearly_report.SECTIONS`."""
    return [
        _project(facts),
        _pal(facts),
        _people(facts),
        _instruments(facts),
        _courses(facts),
        _support(facts),
        _staff(facts),
        _budget(facts),
        Section("closing", _("Conclusions")),
    ]
