"""The wheel lists its packages by hand (pyproject.toml): a new subject package that is not
listed would be missing from an installed portal, and only the slow wheel test would tell."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_python_package_and_template_folder_is_listed():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    packages = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "portal").rglob("__init__.py")
    }
    folders = {
        ".".join(("portal", *folder.relative_to(ROOT).parts))
        for folder in (ROOT / "templates").rglob("*")
        if folder.is_dir() and any(folder.glob("*.html"))
    }
    assert packages - listed == set()
    assert folders - listed == set()
