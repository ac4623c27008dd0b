"""Command-line entry points: create-user, send-mail and seed-demo."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from config import ProductionConfig
from portal import create_app
from portal.extensions import db
from portal.models import (
    BudgetLine,
    Centre,
    Event,
    OutboxMessage,
    Participant,
    ProjectStage,
    SocialContract,
    User,
)
from portal.models.enums import BudgetLineKind, Role
from tests.helpers import app_log, translated

WARSAW = ZoneInfo("Europe/Warsaw")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# create-user


def test_admin_created_with_a_password_from_stdin_can_sign_in(app, runner, login_as):
    result = runner.invoke(
        args=["create-user", "Admin@Example.org", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Invitation link" not in result.output
    login_as("admin@example.org", "a long enough password", fresh=True)


def test_without_a_password_an_invitation_link_is_printed(app, client, runner, make_centre):
    make_centre(short_name="ops-janow")
    result = runner.invoke(
        args=["create-user", "k@example.org", "--role", "coordinator", "--centre", "ops-janow"]
    )
    assert result.exit_code == 0, result.output
    link = result.output.split("/auth/set-password/")[1].split()[0]
    assert client.get(f"/auth/set-password/{link}").status_code == 200
    with app.app_context():
        assert count(OutboxMessage, OutboxMessage.to_address == "k@example.org") == 1


PARTICIPANT = "create-user a.b@example.org --role participant --first-name A --last-name B"


def test_participant_account_is_linked_to_a_new_record(app, runner, make_centre):
    make_centre()
    result = runner.invoke(
        args=[*PARTICIPANT.split(), "--pesel", "44051401359", "--village", "Biała Pierwsza"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        person = db.session.scalar(select(Participant))
        assert (person.first_name, person.last_name, person.pesel) == ("A", "B", "44051401359")
        assert person.birth_date == date(1944, 5, 14)
        assert person.village.name == "Biała Pierwsza"
        assert person.user.email == "a.b@example.org"
        assert person.user.roles == {Role.PARTICIPANT}


def test_invalid_pesel_is_refused_and_creates_nothing(app, runner, make_centre):
    make_centre()
    result = runner.invoke(args=[*PARTICIPANT.split(), "--pesel", "44051401358"])
    assert result.exit_code != 0
    message = "This PESEL number is not valid: its check digit does not match. Check for a typo."
    assert translated(app, message, html=False) in result.output
    with app.app_context():
        assert count(Participant) == count(User) == 0


def test_duplicate_email_is_refused(app, runner, make_user):
    make_user(Role.COORDINATOR, email="dup@example.org")
    result = runner.invoke(args=["create-user", "DUP@example.org", "--role", "admin"])
    assert result.exit_code != 0
    message = "An account with this e-mail address already exists."
    assert translated(app, message, html=False) in result.output
    with app.app_context():
        assert count(User) == 1


# send-mail


def queue_two(app) -> None:
    with app.app_context():
        for to in ("a@example.org", "b@example.org"):
            db.session.add(OutboxMessage(to_address=to, subject="Temat", body="Treść\n"))
        db.session.commit()


def test_send_mail_without_a_server_writes_to_the_log(app, runner):
    app.config["MAIL_SERVER"] = None
    queue_two(app)
    with app_log() as log:
        result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, failed 0" in result.output
    assert "mail to=a@example.org" in log.getvalue()
    assert "mail to=b@example.org" in log.getvalue()
    with app.app_context():
        assert count(OutboxMessage, OutboxMessage.sent_at.is_(None)) == 0


class FakeSMTP:
    sent: list[str] = []

    def __init__(self, host, port, timeout=None):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message["To"])


def test_mail_waits_while_smtp_is_down_and_is_sent_once_later(app, runner, monkeypatch):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    queue_two(app)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code != 0
    with app.app_context():
        waiting = db.session.scalars(select(OutboxMessage)).all()
        assert [m.sent_at for m in waiting] == [None, None]
        assert all(m.last_error and m.claimed_at is None for m in waiting)
        assert all(m.next_attempt_at > m.created_at for m in waiting)

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    monkeypatch.setattr(FakeSMTP, "sent", [])
    # Not yet due: the first retry waits a minute.
    assert runner.invoke(args=["send-mail"]).output == "Sent 0, failed 0.\n"
    with freeze_time(datetime.now(UTC) + timedelta(minutes=2)):
        assert runner.invoke(args=["send-mail"]).exit_code == 0
        assert runner.invoke(args=["send-mail"]).exit_code == 0
    assert sorted(FakeSMTP.sent) == ["a@example.org", "b@example.org"]
    with app.app_context():
        assert count(OutboxMessage, OutboxMessage.sent_at.is_(None)) == 0
        assert count(OutboxMessage, OutboxMessage.last_error.is_not(None)) == 0


# seed-demo

DEMO_LOGINS = {
    "koordynator@example.org": {Role.COORDINATOR},
    "doradca@example.org": {Role.ADVISOR},
    "pracownik@example.org": {Role.SOCIAL_WORKER},
    "pracownik2@example.org": {Role.SOCIAL_WORKER},
    "uczestnik@example.org": {Role.PARTICIPANT},
    "mieszkanka@example.org": {Role.PARTICIPANT},
    "admin@example.org": {Role.ADMIN},
    "chrzanow@example.org": {Role.COORDINATOR},
}
PAL_2013 = {
    date(2013, 4, 24),
    date(2013, 5, 29),
    date(2013, 6, 20),
    date(2013, 8, 2),
    date(2013, 8, 28),
    date(2013, 12, 12),
}


def row_counts() -> dict[str, int]:
    return {table.name: count(table) for table in db.metadata.sorted_tables}


def test_seed_demo_builds_the_two_centres_once(app, runner, login_as):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        janow = db.session.scalar(select(Centre).where(Centre.short_name == "ops-janow"))
        chrzanow = db.session.scalar(select(Centre).where(Centre.short_name == "gops-chrzanow"))
        assert count(Participant, Participant.centre_id == janow.id) == 37
        assert (
            count(Participant, Participant.centre_id == janow.id, Participant.on_contract_path)
            == 17
        )
        assert count(Participant, Participant.centre_id == janow.id, Participant.on_pal_path) == 20
        events_2013 = [
            e.starts_at.astimezone(WARSAW).date()
            for e in db.session.scalars(
                select(Event).where(Event.centre_id == janow.id, Event.instrument.is_(None))
            )
            if e.starts_at.astimezone(WARSAW).year == 2013
        ]
        assert sorted(events_2013) == sorted(PAL_2013)
        lines = db.session.scalars(
            select(BudgetLine)
            .join(ProjectStage)
            .where(BudgetLine.centre_id == janow.id, ProjectStage.year == 2013)
        ).all()
        assert sum(line.planned_grosze for line in lines) == 35_345_600
        [salaries] = [line for line in lines if line.kind == BudgetLineKind.SALARIES]
        assert salaries.planned_grosze == 11_700_000
        assert count(SocialContract, SocialContract.centre_id == chrzanow.id) == 2
        users = {u.email: u for u in db.session.scalars(select(User))}
        assert {email: users[email].roles for email in DEMO_LOGINS} == DEMO_LOGINS
        assert users["chrzanow@example.org"].centre_id == chrzanow.id
        assert users["koordynator@example.org"].centre_id == janow.id
    for email in DEMO_LOGINS:
        login_as(email, "pierwszy-krok", fresh=True)
    with app.app_context():  # signing in is audited, so the rows are counted after it
        before = row_counts()

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output
    with app.app_context():
        assert row_counts() == before


def test_seed_demo_refuses_next_to_real_data(app, runner, make_centre):
    make_centre(name="Ośrodek Pomocy Społecznej w Kraśniku")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    message = "The database holds real (non-demo) data; the demo is not seeded."
    assert translated(app, message, html=False) in result.output
    with app.app_context():
        assert count(Centre) == 1


# What production refuses to start without; the limiter's storage is not reached by seed-demo.
PRODUCTION_SETTINGS = {
    "SECRET_KEY": "k" * 48,
    "PSEUDONYM_KEY": "h" * 48,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
}


@pytest.mark.parametrize(
    "config",
    [
        {"ENV_NAME": "production", **PRODUCTION_SETTINGS},
        type("Production", (ProductionConfig,), PRODUCTION_SETTINGS),
    ],
    ids=["dict", "class"],
)
def test_seed_demo_refuses_under_production(app, database_url, config):
    if isinstance(config, dict):
        config = {**config, "SQLALCHEMY_DATABASE_URI": database_url}
    else:
        config = type("ProductionHere", (config,), {"SQLALCHEMY_DATABASE_URI": database_url})
    production = create_app(config)
    result = production.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "production" in result.output
    with production.app_context():
        assert count(Centre) == 0
        db.session.remove()
        db.engine.dispose()
