"""Realistic data for the benchmarks, generated fast with bulk inserts.

    .venv/bin/python bench/data.py small  sqlite:////tmp/bench.db
    .venv/bin/python bench/data.py large  postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_large

The database is emptied first (a SQLite file is deleted, a PostgreSQL database dropped and created
again), the schema built with `flask db upgrade`, then the rows written in chunks: PostgreSQL
through COPY, SQLite through Core `insert()` with lists of dicts. Every CHECK constraint holds and
the figures agree with what the services would have written: each event's places taken are its
confirmed (held: attended and absent) registrations, each budget line's committed and paid sums
are those of its approved allowances and paid instalments, every shared plan has its revision.

Sizes: `small` one centre of 1 000 participants; `large` one centre of 100 000 participants,
5 000 events, 500 000 registrations, 1 000 000 instalments and 50 000 plans with revisions;
`region` 20 centres of 1 000 to 8 000 participants. The first centre carries the demo logins
(password `pierwszy-krok`): koordynator@, doradca@, pracownik@ and uczestnik@example.org (a
participant on a contract and in the PAL, with a shared plan, registrations and an allowance),
and 2 000 submitted allowance requests waiting for the coordinator.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
from sqlalchemy import JSON, Table, create_engine, insert, text
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import models  # noqa: E402, F401 - registers every table
from portal.demo import PASSWORD  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.services.accounts import passwords  # noqa: E402

WARSAW = ZoneInfo("Europe/Warsaw")
CHUNK = 5_000
QUEUE_OTHERS = 40  # submitted requests waiting in every centre but the first
REVISIONS = 3
WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
FIRST = ["Anna", "Maria", "Katarzyna", "Jan", "Piotr", "Krzysztof", "Ewa", "Tomasz", "Zofia"]
LAST = ["Wierzbicka", "Zalewski", "Kołodziej", "Sowińska", "Jabłoński", "Kruk", "Mazurek"]
VILLAGES = ["Biała", "Zofianka", "Łążek", "Szewce", "Krzemień", "Ujście", "Kopce", "Herbus"]
TOTP_SECRET = pyotp.random_base32()  # the demo coordinator's second factor (facts: totp_secret)
EVENT_TYPES = ["integration_meeting", "workshop", "family_picnic", "educational_trip"]


@dataclass(frozen=True)
class CentreSize:
    participants: int
    events: int
    registrations: int
    instalments: int
    plans: int
    # Submitted requests waiting in the first centre, for the bulk approval.
    queue: int = 2_000


def _scaled(people: int) -> CentreSize:
    return CentreSize(people, people // 20, people * 5, people * 10, people // 2)


SIZES: dict[str, list[CentreSize]] = {
    "small": [_scaled(1_000)],
    "large": [CentreSize(100_000, 5_000, 500_000, 1_000_000, 50_000)],
    # Small-to-medium centres of 1 000 to 8 000 people, the same every run; the first (with the
    # demo logins, measured) has 4 000.
    "region": [_scaled(1_000 * (1 + (3 + n * 5) % 8)) for n in range(20)],
}
DEMO_EMAILS = {
    "coordinator": "koordynator@example.org",
    "advisor": "doradca@example.org",
    "social_worker": "pracownik@example.org",
    "participant": "uczestnik@example.org",
}
# Participants with an account in each centre (the sign-up race signs in as many at once).
ACCOUNTS = 200


def participant_email(centre_no: int, n: int) -> str:
    return f"osoba{n}@c{centre_no}.bench.example.org"


def pesel(n: int) -> str:
    """A synthetic PESEL with a valid checksum, unique for n below 180 000."""
    born = date(1960, 1, 1) + timedelta(days=n % 18_000)
    month = born.month + (20 if born.year >= 2000 else 0)
    digits = f"{born.year % 100:02d}{month:02d}{born.day:02d}{n // 18_000:03d}{n % 10}"
    check = (10 - sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 10) % 10
    return digits + str(check)


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=WARSAW).astimezone(UTC)


def month_add(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


class Progress:
    """A plain-text progress bar on stderr, one line per table."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.started = time.perf_counter()

    def add(self, n: int) -> None:
        self.done += n
        filled = int(30 * self.done / self.total)
        sys.stderr.write(
            f"\r  {self.label:<22} [{'#' * filled}{'.' * (30 - filled)}] "
            f"{self.done:>9,}/{self.total:,}"
        )
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write(f"  {time.perf_counter() - self.started:5.1f} s\n")


