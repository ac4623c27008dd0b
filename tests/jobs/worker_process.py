"""`flask --app portal worker`, with one more kind of job for the tests of the queue: a job that
says it started (a line in a file) and then waits for a flag file, so a test can kill the
worker in the middle of it. Run as `python -m tests.jobs.worker_process`."""

import sys
import time
from pathlib import Path

from flask.cli import main
from flask_babel import lazy_gettext as _l

from portal.jobs import documents
from portal.models import Job
from portal.models.enums import Role
from portal.services.jobs import jobs, kinds

WAIT = "test.wait"


def wait_for_flag(job: Job, progress: documents.Progress) -> documents.Document:
    started = Path(job.params["started"])
    with started.open("a") as log:
        log.write(f"{job.attempts}\n")
    progress(50, "waiting for the flag")
    flag = Path(job.params["flag"])
    deadline = time.monotonic() + 120
    while not flag.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(flag)
        time.sleep(0.05)
    body = f"built by attempt {job.attempts}".encode()
    return documents.Document(jobs.Built(body, "waited.txt", "text/plain"))


def register() -> None:
    kinds.register(kinds.Kind(WAIT, _l("A test job"), frozenset({Role.COORDINATOR}), "test"))
    documents.BUILDERS[WAIT] = wait_for_flag


if __name__ == "__main__":
    register()
    sys.argv = ["flask", "--app", "portal", "worker", "--threads", "2"]
    main()
