"""Nothing typed is ever lost, in a real browser, in Polish and in English.

doradca@example.org (Marta Sowińska) works on Tomasz Wierzbicki's plan. The plan page is a task
list; every part has a page with only its form. Text typed on one part's page survives a save of
another part made meanwhile in a second tab (her save comes back on the conflict page with her
text, and is saved from there). Then her session ends for inactivity while she types: the save
lands on a sign-in page that keeps her text; after her password she sees each field's label and
what she typed, and the page it goes to, and sends it with one button. Every new page passes axe
in both languages.
"""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import IndividualPlan, Participant, User
from portal.models.base import utcnow
from portal.services.plans import plans
from tests.browser.conftest import DEMO_PASSWORD, DESKTOP, TIMEOUT_MS
from tests.browser.pages import expect_lang, participant_id, path_is, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

ADVISOR = "doradca@example.org"
UCZESTNIK = "uczestnik@example.org"
STATUS_NOTICE = "main .notice[role=status]"
LOCALES = {"pl": "pl-PL", "en": "en-GB"}


def _plan(app, person_id: int) -> IndividualPlan:
    with app.app_context():
        plan = db.session.scalar(
            select(IndividualPlan).where(IndividualPlan.participant_id == person_id)
        )
        db.session.expunge(plan)
        return plan


@pytest.fixture
def plan_ids(app, demo_site):
    person_id = participant_id(app, UCZESTNIK)
    with app.app_context():
        person = db.session.get(Participant, person_id)
        advisor = db.session.scalar(select(User).where(User.email == ADVISOR))
        plan = plans.start(person, advisor=advisor, now=utcnow())
        db.session.commit()
        return person_id, plan.id


@pytest.fixture
def open_in(browser, demo_site):
    contexts = []

    def open_page(lang: str):
        context = browser.new_context(
            base_url=demo_site.url, viewport=DESKTOP, locale=LOCALES[lang]
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, ADVISOR)
        return context, page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_typed_text_survives_another_save_and_an_expired_session(app, open_in, axe, plan_ids, lang):
    person_id, plan_id = plan_ids
    plan_path = f"/staff/participants/{person_id}/plan"
    potential = f"/staff/plans/{plan_id}/sections/potential"
    market = f"/staff/plans/{plan_id}/sections/market"
    swot = f"/staff/plans/{plan_id}/sections/swot"
    typed = f"Cierpliwa, dokładna ({lang})"
    context, page = open_in(lang)

    # --- The task list: each part with its state and a link to its own page. -----------------
    page.goto(f"{plan_path}?lang={lang}")
    expect_lang(page, lang)
    expect(page.locator("main table.task-list tbody tr")).to_have_count(9)
    expect(page.locator("main textarea")).to_have_count(0)  # no text form on the plan page
    axe(page)
    page.locator("#task-potential a").click()
    expect(page).to_have_url(path_is(potential))
    expect(page.locator("main form:has(textarea)")).to_have_count(1)  # one part, one form
    axe(page)

    # --- She types here; meanwhile another part is saved in a second tab: both saves land. ----
    page.fill("#potential-potential", typed)
    other = context.new_page()
    other.goto(market)
    other.fill("#market-target_occupations", "Magazynier")
    other.locator(f"main form[action='{market}'] button[type=submit]").click()
    expect(other).to_have_url(path_is(plan_path))
    expect(other.locator(STATUS_NOTICE)).to_be_visible()  # the confirmation on top
    expect(other.locator("#task-market [data-state=in-progress]")).to_be_visible()
    other.close()

    expect(page.locator("#potential-potential")).to_have_value(typed)  # still there
    page.locator(f"main form[action='{potential}'] button[type=submit]").click()
    expect(page).to_have_url(path_is(plan_path))
    expect(page.locator(STATUS_NOTICE)).to_be_visible()
    expect(page.locator("#task-potential [data-state=in-progress]")).to_be_visible()
    saved = _plan(app, person_id)
    assert (saved.potential, saved.target_occupations) == (typed, "Magazynier")

    # --- The same part saved in a second tab meanwhile: her text comes back beside theirs. ----
    page.goto(potential)
    mine = f"{typed}, sumienna"
    page.fill("#potential-potential", mine)
    other = context.new_page()
    other.goto(potential)
    other.fill("#potential-potential", "Komunikatywna")
    other.locator(f"main form[action='{potential}'] button[type=submit]").click()
    expect(other).to_have_url(path_is(plan_path))
    other.close()
    page.locator(f"main form[action='{potential}'] button[type=submit]").click()
    expect(page.locator("#mine-potential")).to_have_text(mine)
    expect(page.locator("#potential-potential")).to_have_value(mine)
    axe(page)
    assert _plan(app, person_id).potential == "Komunikatywna"  # nothing overwritten unseen
    page.locator(f"main form[action='{potential}'] button[type=submit]").click()
    expect(page).to_have_url(path_is(plan_path))
    expect(page.locator(STATUS_NOTICE)).to_be_visible()
    assert _plan(app, person_id).potential == mine

    # --- The session expires while she types the SWOT. ---------------------------------------
    page.goto(swot)
    strengths = f"Sumienność\nPrawo jazdy kat. B ({lang})"
    page.fill("#swot-strengths", strengths)
    # The idle sign-out: longer without activity than the idle time (shortened for the test; the
    # live server is this process). The browser still holds the session's cookie.
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    time.sleep(2.5)
    try:
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.locator(f"main form[action='{swot}'] button[type=submit]").click()
    finally:
        app.config["PERMANENT_SESSION_LIFETIME"] = idle
    assert posted.value.status == 401
    assert "Sumienność" not in posted.value.url  # nothing typed in the address
    expect_lang(page, lang)
    expect(page.locator("main h1")).to_be_visible()
    if lang == "en":
        expect(page.locator("main h1")).to_have_text("Sign in again to keep what you typed")
    axe(page)
    assert _plan(app, person_id).strengths == []

    page.fill("#email", ADVISOR)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main form[action='/auth/resume'] button[type=submit]").click()
    expect_lang(page, lang)
    expect(page.locator("main dl.kept")).to_contain_text("Prawo jazdy kat. B")
    if lang == "en":
        expect(page.locator("main h1")).to_have_text("Send what you typed")
        expect(page.locator("main dl.kept dt").first).to_have_text("Strengths")
        expect(page.locator("main")).to_contain_text(swot)  # the page it goes to
    axe(page)
    assert _plan(app, person_id).strengths == []  # not saved until she sends it

    page.locator(f"main form[action='{swot}'] button[type=submit]").click()
    expect(page).to_have_url(path_is(plan_path))
    expect(page.locator(STATUS_NOTICE)).to_be_visible()
    expect(page.locator("#task-swot [data-state=in-progress]")).to_be_visible()
    assert _plan(app, person_id).strengths == ["Sumienność", f"Prawo jazdy kat. B ({lang})"]
    page.goto(swot)
    expect(page.locator("#swot-strengths")).to_have_value(strengths)
