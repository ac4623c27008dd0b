"""Typed text is kept over a sign-out only for the person who typed it (auth/kept.py).

A form another site makes a browser post (no session cookie: SameSite keeps it home), or one
carrying another session's token, is answered with the plain "this form has expired" page and
keeps nothing, so signing in afterwards sends nothing in the person's name. For the person's own
session only the fields the form declares travel, and the page to send them shows each field's
label and value, blank ones too, and the page it goes to; nothing is sent before the button is
pressed, and never in another account's name.
"""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Allowance, User
from portal.models.base import utcnow
from portal.models.enums import AllowanceStatus, Role
from portal.services.common import dates
from tests.helpers import email, translated
from tests.kept_pages import after_idle, as_data, form, resume, send_again, sign_in, token

ATTACKER = "evil@attacker.example"
HOSTILE = {
    "first_name": "E",
    "last_name": "I",
    "email": ATTACKER,
    "roles": "coordinator",
    "is_admin": "1",
    "centre_id": "1",
    "pwd": "x",
}


@pytest.fixture
def office(app, make_centre, make_user, make_participant, make_contract):
    centre = make_centre()
    coordinator = make_user(Role.COORDINATOR, centre_id=centre, email="koordynator@example.org")
    other = make_user(Role.COORDINATOR, centre_id=centre, email="druga@example.org")
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre, email="pracownik@example.org")
    person = make_participant(centre, first_name="Genowefa", last_name="Pigwa")
    return {
        "centre": centre,
        "coordinator": email(app, coordinator),
        "coordinator_id": coordinator,
        "other": email(app, other),
        "worker": email(app, worker),
        "worker_id": worker,
        "person": person,
    }


def _accounts(app, address: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)).where(User.email == address))


def _allowances(app) -> list[tuple[AllowanceStatus, int]]:
    with app.app_context():
        return [(a.status, a.amount_grosze) for a in db.session.scalars(select(Allowance))]


def _plain_expired(app, response) -> str:
    """The plain answer: 400, the expired-form page, nothing typed on it, no sign-in to send."""
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "The form has expired") in page
    assert translated(app, "Sign in again to keep what you typed") not in page
    assert 'action="/auth/resume"' not in page
    assert ATTACKER not in page
    assert "kept-" not in page
    return page


def _signed_in_coordinator(app, client, who: str) -> str:
    """Signed in with CSRF on (as in production); the staff-accounts page's token."""
    app.config["WTF_CSRF_ENABLED"] = True
    assert sign_in(client, who).status_code == 302
    return token(client.get("/staff/users").get_data(as_text=True))


# -- a form posted from another site ----------------------------------------------------------


@pytest.mark.parametrize("csrf", [True, False], ids=["csrf-on", "csrf-off"])
def test_a_cross_site_post_without_the_session_keeps_nothing(app, office, csrf):
    app.config["WTF_CSRF_ENABLED"] = csrf
    browser = app.test_client()  # the cookie stays home: a cross-site POST carries none
    _plain_expired(app, browser.post("/staff/users", data=HOSTILE))
    # Nor through the pages that carry a kept form, posted directly.
    carried = {f"kept-{name}": value for name, value in HOSTILE.items()}
    for carrier in ("/auth/resume", "/auth/code", "/auth/confirm"):
        response = browser.post(
            carrier,
            data={**carried, "kept_action": "/staff/users", "email": office["coordinator"]},
        )
        assert response.status_code in (302, 400), carrier
        if response.status_code == 400:
            _plain_expired(app, response)

    # The coordinator signs in on that browser: nothing is there to send, nothing is created.
    app.config["WTF_CSRF_ENABLED"] = True
    signed_in = sign_in(browser, office["coordinator"])
    assert signed_in.status_code == 302
    assert ATTACKER not in browser.get(signed_in.headers["Location"]).get_data(as_text=True)
    assert _accounts(app, ATTACKER) == 0


def test_a_post_with_another_sessions_token_keeps_nothing(app, client, office):
    app.config["WTF_CSRF_ENABLED"] = True
    stranger = app.test_client()  # the attacker's own browser: a token of their own session
    foreign = token(stranger.get("/auth/login").get_data(as_text=True))
    _signed_in_coordinator(app, client, office["coordinator"])

    # Signed in (the token does not match) and after the idle sign-out (nothing signed in).
    _plain_expired(app, client.post("/staff/users", data={**HOSTILE, "csrf_token": foreign}))
    with after_idle(app):
        _plain_expired(app, client.post("/staff/users", data={**HOSTILE, "csrf_token": foreign}))
        forged = "x" + foreign[1:]
        _plain_expired(app, client.post("/staff/users", data={**HOSTILE, "csrf_token": forged}))
        _plain_expired(app, client.post("/staff/users", data=HOSTILE))  # no token at all
        assert sign_in(client, office["coordinator"]).status_code == 302
    assert _accounts(app, ATTACKER) == 0


