"""`flask check-figures`: the second, independent count of the figures before they are signed."""

import sys

import click
from flask.cli import with_appcontext

from portal.extensions import db
from portal.models import ProjectStage
from portal.models.base import utcnow
from portal.services.reporting import figures_check


@click.command("check-figures")
@click.option("--stage", "stage_id", type=int, default=None, help="Only this stage (its id).")
@with_appcontext
def check_figures_command(stage_id: int | None) -> None:
    """Recompute every stage's figures and budget lines apart from the report and list each
    discrepancy with the records behind it (ids only: the output may go to logs and cron mail).

    Exits with 1 when there is any discrepancy, 0 when there is none. Reads only.
    """
    if stage_id is not None and db.session.get(ProjectStage, stage_id) is None:
        raise click.UsageError(f"No stage {stage_id}.")
    found = figures_check.check(now=utcnow(), stage_id=stage_id)
    db.session.rollback()
    for discrepancy in found:
        click.echo(discrepancy.line())
    if found:
        click.echo(f"{len(found)} discrepancy(ies) found.")
        sys.exit(1)
    click.echo("No discrepancies found.")
