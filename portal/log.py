"""Logging that never carries a PESEL, and whose lines cannot be forged with CR/LF."""

import logging
import re

from flask import Flask, g, has_request_context
from gunicorn import glogging
from gunicorn.config import Config

_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")


def _escape(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _mask(text: str) -> str:
    return _ELEVEN_DIGITS.sub("[pesel]", text)


class PrivacyFilter(logging.Filter):
    """Escapes line breaks in the message and masks anything shaped like a PESEL.

    The whole formatted message is escaped, whatever the type of the values put into it (an
    exception's text can carry a line break too). Tracebacks are masked as well: a database
    error's text carries the statement's parameters.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _mask(_escape(record.getMessage()))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _mask(record.exc_text)
        if record.stack_info:
            record.stack_info = _mask(record.stack_info)
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class GunicornLogger(glogging.Logger):
    """gunicorn's own logs, the access log included, through the same privacy filter.

    A URL can carry a PESEL (a link someone shared, a search typed into the address bar): the
    access log masks it like every other line.
    """

    def setup(self, cfg: Config) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            logger.addFilter(PrivacyFilter())


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    )
    handler.addFilter(PrivacyFilter())
    for name in ("portal", app.logger.name, "werkzeug", "gunicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