class Writer:
    """Bulk inserts in chunks: COPY on PostgreSQL, Core insert() elsewhere; explicit ids."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.next_ids: dict[str, int] = {}
        self.now = datetime.now(UTC)

    def ids(self, table: str, count: int) -> range:
        """Reserve `count` ids of a table (the tables are empty: ids are ours to give)."""
        start = self.next_ids.get(table, 1)
        self.next_ids[table] = start + count
        return range(start, start + count)

    def write(self, name: str, rows: Iterable[dict[str, Any]], total: int) -> None:
        table: Table = db.metadata.tables[name]
        progress = Progress(name, total)
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK:
                self._flush(table, chunk)
                progress.add(len(chunk))
                chunk = []
        if chunk:
            self._flush(table, chunk)
            progress.add(len(chunk))
        progress.close()

    def _complete(self, table: Table, rows: list[dict[str, Any]]) -> list[str]:
        """Fill the columns the rows leave out from the model's Python defaults (COPY and a
        Core insert of many rows would not); server defaults are left to the database."""
        given = set(rows[0])
        for column in table.columns:
            if column.name in given or column.default is None:
                continue
            default = column.default
            for row in rows:
                if default.is_scalar:
                    row[column.name] = default.arg
                elif default.is_callable:
                    row[column.name] = default.arg(None)
            given.add(column.name)
        return [c.name for c in table.columns if c.name in given]

    def _flush(self, table: Table, rows: list[dict[str, Any]]) -> None:
        columns = self._complete(table, rows)
        with self.engine.begin() as connection:
            if not self.postgres:
                connection.execute(insert(table), rows)
                return
            json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
            cursor = connection.connection.driver_connection.cursor()
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(
                        [json.dumps(row[c]) if c in json_columns else row[c] for c in columns]
                    )

    def finish(self) -> None:
        """Move each id sequence past the ids given here (PostgreSQL)."""
        if not self.postgres:
            return
        with self.engine.begin() as connection:
            for name, table in db.metadata.tables.items():
                if "id" not in table.columns or name not in self.next_ids:
                    continue
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), :n, false)"),
                    {"n": self.next_ids[name]},
                )


def fresh_database(url: str) -> None:
    """An empty database at `url`: the SQLite file removed, the PostgreSQL database recreated."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def upgrade(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "development"}
    subprocess.run(  # noqa: S603 - our own flask command
        [str(ROOT / ".venv/bin/flask"), "--app", "portal", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class CentreBuilder:
    """One centre's rows, ids given in advance so that references need no reading back."""

    def __init__(self, w: Writer, number: int, size: CentreSize, password_hash: str):
        self.w, self.n, self.size, self.hash = w, number, size, password_hash
        self.today = datetime.now(WARSAW).date()
        self.year = self.today.year
        self.this_month = self.today.replace(day=1)
        self.first = number == 1
        self.at = w.now - timedelta(days=30)

    def stamp(self, row: dict[str, Any]) -> dict[str, Any]:
        row.setdefault("created_at", self.at)
        row.setdefault("updated_at", self.at)
        return row

    def build(self) -> None:
        self.centre()
        self.budget_lines()
        self.staff()
        self.people()
        self.events()
        self.contracts_and_allowances()
        self.queue()
        self.plans()
        self.settle()

    # -- the centre, its project, stage and staff --------------------------------------------

    def centre(self) -> None:
        w, n = self.w, self.n
        (self.centre_id,) = w.ids("centres", 1)
        w.write(
            "centres",
            [
                self.stamp(
                    {
                        "id": self.centre_id,
                        "name": f"Ośrodek Pomocy Społecznej nr {n}",
                        "short_name": f"ops-{n}",
                        "kind": "ops" if n % 3 else "gops",
                        "town": f"Gmina {n}",
                        "address": f"ul. Ogrodowa {n}, 23-300 Janów",
                        "email": f"sekretariat@c{n}.bench.example.org",
                    }
                )
            ],
            1,
        )
        self.village_ids = list(w.ids("villages", len(VILLAGES)))
        w.write(
            "villages",
            (
                {"id": vid, "centre_id": self.centre_id, "name": f"{name} {n}", "area": "rural"}
                for vid, name in zip(self.village_ids, VILLAGES, strict=True)
            ),
            len(VILLAGES),
        )
        (self.project_id,) = w.ids("projects", 1)
        (self.stage_id,) = w.ids("project_stages", 1)
        w.write(
            "projects",
            [
                self.stamp(
                    {
                        "id": self.project_id,
                        "centre_id": self.centre_id,
                        "title": "Aktywna integracja – pierwszy krok do powrotu",
                        "number": f"RPLU.11.01.00-06-{n:04d}/{self.year % 100}",
                        "programme": "Regionalny Program Operacyjny, Europejski Fundusz Społeczny",
                        "start_date": date(self.year, 1, 1),
                    }
                )
            ],
            1,
        )
        w.write(
            "project_stages",
            [
                {
                    "id": self.stage_id,
                    "project_id": self.project_id,
                    "year": self.year,
                    "start_date": date(self.year, 1, 1),
                    "end_date": date(self.year, 12, 31),
                }
            ],
            1,
        )
        self.line_ids = dict(
            zip(
                ("salaries", "allowances", "courses", "pal_events", "other"),
                w.ids("budget_lines", 5),
                strict=True,
            )
        )

    def staff(self) -> None:
        size = self.size
        self.advisors = max(1, size.plans // 100)  # about a hundred plans each
        self.workers = max(2, size.participants // 250)
        emails: list[tuple[str, str]] = [("coordinator", self.staff_email("koordynator", 0))]
        emails += [("advisor", self.staff_email("doradca", k)) for k in range(self.advisors)]
        emails += [("social_worker", self.staff_email("pracownik", k)) for k in range(self.workers)]
        ids = list(self.w.ids("users", len(emails)))
        self.coordinator_id = ids[0]
        self.advisor_ids = ids[1 : 1 + self.advisors]
        self.worker_ids = ids[1 + self.advisors :]
        self.write_users(list(zip(ids, emails, strict=True)), "Anna", "Pracownik")
        if self.first:
            # Production requires a second factor of coordinators: the bench's one has it on,
            # and bench/run.py answers with codes from this secret.
            with self.w.engine.begin() as connection:
                users = db.metadata.tables["users"]
                connection.execute(
                    users.update()
                    .where(users.c.id == self.coordinator_id)
                    .values(totp_secret=TOTP_SECRET, totp_enabled_at=self.at)
                )

    def staff_email(self, role: str, k: int) -> str:
        if self.first and k == 0:
            return DEMO_EMAILS[
                {"koordynator": "coordinator", "doradca": "advisor", "pracownik": "social_worker"}[
                    role
                ]
            ]
        return f"{role}{k}@c{self.n}.bench.example.org"

    def write_users(self, users: list[tuple[int, tuple[str, str]]], first: str, last: str) -> None:
        self.w.write(
            "users",
            (
                self.stamp(
                    {
                        "id": uid,
                        "centre_id": self.centre_id,
                        "email": email,
                        "first_name": first,
                        "last_name": f"{last} {uid}",
                        "password_hash": self.hash,
                        "session_token": secrets.token_urlsafe(32),
                        "link_nonce": secrets.token_urlsafe(32),
                    }
                )
                for uid, (_role, email) in users
            ),
            len(users),
        )
        self.w.write(
            "user_roles",
            ({"user_id": uid, "role": role} for uid, (role, _email) in users),
            len(users),
        )

    # -- participants ------------------------------------------------------------------------

    def people(self) -> None:
        size = self.size
        self.person_ids = list(self.w.ids("participants", size.participants))
        # PESEL numbers unique in the whole installation, not only in the centre.
        self.pesel_base = self.person_ids[0] - 1
        # Person 0 is on both paths (the demo participant); odd people are on a contract.
        self.contract_people = [i for i in range(size.participants) if i % 2 == 1 or i == 0]
        order = self.contract_people + [i for i in range(size.participants) if i % 2 == 0 and i]
        self.planned = order[: size.plans]
        self.plan_of = {i: k for k, i in enumerate(self.planned)}
        accounts = min(ACCOUNTS, size.participants)
        account_ids = list(self.w.ids("users", accounts))
        self.account_of = dict(zip(range(accounts), account_ids, strict=True))
        emails = [
            DEMO_EMAILS["participant"] if self.first and i == 0 else participant_email(self.n, i)
            for i in range(accounts)
        ]
        self.write_users(
            [(uid, ("participant", e)) for uid, e in zip(account_ids, emails, strict=True)],
            "Jan",
            "Uczestnik",
        )
        start = date(self.year, 2, 1)
        self.w.write(
            "participants",
            (self.person(i, start) for i in range(size.participants)),
            size.participants,
        )

    def person(self, i: int, start: date) -> dict[str, Any]:
        number = pesel(self.pesel_base + i)
        female = int(number[9]) % 2 == 0
        born = date(1960, 1, 1) + timedelta(days=i % 18_000)
        return self.stamp(
            {
                "id": self.person_ids[i],
                "centre_id": self.centre_id,
                "project_id": self.project_id,
                "user_id": self.account_of.get(i),
                "advisor_id": (
                    self.advisor_ids[self.plan_of[i] % self.advisors] if i in self.plan_of else None
                ),
                "social_worker_id": self.worker_ids[i % self.workers],
                "village_id": self.village_ids[i % len(self.village_ids)],
                "first_name": FIRST[i % len(FIRST)],
                "last_name": f"{LAST[i % len(LAST)]}-{i}",
                "pesel": number,
                "sex": "female" if female else "male",
                "birth_date": born,
                "email": participant_email(self.n, i),
                "on_contract_path": i % 2 == 1 or i == 0,
                "on_pal_path": i % 2 == 0,
                "education": "upper_secondary",
                "voivodeship": "lubelskie",
                "county": "janowski",
                "commune": f"Gmina {self.n}",
                "town": VILLAGES[i % len(VILLAGES)],
                "street": "Polna",
                "building_number": str(1 + i % 90),
                "postcode": "23-300",
                "area": "rural",
                "labour_market_status": "unemployed_registered" if i % 3 else "inactive",
                "is_long_term_unemployed": i % 2 == 0 if i % 3 else None,
                "consent_at": self.at,
            }
        )

    # -- events and registrations ------------------------------------------------------------

    def events(self) -> None:
        size, w = self.size, self.w
        now = w.now
        self.event_ids = list(w.ids("events", size.events + 1))
        per_event = max(1, size.registrations // max(size.events, 1))
        step = 97 if size.participants % 97 else 89
        days = 350 / max(size.events, 1)
        events, registrations = [], []
        self.signup_event = self.event_ids[-1]
        self.demo_event = self.event_ids[0]
        upcoming = 0
        for e in range(size.events):
            starts = local(date(self.year, 1, 8) + timedelta(days=int(e * days)), 10 + e % 6)
            past = starts < now
            # The demo participant (person 0) is signed up for the first five coming events.
            offset = 0 if not past and upcoming < 5 else e * 7919
            if not past:
                if upcoming == 0:
                    self.demo_event = self.event_ids[e]
                upcoming += 1
            full = e % 3 == 0
            capacity = per_event + 10 if past or not full else max(5, per_event * 4 // 5)
            confirmed = per_event if past or not full else capacity
            events.append(
                self.event_row(self.event_ids[e], e, starts, capacity, confirmed, per_event, past)
            )
            for j in range(per_event):
                person = (offset + j * step) % size.participants
                if past:
                    status = "absent" if j % 5 == 4 else "attended"
                else:
                    status = "confirmed" if j < confirmed else "waiting"
                registrations.append((self.event_ids[e], person, status, j + 1))
        # An open event with free places, the sign-up benchmark's: the demo participant signed
        # up once and cancelled, so that every sign-up and cancel of the loop finds a record.
        starts = local(self.today + timedelta(days=14), 10)
        events.append(self.event_row(self.signup_event, size.events, starts, 100, 0, 1, False))
        registrations.append((self.signup_event, 0, "cancelled", 1))
        events[-1]["title"] = "Warsztaty otwarte „Aktywne poszukiwanie pracy”"
        w.write("events", events, len(events))
        self.registrations = registrations
        w.write(
            "registrations",
            (
                self.stamp(
                    {
                        "id": rid,
                        "centre_id": self.centre_id,
                        "event_id": ev,
                        "participant_id": self.person_ids[p],
                        "status": status,
                        "queue_number": queue,
                    }
                )
                for rid, (ev, p, status, queue) in zip(
                    w.ids("registrations", len(registrations)), registrations, strict=True
                )
            ),
            len(registrations),
        )

    def event_row(
        self,
        event_id: int,
        e: int,
        starts: datetime,
        capacity: int,
        confirmed: int,
        queued: int,
        past: bool,
    ) -> dict[str, Any]:
        return self.stamp(
            {
                "id": event_id,
                "centre_id": self.centre_id,
                "project_id": self.project_id,
                "event_type": EVENT_TYPES[e % len(EVENT_TYPES)],
                "title": f"{['Spotkanie integracyjne', 'Warsztaty', 'Piknik', 'Wycieczka'][e % 4]}"
                f" nr {e + 1}",
                "description": "Spotkanie w ramach Programu Aktywności Lokalnej.",
                "place": f"Świetlica wiejska, {VILLAGES[e % len(VILLAGES)]}",
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=3),
                "capacity": capacity,
                "places_taken": confirmed,
                "last_queue_number": queued,
                "audience": "pal" if e % 4 == 1 else "project",
                "status": "held" if past else "published",
                "attendance_recorded_at": starts + timedelta(hours=4) if past else None,
                "created_by_id": self.coordinator_id,
            }
        )

    # -- contracts, allowances, instalments, payment lists -----------------------------------

    def contracts_and_allowances(self) -> None:
        w, size = self.w, self.size
        people = self.contract_people
        contract_ids = list(w.ids("social_contracts", len(people)))
        self.contract_of = dict(zip(people, contract_ids, strict=True))
        w.write(
            "social_contracts",
            (
                self.stamp(
                    {
                        "id": cid,
                        "centre_id": self.centre_id,
                        "participant_id": self.person_ids[i],
                        "project_id": self.project_id,
                        "social_worker_id": self.worker_ids[i % self.workers],
                        "number": f"KS/{self.year}/{k + 1:05d}",
                        "status": "active",
                        "problem": "Długotrwałe bezrobocie, brak kwalifikacji zawodowych.",
                        "goal": "Podjęcie zatrudnienia lub szkolenia zawodowego.",
                        "instruments": ["social_skills", "vocational_counselling"],
                        "support": "Zasiłek okresowy na czas trwania kontraktu.",
                        "start_date": date(self.year, 2, 1),
                        "end_date": date(self.year, 12, 31),
                        "signed_on": date(self.year, 1, 25),
                    }
                )
                for k, (i, cid) in enumerate(zip(people, contract_ids, strict=True))
            ),
            len(people),
        )
        # Periodic allowances of ten months each, starting in January, February or March.
        allowances = size.instalments // 10
        allowance_ids = list(w.ids("allowances", allowances))
        months = sorted({month_add(date(self.year, 1, 1), m) for m in range(12)})
        list_ids = dict(zip(months, w.ids("payment_lists", len(months)), strict=True))
        paid_months = [m for m in months if m < self.this_month]
        w.write(
            "payment_lists",
            (
                self.stamp(
                    {
                        "id": list_ids[m],
                        "centre_id": self.centre_id,
                        "month": m,
                        "created_by_id": self.coordinator_id,
                    }
                )
                for m in paid_months
            ),
            len(paid_months),
        )
        self.committed = self.paid = 0
        rows, instalments = [], []
        for a, aid in enumerate(allowance_ids):
            person = people[a % len(people)]
            first = date(self.year, 1 + a % 3, 1)
            last = month_add(first, 9)
            amount = 300_00 + (a % 5) * 50_00
            plan = [month_add(first, m) for m in range(10)]
            all_paid = all(m < self.this_month for m in plan)
            worker = self.worker_ids[person % self.workers]
            rows.append(
                self.stamp(
                    {
                        "id": aid,
                        "centre_id": self.centre_id,
                        "participant_id": self.person_ids[person],
                        "contract_id": self.contract_of[person],
                        "budget_line_id": self.line_ids["allowances"],
                        "kind": "periodic",
                        "amount_grosze": amount,
                        "first_month": first,
                        "last_month": last,
                        "purpose": "Zasiłek okresowy",
                        "justification": "Brak dochodu, realizacja kontraktu socjalnego.",
                        "status": "paid" if all_paid else "approved",
                        "prepared_by_id": worker,
                        "submitted_at": local(first - timedelta(days=20), 9),
                        "decided_by_id": self.coordinator_id,
                        "decided_at": local(first - timedelta(days=10), 12),
                    }
                )
            )
            self.committed += amount * len(plan)
            for m in plan:
                paid = m < self.this_month
                self.paid += amount if paid else 0
                instalments.append((aid, m, amount, paid))
        w.write("allowances", rows, len(rows))
        w.write(
            "instalments",
            (
                {
                    "id": iid,
                    "centre_id": self.centre_id,
                    "allowance_id": aid,
                    "month": m,
                    "amount_grosze": amount,
                    "status": "paid" if paid else "due",
                    "payment_list_id": list_ids[m] if paid else None,
                    "paid_on": m + timedelta(days=9) if paid else None,
                }
                for iid, (aid, m, amount, paid) in zip(
                    w.ids("instalments", len(instalments)), instalments, strict=True
                )
            ),
            len(instalments),
        )

    def queue(self) -> None:
        """Purpose allowances submitted by social workers, waiting for the coordinator, with
        the audit trail the four-eyes check reads."""
        w = self.w
        count = self.size.queue if self.first else QUEUE_OTHERS
        self.queued_amount = 250_00 * count
        ids = list(w.ids("allowances", count))
        people = self.contract_people
        preparers = {}
        rows = []
        for k, aid in enumerate(ids):
            person = people[k % len(people)]
            preparers[aid] = self.worker_ids[person % self.workers]
            rows.append(
                self.stamp(
                    {
                        "id": aid,
                        "centre_id": self.centre_id,
                        "participant_id": self.person_ids[person],
                        "contract_id": self.contract_of[person],
                        "kind": "purpose",
                        "category": "fuel",
                        "amount_grosze": 250_00,
                        "first_month": self.this_month,
                        "purpose": "Zakup opału na zimę",
                        "justification": "Brak środków na opał, rodzina z dziećmi.",
                        "status": "submitted",
                        "prepared_by_id": preparers[aid],
                        "submitted_at": w.now - timedelta(days=1 + k % 20, seconds=k),
                    }
                )
            )
        w.write("allowances", rows, count)
        entries = [
            (aid, preparers[aid], action)
            for aid in ids
            for action in ("allowance.create", "allowance.submitted")
        ]
        w.write(
            "audit_entries",
            (
                {
                    "id": eid,
                    "centre_id": self.centre_id,
                    "actor_id": actor,
                    "at": w.now - timedelta(days=21),
                    "action": action,
                    "entity_type": "allowances",
                    "entity_id": aid,
                    "changes": {},
                }
                for eid, (aid, actor, action) in zip(
                    w.ids("audit_entries", len(entries)), entries, strict=True
                )
            ),
            len(entries),
        )

    # -- individual plans with their revisions -----------------------------------------------

    def plans(self) -> None:
        w = self.w
        planned = self.planned
        plan_ids = list(w.ids("individual_plans", len(planned)))
        statuses = ["draft", "shared", "acknowledged", "in_progress"]
        plans, revisions, goals, actions = [], [], [], []
        goal_ids = iter(w.ids("plan_goals", 2 * len(planned)))
        action_ids = iter(w.ids("plan_actions", 2 * len(planned)))
        for k, (i, pid) in enumerate(zip(planned, plan_ids, strict=True)):
            status = "shared" if i == 0 else statuses[k % 4]
            advisor = self.advisor_ids[k % self.advisors]
            sections = {
                "strengths": ["Komunikatywność", "Sumienność"],
                "weaknesses": ["Brak doświadczenia zawodowego"],
                "opportunities": ["Oferty pracy w gminie", "Kursy zawodowe"],
                "threats": ["Słaba komunikacja publiczna"],
                "potential": "Osoba chętna do nauki, dobrze pracuje w grupie.",
                "predispositions": "Predyspozycje do pracy z klientem.",
                "target_occupations": "Sprzedawca, magazynier",
                "market_demand": "Zapotrzebowanie na magazynierów w powiecie.",
                "market_fit": "Wymagane prawo jazdy kat. B i kurs wózka widłowego.",
                "advisor_notes": "Notatka doradcy (niewidoczna dla uczestnika).",
            }
            goal_rows = [
                {
                    "id": next(goal_ids),
                    "plan_id": pid,
                    "position": g,
                    "description": ["Zdobycie uprawnień", "Podjęcie pracy"][g],
                    "target_date": date(self.year, 6 + 3 * g, 30),
                    "status": "open",
                }
                for g in range(2)
            ]
            action_rows = [
                {
                    "id": next(action_ids),
                    "plan_id": pid,
                    "kind": ["course", "job_search"][a],
                    "description": ["Kurs operatora wózka widłowego", "Rozmowy z pracodawcami"][a],
                    "due_date": date(self.year, 5 + 4 * a, 15),
                    "responsible": "Doradca zawodowy",
                    "status": "planned",
                }
                for a in range(2)
            ]
            goals += goal_rows
            actions += action_rows
            snapshot = {
                **sections,
                "goals": [
                    {k2: (v.isoformat() if isinstance(v, date) else v) for k2, v in g.items()}
                    for g in goal_rows
                ],
                "actions": [
                    {k2: (v.isoformat() if isinstance(v, date) else v) for k2, v in a.items()}
                    for a in action_rows
                ],
            }
            for g in snapshot["goals"]:
                for key in ("id", "plan_id", "position"):
                    g.pop(key)
            for a in snapshot["actions"]:
                for key in ("id", "plan_id"):
                    a.pop(key)
            for number in range(1, REVISIONS + 1):
                revisions.append(
                    {
                        "plan_id": pid,
                        "number": number,
                        "author_id": advisor,
                        "created_at": self.at + timedelta(days=number),
                        "changes": {"potential": ["", sections["potential"]]}
                        if number == 1
                        else {"market_fit": ["", sections["market_fit"]]},
                        "snapshot": snapshot,
                    }
                )
            shared = status != "draft"
            plans.append(
                self.stamp(
                    {
                        "id": pid,
                        "centre_id": self.centre_id,
                        "participant_id": self.person_ids[i],
                        "advisor_id": advisor,
                        "status": status,
                        **sections,
                        "shared_revision_number": REVISIONS if shared else None,
                        "shared_at": self.at + timedelta(days=REVISIONS) if shared else None,
                        "acknowledged_at": self.at + timedelta(days=5)
                        if status in ("acknowledged", "in_progress")
                        else None,
                        "version_id": REVISIONS,
                    }
                )
            )
        w.write("individual_plans", plans, len(plans))
        w.write("plan_goals", goals, len(goals))
        w.write("plan_actions", actions, len(actions))
        w.write(
            "plan_revisions",
            (
                {"id": rid, **row}
                for rid, row in zip(w.ids("plan_revisions", len(revisions)), revisions, strict=True)
            ),
            len(revisions),
        )

    def budget_lines(self) -> None:
        """Written with the stage (allowances refer to them) and settled last: the allowance
        line carries what the approved allowances committed and the paid instalments spent,
        with room left for the waiting requests."""
        lines = {
            "salaries": 350_000_00,
            "allowances": 10**13,
            "courses": 200_000_00,
            "pal_events": 50_000_00,
            "other": 20_000_00,
        }
        self.w.write(
            "budget_lines",
            (
                {
                    "id": self.line_ids[kind],
                    "centre_id": self.centre_id,
                    "stage_id": self.stage_id,
                    "kind": kind,
                    "funding_source": "esf",
                    "planned_grosze": amount,
                    "committed_grosze": 0,
                    "paid_grosze": 0,
                }
                for kind, amount in lines.items()
            ),
            len(lines),
        )

    def settle(self) -> None:
        with self.w.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE budget_lines SET planned_grosze = :planned, "
                    "committed_grosze = :committed, paid_grosze = :paid WHERE id = :id"
                ),
                {
                    "planned": self.committed + self.queued_amount + 1_000_000_00,
                    "committed": self.committed,
                    "paid": self.paid,
                    "id": self.line_ids["allowances"],
                },
            )


# Each query counts the rows that break a rule the services keep; all must be 0.
CONSISTENCY = {
    "events whose places taken are not their confirmed places": """
        SELECT count(*) FROM events e WHERE e.places_taken <> (
            SELECT coalesce(sum(1 + r.companions), 0) FROM registrations r
            WHERE r.event_id = e.id AND r.status IN ('confirmed', 'attended', 'absent'))""",
    "events whose queue counter is behind a registration": """
        SELECT count(*) FROM events e WHERE e.last_queue_number < (
            SELECT coalesce(max(r.queue_number), 0) FROM registrations r
            WHERE r.event_id = e.id)""",
    "allowance lines whose committed sum is not their approved allowances'": """
        SELECT count(*) FROM budget_lines b WHERE b.kind = 'allowances' AND b.committed_grosze <> (
            SELECT coalesce(sum(i.amount_grosze), 0) FROM instalments i
            JOIN allowances a ON a.id = i.allowance_id
            WHERE a.budget_line_id = b.id AND a.status IN ('approved', 'paid'))""",
    "allowance lines whose paid sum is not their paid instalments'": """
        SELECT count(*) FROM budget_lines b WHERE b.kind = 'allowances' AND b.paid_grosze <> (
            SELECT coalesce(sum(i.amount_grosze), 0) FROM instalments i
            JOIN allowances a ON a.id = i.allowance_id
            WHERE a.budget_line_id = b.id AND i.status = 'paid')""",
    "paid instalments not on their month's payment list": """
        SELECT count(*) FROM instalments i LEFT JOIN payment_lists l ON l.id = i.payment_list_id
        WHERE i.status = 'paid' AND (l.id IS NULL OR l.month <> i.month
            OR l.centre_id <> i.centre_id)""",
    "shared plans without their shared revision": """
        SELECT count(*) FROM individual_plans p WHERE p.shared_revision_number IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM plan_revisions r
            WHERE r.plan_id = p.id AND r.number = p.shared_revision_number)""",
    "records whose centre differs from their participant's": """
        SELECT (SELECT count(*) FROM registrations r JOIN participants p ON p.id = r.participant_id
                WHERE p.centre_id <> r.centre_id)
             + (SELECT count(*) FROM allowances a JOIN participants p ON p.id = a.participant_id
                WHERE p.centre_id <> a.centre_id)""",
}


def check_consistency(engine: Engine) -> None:
    """Raise when the data breaks a rule the services keep (pages would show wrong figures)."""
    with engine.connect() as connection:
        broken = {
            what: n
            for what, query in CONSISTENCY.items()
            if (n := connection.execute(text(query)).scalar_one())
        }
    if broken:
        raise SystemExit(f"inconsistent data: {broken}")
    print(f"consistent: {len(CONSISTENCY)} checks", file=sys.stderr)


def scaled(centre: CentreSize, scale: float) -> CentreSize:
    """A centre `scale` times as big (a quick check of a size's code paths)."""
    if scale == 1:
        return centre
    counts = [max(int(n * scale), 20) for n in vars(centre).values()]
    return CentreSize(*counts)


def generate(size: str, url: str, scale: float = 1.0) -> dict[str, Any]:
    """Empty the database, build the schema, write the size's centres; what was written."""
    started = time.perf_counter()
    fresh_database(url)
    upgrade(url)
    print(f"schema built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    passwords.configure(passwords.PRODUCTION)
    password_hash = passwords.hash_password(PASSWORD)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    writer = Writer(engine)
    first = None
    for number, full_size in enumerate(SIZES[size], start=1):
        centre_size = scaled(full_size, scale)
        print(f"centre {number}/{len(SIZES[size])}: {centre_size}", file=sys.stderr)
        builder = CentreBuilder(writer, number, centre_size, password_hash)
        builder.build()
        first = first or builder
    writer.finish()
    check_consistency(engine)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    if first is None:
        raise SystemExit(f"no centre in size {size}")
    facts = {
        "size": size,
        "seconds": round(time.perf_counter() - started, 1),
        "centre_id": first.centre_id,
        "stage_id": first.stage_id,
        "signup_event_id": first.signup_event,
        "event_id": first.demo_event,
        "plan_participant_id": first.person_ids[first.planned[0]],  # doradca@'s
        "allowance_line_id": first.line_ids["allowances"],
        "participant_emails": [participant_email(1, i) for i in range(1, ACCOUNTS)],
        **DEMO_EMAILS,
        "password": PASSWORD,
        "totp_secret": TOTP_SECRET,
    }
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("url", help="SQLAlchemy URL of the database to (re)create")
    parser.add_argument("--facts", help="write what the bench needs (ids, logins) as JSON here")
    parser.add_argument("--scale", type=float, default=1.0, help="e.g. 0.02 for a quick check")
    args = parser.parse_args()
    facts = generate(args.size, args.url, args.scale)
    print(f"generated {args.size} in {facts['seconds']} s", file=sys.stderr)
    if args.facts:
        Path(args.facts).write_text(json.dumps(facts, indent=1))


if __name__ == "__main__":
    main()
