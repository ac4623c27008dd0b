"""`make bench` keeps working: the whole run, at a fiftieth of the small size on SQLite with one
second per page, signs in every demo login (the coordinator with a second factor, as production
asks), loads every key page and times every action without an error, the documents built by a
job worker started beside the portal included."""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is missing (apt-get install wrk)")
@pytest.mark.skipif(
    not _redis_answers(),
    reason="Redis is not answering on 127.0.0.1:6379 (production's sign-in limits need it)",
)
@pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the bench makes its own database: run once, in the SQLite pass",
)
def test_the_bench_runs_every_page_and_action_at_a_tiny_size(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--sizes=small",
            "--databases=sqlite",
            "--scale=0.02",
            "--duration=1s",
            f"--results={tmp_path}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    run = json.loads((tmp_path / "sqlite-small-x0.02.json").read_text())
    assert len(run["pages"]) == 13
    for page in run["pages"]:
        assert page["errors"] == 0, page
        assert page["rps"] > 0, page
    # The queue page, approve all's confirmation and POST; the payment list's creation, page and
    # XLSX; the report's page; the report's PDF and DOCX and the ESF export's XLSX and CSV, each
    # a job timed from asking to its file.
    assert len(run["timings"]) == 11, run["timings"]
    assert all(seconds > 0 for seconds in run["timings"].values()), run["timings"]
    assert not run["notes"], run["notes"]
    assert any(name.startswith("approve all ") for name in run["timings"]), run["timings"]
    assert sum("(job, ask to file)" in name for name in run["timings"]) == 4, run["timings"]
    assert "Targets: every key page" in (tmp_path / "sqlite-small-x0.02.md").read_text()
    svg = (tmp_path / "chart.svg").read_text()
    assert svg.startswith("<svg")
    assert 'id="target"' in svg
    assert "target 0.3" in svg
