"""Logging that never carries a PESEL, and whose lines cannot be forged with CR/LF."""

import logging
import re

from flask import Flask, g, has_request_context

_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")


def _escape(value: object) -> object:
    if isinstance(value, str):
        return value.replace("\r", "\\r").replace("\n", "\\n")
    return value


class PrivacyFilter(logging.Filter):
    """Escapes line breaks in interpolated values and masks anything shaped like a PESEL."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_escape(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _escape(value) for key, value in record.args.items()}
        record.msg = _ELEVEN_DIGITS.sub("[pesel]", record.getMessage())
        record.args = None
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


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
