"""`flask anonymise-expired`: the retention period's end, applied from cron (e.g. nightly)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.extensions import db
from portal.models.base import utcnow
from portal.services import retention


@click.command("anonymise-expired")
@click.option("--dry-run", is_flag=True, help="Only count the people whose period has ended.")
@with_appcontext
def anonymise_expired_command(dry_run: bool) -> None:
    """Anonymise every participant whose retention period has ended (config.py explains it).

    One commit per person: a failure part-way keeps the people already done, and the next run
    takes up the rest. Running it again finds nobody new: anonymised people are skipped.
    """
    now = utcnow()
    policy = retention.Policy.from_config(current_app.config)
    ids = [person.id for person in retention.expired(policy, now.date())]
    db.session.rollback()
    if dry_run:
        click.echo(f"{len(ids)} participant(s) would be anonymised (dry run, nothing changed).")
        return
    done = 0
    for person_id in ids:
        person = retention.get_participant(person_id)
        if person is not None and retention.is_expired(person, policy, now.date()):
            retention.anonymise(person, policy=policy, now=now)
            done += 1
        db.session.commit()
    click.echo(f"{done} participant(s) anonymised.")
