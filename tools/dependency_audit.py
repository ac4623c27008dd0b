"""Fail on a known vulnerability in a pinned dependency; say so plainly when none could be checked.

Runs pip-audit over the production lock (requirements.lock, what a server installs). pip-audit
asks PyPI's advisory data for each pinned release. Where that service cannot be reached (a
machine that sees only a package mirror), every package comes back unaudited: the audit is then
skipped with the reason printed, not passed in silence. Any known vulnerability fails: PyPI's
advisories carry no severity, so every one counts as high.
"""

import json
import subprocess
import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"


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
        print(
            f"dependency audit skipped: pip-audit gave no report ({result.stderr.strip()[-300:]})"
        )
        return 0
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
