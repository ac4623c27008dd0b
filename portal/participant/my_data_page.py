""" "My data" readable: the same content as the downloadable file (`personal_data.export`), in
plain words and labels in the reader's language, as a page and as a PDF; the machine-readable
JSON stays beside them (`/me/my-data.json`).

The PDF is made in the reader's language, unlike the documents of `portal.pdf` (always Polish,
signed by Polish parties): it is a copy of their data for the person, not a document of the
centre, so it is rendered here under the request's locale with WeasyPrint directly.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Boolean, Enum, TypeDecorator, inspect
from sqlalchemy.types import TypeEngine
from weasyprint import HTML

from portal.formatting import date_time, iso_date, money, month, short_date
from portal.models import (
    Allowance,
    CaseworkEntry,
    Consent,
    CounsellingSession,
    CourseAssignment,
    DiagnosisTest,
    Instalment,
    Participant,
    Placement,
    PlacementDay,
    Registration,
    SocialContract,
)
from portal.models.base import LabelledEnum
from portal.models.enums import ActionKind, ActionStatus, GoalStatus
from portal.participant.blueprint import _me, bp
from portal.participant.my_data_labels import FIELD_LABELS, SECTION_TITLES
from portal.services.audit import audit
from portal.services.privacy import personal_data

MODELS: dict[str, type] = {
    "participant": Participant,
    "event_registrations": Registration,
    "social_contracts": SocialContract,
    "allowances": Allowance,
    "instalments": Instalment,
    "diagnosis_tests": DiagnosisTest,
    "counselling_sessions": CounsellingSession,
    "courses": CourseAssignment,
    "casework_contacts": CaseworkEntry,
    "work_placements": Placement,
    "work_placement_days": PlacementDay,
    "consents": Consent,
}
MONTHS = frozenset({"first_month", "last_month", "month"})

# (label, value, whether the value is text people typed, in Polish: marked lang="pl")
Rows = list[tuple[str, str, bool]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    records: list[Rows]  # one list of (label, value) per record


def _label(key: str) -> str:
    return str(FIELD_LABELS[key]) if key in FIELD_LABELS else key.replace("_", " ")


def _value(model: type | None, key: str, value: Any) -> str:
    """A stored value as the reader's language writes it."""
    column = inspect(model).columns.get(key) if model is not None else None
    kind: TypeEngine[Any] | None = column.type if column is not None else None
    if isinstance(value, bool) or isinstance(kind, Boolean):
        return str(_("Yes") if value else _("No"))
    labelled = kind.enum_class if isinstance(kind, Enum) else None
    if labelled is not None and issubclass(labelled, LabelledEnum):
        try:
            return labelled(value).label
        except ValueError:
            return str(value)
    if key.endswith("_grosze") and isinstance(value, int):
        return money(value)
    python_type = _python_type(kind)
    if python_type is datetime and isinstance(value, str):
        return date_time(datetime.fromisoformat(value))
    if python_type is date and isinstance(value, str):
        day = date.fromisoformat(value)
        return month(day) if key in MONTHS else short_date(day)
    if key == "event_starts_at" and isinstance(value, str):
        return date_time(datetime.fromisoformat(value))
    return str(value)


def _python_type(kind: Any) -> type | None:
    """The Python type a column holds, through a TypeDecorator (UTCDateTime) to its impl."""
    if isinstance(kind, TypeDecorator):
        kind = kind.impl
    try:
        return kind.python_type if kind is not None else None
    except NotImplementedError:
        return None


def _rows(model: type | None, record: dict[str, Any]) -> Rows:
    # Database ids (id, event_id, …) mean nothing to the reader: the file keeps them.
    return [
        _row(_label(key), shown, shown == value and isinstance(value, str))
        for key, value in record.items()
        if key != "id" and not key.endswith("_id") and value not in (None, "", [])
        for shown in [_value(model, key, value)]
    ]


def _row(label: str, value: str, typed: bool = True) -> tuple[str, str, bool]:
    return (label, value, typed)


def _language(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def _plan_item(kind: str, item: dict[str, Any]) -> str:
    parts = []
    for key, value in item.items():
        if not value:
            continue
        if key == "status":
            enum = GoalStatus if kind == "goals" else ActionStatus
            parts.append(_enum_label(enum, value))
        elif key == "kind":
            parts.append(_enum_label(ActionKind, value))
        elif key in ("target_date", "due_date"):
            parts.append(f"{_label(key)} {iso_date(value)}")
        else:
            parts.append(str(value))
    return " · ".join(parts)


def _enum_label(enum: Any, value: str) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return value


def _plan(snapshot: dict[str, Any]) -> Rows:
    rows = []
    for key, value in snapshot.items():
        if not value:
            continue
        if key in ("goals", "actions"):
            for item in value:
                rows.append(_row(_label(key), _plan_item(key, item)))
        elif isinstance(value, list):
            rows.append(_row(_label(key), "; ".join(str(v) for v in value)))
        else:
            rows.append(_row(_label(key), str(value)))
    return rows


def readable(export: dict[str, Any]) -> list[Section]:
    """The export's sections in the file's order, each record as labelled values."""
    about = _rows(Participant, export["participant"])
    about += [
        _row(_label(key), str(export[key])) for key in ("village", "project") if export.get(key)
    ]
    sections = [Section("participant", str(SECTION_TITLES["participant"]), [about])]
    account = export.get("account")
    if account:
        rows = [_row(_label("email"), account["email"], False)]
        if account.get("language"):
            rows.append(_row(_label("language"), _language(account["language"]), False))
        sections.append(Section("account", str(SECTION_TITLES["account"]), [rows]))
    for key, model in MODELS.items():
        if key == "participant":
            continue
        records = [_rows(model, record) for record in export.get(key) or []]
        sections.append(Section(key, str(SECTION_TITLES[key]), records))
    plan = export.get("individual_plan_shared_with_you")
    key = "individual_plan_shared_with_you"
    sections.append(Section(key, str(SECTION_TITLES[key]), [_plan(plan)] if plan else []))
    return sections


@bp.get("/my-data")
def my_data_page() -> ResponseReturnValue:
    """Everything the centre holds about me, to read; `?format=pdf` gives the same as a PDF in
    the reader's language (audited like the data file, which stays at /me/my-data.json)."""
    person = _me()
    if request.args.get("format") == "pdf":
        audit.record("participant.data_export", person, actor=current_user)
        html = render_template(
            "participant/my_data_pdf.html",
            sections=readable(personal_data.export(person)),
            person=person,
        )
        return Response(
            HTML(string=html).write_pdf(),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{_("my-data")}.pdf"'},
        )
    return render_template(
        "participant/my_data.html", sections=readable(personal_data.export(person))
    )
