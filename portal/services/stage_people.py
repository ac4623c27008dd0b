"""Who had support in a project stage: the one definition the dashboard, the yearly report and
the exports share.

- on a social contract: a signed (or active, completed, terminated) contract of the project whose
  period overlaps the stage;
- in the Local Activity Programme: a participant of the project on the PAL path whose period of
  support overlaps the stage (an open start or end counts as overlapping);
- activated: either of the two, each person once.

Each is a subquery of participant ids, so a count is one statement whatever the data size.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select, union

from portal.extensions import db
from portal.models import Participant, ProjectStage, SocialContract
from portal.models.enums import ContractStatus

# A draft is not yet support; every contract that was signed is, however it ended.
SIGNED_STATUSES = (
    ContractStatus.SIGNED,
    ContractStatus.ACTIVE,
    ContractStatus.COMPLETED,
    ContractStatus.TERMINATED,
)


@dataclass(frozen=True)
class StageCounts:
    activated: int
    on_contract: int
    in_pal: int


def on_contract(stage: ProjectStage) -> Select[Any]:
    """Ids of the people with a signed contract of the project overlapping the stage."""
    return select(SocialContract.participant_id).where(
        SocialContract.project_id == stage.project_id,
        SocialContract.status.in_(SIGNED_STATUSES),
        SocialContract.start_date <= stage.end_date,
        SocialContract.end_date >= stage.start_date,
    )


def in_pal(stage: ProjectStage) -> Select[Any]:
    """Ids of the project's PAL participants whose support overlaps the stage."""
    return select(Participant.id).where(
        Participant.project_id == stage.project_id,
        Participant.on_pal_path.is_(True),
        or_(Participant.support_start.is_(None), Participant.support_start <= stage.end_date),
        or_(Participant.support_end.is_(None), Participant.support_end >= stage.start_date),
    )


def activated(stage: ProjectStage) -> Select[Any]:
    """Ids of everybody supported in the stage, each once."""
    ids = union(on_contract(stage), in_pal(stage)).subquery()
    return select(ids.c[0])


def counts(stage: ProjectStage) -> StageCounts:
    """The three figures, in one statement."""

    def distinct(ids: Select[Any]) -> Select[Any]:
        inner = ids.subquery()
        return select(func.count(func.distinct(inner.c[0])))

    row = db.session.execute(
        select(
            distinct(activated(stage)).scalar_subquery(),
            distinct(on_contract(stage)).scalar_subquery(),
            distinct(in_pal(stage)).scalar_subquery(),
        )
    ).one()
    return StageCounts(activated=row[0], on_contract=row[1], in_pal=row[2])
