"""A coordinator sets a new centre up from its checklist, in Chromium and in Polish, until every
item is done; the privacy notice and the accessibility statement then show the contacts entered
(before, whom to ask: never a blank). The grouped menu fits one line at 1280 px, opens from the
keyboard, and is a short list on a 360 px phone. axe runs on every page of the walk."""

import re
from datetime import datetime

from portal.extensions import db
from portal.models.enums import CentreKind, Role
from portal.services.centres import centres, readiness
from portal.services.common.dates import WARSAW
from tests.browser.conftest import PHONE, TIMEOUT_MS
from tests.browser.pages import expect_lang, fits_phone, path_is, sign_in
from tests.helpers import PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

COORDINATOR = "koordynator@lipowa.example.gov.pl"
OPERATOR = "pomoc@portal.example.gov.pl"


def _centre(app) -> int:
    with app.app_context():
        centre = centres.create_centre(
            name="Gminny Ośrodek Pomocy Społecznej w Lipowej",
            short_name="gops-lipowa",
            kind=CentreKind.GOPS,
            town="Lipowa",
            actor=None,
        )
        db.session.commit()
        return centre.id


def _submit(page, name: str) -> None:
    page.locator("main").get_by_role("button", name=name, exact=True).click()
    expect(page.locator(".error-summary")).to_have_count(0)


def _fill_item(page, key: str, year: int) -> None:
    """The form an item's link opened, filled as the coordinator would, and sent."""
    if key == "project":
        page.fill("#title", "Aktywna integracja w Gminie Lipowa")
        page.fill("#start_date", f"{year}-01-01")
        _submit(page, "Zapisz projekt")
    elif key == "stage":
        page.fill("#year", str(year))
        page.fill("#start_date", f"{year}-01-01")
        page.fill("#end_date", f"{year}-12-31")
        _submit(page, "Zapisz etap")
    elif key == "budget_lines":
        page.select_option("#kind", "allowances")
        page.check("input[name=funding_source][value=esf]")
        page.fill("#planned", "40 000")
        _submit(page, "Zapisz pozycję")
    elif key in ("villages", "courses", "tests"):
        name = {"villages": "Lipowa Górna", "courses": "Kadry i płace", "tests": "WIS"}[key]
        page.locator("main form #name").fill(name)
        _submit(page, "Dodaj")
    elif key == "staff":
        page.fill("#first_name", "Joanna")
        page.fill("#last_name", "Kruk")
        page.fill("#email", "pracownik@lipowa.example.gov.pl")
        page.locator("main form").get_by_label("Pracownik socjalny", exact=True).check()
        _submit(page, "Utwórz konto i wyślij zaproszenie")
    elif key == "contacts":
        page.fill("#address", "ul. Słoneczna 12")
        page.fill("#postcode", "2330")  # a digit short: refused beside the field, kept
        page.locator("main").get_by_role("button", name="Zapisz dane", exact=True).click()
        expect(page.locator("#postcode-error")).to_be_visible()
        expect(page.locator("#postcode")).to_have_value("2330")
        page.fill("#postcode", "23-300")
        page.fill("#email", "sekretariat@lipowa.example.gov.pl")
        page.fill("#phone", "15 871 20 20")
        page.fill("#dpo_name", "Ewa Sowa")
        page.fill("#dpo_contact", "iod@lipowa.example.gov.pl")
        page.fill(
            "#building_accessibility",
            "Wejście od ul. Słonecznej bez progów.\nToaleta dostępna na parterze.",
        )
        _submit(page, "Zapisz dane")
    elif key == "bank_account":
        page.fill("#bank_account", "PL61 1090 1014 0000 0712 1981 2874")
        _submit(page, "Zapisz rachunek")


def _not_done(page) -> list[str]:
    items = page.locator("#checklist-title ~ ol > li[data-done=no]")
    return [items.nth(i).get_attribute("id").removeprefix("setup-") for i in range(items.count())]


