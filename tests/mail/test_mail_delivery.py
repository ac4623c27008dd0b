"""Mail is never lost and never sent twice: a real SMTP server (aiosmtpd) that goes down and up.

The idempotency of delivery is the Message-ID: fixed when the message is queued and sent as
its header, so the one unavoidable resend (the sender dies after the server accepted the
message, before the mark is committed) is recognisably the same message, which receiving mail
systems and clients drop. The tests count deliveries per Message-ID.
"""

import socket
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from freezegun import freeze_time
from sqlalchemy import func, select

from portal.cli import deliver_outbox
from portal.extensions import db
from portal.models import AuditEntry, OutboxMessage
from portal.models.enums import Role
from portal.services.mail import mail
from tests.helpers import translated

# The SMTP server's event loop runs in its own thread and keeps the real clock.
FROZEN_BUT_NOT = ["asyncio", "aiosmtpd"]


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.received: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.received.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def ids(self) -> Counter:
        return Counter(message["Message-ID"] for message in self.received)


class SmtpServer:
    """A mail server on a fixed free port that the test stops and starts."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    server = SmtpServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False)
    app.config["BASE_URL"] = "https://portal.example.org"
    yield server
    server.stop()


def queue(app, count: int) -> dict[int, str]:
    """`count` messages queued; their Message-IDs by id."""
    with app.app_context():
        messages = [
            mail.queue(
                f"osoba{n}@example.org",
                "invitation",
                locale="pl",
                centre_id=None,
                user=type("U", (), {"first_name": "Bożydar"}),
                centre=None,
                days=7,
                url="https://portal.example.org/x",
            )
            for n in range(count)
        ]
        db.session.commit()
        return {message.id: message.message_id for message in messages}


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return list(rows)


def later(minutes: float):
    return freeze_time(datetime.now(UTC) + timedelta(minutes=minutes), ignore=FROZEN_BUT_NOT)


def test_mail_waits_out_a_server_outage_with_backoff_and_arrives_once(app, runner, smtp):
    ids = queue(app, 3)
    assert all(i.startswith("<") and i.endswith("@portal.example.org>") for i in ids.values())
    assert len(set(ids.values())) == 3

    # The server is down: every attempt fails, is counted, and the next one is put off.
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "Sent 0, failed 3." in result.output
    for message in outbox(app):
        assert (message.sent_at, message.claimed_at, message.attempts) == (None, None, 1)
        assert "ConnectionRefusedError" in message.last_error
        wait = message.next_attempt_at - datetime.now(UTC)
        assert timedelta(seconds=50) < wait <= mail.FIRST_RETRY

    # Not due yet: a run within the minute does not touch them.
    assert "Sent 0, failed 0." in runner.invoke(args=["send-mail"]).output
    assert [m.attempts for m in outbox(app)] == [1, 1, 1]

    # Still down two minutes later: the second wait is twice the first.
    with later(2):
        assert runner.invoke(args=["send-mail"]).exit_code == 1
        for message in outbox(app):
            assert message.attempts == 2
            assert message.next_attempt_at == datetime.now(UTC) + 2 * mail.FIRST_RETRY

    smtp.start()
    with later(5):
        result = runner.invoke(args=["send-mail"])
        assert "Sent 3, failed 0." in result.output
        assert "Sent 0, failed 0." in runner.invoke(args=["send-mail"]).output

    # Each message exactly once, with the Message-ID it was given when queued.
    assert smtp.inbox.ids() == Counter(ids.values())
    assert {m["To"] for m in smtp.inbox.received} == {f"osoba{n}@example.org" for n in range(3)}
    for message in outbox(app):
        assert message.sent_at is not None
        assert (message.last_error, message.next_attempt_at) == (None, None)
        assert message.message_id == ids[message.id]


def test_backoff_grows_to_its_ceiling():
    waits = [mail.retry_wait(n) for n in range(1, mail.MAX_ATTEMPTS + 1)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(waits) == mail.LONGEST_WAIT
    assert waits == sorted(waits)


def test_a_crash_between_acceptance_and_the_mark_resends_the_same_message_id(
    app, runner, smtp, monkeypatch
):
    [(_message_id, header)] = queue(app, 1).items()
    smtp.start()

    def sender_dies(_message):
        raise SystemExit("killed after the server accepted the message")

    monkeypatch.setattr(mail, "mark_sent", sender_dies)
    result = runner.invoke(args=["send-mail"])
    assert isinstance(result.exception, SystemExit)
    monkeypatch.undo()
    [message] = outbox(app)
    # The claim was committed before sending; the mark never was.
    assert message.sent_at is None
    assert message.claimed_at is not None
    assert smtp.inbox.ids() == Counter([header])

    # The claim still looks alive: another run leaves the message alone.
    assert "Sent 0, failed 0." in runner.invoke(args=["send-mail"]).output
    # Once the claim is stale, the message goes again: the same Message-ID.
    with later(mail.STALE_CLAIM.total_seconds() / 60 + 1):
        assert "Sent 1, failed 0." in runner.invoke(args=["send-mail"]).output
    assert smtp.inbox.ids() == Counter({header: 2})
    # What the receiving side keeps when it drops copies by Message-ID: one message.
    assert len({m["Message-ID"] for m in smtp.inbox.received}) == 1
    [message] = outbox(app)
    assert message.sent_at is not None


def test_parallel_senders_never_send_a_message_twice(app, smtp):
    ids = queue(app, 30)
    smtp.start()

    def sender(_n):
        with app.app_context():
            try:
                return deliver_outbox(limit=100)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(sender, range(4)))

    assert sum(sent for sent, _failed in outcomes) == 30
    assert sum(failed for _sent, failed in outcomes) == 0
    assert smtp.inbox.ids() == Counter(ids.values())
    assert all(message.sent_at is not None for message in outbox(app))


def failed_for_good(app, runner) -> int:
    """One message whose last allowed attempt fails now (the server is down)."""
    [(message_id, _header)] = queue(app, 1).items()
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        message.attempts = mail.MAX_ATTEMPTS - 1
        db.session.commit()
    assert runner.invoke(args=["send-mail"]).exit_code == 1
    [message] = outbox(app)
    assert message.attempts == mail.MAX_ATTEMPTS
    assert message.failed_at is not None
    assert message.next_attempt_at is None
    return message_id


def test_after_the_last_attempt_the_message_waits_for_the_administrator(
    app, runner, smtp, client, login_as, make_user
):
    message_id = failed_for_good(app, runner)
    # Failed for good: however much later, no sender takes it.
    with later(24 * 60):
        assert "Sent 0, failed 0." in runner.invoke(args=["send-mail"]).output

    make_user(Role.ADMIN, email="admin@example.org")
    login_as("admin@example.org")
    page = client.get("/staff/outbox").get_data(as_text=True)
    assert "o***@example.org" in page
    assert "osoba0@example.org" not in page  # the recipient is masked
    assert "Bożydar" not in page  # nothing of the message itself
    assert "ConnectionRefusedError" in page
    assert translated(app, "Failed: waits for you") in page

    response = client.post(f"/staff/outbox/{message_id}/retry")
    assert response.status_code == 302
    [message] = outbox(app)
    assert (message.attempts, message.failed_at) == (0, None)
    with app.app_context():
        [entry] = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "outbox.retry")
        ).all()
        assert entry.entity_id == message_id
        assert entry.changes["attempts"] == {"old": mail.MAX_ATTEMPTS, "new": 0}

    smtp.start()
    assert "Sent 1, failed 0." in runner.invoke(args=["send-mail"]).output
    assert len(smtp.inbox.received) == 1
    assert translated(app, "Every message has been delivered.") in client.get(
        "/staff/outbox"
    ).get_data(as_text=True)
    # A delivered message is not sent again by a late click.
    client.post(f"/staff/outbox/{message_id}/retry")
    assert outbox(app)[0].attempts == 1


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SOCIAL_WORKER, Role.ADVISOR])
def test_only_the_installation_administrator_sees_and_retries(
    app, runner, smtp, client, login_as, make_user, role
):
    message_id = failed_for_good(app, runner)
    make_user(role, email="staff@example.org")
    login_as("staff@example.org")
    assert client.get("/staff/outbox").status_code in (403, 404)
    assert client.post(f"/staff/outbox/{message_id}/retry").status_code in (403, 404)
    [message] = outbox(app)
    assert message.failed_at is not None
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "outbox.retry")
            )
            == 0
        )


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    response = client.get("/staff/outbox")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_send_mail_loop_keeps_sending_until_stopped(app, runner, smtp, monkeypatch):
    smtp.start()
    queue(app, 2)
    rounds = []

    def sleep(seconds):
        rounds.append(seconds)
        if len(rounds) == 1:
            queue(app, 1)  # queued while the sender sleeps: the next round takes it
            return
        raise KeyboardInterrupt

    monkeypatch.setattr("portal.cli.time.sleep", sleep)
    result = runner.invoke(args=["send-mail", "--loop", "--interval", "5"])
    assert result.exit_code == 0, result.output
    assert rounds == [5, 5]
    assert "Sent 2, failed 0." in result.output
    assert "Sent 1, failed 0." in result.output
    assert len(smtp.inbox.received) == 3


def test_retrying_a_message_never_tried_changes_nothing(app, client, login_as, make_user):
    [(message_id, _header)] = queue(app, 1).items()
    make_user(Role.ADMIN, email="admin@example.org")
    login_as("admin@example.org")
    assert client.post(f"/staff/outbox/{message_id}/retry").status_code == 302
    [message] = outbox(app)
    assert (message.attempts, message.next_attempt_at, message.failed_at) == (0, None, None)
    with app.app_context():
        retries = select(func.count()).where(AuditEntry.action == "outbox.retry")
        assert db.session.scalar(retries) == 0


def test_a_message_that_kills_its_sender_every_time_stops_after_the_last_attempt(
    app, runner, smtp, monkeypatch, client, login_as, make_user
):
    [(message_id, _header)] = queue(app, 1).items()
    with app.app_context():
        db.session.get(OutboxMessage, message_id).attempts = mail.MAX_ATTEMPTS - 1
        db.session.commit()

    def sender_dies(_message):
        raise SystemExit("the sender dies on this message")

    monkeypatch.setattr(mail, "_send", sender_dies)
    assert isinstance(runner.invoke(args=["send-mail"]).exception, SystemExit)
    monkeypatch.undo()
    smtp.start()
    # Its claim goes stale, but its attempts are spent: no sender takes it again.
    with later(mail.STALE_CLAIM.total_seconds() / 60 + 1):
        assert "Sent 0, failed 0." in runner.invoke(args=["send-mail"]).output
    assert smtp.inbox.received == []
    make_user(Role.ADMIN, email="admin@example.org")
    login_as("admin@example.org")
    page = client.get("/staff/outbox").get_data(as_text=True)
    assert translated(app, "Failed: waits for you") in page
