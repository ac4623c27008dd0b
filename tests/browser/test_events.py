"""Issue 3's "Done when", in a real browser: PAL events as the people at the centre use them.

A coordinator creates and publishes an event with two places through the staff pages;
mieszkanka@example.org signs up, a second participant takes the last place, a third goes on the
waiting list (number 1) and gets the place at once when mieszkanka cancels, with an e-mail in
the outbox. A social worker then takes attendance on a 360 px phone and downloads the
attendance list, whose PDF names the people who came. Every page visited passes axe in Polish
and in English; sign-up and cancelling work without JavaScript; a person who may not sign up is
told why and offered no button.

The Polish catalogue may still be incomplete, so wording is checked on the English pages and
everything else by URL, ids, classes, roles and form states.
"""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Centre, Event, OutboxMessage, Participant, Registration, User
from portal.models.enums import Audience, EventStatus, RegistrationStatus
from portal.services.people import participants
from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS
from tests.browser.pages import (
    check_both_languages,
    expect_lang,
    follow_menu,
    path_is,
    pdf_text,
    scroll_width,
    sign_in,
    with_lang,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

WARSAW = ZoneInfo("Europe/Warsaw")
FORM_TIME = "%Y-%m-%dT%H:%M"  # what a datetime-local field takes
MIESZKANKA = "mieszkanka@example.org"  # Halina Zalewska, Biała Pierwsza
UCZESTNIK = "uczestnik@example.org"  # Tomasz Wierzbicki, Biała Pierwsza
THIRD = "trzecia.osoba@example.org"  # a demo PAL participant given an account by the test
TITLE = "Warsztaty rękodzieła w świetlicy"

SIGN_UP = "main form[action$='/sign-up'] button[type=submit]"
# Cancelling is a link to a page that says what will happen, then the confirming button.
CANCEL = "main a.cancel-link"
CONFIRM_CANCEL = "main form[action$='/cancel'] button[type=submit]"
STATUS_NOTICE = "main .notice[role=status]"
MY_STATUS = "main .tag"  # the participant's own status on an event page
CARD = f"main .card:has-text('{TITLE}')"  # the event's card in a participant's list


# ---------------------------------------------------------------------------------------------
# Helpers


def open_event_from_list(page, title: str) -> None:
    """Events in the menu, then the event's card: the way a participant gets there."""
    follow_menu(page, "/me/events")
    expect(page).to_have_url(path_is("/me/events"))
    page.locator("main .card-title a", has_text=title).click()
    expect(page).to_have_url(re.compile(r"/me/events/\d+$"))


def my_registration(page):
    return page.locator(MY_STATUS)


def row(name: str) -> str:
    """A person's row in the staff table of registrations."""
    return f"main table tbody tr:has-text('{name}')"


@pytest.fixture
def open_as(browser, demo_site):
    """`open_as(email, phone=False, **context_options)`: a signed-in page in a context of its own.

    Each person has their own cookies, as on their own phone or computer.
    """
    contexts = []

    def open_page(email: str, *, phone: bool = False, **options):
        if phone:
            options = {"is_mobile": True, "has_touch": True, **options}
        context = browser.new_context(
            base_url=demo_site.url,
            viewport=PHONE if phone else DESKTOP,
            locale="pl-PL",
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, email)
        return page

    yield open_page
    for context in contexts:
        context.close()


def give_account(app, email: str) -> str:
    """A demo PAL participant without an account gets one (the demo password); their name.

    The staff flow for accounts is tested in test_foundation; here the person is only needed.
    """
    with app.app_context():
        centre_id = db.session.scalar(select(Centre.id).where(Centre.short_name == "ops-janow"))
        person = db.session.scalars(
            select(Participant)
            .where(
                Participant.centre_id == centre_id,
                Participant.user_id.is_(None),
                Participant.on_pal_path.is_(True),
                Participant.village_id.is_not(None),
            )
            .order_by(Participant.id)
        ).first()
        user = participants.create_account(person, email=email, actor=None)
        user.password_hash = db.session.scalar(
            select(User.password_hash).where(User.email == MIESZKANKA)
        )
        db.session.commit()
        return f"{person.last_name} {person.first_name}"


def registration_status(app, event_id: int, email: str) -> RegistrationStatus:
    with app.app_context():
        return db.session.scalar(
            select(Registration.status)
            .join(Participant, Participant.id == Registration.participant_id)
            .join(User, User.id == Participant.user_id)
            .where(Registration.event_id == event_id, User.email == email)
        )


def the_event_has_begun(app, event_id: int) -> None:
    """Attendance is taken from the event's start: move the event (an hour ahead) to have
    started a minute ago, as if the clock had moved on. Nothing else in the test depends on it.
    """
    with app.app_context():
        event = db.session.get(Event, event_id)
        length = event.ends_at - event.starts_at
        event.starts_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        event.ends_at = event.starts_at + length
        db.session.commit()


# ---------------------------------------------------------------------------------------------
# 1 and 2: the whole walk, axe on every page in both languages


def test_places_waiting_list_promotion_attendance_and_pdf(
    app, page, demo_site, open_as, axe, screenshot
):
    third_name = give_account(app, THIRD)

    # The clock of the centre: the event starts in an hour, so sign-up is still open; before the
    # attendance is taken the event is moved to have begun (attendance is taken from the start).
    now = datetime.now(WARSAW).replace(second=0, microsecond=0)
    starts = now + timedelta(hours=1)
    cutoff = starts - timedelta(minutes=30)  # participants may still cancel during the test

    # --- The coordinator creates the event through the staff pages and publishes it. ---------
    coordinator = page
    sign_in(coordinator, "koordynator@example.org")
    follow_menu(coordinator, "/staff/events")
    expect(coordinator).to_have_url(path_is("/staff/events"))
    check_both_languages(coordinator, axe)
    coordinator.locator("main a[href='/staff/events/new']").click()
    expect(coordinator).to_have_url(path_is("/staff/events/new"))
    check_both_languages(coordinator, axe)

    # Sent empty first: the problems are listed, the fields say so, the page still passes axe.
    coordinator.locator("main form button[type=submit]").click()
    expect(coordinator.locator(".error-summary")).to_be_visible()
    expect(coordinator.locator("#title")).to_have_attribute("aria-invalid", "true")
    expect(coordinator.locator(".error-summary a[href='#starts_at']")).to_have_count(1)
    axe(coordinator)

    coordinator.select_option("#event_type", "workshop")
    coordinator.fill("#title", TITLE)
    coordinator.fill("#description", "Szydełkowanie i wikliniarstwo. Materiały zapewniamy.")
    coordinator.fill("#place", "Świetlica wiejska w Białej Pierwszej")
    coordinator.fill("#starts_at", starts.strftime(FORM_TIME))
    coordinator.fill("#ends_at", (starts + timedelta(hours=2)).strftime(FORM_TIME))
    coordinator.fill("#capacity", "2")
    coordinator.check("input[name=audience][value=villages]")
    for box in coordinator.locator("input[name=village_ids]").all():
        box.check()
    coordinator.fill("#cancellation_cutoff_at", cutoff.strftime(FORM_TIME))
    coordinator.locator("main form button[type=submit]").click()
    expect(coordinator).to_have_url(re.compile(r"/staff/events/\d+$"))
    event_id = int(urlsplit(coordinator.url).path.rsplit("/", 1)[1])
    expect(coordinator.locator(STATUS_NOTICE)).to_be_visible()
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert event.status == EventStatus.DRAFT
        assert (event.capacity, event.audience, len(event.villages)) == (2, Audience.VILLAGES, 2)
        # The times typed are Polish time, kept as UTC.
        assert event.starts_at == starts.astimezone(UTC)
        assert event.cancellation_cutoff_at == cutoff.astimezone(UTC)
        assert event.registration_closes_at is None
    check_both_languages(coordinator, axe, {"main .details": "Draft"})

    coordinator.locator("main form[action$='/publish'] button").click()
    expect(coordinator).to_have_url(path_is(f"/staff/events/{event_id}"))
    expect(coordinator.locator(STATUS_NOTICE)).to_be_visible()
    expect(coordinator.locator("main form[action$='/publish']")).to_have_count(0)
    with app.app_context():
        assert db.session.get(Event, event_id).status == EventStatus.PUBLISHED
    event_path = f"/me/events/{event_id}"

    # --- mieszkanka finds it under Events and takes a place. ----------------------------------
    halina = open_as(MIESZKANKA)
    follow_menu(halina, "/me/events")
    expect(halina).to_have_url(path_is("/me/events"))
    check_both_languages(halina, axe, {CARD: "2 places left"})
    open_event_from_list(halina, TITLE)
    expect(halina).to_have_url(path_is(event_path))
    expect(my_registration(halina)).to_have_count(0)
    expect(halina.locator(SIGN_UP)).to_be_visible()
    check_both_languages(
        halina,
        axe,
        {
            "main .details div:has-text('Workshop')": "Workshop",
            "main .details div:has-text('Biała Druga')": "Biała Pierwsza, Biała Druga",
            "main .details div:has-text('places left')": "2 places left",
            SIGN_UP: "Sign me up",
        },
    )

    halina.locator(SIGN_UP).click()
    expect(halina).to_have_url(path_is(event_path))
    expect(halina.locator(STATUS_NOTICE)).to_be_visible()
    expect(my_registration(halina)).to_have_class(re.compile(r"\btag-green\b"))
    expect(halina.locator(SIGN_UP)).to_have_count(0)
    expect(halina.locator(CANCEL)).to_be_visible()
    expect(halina.locator("main a[href$='/event.ics']")).to_have_count(1)
    check_both_languages(
        halina, axe, {MY_STATUS: "You have a place", "main .details": "1 place left"}
    )
    assert registration_status(app, event_id, MIESZKANKA) == RegistrationStatus.CONFIRMED

    # --- The second participant, on a phone, takes the last place. ----------------------------
    tomasz = open_as(UCZESTNIK, phone=True)
    open_event_from_list(tomasz, TITLE)
    tomasz.locator(SIGN_UP).click()
    expect(tomasz).to_have_url(path_is(event_path))
    expect(my_registration(tomasz)).to_have_class(re.compile(r"\btag-green\b"))
    assert scroll_width(tomasz) <= PHONE["width"]
    screenshot(tomasz, "event-signed-up-360")
    assert registration_status(app, event_id, UCZESTNIK) == RegistrationStatus.CONFIRMED

    # --- The third finds the event full and goes on the waiting list, number 1. ---------------
    third = open_as(THIRD)
    open_event_from_list(third, TITLE)
    check_both_languages(
        third,
        axe,
        {"main .details": "Full – waiting list: 0", "main": "you go on the waiting list"},
    )
    third.locator(SIGN_UP).click()
    expect(third).to_have_url(path_is(event_path))
    expect(third.locator(STATUS_NOTICE)).to_be_visible()
    expect(my_registration(third)).to_have_class(re.compile(r"\btag-yellow\b"))
    check_both_languages(
        third, axe, {MY_STATUS: "Waiting list, number 1", CANCEL: "Leave the waiting list"}
    )
    assert registration_status(app, event_id, THIRD) == RegistrationStatus.WAITING
    with app.app_context():
        assert db.session.get(Event, event_id).places_taken == 2  # never more than capacity

    # The coordinator sees who is waiting, and where in line.
    coordinator.goto(f"/staff/events/{event_id}")
    waiting_row = coordinator.locator("main table tbody tr", has_text=third_name)
    expect(waiting_row).to_contain_text("#1")
    expect(waiting_row.locator("form[action$='/admit'] input[name=reason]")).to_have_count(1)
    check_both_languages(coordinator, axe, {"main .details": "2 / 2"})

    # Her home page puts the event first, and leads on to "My events" and the calendar.
    follow_menu(third, "/me/")
    expect(third.locator("main .card", has_text=TITLE).locator(".tag")).to_have_class(
        re.compile(r"\btag-yellow\b")
    )
    third.locator("main a[href='/me/my-events']").click()
    expect(third).to_have_url(path_is("/me/my-events"))
    check_both_languages(third, axe, {CARD: "Waiting list, number 1"})
    follow_menu(third, "/me/")
    third.locator("main a[href='/me/calendar']").click()
    expect(third).to_have_url(path_is("/me/calendar"))
    check_both_languages(third, axe)

    # --- mieszkanka cancels: the third is promoted at once and told by e-mail. ----------------
    halina.goto(event_path)
    halina.locator(CANCEL).click()
    expect(halina).to_have_url(path_is(f"{event_path}/cancel"))
    # The confirmation says what happens: the family's places go too, the waiting list moves up.
    check_both_languages(halina, axe, {"main": "waiting"})
    halina.locator(CONFIRM_CANCEL).click()
    expect(halina).to_have_url(path_is(event_path))
    expect(halina.locator(STATUS_NOTICE)).to_be_visible()
    expect(halina.locator(CANCEL)).to_have_count(0)
    # The place went to the waiting list: she could sign up again, but only for the list.
    expect(halina.locator(SIGN_UP)).to_be_visible()
    check_both_languages(halina, axe, {"main": "you go on the waiting list"})
    halina.goto("/me/my-events")
    check_both_languages(halina, axe, {CARD: "Cancelled"})

    assert registration_status(app, event_id, MIESZKANKA) == RegistrationStatus.CANCELLED
    assert registration_status(app, event_id, THIRD) == RegistrationStatus.CONFIRMED
    with app.app_context():
        subjects = db.session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.to_address == THIRD)
        ).all()
        # Told twice: on joining the waiting list, and when the freed place became theirs.
        assert len(subjects) == 2, subjects
        assert db.session.get(Event, event_id).places_taken == 2

    third.goto(event_path)
    expect(my_registration(third)).to_have_class(re.compile(r"\btag-green\b"))
    check_both_languages(third, axe, {MY_STATUS: "You have a place", CANCEL: "Cancel my place"})

    # --- A social worker takes attendance on a phone and downloads the attendance list. ------
    the_event_has_begun(app, event_id)
    worker = open_as("pracownik@example.org", phone=True)
    # Begun or not, it is listed as coming up until it ends (attendance is taken on the day).
    follow_menu(worker, "/staff/events")
    worker.locator(f"main a[href='/staff/events/{event_id}']").click()
    expect(worker).to_have_url(path_is(f"/staff/events/{event_id}"))
    registrations = worker.locator("main table tbody tr")
    expect(registrations).to_have_count(3)
    width = scroll_width(worker)
    assert width <= PHONE["width"], f"the event page scrolls sideways: {width}px wide"
    screenshot(worker, "staff-event-360")
    check_both_languages(
        worker,
        axe,
        {row("Zalewska Halina"): "Cancelled", row(third_name): "Confirmed"},
    )
    worker.locator(f"main a[href='/staff/events/{event_id}/attendance']").click()
    expect(worker).to_have_url(path_is(f"/staff/events/{event_id}/attendance"))
    width = scroll_width(worker)
    assert width <= PHONE["width"], f"the attendance page scrolls sideways: {width}px wide"
    rows = worker.locator("main fieldset.attendance-row")
    # Only the people with a place: the cancelled registration is not on the list.
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Zalewska")).to_have_count(0)
    check_both_languages(worker, axe)
    screenshot(worker, "attendance-360")

    came = rows.filter(has_text="Wierzbicki Tomasz")
    missed = rows.filter(has_text=third_name)
    came.get_by_role("radio").first.check()  # Present
    missed.get_by_role("radio").last.check()  # Absent
    expect(came.locator("input[value=yes]")).to_be_checked()
    expect(missed.locator("input[value=no]")).to_be_checked()
    worker.locator("main form button[type=submit]").click()
    expect(worker).to_have_url(path_is(f"/staff/events/{event_id}"))
    expect(worker.locator(STATUS_NOTICE)).to_be_visible()
    assert registration_status(app, event_id, UCZESTNIK) == RegistrationStatus.ATTENDED
    assert registration_status(app, event_id, THIRD) == RegistrationStatus.ABSENT
    with app.app_context():
        assert db.session.get(Event, event_id).status == EventStatus.HELD
    check_both_languages(
        worker,
        axe,
        {
            "main .details": "Held",
            row("Wierzbicki Tomasz"): "Attended",
            row(third_name): "Absent",
        },
    )

    # The list opens again as saved.
    worker.goto(f"/staff/events/{event_id}/attendance")
    expect(came.locator("input[value=yes]")).to_be_checked()
    expect(missed.locator("input[value=no]")).to_be_checked()

    worker.goto(f"/staff/events/{event_id}")
    with worker.expect_download() as info:
        worker.locator(f"main a[href='/staff/events/{event_id}/attendance.pdf']").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"lista-obecnosci-{event_id}.pdf"
    text = pdf_text(download.path())
    assert "Wierzbicki Tomasz" in text, text
    assert third_name in text, text
    assert "Zalewska" not in text, "a cancelled registration is not on the attendance list"
    assert TITLE in text
    assert "POKL.07.01.01-06-001/08" in text  # the project and its ESF line

    # The people themselves see the outcome under "My events".
    tomasz.goto("/me/my-events")
    check_both_languages(tomasz, axe, {CARD: "You were there"})

    # Every change of a registration is in the audit trail.
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action)
            .join(Registration, Registration.id == AuditEntry.entity_id)
            .where(AuditEntry.entity_type == "registrations", Registration.event_id == event_id)
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "registration.sign_up",
        "registration.sign_up",
        "registration.sign_up",
        "registration.cancel",
        "registration.promote",
        "registration.attendance",
        "registration.attendance",
    ], actions


