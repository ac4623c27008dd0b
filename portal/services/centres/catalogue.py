"""A centre's own lists: villages (sołectwa), the course catalogue, diagnosis test types.

Entries are retired, never deleted: old records keep pointing at them, and they simply stop
being offered for new ones.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Course, DiagnosisTestType, User, Village
from portal.services.audit import audit
from portal.services.common.errors import AlreadyExists

# An entry of one of the centre's lists; the functions below take the model and give back its
# records. Not a type variable: the staff pages choose the list from the address.
Entry = Village | Course | DiagnosisTestType

# What each list is called in the audit trail, and the message when a name is taken.
KINDS: dict[type[Village | Course | DiagnosisTestType], tuple[str, Any]] = {
    Village: ("village", _l("The centre already has a village with this name.")),
    Course: ("course", _l("The catalogue already has a course with this name.")),
    DiagnosisTestType: ("test_type", _l("The centre already has a test with this name.")),
}


def list_entries(model: type[Entry], centre_id: int) -> list[Entry]:
    """Active entries first, then retired ones, each by name."""
    return list(
        db.session.scalars(
            select(model)
            .where(model.centre_id == centre_id)
            .order_by(model.is_active.desc(), model.name)
        )
    )


@contextmanager
def _unique_name(model: type[Village | Course | DiagnosisTestType]) -> Iterator[None]:
    """The block's change in a savepoint: a name already taken (perhaps by a parallel request)
    undoes only the block, and the session stays usable to say so and show the form again."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError as error:
        raise AlreadyExists(KINDS[model][1], field="name") from error


def add_entry(model: type[Entry], centre_id: int, values: dict[str, Any], *, actor: User) -> Entry:
    """A new village, course or test type; names are unique within the centre."""
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    entry = model(centre_id=centre_id, **values)
    with _unique_name(model):
        db.session.add(entry)
    audit.record(
        f"{KINDS[model][0]}.create",
        entry,
        actor=actor,
        changes={field: (None, value) for field, value in values.items()},
    )
    return entry


def update_entry(
    entry: Village | Course | DiagnosisTestType, values: dict[str, Any], *, actor: User
) -> None:
    """Change an entry's fields, retiring or restoring it included; history keeps the old."""
    model = type(entry)
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    with _unique_name(model):
        changes = audit.diff(entry, values)
    if changes:
        audit.record(f"{KINDS[model][0]}.update", entry, actor=actor, changes=changes)
