"""The e-mail outbox: messages written with the change that caused them, sent after commit."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow


class OutboxMessage(Base):
    """An e-mail written in the transaction of the change that caused it; sent later, once."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The Message-ID header, fixed when queued: a resend after a crash between the server's
    # acceptance and the mark carries the same one, so the receiving side can drop the copy.
    message_id: Mapped[str] = mapped_column(String(250), unique=True, index=True)
    # While the mail server refuses, each attempt waits longer (exponential backoff).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the last allowed attempt failed: the message waits for an administrator.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One optional text attachment (an event's .ics), sent with the message.
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_body: Mapped[str | None] = mapped_column(Text)
