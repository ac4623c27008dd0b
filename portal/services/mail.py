"""The e-mail outbox: messages are queued inside the change's transaction and sent later, once."""

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import or_, select, update

from portal import database
from portal.extensions import db
from portal.models import OutboxMessage
from portal.models.base import utcnow

log = logging.getLogger(__name__)

# A claim older than this belongs to a sender that died; the message is tried again.
STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 10


def queue(
    to: str,
    template: str,
    *,
    locale: str | None,
    centre_id: int | None,
    attachment: tuple[str, str] | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render `templates/mail/<template>.txt` in the recipient's language and queue it, with
    an optional text `attachment` (file name, content), e.g. an event's .ics."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        rendered = current_app.jinja_env.get_template(f"mail/{template}.txt").render(**context)
    subject, _, body = rendered.strip().partition("\n")
    message = OutboxMessage(
        centre_id=centre_id, to_address=to, subject=subject.strip()[:200], body=body.strip() + "\n"
    )
    if attachment is not None:
        message.attachment_name, message.attachment_body = attachment
    db.session.add(message)
    return message


def pending(*, limit: int = 100) -> list[int]:
    """The messages still to send, oldest first; a message failing too often is left alone."""
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def claim(message_id: int, *, now: datetime) -> bool:
    """Take the message for this sender; a parallel sender's claim makes this return False.

    The caller commits the claim before sending, so that other senders see it.
    """
    changed = database.rows_changed(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - STALE_CLAIM),
        )
        .values(claimed_at=now, attempts=OutboxMessage.attempts + 1),
    )
    return changed == 1


def send_claimed(message_id: int) -> bool:
    """Send a claimed message and note the outcome on it; False when the server refused it
    (the claim is released so a later run tries again)."""
    message = db.session.get_one(OutboxMessage, message_id)
    try:
        _send(message)
    except (OSError, smtplib.SMTPException) as error:
        message.claimed_at = None
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        return False
    message.sent_at = utcnow()
    message.last_error = None
    return True


def _send(message: OutboxMessage) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        # Development: the message goes to the log instead of a mail server.
        log.info(
            "mail to=%s subject=%s body=%s attachment=%s",
            message.to_address,
            message.subject,
            message.body,
            message.attachment_name,
        )
        return
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body)
    if message.attachment_name and message.attachment_body is not None:
        subtype = "calendar" if message.attachment_name.endswith(".ics") else "plain"
        email.add_attachment(
            message.attachment_body, subtype=subtype, filename=message.attachment_name
        )
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)
