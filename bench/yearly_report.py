"""The yearly report of a stage with 100 000 participants: how long the figures, the PDF and the
DOCX take.

Run by hand (not a test):

    .venv/bin/python bench/yearly_report.py                 # a fresh SQLite file
    .venv/bin/python bench/yearly_report.py postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench

The URL may also come from DATABASE_URL. The database's tables are DROPPED and created again.
It builds one centre whose 2026 stage has 100 000 people (half in the PAL, half on signed social
contracts), 50 PAL events with 20 000 attendances, a group instrument's sessions, a course place
for each person on a contract and a paid allowance instalment for each, all with bulk inserts;
then times `yearly_figures.figures`, the PDF and the DOCX as the download views make them, and
counts the SQL statements of the figures.
"""

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import (
    Allowance,
    BudgetLine,
    Centre,
    Course,
    CourseAssignment,
    Event,
    Instalment,
    Participant,
    Project,
    ProjectPost,
    ProjectStage,
    Registration,
    SocialContract,
    Village,
)
from portal.models.enums import (
    AllowanceKind,
    AllowanceStatus,
    BudgetLineKind,
    CentreKind,
    ContractStatus,
    CourseStatus,
    EventStatus,
    EventType,
    InstalmentStatus,
    RegistrationStatus,
    Role,
)
from portal.models.support import GroupInstrument
from portal.pdf import frame_of, render_pdf
from portal.services.accounts import accounts
from portal.services.reporting import report_docx, report_text, yearly_figures

PEOPLE = 100_000
EVENTS = 50
ATTENDANCES = 20_000
CHUNK = 5_000
YEAR = 2026


def _url() -> tuple[str, tempfile.TemporaryDirectory | None]:
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DATABASE_URL")
    if url:
        return url, None
    tmp = tempfile.TemporaryDirectory(prefix="portal-bench-")
    return f"sqlite:///{tmp.name}/bench.db", tmp


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])


