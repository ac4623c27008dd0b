"""Driving the kept-text pages as a browser does: forms read off the page, CSRF on, the clock
moved past the idle sign-out (auth/kept.py, auth/idle.py)."""

import logging
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from freezegun import freeze_time

from tests.helpers import PASSWORD


class _Forms(HTMLParser):
    """Every form on a page: its action and its inputs (name, value) in order."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action") or "", []))
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1][1].append((attributes["name"], attributes.get("value") or ""))


def form(page: str, action_ends_with: str) -> list[tuple[str, str]]:
    """The inputs of the first form on `page` posting to an address ending so."""
    parser = _Forms()
    parser.feed(page)
    found = [fields for action, fields in parser.forms if action.endswith(action_ends_with)]
    assert found, f"no form posting to {action_ends_with}"
    return found[0]


def as_data(pairs) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


def token(page: str) -> str:
    """The page's CSRF token (of its first form that has one)."""
    parser = _Forms()
    parser.feed(page)
    for _action, fields in parser.forms:
        for name, value in fields:
            if name == "csrf_token":
                return value
    raise AssertionError("no CSRF token on the page")


def sign_in(client, who: str, password: str = PASSWORD):
    """The sign-in form as a browser sends it, with its token (CSRF on)."""
    page = client.get("/auth/login").get_data(as_text=True)
    return client.post(
        "/auth/login", data={"csrf_token": token(page), "email": who, "password": password}
    )


def resume(client, page: str, who: str, password: str = PASSWORD):
    """Sign in again on the page that kept the text; the next page comes back."""
    fields = [(n, v) for n, v in form(page, "/auth/resume") if n not in ("email", "password")]
    return client.post(
        "/auth/resume", data=as_data([*fields, ("email", who), ("password", password)])
    )


def send_again(client, page: str, action: str):
    """Press "Send it" on the page showing the kept text."""
    return client.post(action, data=as_data(form(page, action)))


def after_idle(app, extra: timedelta = timedelta(minutes=1)):
    """The clock moved past the idle sign-out (and `extra` beyond)."""
    return freeze_time(datetime.now(UTC) + app.config["PERMANENT_SESSION_LIFETIME"] + extra)


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextmanager
def raw_log():
    """Every line the portal and the libraries it logs through write, as logged: ahead of the
    app's own handler (whose privacy filter would mask a PESEL before anyone else saw it), on the
    loggers themselves (they do not propagate to pytest's caplog), down to DEBUG."""
    lines = _Lines()
    loggers = [logging.getLogger(name) for name in ("portal", "werkzeug", "flask_wtf")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.handlers.insert(0, lines)
        logger.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(lines)
            logger.setLevel(level)
