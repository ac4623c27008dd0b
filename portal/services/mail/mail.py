"""The e-mail outbox: messages are queued inside the change's transaction and sent later, once.

Never lost: a message leaves the outbox only when the server accepted it; while the server
refuses, it is tried again later and later (exponential backoff), and after MAX_ATTEMPTS it
waits, marked failed, for an administrator to try again.

Never sent twice: a sender claims the message (committed) before sending, so parallel senders
skip it. One gap no sender can close: a crash after the server accepted the message but before
the mark is committed. The claim then goes stale and the message is sent again, with the same
Message-ID header, fixed when it was queued: receiving mail systems and clients recognise (and
drop) a second copy by its Message-ID. That is the idempotency key of the delivery.
"""

import logging
import re
import smtplib
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, event, or_, select, update

from portal import database
from portal.extensions import db
from portal.models import OutboxMessage, User
from portal.models.base import utcnow
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.common.links import site_domain

log = logging.getLogger(__name__)

# A claim older than this belongs to a sender that died; the message is tried again.
STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 10
# The wait after the n-th failed attempt: FIRST_RETRY * 2^(n-1), at most LONGEST_WAIT.
# Ten attempts span about a day and a half: an outage over a weekend night is waited out.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=8)


def new_message_id() -> str:
    """A globally unique Message-ID in the portal's own domain (RFC 5322 msg-id)."""
    return f"<{uuid.uuid4().hex}@{site_domain()}>"


@event.listens_for(OutboxMessage, "before_insert")
def _give_message_id(_mapper: Any, _connection: Any, message: OutboxMessage) -> None:
    # Whoever adds a message to the outbox, it gets its Message-ID once, when it is queued.
    if not message.message_id:
        message.message_id = new_message_id()


def retry_wait(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt before the next one."""
    wait: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(wait, LONGEST_WAIT)


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


def _due(now: datetime) -> Any:
    # The count of attempts also stops a message that kills its sender every time (the claim
    # goes stale, no failure is ever noted): it stops after MAX_ATTEMPTS like any other.
    return and_(
        OutboxMessage.attempts < MAX_ATTEMPTS,
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
    )


def pending(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """The messages due to be sent, oldest first; one waiting out its backoff, or failed
    for good, is left alone."""
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                _due(now or utcnow()),
            )
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
            OutboxMessage.failed_at.is_(None),
            _due(now),
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - STALE_CLAIM),
        )
        .values(claimed_at=now, attempts=OutboxMessage.attempts + 1),
    )
    return changed == 1


def send_claimed(message_id: int, *, now: datetime | None = None) -> bool:
    """Send a claimed message and note the outcome on it; False when the server refused it
    (the claim is released and the next attempt set later, or the message marked failed)."""
    # Read apart, so that no write lock (SQLite) is held through a slow or dead mail server:
    # the portal's own writes would otherwise wait for it and time out.
    with database.read_apart(db.engine) as connection:
        content = connection.execute(
            select(OutboxMessage.__table__).where(OutboxMessage.id == message_id)
        ).one()
    try:
        _send(content)
    except (OSError, smtplib.SMTPException) as error:
        _note_failure(db.session.get_one(OutboxMessage, message_id), error, now=now or utcnow())
        return False
    mark_sent(db.session.get_one(OutboxMessage, message_id))
    return True


def _note_failure(message: OutboxMessage, error: Exception, *, now: datetime) -> None:
    message.claimed_at = None
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.failed_at = now
        message.next_attempt_at = None
        log.error("mail %s failed for good after %d attempts", message.id, message.attempts)
    else:
        message.next_attempt_at = now + retry_wait(message.attempts)


def mark_sent(message: OutboxMessage) -> None:
    message.sent_at = utcnow()
    message.last_error = None
    message.next_attempt_at = None


class AlreadySent(PortalError):
    message = _l("This message has already been delivered.")


def undelivered(*, limit: int = 200) -> list[OutboxMessage]:
    """Messages not delivered yet that have failed at least once: failed ones first."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0)
            .order_by(OutboxMessage.failed_at.is_(None), OutboxMessage.id)
            .limit(limit)
        )
    )


def retry(message_id: int, *, actor: User, now: datetime) -> OutboxMessage:
    """Put an undelivered message back in the queue, due now, with a fresh count of attempts.

    A claim is left as it is: a sender busy with the message right now keeps it to itself.
    """
    message = loading.found(db.session.get(OutboxMessage, message_id))
    if message.sent_at is not None:
        raise AlreadySent()
    if message.attempts == 0 and message.failed_at is None:
        return message  # never tried yet: it is already due, there is nothing to change
    changes = {
        "attempts": (message.attempts, 0),
        "failed_at": (message.failed_at, None),
        "next_attempt_at": (message.next_attempt_at, now),
    }
    changed = database.rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.sent_at.is_(None))
        .values(attempts=0, failed_at=None, next_attempt_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if changed != 1:  # a sender delivered it meanwhile
        raise AlreadySent()
    audit.record("outbox.retry", message, actor=actor, changes=changes, at=now)
    return message


_ADDRESS = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)")


def masked_address(text: str) -> str:
    """E-mail addresses in `text` with the local part hidden: jan.k@x.pl -> j***@x.pl."""
    return _ADDRESS.sub(r"\1***@\2", text)


def _send(message: Any) -> None:
    """Send one message: `message` has the outbox's columns as attributes."""
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
    email["Message-ID"] = message.message_id
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