def _build() -> int:
    db.drop_all()
    db.create_all()
    centre = Centre(name="OPS Bench", short_name="ops-bench", kind=CentreKind.OPS, town="Janów")
    db.session.add(centre)
    db.session.flush()
    project = Project(centre_id=centre.id, title="Projekt", start_date=date(YEAR, 1, 1))
    villages = [Village(centre_id=centre.id, name=n) for n in ("Biała Pierwsza", "Biała Druga")]
    db.session.add_all([project, *villages])
    db.session.flush()
    stage = ProjectStage(
        project_id=project.id, year=YEAR, start_date=date(YEAR, 1, 1), end_date=date(YEAR, 12, 31)
    )
    db.session.add(stage)
    db.session.flush()
    line = BudgetLine(
        centre_id=centre.id,
        stage_id=stage.id,
        kind=BudgetLineKind.ALLOWANCES,
        planned_grosze=10**11,
    )
    course = Course(centre_id=centre.id, name="Kurs zawodowy")
    db.session.add_all([line, course])
    worker, coordinator = (
        accounts.create_user(
            email=f"{role.value}@bench.example.org",
            first_name="Anna",
            last_name="Pracownik",
            roles={role},
            centre=centre,
            actor=None,
        )
        for role in (Role.SOCIAL_WORKER, Role.COORDINATOR)
    )
    db.session.add_all(
        ProjectPost(
            centre_id=centre.id,
            project_id=project.id,
            person_name=f"Pracownik {n}",
            title="Pracownik socjalny",
            fte_percent=100,
            starts_on=date(YEAR, 1, 1),
            monthly_cost_grosze=3_250_00,
        )
        for n in range(3)
    )
    db.session.flush()

    _bulk(
        Participant,
        [
            {
                "centre_id": centre.id,
                "project_id": project.id,
                "village_id": villages[n % 2].id,
                "first_name": "Anna" if n % 2 else "Jan",
                "last_name": f"Nazwisko{n}",
                "on_pal_path": n % 2 == 0,
                "on_contract_path": n % 2 == 1,
            }
            for n in range(PEOPLE)
        ],
    )
    ids = list(db.session.scalars(select(Participant.id).order_by(Participant.id)))
    pal, signed = ids[0::2], ids[1::2]
    _bulk(
        SocialContract,
        [
            {
                "centre_id": centre.id,
                "participant_id": pid,
                "project_id": project.id,
                "number": f"KS/{YEAR}/{n + 1:05d}",
                "status": ContractStatus.SIGNED,
                "start_date": date(YEAR, 3, 1),
                "end_date": date(YEAR, 11, 30),
                "signed_on": date(YEAR, 2, 20),
            }
            for n, pid in enumerate(signed)
        ],
    )
    _bulk(
        CourseAssignment,
        [
            {
                "centre_id": centre.id,
                "participant_id": pid,
                "course_id": course.id,
                "status": CourseStatus.COMPLETED,
                "planned_start": date(YEAR, 9, 1),
                "planned_end": date(YEAR, 10, 30),
                "completed_on": date(YEAR, 10, 30),
            }
            for pid in signed
        ],
    )
    _bulk(
        Allowance,
        [
            {
                "centre_id": centre.id,
                "participant_id": pid,
                "budget_line_id": line.id,
                "kind": AllowanceKind.PURPOSE,
                "amount_grosze": 300_00,
                "purpose": "Dojazdy",
                "justification": "Brak dochodu",
                "status": AllowanceStatus.PAID,
                "prepared_by_id": worker.id,
                "decided_by_id": coordinator.id,
            }
            for pid in signed
        ],
    )
    allowance_ids = list(db.session.scalars(select(Allowance.id).order_by(Allowance.id)))
    _bulk(
        Instalment,
        [
            {
                "centre_id": centre.id,
                "allowance_id": aid,
                "month": date(YEAR, 6, 1),
                "amount_grosze": 300_00,
                "status": InstalmentStatus.PAID,
                "paid_on": date(YEAR, 6, 10),
            }
            for aid in allowance_ids
        ],
    )
    events = []
    for n in range(EVENTS + 10):
        starts = datetime(YEAR, 3, 1, 9, tzinfo=UTC) + timedelta(days=4 * n)
        session = n >= EVENTS  # the last ten are social-skills sessions
        events.append(
            Event(
                centre_id=centre.id,
                project_id=project.id,
                event_type=EventType.WORKSHOP,
                title=f"Spotkanie {n + 1}",
                place="Świetlica",
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                capacity=ATTENDANCES,
                status=EventStatus.HELD,
                instrument=GroupInstrument.SOCIAL_SKILLS if session else None,
                villages=[] if session else villages,
            )
        )
    db.session.add_all(events)
    db.session.flush()
    per_event = ATTENDANCES // EVENTS
    _bulk(
        Registration,
        [
            {
                "centre_id": centre.id,
                "event_id": e.id,
                "participant_id": pal[(index * per_event + k) % len(pal)],
                "status": RegistrationStatus.ATTENDED,
                "queue_number": k + 1,
            }
            for index, e in enumerate(events)
            for k in range(per_event)
        ],
    )
    db.session.commit()
    return stage.id


def main() -> None:
    url, tmp = _url()
    app = create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        started = time.perf_counter()
        stage_id = _build()
        print(f"database:   {db.engine.dialect.name}")
        print(f"built {PEOPLE} participants in {time.perf_counter() - started:.1f} s")
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        with app.test_request_context("/?lang=pl"):
            started = time.perf_counter()
            facts = yearly_figures.figures(stage_id)
            computed = time.perf_counter() - started
            print(
                f"figures:    {computed:.2f} s, {len(statements)} statements "
                f"({facts.activated} activated, {facts.on_contract} on contract, "
                f"{facts.in_pal} in the PAL, {len(facts.events)} events)"
            )
            stage = db.session.get_one(ProjectStage, stage_id)
            started = time.perf_counter()
            # As the download view makes it (staff/reporting/reports.py), in the centre's frame.
            pdf = render_pdf(
                "pdf/stage_report.html",
                f"sprawozdanie-{stage.year}-{stage.id}.pdf",
                frame=frame_of(stage.project.centre_id, [stage.project]),
                facts=facts,
                texts={},
                title_of=report_text.title,
                sections_of=report_text.sections,
                paragraphs_of=report_docx.paragraphs_of,
                coordinator=None,
            )
            print(f"PDF:        {time.perf_counter() - started:.2f} s, {len(pdf) / 1024:.0f} KiB")
            started = time.perf_counter()
            body = report_docx.build(facts, {}, place_line="Janów, 20.01.2027")
            print(f"DOCX:       {time.perf_counter() - started:.2f} s, {len(body) / 1024:.0f} KiB")
        db.session.remove()
        db.engine.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
