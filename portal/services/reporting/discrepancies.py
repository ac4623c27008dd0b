"""The check's findings for a reader, and the explanations a report is closed with.

`figures_check` finds discrepancies as rules and record ids; this module words them in the
reader's language (the check page) or in Polish (the annex of the PDF and DOCX), keys each one so
that a written explanation stays attached to it, and freezes the explained list into a closed
report: the annex prints what was found and explained on the day of closing, not what a later
check would find.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.formatting import money
from portal.services.reporting.figures_check import Discrepancy, Record

EXPLANATION_MAX = 2000

# What each rule means, said to the coordinator who signs the report.
RULES: dict[str, Any] = {
    "counted-without-support": _l(
        "Counted in the report as supported, but no support delivered to this person in the "
        "stage was found."
    ),
    "support-not-counted": _l(
        "Received support in the stage, but the report does not count this person."
    ),
    # A paid one too: the money left after the end, and the centre may have to recover it.
    "instalment-after-end": _l(
        "An allowance instalment, due or already paid, falls after the person's contract or "
        "participation ended."
    ),
    "attended-before-start": _l("Attendance was recorded before the event began."),
    "held-before-start": _l("The event is marked as held before it began."),
    "course-place-at-zero": _l(
        "A course place costs 0 zł although the course catalogue gives a price."
    ),
    "line-committed": _l(
        "The budget line's committed amount differs from the sum of what is charged to it."
    ),
    "line-paid": _l("The budget line's paid amount differs from the sum of what was paid from it."),
}

# A record's name on the page and in the annex; ids only, never a person's name or PESEL.
RECORD_NAMES: dict[str, Any] = {
    "participant": _l("participant no. %(id)s"),
    "social_contract": _l("social contract no. %(id)s"),
    "allowance": _l("allowance request no. %(id)s"),
    "instalment": _l("instalment no. %(id)s"),
    "event": _l("event no. %(id)s"),
    "registration": _l("registration no. %(id)s"),
    "course": _l("course no. %(id)s"),
    "course_assignment": _l("course place no. %(id)s"),
    "diagnosis_test": _l("diagnosis test no. %(id)s"),
    "counselling_session": _l("counselling session no. %(id)s"),
    "casework_entry": _l("casework entry no. %(id)s"),
    "placement": _l("placement no. %(id)s"),
    "budget_line": _l("budget line no. %(id)s"),
}


def key(found: Discrepancy) -> str:
    """Stable while the same rule finds the same records: an explanation written on the close
    page belongs to exactly that finding."""
    named = ",".join(str(record) for record in found.records)
    return hashlib.sha256(f"{found.rule}|{named}".encode()).hexdigest()[:16]


def record_name(record: Record) -> str:
    return str(RECORD_NAMES.get(record.kind, _l("record no. %(id)s"))) % {"id": record.id}


def meaning(found: Discrepancy) -> str:
    return str(RULES.get(found.rule, found.rule))


def facts(found: Discrepancy) -> str:
    """The dates and amounts behind a finding, in the reader's language ("" when none)."""
    match dict(found.values):
        case {"month": date() as month, "ended": date() as ended}:
            text = _(
                "Instalment for %(month)s; the entitlement ended on %(ended)s.",
                month=format_date(month, "LLLL yyyy"),
                ended=format_date(ended),
            )
        case {"price": int() as price}:
            text = _("Catalogue price: %(price)s.", price=money(price))
        case {"stated": int() as stated, "charged": int() as charged}:
            text = _(
                "The line states %(stated)s; its charges add up to %(charged)s.",
                stated=money(stated),
                charged=money(charged),
            )
        case _:
            text = ""
    return str(text)


@dataclass(frozen=True)
class Explained:
    """A finding as the closed report keeps it: what was found, and why it stands."""

    found: Discrepancy
    explanation: str


def unexplained(found: list[Discrepancy], explanations: Mapping[str, str]) -> list[Discrepancy]:
    return [each for each in found if not explanations.get(key(each), "").strip()]


def to_json(found: list[Discrepancy], explanations: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "rule": each.rule,
            "records": [[record.kind, record.id] for record in each.records],
            "values": [
                [name, value.isoformat() if isinstance(value, date) else value]
                for name, value in each.values
            ],
            "explanation": explanations[key(each)].strip(),
        }
        for each in found
    ]


def from_json(stage_id: int, kept: list[dict[str, Any]] | None) -> list[Explained]:
    def value(name: str, raw: Any) -> date | int:
        return date.fromisoformat(raw) if name in ("month", "ended") else int(raw)

    return [
        Explained(
            Discrepancy(
                entry["rule"],
                stage_id,
                tuple(Record(kind, int(record_id)) for kind, record_id in entry["records"]),
                values=tuple((name, value(name, raw)) for name, raw in entry["values"]),
            ),
            entry["explanation"],
        )
        for entry in kept or []
    ]
