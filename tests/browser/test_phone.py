"""A participant and a coordinator on a 360 px phone: the event list shows more than one event
on its first screen, the sign-up button is on the event page's first screen, the staff menu is
folded under "Menu" (without JavaScript too) and the public list of upcoming events is there for
anyone; every page passes axe in Polish and in English."""

import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, Registration
from portal.models.base import utcnow
from portal.models.enums import EventStatus
from tests.browser.conftest import PHONE
from tests.browser.pages import check_both_languages, fits_phone, path_is, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

PARTICIPANT = "mieszkanka@example.org"
COORDINATOR = "koordynator@example.org"


def _upcoming(app) -> list[Event]:
    with app.app_context():
        events = db.session.scalars(
            select(Event)
            .where(
                Event.status == EventStatus.PUBLISHED,
                Event.instrument.is_(None),
                Event.starts_at >= utcnow(),
            )
            .order_by(Event.starts_at)
        ).all()
        db.session.expunge_all()
        return list(events)


def _ensure_three_upcoming(app) -> None:
    """The demo's coming events, and copies of its first one so the list has at least three."""
    count = len(_upcoming(app))
    with app.app_context():
        model = db.session.scalar(
            select(Event)
            .where(Event.status == EventStatus.PUBLISHED, Event.instrument.is_(None))
            .order_by(Event.id)
        )
        for n in range(max(0, 3 - count)):
            starts = utcnow() + timedelta(days=20 + n)
            db.session.add(
                Event(
                    centre_id=model.centre_id,
                    project_id=model.project_id,
                    event_type=model.event_type,
                    title=f"Spotkanie sąsiedzkie {n + 1}",
                    description="",
                    place="Świetlica wiejska",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=3),
                    capacity=15,
                    audience=model.audience,
                    status=EventStatus.PUBLISHED,
                )
            )
        db.session.commit()


def _in_first_screen(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_a_participant_on_a_phone_sees_several_events_and_signs_up_from_the_top(
    app, demo_site, phone_page, axe
):
    _ensure_three_upcoming(app)
    page = phone_page
    sign_in(page, PARTICIPANT)

    # The menu is folded under "Menu": its links are hidden until it is opened.
    menu = page.locator("header details.menu-toggle")
    expect(menu.locator("summary")).to_be_visible()
    expect(menu.locator(".menu a").first).to_be_hidden()

    page.goto("/me/events")
    cards = page.locator("main .cards .card")
    assert cards.count() >= 2
    on_screen = [i for i in range(cards.count()) if _in_first_screen(page, cards.nth(i))]
    assert len(on_screen) >= 2, f"{len(on_screen)} event(s) on the first screen"
    fits_phone(page)
    check_both_languages(page, axe)

    # The event page: the sign-up button is on the first screen and leads to the form.
    with app.app_context():
        registered = set(
            db.session.scalars(select(Registration.event_id).join(Registration.participant))
        )
    cards.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/me/events/\d+$"))
    top = page.locator("main .quick-sign-up .button")
    if top.count():
        assert _in_first_screen(page, top)
        top.click()
        expect(page.locator("#sign-up")).to_be_in_viewport()
        expect(page.locator("main form[action$='/sign-up'] button[type=submit]")).to_be_visible()
    else:  # already signed up for this one: the top shows the registration instead
        assert registered
    fits_phone(page)
    check_both_languages(page, axe)


def test_the_staff_menu_is_folded_on_a_phone_and_opens_without_javascript(
    app, demo_site, browser, live_server, axe
):
    for javascript in (True, False):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE,
            locale="pl-PL",
            is_mobile=True,
            has_touch=True,
            java_script_enabled=javascript,
        )
        page = context.new_page()
        sign_in(page, COORDINATOR)
        menu = page.locator("header details.menu-toggle")
        links = menu.locator(".menu a")
        expect(links.first).to_be_hidden()
        header = page.locator("header").bounding_box()
        assert header["height"] < PHONE["height"] / 3, header
        menu.locator(":scope > summary").click()
        expect(links.first).to_be_visible()
        menu.locator(".menu a[href='/staff/caseload']").click()
        expect(page).to_have_url(path_is("/staff/caseload"))
        if javascript:
            check_both_languages(page, axe)
        context.close()


def test_anyone_sees_the_upcoming_events_on_a_phone_without_names(app, demo_site, phone_page, axe):
    _ensure_three_upcoming(app)
    page = phone_page
    page.goto("/")
    page.locator("main a[href='/events']").click()
    expect(page).to_have_url(path_is("/events"))
    titles = page.locator("main .card-title")
    assert titles.count() == len(_upcoming(app))
    expect(titles.first).to_be_visible()
    with app.app_context():
        names = {
            name
            for r in db.session.scalars(select(Registration))
            for name in (r.participant.last_name, r.companion_names)
            if name
        }
    text = page.locator("main").inner_text()
    assert names
    assert not [name for name in names if name in text]
    fits_phone(page)
    check_both_languages(page, axe)


def test_my_data_reads_on_a_phone_with_the_pdf_and_the_file_beside_it(
    app, demo_site, phone_page, axe
):
    page = phone_page
    sign_in(page, PARTICIPANT)
    page.locator("main a[href='/me/my-data']").click()
    expect(page).to_have_url(path_is("/me/my-data"))
    expect(page.locator("main a[href='/me/my-data?format=pdf']")).to_be_visible()
    expect(page.locator("main a[href='/me/my-data.json']")).to_be_visible()
    expect(page.locator("main h2").first).to_have_text("O Tobie")
    fits_phone(page)
    check_both_languages(page, axe, {"main h2": "About you"})
