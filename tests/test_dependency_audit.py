"""The dependency audit fails on a known vulnerability, says when it could check nothing because
the advisory database could not be reached, and fails on any other way of giving no report."""

import json
import subprocess

import pytest

from tools import dependency_audit


def _pip_audit_answers(monkeypatch, dependencies):
    _pip_audit_writes(monkeypatch, json.dumps({"dependencies": dependencies, "fixes": []}))


def _pip_audit_writes(monkeypatch, stdout: str, stderr: str = "", returncode: int = 0):
    def run(args, **_kwargs):
        return subprocess.CompletedProcess(args, returncode, stdout=stdout, stderr=stderr)

    monkeypatch.setattr(dependency_audit.subprocess, "run", run)


def test_a_known_vulnerability_fails(monkeypatch, capsys):
    _pip_audit_answers(
        monkeypatch,
        [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            {
                "name": "jinja2",
                "version": "2.0",
                "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["3.1.6"]}],
            },
        ],
    )
    assert dependency_audit.main() == 1
    assert "VULNERABLE jinja2 2.0: PYSEC-0000-1 (fixed in 3.1.6)" in capsys.readouterr().out


def test_clean_releases_pass(monkeypatch, capsys):
    _pip_audit_answers(monkeypatch, [{"name": "flask", "version": "3.1.3", "vulns": []}])
    assert dependency_audit.main() == 0
    assert "no known vulnerability" in capsys.readouterr().out


def test_an_unreachable_advisory_database_is_a_printed_skip(monkeypatch, capsys):
    _pip_audit_answers(
        monkeypatch, [{"name": "flask", "skip_reason": "Dependency not found on PyPI"}]
    )
    assert dependency_audit.main() == 0
    assert "dependency audit skipped" in capsys.readouterr().out


def test_no_route_to_the_advisory_database_is_a_printed_skip(monkeypatch, tmp_path, capsys):
    # pip-audit itself, its requests sent through a proxy that refuses every connection, with an
    # empty cache: what a machine without a way to PyPI's advisory data sees.
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert dependency_audit.main() == 0
    out = capsys.readouterr().out
    assert "dependency audit skipped: the advisory database could not be reached" in out
    assert "ProxyError" in out  # the reason, as pip-audit gave it


@pytest.mark.parametrize(
    "stderr",
    [
        "ERROR:pip_audit._cli:Could not connect to PyPI's vulnerability feed\n"
        "ERROR:pip_audit._cli:Tip: your network may be blocking this service. "
        "Try another service with `-s SERVICE`\n",
        "Traceback (most recent call last):\n  ...\nrequests.exceptions.ConnectionError: "
        "HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded "
        "(Caused by NameResolutionError)\n",
        "Traceback (most recent call last):\n  ...\nrequests.exceptions.HTTPError: "
        "503 Server Error: Service Unavailable for url: https://pypi.org/pypi/flask/3.1.3/json\n"
        "\nThe above exception was the direct cause of the following exception:\n\n"
        "pip_audit._service.interface.ServiceError\n",
    ],
    ids=["timed out", "unknown host", "service down"],
)
def test_an_unreachable_advisory_database_is_skipped_with_its_reason(monkeypatch, capsys, stderr):
    _pip_audit_writes(monkeypatch, "", stderr, returncode=1)
    assert dependency_audit.main() == 0
    out = capsys.readouterr().out
    assert "dependency audit skipped: the advisory database could not be reached" in out


@pytest.mark.parametrize(
    ("stdout", "stderr"),
    [
        ("", "/usr/bin/python: No module named pip_audit\n"),
        ("", "ERROR:pip_audit._cli:invalid requirements input: requirements.lock\n"),
        ("", "Traceback (most recent call last):\n  ...\nKeyError: 'info'\n"),
        (
            "",
            "Traceback (most recent call last):\n  ...\nrequests.exceptions.HTTPError: "
            "403 Client Error: Forbidden for url: https://pypi.org/pypi/flask/3.1.3/json\n",
        ),
        ("Name Version\n---- -------\n", ""),  # a report, but not the JSON asked for
    ],
    ids=["not installed", "bad lock", "crash", "forbidden", "not json"],
)
def test_any_other_run_without_a_report_fails_and_shows_why(monkeypatch, capsys, stdout, stderr):
    _pip_audit_writes(monkeypatch, stdout, stderr, returncode=1)
    assert dependency_audit.main() == 1
    out = capsys.readouterr().out
    assert "dependency audit failed: pip-audit gave no report" in out
    assert (stderr or stdout).strip().splitlines()[-1] in out
