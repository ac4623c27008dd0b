"""Helpers shared by the test modules: messages in the portal's language, form fields, logs."""

import io
import logging
import re
from contextlib import contextmanager

from flask_babel import force_locale, gettext
from markupsafe import escape


def translated(app, msgid: str, *, locale: str = "pl", html: bool = True, **params) -> str:
    """`msgid` as the portal shows it in `locale` (escaped as on a page unless html=False).

    Tests assert on what the person reads, whatever state the catalogue is in.
    """
    with app.test_request_context(), force_locale(locale):
        text = gettext(msgid, **params)
    return str(escape(text)) if html else text


def input_tag(page: str, name: str) -> str:
    """The <input> element named `name` in a rendered page."""
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert match, f"no input named {name}"
    return match.group(0)


@contextmanager
def app_log():
    """What the app's own log handler writes (it does not propagate to pytest's caplog)."""
    handler = logging.getLogger("portal").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)
