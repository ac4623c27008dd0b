"""A stage's yearly report: the computed figures (`yearly_figures`) with the coordinator's texts
around them, one text per section, every save a numbered revision.

A save based on an old version is refused (ReportConflict), as with plans, so two editors never
overwrite each other silently. Closing the report freezes the figures as JSON: regenerated later
it states the same figures whatever changed in the data; an open report is always computed live.
"""

from collections.abc import Mapping
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import ProjectStage, StageReport, StageReportRevision, User
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.reporting import discrepancies, figures_check, yearly_facts, yearly_figures
from portal.services.reporting.yearly_facts import Figures

# The sections of the report, in the order of the centres' own reports.
SECTIONS = (
    "project",
    "pal",
    "people",
    "instruments",
    "courses",
    "support",
    "staff",
    "budget",
    "closing",
)
TEXT_MAX = 10_000


class ReportRefused(PortalError):
    message = _l("The report cannot be changed this way.")


class ReportConflict(ReportRefused):
    """Someone saved the report after this form was opened; `current` is the report now."""

    message = _l(
        "Someone else saved this report after you opened it. Your text is below, next to "
        "the current version: copy what you need and save again."
    )

    def __init__(self, current: StageReport):
        super().__init__()
        self.current = current


def find(stage_id: int) -> StageReport | None:
    return db.session.scalar(select(StageReport).where(StageReport.stage_id == stage_id))


def figures(report: StageReport | None, stage_id: int) -> Figures:
    """The frozen figures of a closed report; the live ones otherwise."""
    if report is not None and report.frozen_figures is not None:
        return yearly_facts.from_json(report.frozen_figures)
    return yearly_figures.figures(stage_id)


def _open_report(stage: ProjectStage, version: int) -> StageReport:
    """The report locked for a change, created on its first save. `version` 0 means the form
    was opened before the report existed."""
    report = find(stage.id)
    if report is None and version == 0:
        report = StageReport(centre_id=stage.project.centre_id, stage_id=stage.id, texts={})
        try:
            with db.session.begin_nested():
                db.session.add(report)
                db.session.flush()
        except IntegrityError:  # a parallel first save created it: ours is based on nothing
            current = find(stage.id)
            if current is None:  # pragma: no cover - the constraint said it exists
                raise
            raise ReportConflict(current) from None
        return report
    # Still none: the form names a version of a report that does not exist.
    report = loading.found(report)
    db.session.refresh(report, with_for_update=True)
    if report.version_id != version:
        raise ReportConflict(report)
    return report


def save_section(
    stage: ProjectStage, section: str, text: str, *, version: int, actor: User, now: datetime
) -> StageReportRevision | None:
    """Save one section's text; refused if the report changed since the form was opened or
    if it is closed. Nothing changed, nothing saved."""
    loading.known(section, SECTIONS)
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise ReportRefused(_l("At most %(n)d characters.", n=TEXT_MAX), field="text")
    report = _open_report(stage, version)
    if report.closed_at is not None:
        raise ReportRefused(_l("The report is closed and can no longer be changed."))
    old = report.texts.get(section, "")
    if old == text:
        return None
    report.texts = {**report.texts, section: text}
    report.updated_by_id = actor.id
    db.session.flush()
    number = (
        db.session.scalar(
            select(func.max(StageReportRevision.number)).where(
                StageReportRevision.report_id == report.id
            )
        )
        or 0
    ) + 1
    revision = StageReportRevision(
        report_id=report.id,
        number=number,
        section=section,
        texts=dict(report.texts),
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(revision)
    audit.record(
        "stage_report.section", report, actor=actor, at=now, changes={section: (old, text)}
    )
    return revision


def close(
    stage: ProjectStage,
    *,
    version: int,
    actor: User,
    now: datetime,
    explanations: Mapping[str, str] | None = None,
) -> StageReport:
    """Freeze the figures as they are now; the report keeps them from then on.

    The check of the figures runs again here, not only on the page the coordinator read: every
    discrepancy it finds now needs an explanation (by `discrepancies.key`), or nothing closes.
    The findings and their explanations are frozen with the figures, for the annex."""
    report = _open_report(stage, version)
    if report.closed_at is not None:
        raise ReportRefused(_l("The report is already closed."))
    explanations = explanations or {}
    found = figures_check.check_stage(stage, now=now)
    missing = discrepancies.unexplained(found, explanations)
    if missing:
        raise ReportRefused(
            _l(
                "The check of the figures found %(count)d discrepancies without an explanation. "
                "Explain each one, or correct the data, before closing.",
                count=len(missing),
            )
        )
    if any(len(text) > discrepancies.EXPLANATION_MAX for text in explanations.values()):
        raise ReportRefused(_l("At most %(n)d characters.", n=discrepancies.EXPLANATION_MAX))
    report.frozen_figures = yearly_facts.to_json(yearly_figures.figures(stage.id, now=now))
    report.explained_discrepancies = discrepancies.to_json(found, explanations)
    report.closed_at = now
    report.closed_by_id = actor.id
    report.updated_by_id = actor.id
    changes: dict[str, tuple[object, object]] = {"closed": (None, now)}
    if found:
        changes["explained_discrepancies"] = (None, report.explained_discrepancies)
    audit.record("stage_report.close", report, actor=actor, at=now, changes=changes)
    return report


def explained(report: StageReport | None) -> list[discrepancies.Explained]:
    """The findings a closed report was closed with, and their explanations (the annex)."""
    if report is None or report.closed_at is None:
        return []
    return discrepancies.from_json(report.stage_id, report.explained_discrepancies)


def revisions(report: StageReport | None) -> list[StageReportRevision]:
    """Every save, newest first, with its author."""
    if report is None:
        return []
    return list(
        db.session.scalars(
            select(StageReportRevision)
            .options(selectinload(StageReportRevision.created_by))
            .where(StageReportRevision.report_id == report.id)
            .order_by(StageReportRevision.number.desc())
        )
    )
