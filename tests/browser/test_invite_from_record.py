"""A person recorded by staff gets an account from their record, in Chromium and in Polish, with
axe on every page: the social worker records them, adds their e-mail address, invites them; the
person sets a password through the mailed link, signs in and sees their own record — one record,
not two. A resident's request matching a record is linked to it, not recorded again."""

import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AccountRequest, OutboxMessage, Participant, User, Village
from portal.models.enums import RequestStatus
from tests.browser.pages import LOGIN, check_both_languages, expect_lang, path_is, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

pytestmark = pytest.mark.browser

WORKER = "pracownik@example.org"
INVITATION = re.compile(r"http://\S+/auth/set-password/[\w.\-]+")
NEW_PASSWORD = "zielona łąka nad Sanem"
RECORD = re.compile(r".*/staff/participants/(\d+)$")


def _count(app, last_name: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Participant.id)).where(Participant.last_name == last_name)
        )


def _record(page, first: str, last: str) -> int:
    """Record a person without an e-mail address, as from a paper form; their record's id."""
    page.goto("/staff/participants/new")
    page.fill("#first_name", first)
    page.fill("#last_name", last)
    page.fill("#no_pesel_country", "Polska")
    page.select_option("#village_id", label="Biała Druga")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(RECORD)
    return int(RECORD.match(page.url).group(1))


def test_a_recorded_person_is_invited_from_the_record_and_sees_it(app, page, demo_site, axe):
    email = "halina.zawislanska@example.org"
    sign_in(page, WORKER)
    person = _record(page, "Halina", "Zawiślańska")
    expect(page.locator("#invite")).to_have_count(0)  # no address yet: nothing to send to
    page.goto(f"/staff/participants/{person}/edit")
    page.fill("#email", email)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(path_is(f"/staff/participants/{person}"))
    # The address saved is not silently ignored: the page says so and offers the invitation.
    expect(page.locator("main .notice-warning").first).to_be_visible()
    expect(page.locator("#invite")).to_be_visible()
    check_both_languages(page, axe)
    page.locator("#invite").click()
    expect(page.locator("#account-invited")).to_be_visible()
    expect(page.locator("#invite")).to_have_count(0)
    axe(page)

    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.to_address == email)
        ).all()
    assert len(bodies) == 1, bodies
    link = INVITATION.search(bodies[0])
    assert link, bodies[0]
    assert link.group(0).startswith(demo_site.url)

    page.locator("header form button[type=submit]").click()  # the worker signs out
    expect(page).to_have_url(path_is(LOGIN))
    page.goto(link.group(0))
    expect(page.locator("#password")).to_be_visible()
    expect_lang(page, "pl")
    axe(page)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    # The password is set and the sign-in page says so: only then is it signed in with (the
    # sign-in page's own token, not one from a page still loading).
    expect(page).to_have_url(path_is(LOGIN))
    expect(page.locator("main [role=status]")).to_be_visible()
    sign_in(page, email, NEW_PASSWORD)
    page.goto("/me/my-details")
    expect(page.locator("main")).to_contain_text("Halina Zawiślańska")
    axe(page)
    assert _count(app, "Zawiślańska") == 1
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.participant.id == person


def test_a_residents_request_matching_a_record_is_linked_to_it(app, page, demo_site, axe):
    email = "bogumila.krzeminska@example.org"
    sign_in(page, WORKER)
    person = _record(page, "Bogumiła", "Krzemińska")
    page.locator("header form button[type=submit]").click()
    expect(page).to_have_url(path_is(LOGIN))

    # The resident asks online, spelling the name without Polish letters.
    with app.app_context():
        village = db.session.scalar(
            select(Village.id)
            .join(Participant, Participant.centre_id == Village.centre_id)
            .where(Participant.id == person, Village.name == "Biała Druga")
        )
    page.goto("/request-account")
    page.fill("#first_name", "Bogumila")
    page.fill("#last_name", "Krzeminska")
    page.fill("#email", email)
    page.select_option("#village_id", value=str(village))
    page.check("#consent")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_be_visible()
    with app.app_context():
        request_id = db.session.scalar(
            select(AccountRequest.id).where(AccountRequest.email == email)
        )
    assert request_id

    sign_in(page, WORKER)
    expect(page.locator("#account-requests-waiting")).to_be_visible()  # the worker's home
    page.locator("#account-requests-waiting a").click()
    expect(page).to_have_url(path_is("/staff/account-requests"))
    expect(page.locator(f"#request-{request_id}-matches")).to_be_visible()
    check_both_languages(page, axe)
    page.locator(f"#link-{request_id}-{person}").click()
    expect(page).to_have_url(path_is("/staff/account-requests"))
    expect(page.locator("main [role=status]")).to_be_visible()
    axe(page)
    assert _count(app, "Krzemińska") == 1
    assert _count(app, "Krzeminska") == 0
    with app.app_context():
        record = db.session.get(Participant, person)
        assert record.user is not None
        assert record.user.email == email
        assert db.session.get(AccountRequest, request_id).status == RequestStatus.ACCEPTED
