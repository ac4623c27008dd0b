"""`flask --app portal worker`: Huey's consumer, running the portal's jobs in its application."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.jobs.queue import huey


@click.command("worker")
@click.option(
    "--threads",
    type=click.IntRange(1, 32),
    default=None,
    help="Jobs built at once (WORKER_THREADS, 2 by default).",
)
@with_appcontext
def worker_command(threads: int | None) -> None:
    """Run the task queue's worker: builds the jobs the pages ask for, until stopped."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger("huey").addHandler(handler)
    logging.getLogger("huey").setLevel(logging.INFO)
    consumer = huey.create_consumer(
        workers=threads or current_app.config["WORKER_THREADS"],
        worker_type="thread",
        periodic=True,
        # The scheduler looks at delayed tasks (a job's next look) every second.
        scheduler_interval=1,
    )
    consumer.run()
