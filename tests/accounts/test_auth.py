"""Signing in, each role's home page, throttling, sessions that end, safe redirects."""

import logging

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, User
from portal.models.enums import Role
from tests.helpers import PASSWORD


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.COORDINATOR, "/staff/"),
        (Role.SOCIAL_WORKER, "/staff/participants"),
        (Role.ADVISOR, "/staff/caseload"),
        (Role.ADMIN, "/staff/centres"),
    ],
)
def test_each_staff_role_lands_on_its_home(client, make_user, make_centre, role, home):
    make_user(role, centre_id=make_centre(), email="someone@example.org")
    response = client.post(
        "/auth/login", data={"email": "someone@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == home
    assert client.get(home).status_code == 200


def test_participant_lands_on_own_page(client, make_participant):
    make_participant(first_name="Halina")
    response = client.post(
        "/auth/login", data={"email": "participant1@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/me/"
    page = client.get("/me/").get_data(as_text=True)
    assert "Halina" in page


def test_wrong_password_and_unknown_account_get_the_same_message(client, make_user):
    make_user(Role.COORDINATOR, email="known@example.org")
    wrong = client.post(
        "/auth/login?lang=en", data={"email": "known@example.org", "password": "x" * 12}
    )
    unknown = client.post(
        "/auth/login?lang=en", data={"email": "nobody@example.org", "password": "x" * 12}
    )
    assert wrong.status_code == unknown.status_code == 200
    message = "The e-mail address or password is incorrect."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    # What the person typed stays in the form.
    assert 'value="known@example.org"' in wrong.get_data(as_text=True)


def test_polish_is_the_default_language(client, make_user):
    make_user(Role.COORDINATOR, email="known@example.org")
    page = client.post(
        "/auth/login", data={"email": "known@example.org", "password": "x" * 12}
    ).get_data(as_text=True)
    assert '<html lang="pl">' in page


def test_account_locks_after_repeated_failures(app, client, make_user):
    user_id = make_user(Role.COORDINATOR, email="target@example.org")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        client.post("/auth/login", data={"email": "target@example.org", "password": "wrong" * 3})
    # Even the right password is refused while the account is locked.
    response = client.post(
        "/auth/login?lang=en", data={"email": "target@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(User, user_id).locked_until is not None
    unknown = client.post(
        "/auth/login?lang=en", data={"email": "nobody@example.org", "password": PASSWORD}
    )
    # A locked account answers exactly as an address without an account (ASVS 2.2.1).
    assert _error_of(response) == _error_of(unknown)
    assert "signing in pauses for a few minutes" in _error_of(response)


def _error_of(response) -> str:
    page = response.get_data(as_text=True)
    start = page.index('class="error-message"')
    return page[start : page.index("</p>", start)]


def test_a_locked_account_costs_one_password_check_like_any_other(
    app, client, make_user, monkeypatch
):
    from portal.services.accounts import passwords

    calls = []
    real_verify = passwords.verify
    monkeypatch.setattr(
        passwords, "verify", lambda *args: calls.append(args[0]) or real_verify(*args)
    )
    make_user(Role.COORDINATOR, email="target@example.org")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 2):
        client.post("/auth/login", data={"email": "target@example.org", "password": "w" * 12})
    client.post("/auth/login", data={"email": "nobody@example.org", "password": "w" * 12})
    # Same timing: every attempt, locked or unknown, runs exactly one password check.
    assert len(calls) == app.config["LOGIN_MAX_FAILURES"] + 3


def test_logout_ends_every_session_of_the_user(app, make_user, login_as):
    make_user(Role.COORDINATOR, email="two@example.org")
    first, second = app.test_client(), app.test_client()
    login_as("two@example.org", test_client=first)
    login_as("two@example.org", test_client=second)
    assert second.get("/staff/").status_code == 200
    first.post("/auth/logout")
    # The other browser's cookie no longer opens anything.
    response = second.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "%2F%2Fevil.example",
        "%252F%252Fevil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x=1",
    ],
)
def test_next_never_leaves_the_site(client, make_user, target):
    make_user(Role.COORDINATOR, email="known@example.org")
    response = client.post(
        f"/auth/login?next={target}", data={"email": "known@example.org", "password": PASSWORD}
    )
    if "%0d" in target:  # control characters in an address are refused before anything runs
        assert response.status_code == 400
        assert "Location" not in response.headers
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


def test_next_to_a_local_page_is_followed(client, make_user):
    make_user(Role.COORDINATOR, email="known@example.org")
    response = client.post(
        "/auth/login?next=/staff/users", data={"email": "known@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/staff/users"


def test_staff_pages_need_login_and_a_staff_role(client, make_participant, login_as):
    assert client.get("/staff/").status_code == 302
    make_participant()
    login_as("participant1@example.org")
    assert client.get("/staff/").status_code == 403
    assert client.get("/staff/participants").status_code == 403


def test_login_is_audited_only_through_its_effects_and_never_logs_the_password(
    app, client, make_user, caplog
):
    make_user(Role.COORDINATOR, email="known@example.org")
    portal_log = logging.getLogger("portal")  # it does not propagate to the root logger
    portal_log.addHandler(caplog.handler)
    try:
        client.post(
            "/auth/login", data={"email": "known@example.org", "password": "Secret-Pass-123"}
        )
    finally:
        portal_log.removeHandler(caplog.handler)
    assert "sign-in refused" in caplog.text  # the capture sees the portal's log
    assert "Secret-Pass-123" not in caplog.text
    assert "known@example.org" not in caplog.text
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry)).all()
        assert all("Secret-Pass-123" not in str(entry.changes) for entry in entries)
