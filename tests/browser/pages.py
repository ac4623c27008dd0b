"""Steps every browser walk takes: sign in, switch language, check a page, read a PDF."""

import io
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import select

from portal.extensions import db
from portal.models import Participant, User
from tests.browser.conftest import DEMO_PASSWORD, PHONE
from tests.jobs.helpers import run_queued

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips the browser tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

LOGIN = "/auth/login"


def path_is(path: str) -> re.Pattern:
    """A URL on the live server whose path is exactly `path` (any query string)."""
    return re.compile(rf"^http://[^/]+{re.escape(path)}(\?[^#]*)?(#.*)?$")


def with_lang(url: str, lang: str) -> str:
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "lang"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("lang", lang)]), fragment=""))


def expect_lang(page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(LOGIN)
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: urlsplit(url).path != LOGIN)


def check_both_languages(page, axe, english: dict[str, str] | None = None) -> None:
    """axe on the page as shown (Polish), then on the same page in English, then back to Polish.

    `english` maps a selector to text it must contain on the English page.
    """
    expect_lang(page, "pl")
    axe(page)
    url = page.url
    page.goto(with_lang(url, "en"))
    expect_lang(page, "en")
    axe(page)
    for selector, text in (english or {}).items():
        expect(page.locator(selector).first).to_contain_text(text)
    page.goto(with_lang(url, "pl"))
    expect_lang(page, "pl")


def scroll_width(page) -> int:
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth")


def fits_phone(page) -> None:
    width = scroll_width(page)
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px wide"


def normalised(text: str) -> str:
    """Any run of whitespace (Babel writes no-break spaces in Polish amounts) as one space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def pdf_text(path: str) -> str:
    from pypdf import PdfReader

    with open(path, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def participant_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Participant.id)
            .join(User, User.id == Participant.user_id)
            .where(User.email == email)
        )


def open_menu_for(page, link) -> None:
    """Unfold what hides a main menu link: "Menu" on a phone, then the link's group (a
    <details> of templates/_menu.html), each by its summary as a person would."""
    toggle = page.locator("header nav details.menu-toggle")
    if toggle.count() and not toggle.evaluate("details => details.open"):
        summary = page.locator("header nav details.menu-toggle > summary")
        if summary.is_visible():
            summary.click()
    group = link.locator("xpath=ancestor::details[parent::li[contains(@class, 'menu-group')]]")
    if group.count() and not group.evaluate("details => details.open"):
        group.locator(":scope > summary").click()


def follow_menu(page, href: str) -> None:
    """Follow a link of the main menu, unfolding the menu and the link's group first."""
    link = page.locator(f"header nav .menu a[href='{href}']")
    open_menu_for(page, link)
    link.click()


def download_prepared(app, page, prepare: str):
    """Ask for a document with the button `prepare`, let a worker build it (the jobs run in
    process here, as tests/jobs/helpers does), and download it from the job's page once the
    page, refreshing itself, offers it."""
    page.locator(prepare).click()
    expect(page).to_have_url(re.compile(r"/staff/jobs/\d+(\?.*)?$"))
    run_queued(app)
    # The job's page reloads itself until the file is there (no script; a reload from here
    # could cut one of its own short, leaving the server's static file half sent).
    expect(page.locator("#job-file")).to_be_visible(timeout=15_000)
    with page.expect_download() as download:
        page.locator("#job-file").click()
    return download.value
