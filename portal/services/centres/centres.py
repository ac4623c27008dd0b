"""Centres: the list, opening one, and its official name and contact details."""

import re
from dataclasses import dataclass, fields
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import Centre, User
from portal.models.enums import CentreKind
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import AlreadyExists, PortalError


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


@dataclass(frozen=True)
class CentreDetails:
    """What the public pages and documents say about a centre: its official name and how to
    reach it and its data protection officer. Empty text means "not given"."""

    name: str
    address: str
    email: str
    phone: str
    dpo_contact: str
    # Given later than the others (going live): left out, they are "not given".
    postcode: str = ""
    dpo_name: str = ""
    building_accessibility: str = ""


# The longest each detail may be (its column), and the shapes an e-mail, a phone and a Polish
# postcode must have.
_LENGTHS = {
    "name": 200,
    "address": 200,
    "email": 254,
    "phone": 30,
    "dpo_contact": 200,
    "postcode": 6,
    "dpo_name": 200,
    "building_accessibility": 4000,
}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{5,28}")
_POSTCODE = re.compile(r"[0-9]{2}-[0-9]{3}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The building's description is written in paragraphs: line breaks and tabs are kept there.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MULTILINE = frozenset({"building_accessibility"})


def _checked(details: CentreDetails) -> dict[str, Any]:
    """The details as the record keeps them, or the first broken rule, beside its field."""
    values = {field.name: getattr(details, field.name).strip() for field in fields(details)}
    for name, text in values.items():
        if (_CONTROL_IN_TEXT if name in _MULTILINE else _CONTROL).search(text):
            raise PortalError(
                _l("Write the detail on one line, without control characters."), field=name
            )
        if len(text) > _LENGTHS[name]:
            raise PortalError(
                _l("Shorten it: at most %(num)d characters.", num=_LENGTHS[name]), field=name
            )
    if not values["name"]:
        raise PortalError(_l("Enter the centre's name."), field="name")
    if values["email"] and not _EMAIL.fullmatch(values["email"]):
        raise PortalError(
            _l("Enter an e-mail address in the form name@example.com."), field="email"
        )
    if values["phone"] and not _PHONE.fullmatch(values["phone"]):
        raise PortalError(_l("Enter a telephone number: digits, spaces, + and -."), field="phone")
    if values["postcode"] and not _POSTCODE.fullmatch(values["postcode"]):
        raise PortalError(_l("Enter the postcode in the form 00-000."), field="postcode")
    dpo = values["dpo_contact"]
    if "@" in dpo and " " not in dpo and not _EMAIL.fullmatch(dpo):
        raise PortalError(
            _l("Enter an e-mail address in the form name@example.com, or a postal address."),
            field="dpo_contact",
        )
    values["dpo_contact"] = dpo or None
    return values


def update_details(centre_id: int, details: CentreDetails, *, actor: User | None) -> dict[str, Any]:
    """The centre's coordinator (or the installation administrator) corrects its official name
    and contact details; every change is audited with the old and new value. Returns the
    changes (empty when nothing changed)."""
    centre = loading.centre(centre_id)
    values = _checked(details)
    taken = db.session.scalar(
        select(Centre.id).where(Centre.name == values["name"], Centre.id != centre.id)
    )
    if taken:
        raise AlreadyExists(_l("A centre with this name already exists."), field="name")
    changes = audit.diff(centre, values)
    if changes:
        audit.record("centre.details", centre, actor=actor, centre_id=centre.id, changes=changes)
    return changes