# ---------------------------------------------------------------------------------------------
# 3: without JavaScript


def test_sign_up_with_family_and_cancel_without_javascript(app, open_as):
    """Plain HTML forms all the way: the family picnic, with two children, then cancelled."""
    page = open_as(MIESZKANKA, java_script_enabled=False)
    open_event_from_list(page, "Piknik rodzinny")
    event_id = int(urlsplit(page.url).path.rsplit("/", 1)[1])
    with app.app_context():
        places_before = db.session.get(Event, event_id).places_left

    page.fill("#companions", "2")
    page.fill("#companion_names", "Ola i Kuba")
    page.locator(SIGN_UP).click()
    expect(page).to_have_url(path_is(f"/me/events/{event_id}"))
    expect(page.locator(STATUS_NOTICE)).to_be_visible()
    expect(my_registration(page)).to_have_class(re.compile(r"\btag-green\b"))
    with app.app_context():
        assert db.session.get(Event, event_id).places_left == places_before - 3
    page.goto(with_lang(page.url, "en"))
    expect(page.locator("main")).to_contain_text("with 2 family members")
    expect(my_registration(page)).to_have_text("You have a place")

    page.locator(CANCEL).click()
    expect(page).to_have_url(path_is(f"/me/events/{event_id}/cancel"))
    expect(page.locator("main")).to_contain_text("2 family members")
    page.locator(CONFIRM_CANCEL).click()
    expect(page).to_have_url(path_is(f"/me/events/{event_id}"))
    expect(page.locator(STATUS_NOTICE)).to_contain_text("Your place is cancelled")
    expect(page.locator(CANCEL)).to_have_count(0)
    expect(page.locator(SIGN_UP)).to_be_visible()
    assert registration_status(app, event_id, MIESZKANKA) == RegistrationStatus.CANCELLED
    with app.app_context():
        assert db.session.get(Event, event_id).places_left == places_before


