"""Every action the code can write to the audit trail, rendered as the trail's page renders it,
in both languages: states by their labels, amounts as money, fields by their names.

The actions are collected from the code itself (every call that writes an entry, and every
lifecycle's moves), so an action added later is checked too.
"""

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale

from portal.formatting import money
from portal.models import AuditEntry
from portal.models.base import LabelledEnum
from portal.services.audit import audit_labels
from portal.services.audit.audit_trail import Page, Row
from portal.services.centres import catalogue
from portal.services.lifecycle.transitions import LIFECYCLES

PORTAL = Path(__file__).resolve().parents[2] / "portal"
WRITERS = {"record", "record_many", "record_reading", "_record_listing"}
ACTION = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
# The actions written with an f-string, each spelled out; an f-string not listed fails the test,
# so that a new one is added here and checked like the others.
F_STRINGS = {
    "{KINDS[model][0]}.create": [f"{kind}.create" for kind, _ in catalogue.KINDS.values()],
    "{KINDS[model][0]}.update": [f"{kind}.update" for kind, _ in catalogue.KINDS.values()],
    "user.password_set.{purpose}": ["user.password_set.invite", "user.password_set.reset"],
    "participant.{('advisor' if role == Role.ADVISOR else 'social_worker')}": [
        "participant.advisor",
        "participant.social_worker",
    ],
    # The lifecycles' moves, added from LIFECYCLES by every_action().
    "{lifecycle.name}.{step.target.value}": [],
}
AMOUNTS = {"amount_grosze": 45000, "cost_grosze": 123456}


def _written_actions() -> tuple[set[str], list[str]]:
    """The literal actions passed to the audit's writers or as `action=`/`audit_action=`, and
    the f-strings met (spelled out by F_STRINGS)."""
    found: set[str] = set()
    unknown: list[str] = []
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            candidates = [kw.value for kw in node.keywords if kw.arg in {"action", "audit_action"}]
            if name in WRITERS and node.args:
                candidates.append(node.args[0])
            for value in candidates:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    if ACTION.match(value.value):
                        found.add(value.value)
                elif isinstance(value, ast.JoinedStr):
                    text = ast.unparse(value)[2:-1]
                    if text in F_STRINGS:
                        found.update(F_STRINGS[text])
                    else:
                        unknown.append(f"{path.name}: {text}")
    return found, unknown


def every_action() -> dict[str, tuple[str | None, type[LabelledEnum] | None, str | None]]:
    """Each action -> (its record's table, the record's states, the state it moves to)."""
    literal, _unknown = _written_actions()
    actions: dict[str, tuple[str | None, type[LabelledEnum] | None, str | None]] = {}
    for action in literal | set(audit_labels.ACTIONS):
        kind = action.partition(".")[0]
        table = audit_labels.KINDS.get(kind, kind + "s")
        table = table if table in audit_labels.ENTITIES else None
        states = audit_labels._enum_of(table, "status")
        actions[action] = (table, states, None)
    for model, lifecycle in LIFECYCLES.items():
        if not lifecycle.audited:
            continue
        states = audit_labels._enum_of(model.__tablename__, "status")
        for step in lifecycle.moves.values():
            action = f"{lifecycle.name}.{step.target.value}"
            actions[action] = (model.__tablename__, states, step.target.value)
    return actions


def test_the_collector_knows_every_f_string_and_finds_the_actions():
    found, unknown = _written_actions()
    assert unknown == [], "spell these actions out in F_STRINGS"
    assert {"expense.record", "registration.promote", "plan.comment"} <= found
    assert {"village.create", "test_type.update"} <= found


def _entry(number: int, action: str, table: str | None, changes: dict) -> AuditEntry:
    return AuditEntry(
        id=number,
        centre_id=1,
        actor_id=None,
        at=datetime(2026, 10, 5, 9, 30, tzinfo=UTC),
        action=action,
        entity_type=table or "participants",
        entity_id=None,  # no link to a record's history: the page of the test has no records
        changes=changes,
    )


def _samples():
    for number, (action, (table, states, target)) in enumerate(sorted(every_action().items())):
        changes: dict = {name: {"old": None, "new": value} for name, value in AMOUNTS.items()}
        raw: list[str] = []
        if states is not None:
            members = [member.value for member in states]
            new = target or members[-1]
            old = next(value for value in members if value != new)
            changes["status"] = {"old": old, "new": new}
            raw = members
        yield _entry(number + 1, action, table, changes), raw


def _values_shown(changes: str) -> list[str]:
    """The old and new values of each line of an entry's changes, as the reader sees them."""
    shown = []
    for tail in re.findall(r'<span class="audit-field">.*?:</span>(.*?)</li>', changes, re.S):
        tail = re.sub(r'<span class="visually-hidden">.*?</span>', "", tail)
        shown += [part.strip() for part in tail.split('<span aria-hidden="true">→</span>')]
    assert shown
    return shown


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_every_action_shows_states_in_words_and_amounts_as_money(app, locale):
    samples = list(_samples())
    assert len(samples) > 100  # the collector found the trail's actions, not a handful
    with app.test_request_context("/"), force_locale(locale):
        entries = app.jinja_env.get_template("staff/audit/_audit_entries.html").module.entries
        for entry, raw in samples:
            page = Page([Row(entry, None, None)], None)
            html = str(entries(page, audit_labels, False))
            changes = html.split('class="audit-changes"', 1)[1]
            for shown in _values_shown(changes):
                assert shown not in raw, (entry.action, shown)
            for name, grosze in AMOUNTS.items():
                assert str(grosze) not in changes, entry.action
                assert money(grosze) in changes, entry.action
                assert name not in changes, entry.action
                assert "grosze" not in changes, entry.action


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_a_state_reads_as_its_label_and_an_amount_as_money(app, locale):
    with app.test_request_context("/"), force_locale(locale):
        lines = audit_labels.changes_of(
            {
                "status": {"old": "submitted", "new": "approved"},
                "amount_grosze": {"old": None, "new": 45000},
                "kind": {"old": None, "new": "periodic"},
            },
            "allowances",
        )
        from portal.models.enums import AllowanceKind, AllowanceStatus

        assert lines == [
            (str(audit_labels.FIELDS["status"]), AllowanceStatus.SUBMITTED.label,
             AllowanceStatus.APPROVED.label),
            (str(audit_labels.FIELDS["amount_grosze"]), None, money(45000)),
            (str(audit_labels.FIELDS["kind"]), None, AllowanceKind.PERIODIC.label),
        ]  # fmt: skip
        assert "450" in money(45000)
