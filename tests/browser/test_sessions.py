"""A group session in a real browser, on a 360 px phone: a social worker plans a social-skills
training session, enrols two people, edits the session, opens its cancel page, takes
attendance, adds a walk-in with a reason and opens the printable attendance list. Every new
page passes axe in Polish and in English and fits the phone without sideways scrolling.
"""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, Registration
from portal.models.enums import RegistrationStatus
from portal.models.support import GroupInstrument
from tests.browser.pages import check_both_languages, fits_phone, path_is, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

WARSAW = ZoneInfo("Europe/Warsaw")
STATUS_NOTICE = "main .notice[role=status]"


def _started_a_minute_ago(app, session_id: int) -> None:
    """Move the session to have begun a minute ago, as if the clock had moved on: attendance is
    taken from its start (and run late in the evening, the session was planned for tomorrow).
    It ends by midnight, as the edit form (one day, two times) requires."""
    with app.app_context():
        event = db.session.get(Event, session_id)
        length = event.ends_at - event.starts_at
        event.starts_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        last_minute = datetime.now(WARSAW).replace(hour=23, minute=59, second=0, microsecond=0)
        event.ends_at = min(event.starts_at + length, last_minute.astimezone(UTC))
        db.session.commit()


def _statuses(app, session_id: int) -> dict[int, RegistrationStatus]:
    with app.app_context():
        return {
            r.participant_id: r.status
            for r in db.session.scalars(
                select(Registration).where(Registration.event_id == session_id)
            )
        }


def test_a_social_worker_runs_a_session_on_a_phone(app, phone_page, demo_site, axe):
    page = phone_page
    sign_in(page, "pracownik@example.org")
    page.goto("/staff/sessions")
    expect(page).to_have_url(path_is("/staff/sessions"))
    fits_phone(page)
    check_both_languages(page, axe, {"main h1": "Group sessions"})

    page.locator("main a[href='/staff/sessions/new']").click()
    expect(page).to_have_url(path_is("/staff/sessions/new"))
    fits_phone(page)
    check_both_languages(page, axe, {"main form": "Trainer"})

    # Sent empty first: the problems are listed beside their fields, still axe-clean.
    page.fill("#capacity", "")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#trainer")).to_have_attribute("aria-invalid", "true")
    axe(page)

    now = datetime.now(WARSAW)
    late = now.hour >= 21  # the session would not fit into today: plan it tomorrow, then move
    starts = (now + timedelta(days=1)).replace(hour=10) if late else now + timedelta(minutes=10)
    ends = starts + timedelta(minutes=90)
    page.select_option("#instrument", GroupInstrument.SOCIAL_SKILLS.value)
    page.fill("#day", starts.strftime("%Y-%m-%d"))
    page.fill("#starts", starts.strftime("%H:%M"))
    page.fill("#ends", ends.strftime("%H:%M"))
    page.fill("#place", "Sala konferencyjna OPS")
    page.fill("#trainer", "Ewa Trenerska")
    page.fill("#topics", "Komunikacja interpersonalna\nAsertywność\nRozwiązywanie konfliktów")
    page.fill("#capacity", "2")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/sessions/\d+$"))
    session_id = int(urlsplit(page.url).path.rsplit("/", 1)[1])
    if late:
        _started_a_minute_ago(app, session_id)
        page.reload()
    fits_phone(page)

    # Enrol the first two people offered.
    boxes = page.locator("main input[name=participant_ids]")
    first, second = (int(boxes.nth(i).get_attribute("value")) for i in range(2))
    third = int(boxes.nth(2).get_attribute("value"))
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator(f"main form[action='/staff/sessions/{session_id}/enrol'] button").click()
    expect(page).to_have_url(path_is(f"/staff/sessions/{session_id}"))
    expect(page.locator("main table tbody tr")).to_have_count(2)
    fits_phone(page)
    check_both_languages(page, axe, {"main .details": "Social skills training"})
    assert _statuses(app, session_id) == {
        first: RegistrationStatus.CONFIRMED,
        second: RegistrationStatus.CONFIRMED,
    }

    # The session's edit page: the place changes.
    page.locator(f"main a[href='/staff/sessions/{session_id}/edit']").click()
    expect(page).to_have_url(path_is(f"/staff/sessions/{session_id}/edit"))
    fits_phone(page)
    check_both_languages(page, axe, {"main h1": "Edit the session"})
    page.fill("#place", "Świetlica wiejska")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(path_is(f"/staff/sessions/{session_id}"))
    with app.app_context():
        assert db.session.get(Event, session_id).place == "Świetlica wiejska"

    # The cancel page says what would happen; it is left without cancelling.
    page.locator(f"main a[href='/staff/sessions/{session_id}/cancel']").click()
    expect(page).to_have_url(path_is(f"/staff/sessions/{session_id}/cancel"))
    fits_phone(page)
    check_both_languages(page, axe, {"main h1": "Cancel the session"})
    page.goto(f"/staff/sessions/{session_id}")

    # Attendance, on the event pages' own form, once the session has begun.
    _started_a_minute_ago(app, session_id)
    page.reload()
    page.locator(f"main a[href='/staff/events/{session_id}/attendance']").first.click()
    expect(page).to_have_url(path_is(f"/staff/events/{session_id}/attendance"))
    fits_phone(page)
    check_both_languages(page, axe)
    rows = page.locator("main fieldset.attendance-row")
    expect(rows).to_have_count(2)
    rows.nth(0).get_by_role("radio").first.check()  # present
    rows.nth(1).get_by_role("radio").last.check()  # absent
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(path_is(f"/staff/sessions/{session_id}"))
    statuses = _statuses(app, session_id)
    assert sorted(statuses.values()) == sorted(
        [RegistrationStatus.ATTENDED, RegistrationStatus.ABSENT]
    )

    # A walk-in, with a reason; the group of two grows to three.
    page.goto(f"/staff/events/{session_id}/attendance")
    page.locator(f"main a[href='/staff/sessions/{session_id}/walk-in']").click()
    expect(page).to_have_url(path_is(f"/staff/sessions/{session_id}/walk-in"))
    fits_phone(page)
    check_both_languages(page, axe, {"main h1": "Someone came without being enrolled"})
    page.select_option("#participant_id", str(third))
    page.locator("main form button[type=submit]").click()  # no reason yet
    expect(page.locator("#reason")).to_have_attribute("aria-invalid", "true")
    axe(page)
    page.fill("#reason", "Przyszła w zastępstwie chorej sąsiadki")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(path_is(f"/staff/events/{session_id}/attendance"))
    expect(page.locator("main fieldset.attendance-row")).to_have_count(3)
    assert _statuses(app, session_id)[third] == RegistrationStatus.ATTENDED
    with app.app_context():
        assert db.session.get(Event, session_id).capacity == 3

    # The printable attendance list.
    link = page.locator(f"main a[href='/staff/events/{session_id}/attendance.pdf']")
    expect(link).to_have_count(1)
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
