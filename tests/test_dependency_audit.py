"""The dependency audit fails on a known vulnerability and says when it could check nothing."""

import json
import subprocess

from tools import dependency_audit


def _pip_audit_answers(monkeypatch, dependencies):
    def run(args, **_kwargs):
        return subprocess.CompletedProcess(
            args, 0, stdout=json.dumps({"dependencies": dependencies, "fixes": []}), stderr=""
        )

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
