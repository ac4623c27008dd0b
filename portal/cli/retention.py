"""`flask anonymise-expired`: the retention period's end, applied from cron (e.g. nightly)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.extensions import db
from portal.models.base import utcnow
from portal.services.common import dates
from portal.services.privacy import retention


def _why(verdict: retention.Verdict) -> str:
    """Ids and dates only: the output goes to logs and cron mail, never a name or a PESEL."""
    until = verdict.keep_until or verdict.ends_on
    reason = "the project's archiving duty" if verdict.by_archive else "years after support"
    return (
        f"participant {verdict.participant_id}: last support {verdict.counted_from.isoformat()} "
        f"({verdict.counted_from_kind}), kept until {until.isoformat() if until else '?'} "
        f"({reason})"
    )


@click.command("anonymise-expired")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Only list who would be anonymised and why, and who is kept because support is open.",
)
@with_appcontext
def anonymise_expired_command(dry_run: bool) -> None:
    """Anonymise every participant whose retention period has ended (config.py explains it).

    The period counts from the last support of any kind; anybody with support still open is
    kept. One commit per person: a failure part-way keeps the people already done, and the next
    run takes up the rest. Running it again finds nobody new: anonymised people are skipped.
    """
    now = utcnow()
    today = dates.local_date(now)
    policy = retention.Policy.from_config(current_app.config)
    verdicts = retention.review(policy, today)
    db.session.rollback()
    due = [v for v in verdicts if v.expired(today)]
    held = [v for v in verdicts if v.held_open(today)]
    if dry_run:
        click.echo(f"{len(due)} participant(s) would be anonymised (dry run, nothing changed).")
        for verdict in due:
            click.echo(f"  {_why(verdict)}")
        if held:
            click.echo(
                f"{len(held)} participant(s) kept although their period has passed, because "
                "support is still open:"
            )
            for verdict in held:
                click.echo(f"  {_why(verdict)}; still open: {', '.join(verdict.open)}")
        return
    done = 0
    for verdict in due:
        person = retention.get_participant(verdict.participant_id)
        if person is None:
            continue
        try:
            # Checked again on the record as it is now: support may have been given meanwhile.
            retention.anonymise(person, policy=policy, now=now)
        except retention.NotExpired:
            db.session.rollback()
            continue
        db.session.commit()
        done += 1
    click.echo(f"{done} participant(s) anonymised.")
    if held:
        click.echo(
            f"{len(held)} participant(s) kept because support is still open (--dry-run lists them)."
        )