def test_an_idle_session_signs_nobody_in_and_is_forgotten_after_a_tokens_lifetime(
    app, client, office
):
    own = _signed_in_coordinator(app, client, office["coordinator"])
    with after_idle(app):
        assert client.get("/staff/users").status_code == 302  # signed out for inactivity
    # Past the lifetime of a token nothing of the session is left to keep a form for.
    grace = timedelta(seconds=app.config["WTF_CSRF_TIME_LIMIT"])
    with after_idle(app, extra=grace + timedelta(hours=1)):
        _plain_expired(app, client.post("/staff/users", data={**HOSTILE, "csrf_token": own}))


def test_the_browser_keeps_the_session_cookie_past_the_idle_time(app, client, office):
    """Else a form sent after the idle sign-out would come without the cookie, like one from
    another site, and could not be kept (the idle time itself is the server's: above)."""
    _signed_in_coordinator(app, client, office["coordinator"])
    expires = client.get_cookie("session").expires
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    grace = timedelta(seconds=app.config["WTF_CSRF_TIME_LIMIT"])
    assert expires > datetime.now(UTC) + idle + grace - timedelta(minutes=1)


# -- the person's own session: only the form's fields, shown before sending --------------------


def test_only_the_fields_the_form_declares_travel_and_each_is_shown_before_sending(
    app, client, office
):
    own = _signed_in_coordinator(app, client, office["coordinator"])
    typed = {
        **HOSTILE,
        "csrf_token": own,
        "first_name": "Ewa",
        "last_name": "",
        "email": "nowa@example.org",
        "roles": ["advisor", "social_worker"],
    }
    with after_idle(app):
        kept = client.post("/staff/users", data=typed)
        assert kept.status_code == 401
        page = kept.get_data(as_text=True)
        carried = as_data(form(page, "/auth/resume"))
        assert carried["kept-first_name"] == ["Ewa"]
        assert carried["kept-last_name"] == [""]
        assert carried["kept-roles"] == ["advisor", "social_worker"]
        for undeclared in ("is_admin", "centre_id", "pwd"):
            assert f"kept-{undeclared}" not in carried
            assert undeclared not in page
        assert translated(app, "Create a staff account") in page  # where it goes

        send = resume(client, page, office["coordinator"])
        assert send.status_code == 200
        page = send.get_data(as_text=True)
        sent = as_data(form(page, "/staff/users"))
        assert not {"is_admin", "centre_id", "pwd"} & set(sent)
        assert set(sent) == {"csrf_token", "first_name", "last_name", "email", "roles"}
        # Each field's label and value, the blank one as blank, the roles by name, and the page.
        shown = [
            (translated(app, "First name"), "Ewa"),
            (translated(app, "Last name"), translated(app, "(empty)")),
            (translated(app, "E-mail address"), "nowa@example.org"),
            (translated(app, "Roles"), translated(app, "Career advisor")),
            (translated(app, "Roles"), translated(app, "Social worker")),
        ]
        start = page.index('<dl class="details kept">')
        listing = page[start : page.index("</dl>", start)]
        for label, value in shown:
            assert label in listing, label
            assert value in listing, value
        assert listing.index(translated(app, "First name")) < listing.index("Ewa")
        destination = translated(
            app,
            "The form is sent to the page “%(title)s” (%(path)s).",
            title=translated(app, "Create a staff account", html=False),
            path="/staff/users",
        )
        assert destination in page
        assert _accounts(app, "nowa@example.org") == 0  # nothing is sent before the button

        # Sent: the blank last name is refused beside its field; filled in, the account is made in
        # the coordinator's own centre with the roles chosen, nothing else.
        refused = send_again(client, page, "/staff/users")
        assert refused.status_code == 200
        assert 'aria-invalid="true"' in refused.get_data(as_text=True)
        created = client.post(
            "/staff/users",
            data={
                "csrf_token": token(refused.get_data(as_text=True)),
                "first_name": "Ewa",
                "last_name": "Nowa",
                "email": "nowa@example.org",
                "roles": ["advisor", "social_worker"],
            },
        )
        assert created.status_code == 302
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == "nowa@example.org"))
            assert user.centre_id == office["centre"]
            assert {role.value for role in user.roles} == {"advisor", "social_worker"}
            assert not user.has_role(Role.ADMIN, Role.COORDINATOR)