def test_a_centre_is_set_up_from_its_checklist_and_its_public_pages_show_the_contacts(
    app, live_server, page, browser, make_user, axe
):
    app.config["INSTALLATION_CONTACT"] = OPERATOR
    centre_id = _centre(app)
    make_user(Role.COORDINATOR, centre_id=centre_id, email=COORDINATOR)
    year = datetime.now(WARSAW).year

    # Before any contact is given, the public pages say whom to ask: no blank to fill in.
    for path in ("/privacy", "/accessibility"):
        page.goto(path)
        expect_lang(page, "pl")
        expect(
            page.locator("main .ask-operator a[href='mailto:" + OPERATOR + "']").first
        ).to_be_visible()
        expect(page.locator("main")).not_to_contain_text(re.compile("uzupełnienia", re.I))
        axe(page)

    sign_in(page, COORDINATOR, PASSWORD)
    expect(page).to_have_url(path_is("/staff/"))
    # The empty home: how far the set-up is, and where the first stage is set up.
    expect(page.locator("#setup-progress")).to_be_visible()
    expect(page.locator("#set-up-stage")).to_have_attribute("href", "/staff/setup/projects/new")
    axe(page)

    # The grouped menu: one line at 1280 px; a group opens from the keyboard.
    tops = page.locator("header nav .menu > li").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops
    setup_link = page.locator("#menu-setup a[href='/staff/setup/']")
    expect(setup_link).to_be_hidden()
    page.locator("#menu-setup > summary").focus()
    page.keyboard.press("Enter")
    expect(setup_link).to_be_visible()
    axe(page)
    setup_link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(path_is("/staff/setup/"))

    # Item by item from the checklist, each from its own link, until nothing is left.
    done: list[str] = []
    while remaining := _not_done(page):
        key = remaining[0]
        axe(page)
        page.locator(f"#setup-{key} a").click()
        axe(page)
        _fill_item(page, key, year)
        done.append(key)
        page.goto("/staff/setup/")
        expect(page.locator(f"#setup-{key}")).to_have_attribute("data-done", "yes")
    assert done == list(readiness.ITEMS)
    expect(page.locator("#checklist-title ~ ol > li[data-done=yes]")).to_have_count(len(done))
    axe(page)
    page.goto("/staff/")
    expect(page.locator("#setup-progress")).to_have_count(0)
    expect(page.locator("#set-up-stage")).to_have_count(0)

    # The public pages now show what was entered, and nobody is sent elsewhere to ask.
    page.goto("/privacy")
    main = page.locator("main")
    expect(main).to_contain_text("ul. Słoneczna 12, 23-300 Lipowa")
    expect(main.locator("a[href='mailto:sekretariat@lipowa.example.gov.pl']")).to_be_visible()
    expect(main.locator("a[href='tel:158712020']")).to_be_visible()
    expect(main.locator(".dpo-contacts")).to_contain_text("Ewa Sowa")
    expect(main.locator(".dpo-contacts a[href='mailto:iod@lipowa.example.gov.pl']")).to_be_visible()
    expect(main.locator(".ask-operator")).to_have_count(0)
    axe(page)
    page.goto("/accessibility")
    expect(main).to_contain_text("ul. Słoneczna 12, 23-300 Lipowa")
    expect(main.locator(".building-accessibility p")).to_have_text(
        ["Wejście od ul. Słonecznej bez progów.", "Toaleta dostępna na parterze."]
    )
    expect(main.locator(".ask-operator, .ask-building")).to_have_count(0)
    expect(main).not_to_contain_text(re.compile("uzupełnienia", re.I))
    axe(page)

    # On a 360 px phone the menu is one short list of groups; a group opens in place.
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="pl-PL", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    phone = context.new_page()
    sign_in(phone, COORDINATOR, PASSWORD)
    phone.locator("header details.menu-toggle > summary").click()
    top_level = phone.locator("header nav .menu > li")
    assert top_level.count() <= 8, top_level.all_inner_texts()
    expect(phone.locator("#menu-setup a").first).to_be_hidden()
    phone.locator("#menu-setup > summary").click()
    phone.locator("#menu-setup a[href='/staff/setup/']").click()
    expect(phone).to_have_url(path_is("/staff/setup/"))
    fits_phone(phone)
    axe(phone)
    context.close()
