"""The preview of a 5 000-row participant spreadsheet: how long reading and checking take.

Run by hand (not a test):

    .venv/bin/python bench/import_preview.py                 # a fresh SQLite file
    .venv/bin/python bench/import_preview.py postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench

The URL may also come from DATABASE_URL. The database's tables are DROPPED and created again.
It builds one centre with 2 000 recorded people (duplicates are checked against them) and two
villages, writes the same 5 000 rows as XLSX and as CSV (valid PESEL numbers, dates, villages,
every 50th row with a problem), and times `imports.preview` on each, commit included, as the
upload view runs it.
"""

import csv
import io
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import Centre, ImportBatch, Participant, Project, User, Village
from portal.models.enums import CentreKind, Role
from portal.services.accounts import accounts
from portal.services.esf import import_files, import_rules, imports

ROWS = 5_000
RECORDED = 2_000
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


def synthetic_pesel(born: date, serial: int) -> str:
    month = born.month + (20 if born.year >= 2000 else 0)
    digits = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial % 10_000:04d}"
    check = (10 - sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 10) % 10
    return digits + str(check)


def _people(count: int, offset: int) -> list[list[str]]:
    rows = []
    for n in range(offset, offset + count):
        born = date(1950, 1, 1) + timedelta(days=(n * 37) % 20_000)
        number = synthetic_pesel(born, n)
        row = [
            "Jan" if n % 2 else "Anna",
            f"Nazwisko{n}",
            number,
            born.strftime("%d.%m.%Y"),
            "",
            "Biała Pierwsza" if n % 3 else "Biała Druga",
            f"osoba{n}@example.org",
            "+48 600 100 200",
            "tak" if n % 4 == 0 else "nie",
            "tak",
        ]
        if n % 50 == 0:  # one row in fifty with a problem
            row[3] = "31.02.1980"
        rows.append(row)
    return rows


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([column.header for column in import_rules.COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([column.header for column in import_rules.COLUMNS])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _url() -> tuple[str, tempfile.TemporaryDirectory | None]:
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DATABASE_URL")
    if url:
        return url, None
    tmp = tempfile.TemporaryDirectory(prefix="portal-bench-")
    return f"sqlite:///{tmp.name}/bench.db", tmp


def _build() -> tuple[int, int]:
    db.drop_all()
    db.create_all()
    centre = Centre(name="OPS Bench", short_name="ops-bench", kind=CentreKind.OPS, town="Janów")
    db.session.add(centre)
    db.session.flush()
    project = Project(centre_id=centre.id, title="Projekt", start_date=date(2026, 1, 1))
    db.session.add_all(
        [
            project,
            Village(centre_id=centre.id, name="Biała Pierwsza"),
            Village(centre_id=centre.id, name="Biała Druga"),
        ]
    )
    db.session.flush()
    worker = accounts.create_user(
        email="worker@bench.example.org",
        first_name="Anna",
        last_name="Pracownik",
        roles={Role.SOCIAL_WORKER},
        centre=centre,
        actor=None,
    )
    recorded = _people(RECORDED, offset=ROWS)  # other people than the file's
    db.session.execute(
        insert(Participant),
        [
            {
                "centre_id": centre.id,
                "project_id": project.id,
                "first_name": row[0],
                "last_name": row[1],
                "pesel": row[2],
                "birth_date": date(*map(int, reversed(row[3].split(".")))),
            }
            for row in recorded
            if not row[3].startswith("31.02")
        ],
    )
    db.session.commit()
    return centre.id, worker.id


def main() -> None:
    url, tmp = _url()
    app = create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    rows = _people(ROWS, offset=0)
    files = {"xlsx": _xlsx(rows), "csv": _csv(rows)}
    with app.app_context():
        centre_id, worker_id = _build()
        print(f"database:   {db.engine.dialect.name}")
        for kind, body in files.items():
            if len(body) > import_files.MAX_BYTES:
                raise SystemExit(f"{kind}: {len(body)} bytes is over the upload limit")
            centre, worker = db.session.get(Centre, centre_id), db.session.get(User, worker_id)
            started = time.perf_counter()
            limits = import_files.Limits.from_config(app.config)
            batch = imports.preview(body, centre=centre, actor=worker, now=NOW, limits=limits)
            db.session.commit()
            seconds = time.perf_counter() - started
            bad = len(imports.bad_rows(db.session.get(ImportBatch, batch.id)))
            print(
                f"{kind}: {len(body) / 1024:.0f} KiB, {batch.row_count} rows, "
                f"{len(batch.rows)} valid, {bad} with problems: {seconds:.2f} s"
            )
        db.session.remove()
        db.engine.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