def test_another_account_signing_in_on_the_kept_page_sends_nothing(app, client, office):
    own = _signed_in_coordinator(app, client, office["coordinator"])
    typed = {"csrf_token": own, "first_name": "Ewa", "last_name": "Nowa", "roles": "advisor"}
    typed["email"] = "nowa@example.org"
    with after_idle(app):
        page = client.post("/staff/users", data=typed).get_data(as_text=True)
        assert "nowa@example.org" in page
        signed_in = resume(client, page, office["other"])
        assert signed_in.status_code == 302  # signed in as themselves, and only that
        home = client.get(signed_in.headers["Location"]).get_data(as_text=True)
        assert (
            translated(
                app, "What was typed on the previous page was not kept: it was another account's."
            )
            in home
        )
        assert "nowa@example.org" not in home
        assert translated(app, "Send what you typed") not in home
        # Nor can the page be used again: what it carried is no longer this session's.
        again = resume(client, page, office["coordinator"])
        assert again.status_code == 400
    assert _accounts(app, "nowa@example.org") == 0


# -- an allowance request, a social worker with two-factor ---------------------------------------


def _enrolled_worker(app, login_as, office) -> str:
    worker = login_as(office["worker"], fresh=True)
    assert worker.post("/auth/security/two-factor/start").status_code == 302
    with app.app_context():
        secret = db.session.get(User, office["worker_id"]).totp_secret
    enrolled = worker.post("/auth/security/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert enrolled.status_code == 200
    worker.post("/auth/logout")
    return secret


def _allowance(office, **overrides) -> dict:
    month = dates.local_date(utcnow()).strftime("%Y-%m")
    return {
        "kind": "purpose",
        "contract_id": "0",
        "amount": "4999,00",
        "first_month": month,
        "last_month": "",
        "category": "fuel",
        "purpose": "Opał",
        "justification": "Zima",
        "submit_now": " ",
        **overrides,
    }


def _code(app, client, secret: str, now) -> None:
    """The second step of a sign-in as the page sends it."""
    page = client.get("/auth/code").get_data(as_text=True)
    code = pyotp.TOTP(secret).at(now)
    assert (
        client.post("/auth/code", data={"csrf_token": token(page), "code": code}).status_code == 302
    )


def test_an_allowance_posted_from_another_site_is_never_submitted(app, office, login_as):
    secret = _enrolled_worker(app, login_as, office)
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    action = f"/staff/participants/{office['person']}/allowances/new"
    page = _plain_expired(app, browser.post(action, data=_allowance(office)))
    assert "4999" not in page
    with after_idle(app) as frozen:  # the worker signs in later in that browser, code and all
        assert sign_in(browser, office["worker"]).status_code == 302
        _code(app, browser, secret, frozen().timestamp())
        assert browser.get("/staff/participants").status_code == 200
    assert _allowances(app) == []


def test_an_allowance_of_a_two_factor_worker_is_kept_for_them_and_shown_before_sending(
    app, office, login_as
):
    secret = _enrolled_worker(app, login_as, office)
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    assert sign_in(browser, office["worker"]).status_code == 302
    _code(app, browser, secret, utcnow().timestamp() + 30)
    action = f"/staff/participants/{office['person']}/allowances/new"
    own = token(browser.get(action).get_data(as_text=True))
    typed = {**_allowance(office), "csrf_token": own, "is_admin": "1", "prepared_by": "1"}

    with after_idle(app) as frozen:
        kept = browser.post(action, data=typed)
        assert kept.status_code == 401
        code_page = resume(browser, kept.get_data(as_text=True), office["worker"])
        assert code_page.status_code == 200
        carried = as_data(form(code_page.get_data(as_text=True), "/auth/code"))
        assert carried["kept-amount"] == ["4999,00"]
        assert "kept-is_admin" not in carried
        assert "kept-prepared_by" not in carried
        carried["code"] = [pyotp.TOTP(secret).at(frozen().timestamp())]
        send = browser.post("/auth/code", data=carried)
        assert send.status_code == 200
        page = send.get_data(as_text=True)
        start = page.index('<dl class="details kept">')
        listing = page[start : page.index("</dl>", start)]
        for label, value in [
            ("Amount (PLN)", "4999,00"),
            ("Last month", translated(app, "(empty)")),
            ("The need, or what is given in kind", "Opał"),
            ("Submit for a decision", translated(app, "Yes")),  # " " presses the button
            ("Kind of allowance", translated(app, "Purpose allowance")),
        ]:
            row = listing[listing.index(translated(app, label)) :]
            assert value in row[: row.index("</div>")], (label, value)
        assert translated(app, "Prepare an allowance request") in page
        assert action in page
        assert _allowances(app) == []  # not before the button

        assert send_again(browser, page, action).status_code == 302
        assert _allowances(app) == [(AllowanceStatus.SUBMITTED, 499_900)]
