"""PDF documents rendered by WeasyPrint from Jinja templates, always in Polish.

A contract, a plan, an attendance list or a payment list is signed by Polish parties, so it is
rendered in Polish whatever the language of the person printing it: the template runs under
`force_locale("pl")`, which makes the labels, enum names, money and dates Polish.

Every document extends `templates/pdf/_document.html`, which frames it with a `Frame`: the
centre's name and address, the record's own project (title, number, programme), the EU funding
marking, the place and date, the document's identifier and version, the time it was generated,
and "Strona X z Y" on every page.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Response, render_template
from flask_babel import force_locale
from weasyprint import HTML

from portal.extensions import db
from portal.models import Centre, Project
from portal.models.base import utcnow
from portal.services.common.dates import local_date, to_local

DOCUMENT_LOCALE = "pl"


@dataclass(frozen=True)
class Frame:
    """What stands around every document: who issues it, for which project, where and when."""

    centre: Centre
    # The record's own project(s): never another programme period's.
    projects: tuple[Project, ...]
    # The date beside the place ("Janów Lubelski, 29.11.2026"); the day of printing if None.
    dated: date | None = None
    # The record's version (its optimistic-lock counter), where it has one.
    version: int | None = None


def frame_of(
    centre_id: int,
    projects: Iterable[Project | None],
    *,
    dated: date | None = None,
    version: int | None = None,
) -> Frame:
    """The frame of a document of the centre, naming each distinct project once."""
    distinct: dict[int, Project] = {}
    for project in projects:
        if project is not None:
            distinct.setdefault(project.id, project)
    return Frame(
        centre=db.session.get_one(Centre, centre_id),
        projects=tuple(sorted(distinct.values(), key=lambda p: p.id)),
        dated=dated,
        version=version,
    )


def numeric_date(value: date) -> str:
    """A date as Polish documents write it beside the place: 29.11.2026."""
    return value.strftime("%d.%m.%Y")


def render_pdf(
    template: str, filename: str, *, frame: Frame | None = None, **context: Any
) -> bytes:
    """The document as PDF bytes, in Polish; `filename` (without .pdf) is its identifier."""
    generated_at = to_local(utcnow())
    with force_locale(DOCUMENT_LOCALE):
        html = render_template(
            template,
            frame=frame,
            document_id=filename.removesuffix(".pdf"),
            generated_at=generated_at,
            issued_on=(frame.dated if frame and frame.dated else local_date(generated_at)),
            numeric_date=numeric_date,
            **context,
        )
    document: bytes = HTML(string=html).write_pdf()
    return document


def pdf_response(
    template: str, filename: str, *, frame: Frame | None = None, **context: Any
) -> Response:
    return Response(
        render_pdf(template, filename, frame=frame, **context),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
