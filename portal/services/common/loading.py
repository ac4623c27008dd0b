"""One way to load what a page asks for, or answer 404.

A record of another centre is as good as missing: `of_centre` (and the statements callers give
`one`) scope by centre in the query itself, so another centre's row is never read, let alone
locked. `NotFound` is raised here and nowhere else in the services and views
(tests/test_loading.py holds them to it); the app-wide handler turns it into a 404.
"""

from collections.abc import Container, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import QueryableAttribute, joinedload, lazyload
from sqlalchemy.sql.base import ExecutableOption

from portal.extensions import db
from portal.models import Centre, User
from portal.models.base import CentreOwned
from portal.services.common.errors import NotFound

T = TypeVar("T")
Owned = TypeVar("Owned", bound=CentreOwned)
Name = TypeVar("Name")


class OfACentre(Protocol):
    @property
    def centre_id(self) -> int | None: ...


def of_centre(
    model: type[Owned],
    record_id: int,
    centre_id: int,
    *,
    for_update: bool = False,
    options: Sequence[ExecutableOption] = (),
) -> Owned:
    """The record of `model` with this id belonging to this centre; `for_update` locks its row
    for the rest of the transaction and reads it afresh."""
    key = inspect(model).primary_key[0]
    statement = select(model).where(key == record_id, model.centre_id == centre_id)
    return one(statement.options(*options), for_update=for_update)


def names(*people: QueryableAttribute[Any]) -> list[ExecutableOption]:
    """Loader options for the staff a page names beside a record (who prepared it, who decided,
    who advises): joined to the record's own statement, without their roles, which a name
    never needs (User.role_rows is otherwise loaded with every account)."""
    return [joinedload(person).options(lazyload(User.role_rows)) for person in people]


def one(statement: Select[T], *, for_update: bool = False) -> T:
    """The single row of `statement` (a record scoped through a join, a participant's own...);
    `for_update` locks it and reads it afresh, whatever the session held before."""
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    # unique(): a joined eager load of a collection repeats the row once per item.
    return found(db.session.scalars(statement).unique().one_or_none())


def found(value: T | None) -> T:
    """A value the caller looked up itself (in a record's loaded collection, by a token, from
    the session's identity map); None is a page that does not exist."""
    if value is None:
        raise NotFound()
    return value


def known(name: Name, names: Container[Name]) -> Name:
    """A name taken from the URL (a section, a list, a file format) that must be one of
    `names`: any other is a page that does not exist."""
    if name not in names:
        raise NotFound()
    return name


def centre_id_of(actor: User) -> int:
    """The actor's centre; an installation administrator without one has no centre's records."""
    return found(actor.centre_id)


def centre(centre_id: int) -> Centre:
    return found(db.session.get(Centre, centre_id))


def same_centre(centre_id: int, *records: OfACentre | None) -> None:
    """Records the caller was handed (a project, a village, an advisor chosen in a form) must
    be of this centre; another centre's is as good as missing. None (nothing chosen) passes."""
    if any(record is not None and record.centre_id != centre_id for record in records):
        raise NotFound()
