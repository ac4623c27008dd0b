"""What the public pages say about the centres of the installation: who they are and how to
reach them (the landing page, the accessibility statement, the privacy notice).

The centres' names and contact details are public by nature; nothing here is scoped to a
signed-in user's centre.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.models import Centre
from portal.services.common.dates import WARSAW

# The day the accessibility statement was last prepared and reviewed against the portal (a
# self-assessment: axe on every page in both languages, and keyboard-only walks). Move it when
# the statement's text, or what it says about the portal, changes.
STATEMENT_PREPARED = date(2026, 11, 29)


def public_centres() -> list[Centre]:
    """Every centre of the installation, by name, with the contact details it has given."""
    return list(db.session.scalars(select(Centre).order_by(Centre.name)))


def published_on() -> date | None:
    """The day the installation's first centre was opened: the portal's publication date."""
    first = db.session.scalar(select(Centre.created_at).order_by(Centre.created_at).limit(1))
    return first.astimezone(WARSAW).date() if first else None


def last_updated(published: date | None) -> date:
    """The last major update: the statement's review, or the publication if that came later."""
    return max(STATEMENT_PREPARED, published) if published else STATEMENT_PREPARED


@dataclass(frozen=True)
class InstallationContact:
    """Whom the public pages send residents to while a centre has not given its own contacts:
    the installation's operator (INSTALLATION_CONTACT, an e-mail address or a line of text)."""

    text: str

    @property
    def is_email(self) -> bool:
        return "@" in self.text and not any(char.isspace() for char in self.text)


def installation_contact() -> InstallationContact:
    return InstallationContact(str(current_app.config.get("INSTALLATION_CONTACT") or "").strip())
