"""Fail on a known vulnerability in a pinned dependency; say so plainly when none could be checked.

Runs pip-audit over the production lock (requirements.lock, what a server installs). pip-audit
asks PyPI's advisory data for each pinned release. Where that service cannot be reached (no
network, a proxy or firewall in the way, a machine that sees only a package mirror), the audit
is skipped with the reason printed, not passed in silence. Anything else that keeps pip-audit
from giving a report fails, with its output: a broken audit must not look like a clean one. Any
known vulnerability fails: PyPI's advisories carry no severity, so every one counts as high.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"

# What pip-audit writes when the advisory service cannot be reached: its own message for a
# connection that timed out or was redirected in circles, or the exception of `requests` it lets
# through for a refused connection, an unknown host, a proxy or a TLS failure, no answer, or the
# service answering that it is down (5xx).
UNREACHABLE = re.compile(
    r"Could not connect to PyPI's vulnerability feed|PyPI is not redirecting properly"
    r"|^requests\.exceptions\.(?:ConnectionError|ConnectTimeout|ProxyError|SSLError|ReadTimeout):"
    r"|^requests\.exceptions\.HTTPError: 5[0-9][0-9] ",
    re.MULTILINE,
)


def unreachable(stderr: str) -> str | None:
    """The line saying the advisory database could not be reached, if that is what failed."""
    match = UNREACHABLE.search(stderr)
    if match is None:
        return None
    return stderr[match.start() :].splitlines()[0][:300]


def main() -> int:
    # A fixed command: this interpreter, pip-audit, the lock file.
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(LOCK),
            "--no-deps",  # the lock pins every dependency already
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        reason = unreachable(result.stderr)
        if reason is not None:
            print(
                f"dependency audit skipped: the advisory database could not be reached ({reason})"
            )
            return 0
        print(f"dependency audit failed: pip-audit gave no report (exit {result.returncode})")
        print((result.stderr.strip() or result.stdout.strip())[-3000:])
        return 1
    dependencies = report["dependencies"]
    vulnerable = [dep for dep in dependencies if dep.get("vulns")]
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        return 1
    if not audited:
        reason = dependencies[0]["skip_reason"] if dependencies else "empty lock"
        print(f"dependency audit skipped: the advisory database could not be reached ({reason})")
        return 0
    unaudited = len(dependencies) - len(audited)
    print(
        f"dependency audit: {len(audited)} pinned releases, no known vulnerability"
        + (f" ({unaudited} not found in the advisory data)" if unaudited else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
