"""Centres and the scope every query of a centre's staff runs in."""

from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import Centre, User
from portal.models.base import CentreOwned
from portal.models.enums import CentreKind
from portal.services import audit
from portal.services.errors import AlreadyExists, NotFound

Owned = TypeVar("Owned", bound=CentreOwned)


def get_owned(model: type[Owned], record_id: int, centre_id: int) -> Owned:
    """Load a centre-owned record by id, as if records of other centres did not exist."""
    record = db.session.get(model, record_id)
    if record is None or record.centre_id != centre_id:
        raise NotFound()
    return record


def list_centres() -> list[Centre]:
    return list(db.session.scalars(select(Centre).order_by(Centre.name)))


def create_centre(
    *,
    name: str,
    short_name: str,
    kind: CentreKind,
    town: str,
    actor: User | None,
    is_demo: bool = False,
) -> Centre:
    """An installation administrator opens a new centre; its name and short name are unique."""
    name, short_name = name.strip(), short_name.strip()
    if db.session.scalar(select(Centre.id).where(Centre.name == name)):
        raise AlreadyExists(_l("A centre with this name already exists."), field="name")
    if db.session.scalar(select(Centre.id).where(Centre.short_name == short_name)):
        raise AlreadyExists(_l("A centre with this short name already exists."), field="short_name")
    centre = Centre(name=name, short_name=short_name, kind=kind, town=town.strip(), is_demo=is_demo)
    db.session.add(centre)
    db.session.flush()
    audit.record(
        "centre.create", centre, actor=actor, centre_id=centre.id, changes={"name": (None, name)}
    )
    return centre
