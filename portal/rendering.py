"""Templates display what the view loaded; they never load more (docs/architecture.md).

A template that reads a relationship the view's queries did not load makes SQLAlchemy run one
SELECT per row behind the page's back, which is how a page's cost grows with
the centre. With `REFUSE_LAZY_LOADS_IN_TEMPLATES` on (the test suite, development), such a load
raises `LazyLoadInTemplate` naming the attribute and the template, so the page's query is fixed
(selectinload, joinedload, or the few columns it shows) before the page ships. A relationship
whose object is already in the session (a many-to-one by primary key) costs no statement and is
allowed, as with SQLAlchemy's own `lazy="raise_on_sql"`. It watches the pages of requests
that only read (GET, HEAD): every page a link reaches.
"""

from contextvars import ContextVar
from typing import Any

from flask import Flask, before_render_template, template_rendered
from jinja2 import Template
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from portal import database

# The template being rendered in this context, while the refusal is on; None otherwise.
_rendering: ContextVar[str | None] = ContextVar("portal_rendering", default=None)
# Set once a template was refused: the error page that follows may read what the rollback
# expired, and the first refusal is the one to read.
_refused: ContextVar[bool] = ContextVar("portal_lazy_load_refused", default=False)


class LazyLoadInTemplate(RuntimeError):
    """A template made the ORM run a statement: its view should have loaded what it shows."""


def init_app(app: Flask) -> None:
    if not app.config.get("REFUSE_LAZY_LOADS_IN_TEMPLATES"):
        return
    before_render_template.connect(_starts, app, weak=False)
    template_rendered.connect(_ends, app, weak=False)
    # A template that raised never sends template_rendered: no later statement of the request
    # (the error page, the rollback) may be taken for the template's.
    app.teardown_request(_request_ends)


def _request_ends(_error: BaseException | None) -> None:
    _rendering.set(None)
    _refused.set(False)


def _starts(_app: Flask, *, template: Template, **_context: Any) -> None:
    # Pages that only read. A form sent back with its errors follows a rollback, which expired
    # everything loaded: reloading it then is the refusal's price, not the page's design.
    if database.serving_reads_only() and not _refused.get():
        _rendering.set(template.name or "a template")


def _ends(_app: Flask, **_context: Any) -> None:
    _rendering.set(None)


@event.listens_for(Session, "do_orm_execute")
def _refuse_lazy_loads(state: ORMExecuteState) -> None:
    template = _rendering.get()
    if template is None or not state.is_select:
        return
    if state.lazy_loaded_from is not None:
        _rendering.set(None)
        _refused.set(True)
        path = state.loader_strategy_path
        what = str(path.natural_path[-1]) if path else "a relationship"
        raise LazyLoadInTemplate(f"{template} lazy loaded {what}: load it in the view's query")
