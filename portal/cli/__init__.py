"""Thin command-line entry points; each calls the services and commits once at its end.

A command that stops early (a refusal, a usage error) commits nothing: the application
context it ran in discards the session's uncommitted work when it ends.
"""

import sys
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import exists, select

from portal import demo
from portal.cli import backup
from portal.cli.figures import check_figures_command
from portal.cli.retention import anonymise_expired_command
from portal.extensions import db
from portal.jobs import worker
from portal.models import Centre, Project, Village
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.accounts import accounts, two_factor
from portal.services.common.errors import PortalError
from portal.services.events import reminders
from portal.services.mail import mail
from portal.services.people import participants


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="May be given several times.",
)
@click.option("--centre", "centre_name", help="Short name of the centre (optional for admins).")
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option("--pesel", default=None, help="Participants only.")
@click.option("--village", default=None, help="Participants only: the village name.")
@click.option("--project", "project_id", type=int, default=None, help="Participants only.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(
    email: str,
    roles: tuple[str, ...],
    centre_name: str | None,
    first_name: str,
    last_name: str,
    pesel: str | None,
    village: str | None,
    project_id: int | None,
    password_stdin: bool,
) -> None:
    """Create an account; without --password-stdin an invitation link is printed."""
    role_set = {Role(value) for value in roles}
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        centre = _find_centre(centre_name, required=role_set != {Role.ADMIN})
        if Role.PARTICIPANT in role_set:
            assert centre is not None  # noqa: S101 - required: the roles are not admin alone
            if not (first_name and last_name):
                raise click.UsageError("A participant needs --first-name and --last-name.")
            project = _find_project(centre, project_id)
            person = participants.create_participant(
                centre=centre,
                project=project,
                first_name=first_name,
                last_name=last_name,
                pesel_number=pesel,
                village=_find_village(centre, village),
                actor=None,
                on_pal_path=True,
            )
            user = participants.create_account(person, email=email, actor=None, password=password)
            if role_set - {Role.PARTICIPANT}:
                accounts.set_roles(user, role_set, actor=user)
        else:
            user = accounts.create_user(
                email=email,
                first_name=first_name or email.split("@")[0],
                last_name=last_name,
                roles=role_set,
                centre=centre,
                actor=None,
                password=password,
            )
        url = None if password else accounts.invite(user, actor=None)
        db.session.commit()
    except PortalError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Created {user.email} ({', '.join(sorted(roles))}).")
    if url:
        click.echo(
            f"Invitation link (valid {current_app.config['INVITATION_MAX_AGE'].days} days): {url}"
        )
        _warn_of_development_address()


def _warn_of_development_address() -> None:
    """Production left with the development server's address prints links nobody can open."""
    from config import DEVELOPMENT_BASE_URL  # read where create_app reads it, not at import

    config = current_app.config
    if config["ENV_NAME"] == "production" and config["BASE_URL"] == DEVELOPMENT_BASE_URL:
        click.echo(
            f"Warning: the link starts with the development address {DEVELOPMENT_BASE_URL}. "
            "Set BASE_URL (or SERVER_NAME and PREFERRED_URL_SCHEME) to the address the portal "
            "serves on, and send a new invitation.",
            err=True,
        )


def _find_centre(short_name: str | None, *, required: bool) -> Centre | None:
    if not short_name:
        centres = db.session.scalars(select(Centre)).all()
        if len(centres) == 1:
            return centres[0]
        if required:
            raise click.UsageError("Name the centre with --centre SHORT_NAME.")
        return None
    centre = db.session.scalar(select(Centre).where(Centre.short_name == short_name))
    if centre is None:
        raise click.UsageError(f"No centre with short name {short_name!r}.")
    return centre


def _find_project(centre: Centre, project_id: int | None) -> Project:
    if project_id is not None:
        project = db.session.get(Project, project_id)
        if project is None or project.centre_id != centre.id:
            raise click.UsageError(f"No project {project_id} in this centre.")
        return project
    project = participants.current_project(centre.id)
    if project is None:
        raise click.UsageError("The centre has no project; create one first.")
    return project


def _find_village(centre: Centre, name: str | None) -> Village | None:
    if not name:
        return None
    village = db.session.scalar(
        select(Village).where(Village.centre_id == centre.id, Village.name == name)
    )
    if village is None:
        raise click.UsageError(f"No village {name!r} in this centre.")
    return village


@click.command("send-mail")
@click.option("--limit", default=100, show_default=True)
@click.option("--loop", is_flag=True, help="Keep running, sending every --interval seconds.")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between rounds.")
@with_appcontext
def send_mail_command(limit: int, loop: bool, interval: float) -> None:
    """Deliver the messages waiting in the outbox: once (from cron every minute), or with
    --loop as a long-lived sender (a systemd service).

    Safe to run from several hosts at once: each message is claimed, and the claim committed,
    before it is sent; each message's outcome is committed before the next one is taken.
    A message the server refuses is tried again later, each time after a longer wait.
    """
    if not loop:
        sent, failed = deliver_outbox(limit=limit)
        click.echo(f"Sent {sent}, failed {failed}.")
        if failed:
            sys.exit(1)
        return
    try:
        while True:
            sent, failed = deliver_outbox(limit=limit)
            if sent or failed:
                click.echo(f"Sent {sent}, failed {failed}.")
            db.session.remove()  # no connection or transaction held while sleeping
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("Stopped.")


def deliver_outbox(*, limit: int) -> tuple[int, int]:
    """One round of the sender, committing each claim and each outcome: (sent, failed)."""
    now = utcnow()
    waiting = mail.pending(now=now, limit=limit)
    db.session.commit()
    sent = failed = 0
    for message_id in waiting:
        claimed = mail.claim(message_id, now=utcnow())
        db.session.commit()
        if not claimed:
            continue
        if mail.send_claimed(message_id, now=utcnow()):
            sent += 1
        else:
            failed += 1
        db.session.commit()
    return sent, failed


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue the reminders for tomorrow's events (run it from cron once a day, or more often)."""
    queued = reminders.queue_reminders(now=utcnow())
    db.session.commit()
    click.echo(f"Queued {queued} reminders.")


@click.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def reset_two_factor_command(email: str) -> None:
    """Turn off a staff member's two-factor sign-in after they lost the phone and the recovery
    codes (check who is asking first); they set it up again at their next sign-in if required."""
    user = accounts.get_by_email(email)
    if user is None:
        raise click.ClickException(f"No account {email!r}.")
    try:
        two_factor.reset(user, now=utcnow())
    except PortalError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Two-factor sign-in of {user.email} is off; every session of theirs has ended.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database holds any data.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Build the two demo centres from the seed projects' facts (idempotent)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("The demo is never seeded under the production configuration.")
    try:
        created = demo.seed(if_empty=if_empty)
    except PortalError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    # The logins are printed on every run over the demo (`make run` runs this each time), never
    # over an installation that holds only real centres.
    if created:
        click.echo("Demo data created.")
    elif db.session.scalar(select(exists().where(Centre.is_demo.is_(True)))):
        click.echo("Demo data already present; nothing changed.")
    else:
        click.echo("The database already holds data; the demo is not seeded.")
        return
    click.echo(demo.LOGINS_TEXT)


def init_app(app: Flask) -> None:
    backup.init_app(app)
    for command in (
        create_user_command,
        send_mail_command,
        send_reminders_command,
        reset_two_factor_command,
        seed_demo_command,
        anonymise_expired_command,
        check_figures_command,
        worker.worker_command,
    ):
        app.cli.add_command(command)
