"""Steps the plan tests share: the people of the world fixture, pages, the plan as stored."""

import html
import io
import re
from dataclasses import dataclass
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    IndividualPlan,
    Participant,
    PlanRevision,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import (
    ActionKind,
)
from portal.services.common import dates
from portal.services.plans import plan_goals, plan_history, plans
from tests.helpers import input_tag, translated

ADVISOR = "doradca@example.org"
OTHER_ADVISOR = "doradca.druga@example.org"
COORDINATOR = "koordynator@example.org"
SOCIAL_WORKER = "pracownik@example.org"


@dataclass
class World:
    centre: int
    advisor: int
    other_advisor: int
    coordinator: int
    person: int  # assigned to ADVISOR, has an account
    person_email: str
    second: int  # also assigned to ADVISOR, has an account, no plan
    second_email: str
    unassigned: int
    test_type: int  # WIS
    course: int


# Helpers: clients, pages and the plan as stored.


def _today():
    return dates.local_date(utcnow())


def _start(app, world: World, person: int | None = None) -> int:
    with app.app_context():
        plan = plans.start(
            db.session.get(Participant, person or world.person),
            advisor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()
        return plan.id


def _plan_page(client, person: int) -> str:
    response = client.get(f"/staff/participants/{person}/plan")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _part_page(client, plan_id: int, prefix: str = "swot") -> str:
    """The page of one part of the plan (its form's prefix: a section, "goal" or "action")."""
    tail = {"goal": "goals", "action": "actions"}.get(prefix, f"sections/{prefix}")
    response = client.get(f"/staff/plans/{plan_id}/{tail}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _version(page: str, prefix: str = "swot") -> int:
    return int(re.search(r'value="(\d+)"', input_tag(page, f"{prefix}-version")).group(1))


def _textarea(page: str, name: str) -> tuple[str, str]:
    """The <textarea> named `name`: its opening tag and its text as the browser shows it."""
    match = re.search(rf'(<textarea[^>]*\bname="{name}"[^>]*>)(.*?)</textarea>', page, re.S)
    assert match, f"no textarea named {name}"
    return match.group(1), html.unescape(match.group(2)).removeprefix("\r\n")


def _field_error(page: str, field_id: str) -> str:
    """The error message rendered next to a field (empty if there is none)."""
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


def _post_section(client, plan_id: int, section: str, version: int, **fields):
    data = {f"{section}-version": str(version)}
    data |= {f"{section}-{name}": value for name, value in fields.items()}
    return client.post(f"/staff/plans/{plan_id}/sections/{section}", data=data)


def _current_version(app, plan_id: int) -> int:
    with app.app_context():
        return db.session.get(IndividualPlan, plan_id).version_id


def _revisions(app, plan_id: int) -> list[PlanRevision]:
    """Oldest first, detached for assertions."""
    with app.app_context():
        rows = list(reversed(plan_history.history(plan_id)))
        db.session.expunge_all()
        return rows


def _audit(app, *, since: int = 0) -> list[tuple[str, int | None, dict]]:
    with app.app_context():
        return [
            (entry.action, entry.actor_id, entry.changes)
            for entry in db.session.scalars(
                select(AuditEntry).where(AuditEntry.id > since).order_by(AuditEntry.id)
            )
        ]


def _last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEntry.id))) or 0


def _advisor_edits(app, world: World, plan_id: int, **fields) -> None:
    """A section save through the service, as the assigned advisor (section from the fields)."""
    section = next(name for name, names in plans.SECTIONS.items() if set(fields) <= set(names))
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        values = {name: getattr(plan, name) for name in plans.SECTIONS[section]}
        values = {k: "\n".join(v) if isinstance(v, list) else v for k, v in values.items()}
        plans.save_section(
            plan,
            section,
            values | fields,
            version=plan.version_id,
            actor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()


def _add_goal(app, world: World, plan_id: int, description: str, days: int = 30) -> int:
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        goal = plan_goals.add_goal(
            plan,
            description=description,
            target_date=_today() + timedelta(days=days),
            version=plan.version_id,
            actor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()
        return goal.id


def _add_action(
    app,
    world: World,
    plan_id: int,
    description: str,
    kind: ActionKind = ActionKind.OTHER,
    days: int | None = 14,
) -> int:
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        action = plan_goals.add_action(
            plan,
            kind=kind,
            description=description,
            due_date=_today() + timedelta(days=days) if days is not None else None,
            responsible="Doradca",
            version=plan.version_id,
            actor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()
        return action.id


def _share(app, world: World, plan_id: int) -> None:
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        plans.share(plan, actor=db.session.get(User, world.advisor), now=utcnow())
        db.session.commit()


CONFLICT = (
    "Someone else saved this plan after you opened it. Your text is below, next to "
    "the current version: copy what you need and save again."
)


def _conflict_message(app) -> str:
    return translated(app, CONFLICT)


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)