# ---------------------------------------------------------------------------------------------
# 4: a person who may not sign up is told why


@pytest.mark.parametrize(
    ("email", "audience", "reason"),
    [
        (MIESZKANKA, Audience.VILLAGES, "This event is only for residents of: {village}."),
        (UCZESTNIK, Audience.PAL, "only for participants of the Local Activity Programme"),
    ],
    ids=["other-village", "pal-only"],
)
def test_a_person_who_may_not_sign_up_sees_why_and_no_button(
    app, open_as, axe, email, audience, reason, make_event
):
    with app.app_context():
        person = db.session.scalar(
            select(Participant)
            .join(User, User.id == Participant.user_id)
            .where(User.email == email)
        )
        # The village the person does not live in.
        villages = db.session.get(Centre, person.centre_id).villages
        other = next(v for v in villages if v.id != person.village_id)
        centre_id, village = person.centre_id, other.name
        if audience == Audience.PAL:
            assert not person.on_pal_path
    event_id = make_event(
        centre_id,
        title="Spotkanie tylko dla wybranych",
        audience=audience,
        villages=(village,) if audience == Audience.VILLAGES else (),
    )

    page = open_as(email)
    open_event_from_list(page, "Spotkanie tylko dla wybranych")
    expect(page).to_have_url(path_is(f"/me/events/{event_id}"))
    expect(page.locator("main .notice")).to_be_visible()
    expect(page.locator("main form[action$='/sign-up']")).to_have_count(0)
    expect(page.locator("main button")).to_have_count(0)
    check_both_languages(page, axe, {"main .notice": reason.format(village=village)})

    # A forged form changes nothing and says why (read in English: the message is written in
    # the person's language when it is given).
    page.goto(f"/me/events/{event_id}?lang=en")
    token = page.locator("header input[name=csrf_token]").get_attribute("value")
    response = page.request.post(
        f"/me/events/{event_id}/sign-up", form={"csrf_token": token}, max_redirects=0
    )
    assert response.status == 302
    page.goto(f"/me/events/{event_id}")
    expect_lang(page, "en")
    expect(page.locator("main .notice[role=alert]")).to_contain_text(reason.format(village=village))
    with app.app_context():
        assert (
            db.session.scalar(select(Registration.id).where(Registration.event_id == event_id))
            is None
        )
