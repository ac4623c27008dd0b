"""The browser harness: Chromium through Playwright (sync API), axe-core checks, demo data.

One Chromium per session; a fresh context (cookies, storage) and page per test. Without
Chromium or Playwright the browser tests are skipped with the reason; with REQUIRE_BROWSER=1
they fail instead, so CI cannot pass by skipping them.
"""

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from portal import demo
from portal.extensions import db
from tests.conftest import seed_once

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# Each page is checked against WCAG 2.1 A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
TIMEOUT_MS = 10_000

DEMO_PASSWORD = demo.PASSWORD


def _require_browser() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "").strip() == "1"


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"Playwright is not installed ({error})"
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError as error:
        return f"axe-playwright-python is not installed ({error})"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)) and not shutil.which(
        CHROMIUM
    ):
        return f"Chromium not found at {CHROMIUM}"
    return None


def _unavailable(reason: str) -> None:
    """Skip, or fail when REQUIRE_BROWSER=1."""
    if _require_browser():
        pytest.fail(f"REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    mine = [item for item in items if here in Path(str(item.path)).parents]
    for item in mine:
        item.add_marker(pytest.mark.browser)
    reason = _missing() if mine else None
    if reason and not _require_browser():
        print(f"\nbrowser tests skipped: {reason}")
        for item in mine:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session."""
    reason = _missing()
    if reason:
        _unavailable(reason)
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as error:
            _unavailable(f"Chromium did not start: {error.message.splitlines()[0]}")
        yield chromium
        chromium.close()


def _new_page(browser, live_server, viewport, **options):
    # A Polish browser, as at the centres: the app follows Accept-Language when nothing else
    # is chosen, and Chromium would otherwise ask for en-US.
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, locale="pl-PL", **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh context and page at desktop width; relative URLs go to the live server."""
    context, page = _new_page(browser, live_server, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server) -> Iterator:
    """A fresh context and page as a 360x740 phone."""
    context, page = _new_page(browser, live_server, PHONE, is_mobile=True, has_touch=True)
    yield page
    context.close()


@pytest.fixture
def demo_site(app, database_url, live_server):
    """The demo centres and logins (password `pierwszy-krok`) behind the live server.

    Links in e-mails point at the live server, so an invitation can be followed in the browser.
    The walks make the requests and plans themselves, so the demo's waiting work is left out.
    """

    def seed() -> None:
        with app.app_context():
            demo.seed(with_work=False)
            db.session.commit()

    seed_once(app, database_url, "demo-without-work", seed)
    app.config["BASE_URL"] = live_server.url
    return live_server


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


# What axe judges is the document and the window's size (the stylesheets are the same all session):
# a page shown again exactly as before needs no second check. The form token and the scripts'
# nonce change with every request and mean nothing to axe; the element with focus does.
_SHOWN_JS = """() => {
  const copy = document.documentElement.cloneNode(true);
  copy.querySelectorAll('input[name="csrf_token"]').forEach((e) => e.removeAttribute('value'));
  copy.querySelectorAll('[nonce]').forEach((e) => e.removeAttribute('nonce'));
  const focused = document.activeElement;
  return [window.innerWidth, window.innerHeight, focused ? focused.outerHTML : '', copy.outerHTML];
}"""
_found_clean: set[str] = set()


@pytest.fixture
def axe() -> Callable:
    """`axe(page)` runs axe-core on the current page and fails the test on any violation.

    axe.min.js comes from the installed axe-playwright-python package. It is injected with
    page.evaluate, which runs in the page through the DevTools protocol and is not subject to
    the page's Content-Security-Policy, so the app's CSP stays as it is.
    """
    from axe_playwright_python.base import AXE_SCRIPT

    def check(page, *, include: str | None = None) -> None:
        page.wait_for_load_state("load")  # a page still loading its stylesheet has no contrast
        shown = hashlib.sha256(json.dumps([include, page.evaluate(_SHOWN_JS)]).encode()).hexdigest()
        if shown in _found_clean:
            return  # the very same document at the same size passed already
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(AXE_SCRIPT)
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        results = page.evaluate(
            "([include, options]) => axe.run(include || document, options)",
            [include, options],
        )
        violations = results["violations"]
        if violations:
            pytest.fail(_format_violations(page.url, violations), pytrace=False)
        _found_clean.add(shown)

    return check


@pytest.fixture
def screenshot() -> Callable:
    """`screenshot(page, name)` saves a full-page PNG when BROWSER_SHOTS names a folder."""
    folder = os.environ.get("BROWSER_SHOTS")

    def take(page, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take
