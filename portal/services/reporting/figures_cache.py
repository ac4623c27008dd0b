"""The coordinator's figures kept between visits: the home reads the centre's figures version and
the figures kept for it in one statement, and recounts only when a change moved the version since
(figures_version.py) or the day changed.

A recount uses the dashboard's own functions (dashboard, dashboard_money, stage_people): the kept
figures are never a second definition, and so always those of the yearly report and the check of
the figures. They are kept as JSON of plain values and turned back into the same dataclasses.

The figures are read after the version: whatever a writer commits in between is at worst counted
under the older version, so the next visit recounts; figures older than their version are never
kept. A recount on a visit is written apart, in a short transaction of its own (a GET changes no
data; this is derived data, like the read entries of the audit trail), and never replaces figures
kept for a newer version. The recount runs in the request that finds the figures stale; the task
queue is not needed for a few statements run once per change.
"""

import logging
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, cast, get_args, get_origin, get_type_hints

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from portal import database
from portal.extensions import db
from portal.models import Centre, CentreFigures, ProjectStage, StageFigures
from portal.models.enums import PlanStatus
from portal.services.common import dates
from portal.services.reporting import dashboard, dashboard_money, stage_people

log = logging.getLogger(__name__)

# Raised whenever a dataclass kept here changes shape: figures kept in another shape are stale.
SHAPE = 1


@dataclass(frozen=True)
class StageSummary:
    """Everything the dashboard shows of one stage but its budget lines (read as they are: a few
    rows that keep their own running totals)."""

    people: dashboard.PeopleFigures
    events: dashboard.EventFigures
    sessions: dashboard.SessionFigures
    courses: dashboard.CourseFigures
    plans: list[tuple[PlanStatus, int]]
    esf: dashboard.EsfFigures
    allowances: dashboard_money.AllowanceFigures


@dataclass(frozen=True)
class Kept:
    centre: stage_people.StageCounts  # the centre's people in any project or year
    stage: StageSummary | None


def count_stage(stage: ProjectStage, *, now: datetime) -> StageSummary:
    """The stage's figures counted now (a fixed number of statements)."""
    return StageSummary(
        people=dashboard.people(stage, now=now),
        events=dashboard.events(stage),
        sessions=dashboard.sessions(stage),
        courses=dashboard.courses(stage),
        plans=dashboard.plans(stage, now=now),
        esf=dashboard.esf(stage, dates.local_date(now), now=now),
        allowances=dashboard_money.allowances(stage, dashboard_money.budget(stage)),
    )


def figures(centre_id: int, stage: ProjectStage | None, *, now: datetime) -> Kept:
    """The centre's counts and the stage's figures as of `now`: those kept when they are of the
    centre's current figures version and of today, else counted now and kept."""
    today = dates.local_date(now)
    columns = [Centre.figures_version, CentreFigures.version, CentreFigures.day]
    query = (
        select(*columns, CentreFigures.figures)
        .outerjoin(CentreFigures, CentreFigures.centre_id == Centre.id)
        .where(Centre.id == centre_id)
    )
    if stage is not None:
        query = query.add_columns(
            StageFigures.version, StageFigures.day, StageFigures.figures
        ).outerjoin(StageFigures, StageFigures.stage_id == stage.id)
    row: Any = db.session.execute(query).one()
    version: int = row[0]

    counts = (
        _decoded(stage_people.StageCounts, row[3]) if _fresh(row[1:3], version, today) else None
    )
    summary = None
    if stage is not None and _fresh(row[4:6], version, today):
        summary = _decoded(StageSummary, row[6])
    if counts is None:
        counts = stage_people.centre_counts(centre_id, now=now)
        _keep(CentreFigures, "centre_id", centre_id, version, today, now, counts)
    if stage is not None and summary is None:
        summary = count_stage(stage, now=now)
        kept_for = {"centre_id": centre_id}
        _keep(StageFigures, "stage_id", stage.id, version, today, now, summary, **kept_for)
    return Kept(centre=counts, stage=summary)


def _fresh(kept: Any, version: int, today: date) -> bool:
    kept_version, kept_day = kept
    return bool(kept_version == version and kept_day == today)


# --- Keeping ----------------------------------------------------------------------------------


def _keep(
    model: type[StageFigures] | type[CentreFigures],
    key: str,
    key_value: int,
    version: int,
    today: date,
    now: datetime,
    value: Any,
    **extra: int,
) -> None:
    """Insert or replace the kept row, unless a newer version is already kept there."""
    table = cast(Table, model.__table__)
    values = {
        key: key_value,
        **extra,
        "version": version,
        "day": today,
        "computed_at": now,
        "figures": {"shape": SHAPE, "figures": plain(value)},
    }
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = insert.values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={name: statement.excluded[name] for name in values if name != key},
        where=table.c.version <= statement.excluded.version,
    )
    session = db.session()
    if session.in_transaction() and session.connection().info.get(database.WRITE_LOCKED):
        # This context already holds SQLite's write lock (a script or a test serving a request
        # inside its own application context): another connection would wait for it.
        session.execute(statement)
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(statement)
    except OperationalError:
        # SQLite busy past its timeout behind a long write: the figures shown are right, the
        # next visit keeps them.
        log.warning("figures of %s %s not kept: the database is busy", table.name, key_value)


# --- JSON of plain values, and back --------------------------------------------------------------


def plain(value: Any) -> Any:
    """Dataclasses as objects, enums as their values, dates in ISO form, tuples as lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def typed(kind: Any, value: Any) -> Any:
    """The value of type `kind` that `plain` turned into `value`."""
    if isinstance(kind, type) and is_dataclass(kind):
        hints = get_type_hints(kind)
        return kind(
            **{field.name: typed(hints[field.name], value[field.name]) for field in fields(kind)}
        )
    origin = get_origin(kind)
    if origin is list:
        (item,) = get_args(kind)
        return [typed(item, element) for element in value]
    if origin is tuple:
        return tuple(typed(k, v) for k, v in zip(get_args(kind), value, strict=True))
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    if kind is date:
        return date.fromisoformat(value)
    return value


def _decoded(kind: Any, kept: Any) -> Any:
    """The kept figures, or None when they were kept in another shape."""
    if not isinstance(kept, dict) or kept.get("shape") != SHAPE:
        return None
    try:
        return typed(kind, kept["figures"])
    except (KeyError, TypeError, ValueError):
        return None  # a shape changed without SHAPE being raised: counted again
