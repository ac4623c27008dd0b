"""Invitations and password resets: one-time links, their expiry, the password policy."""

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import OutboxMessage, User
from portal.models.enums import Role
from tests.helpers import PASSWORD, input_tag, translated

INVALID_LINK = "This link is invalid, has expired or has already been used."
NEW_PASSWORD = "zielona łąka nad Sanem"
BAD_EMAIL = "Enter an e-mail address in the form name@example.com."
RESET_FLASH = "If an account uses this address, we have sent it a link to set a new password."


def links(app, kind: str) -> list[str]:
    """The paths of the `kind` links (set-password / reset-password) waiting in the outbox."""
    with app.app_context():
        bodies = db.session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    return [m.group(0) for body in bodies for m in re.finditer(rf"/auth/{kind}/\S+", body)]


def user_by_email(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge_all()
        return user


@pytest.fixture
def coordinator(make_centre, make_user, login_as):
    make_user(Role.COORDINATOR, centre_id=make_centre(), email="koordynator@example.org")
    login_as("koordynator@example.org")


def invite(client, email="nowa@example.org", roles=("advisor",)):
    return client.post(
        "/staff/users",
        data={
            "first_name": "Nowa",
            "last_name": "Doradczyni",
            "email": email,
            "roles": list(roles),
        },
    )


def set_password(client, link, password, confirm=None):
    return client.post(
        link, data={"password": password, "confirm": password if confirm is None else confirm}
    )


def test_invitation_sets_a_password_once(app, client, coordinator):
    response = invite(client, email="Nowa@Example.org", roles=["advisor", "social_worker"])
    assert response.status_code == 302
    user = user_by_email(app, "nowa@example.org")
    assert user.password_hash is None
    assert user.roles == {Role.ADVISOR, Role.SOCIAL_WORKER}
    [link] = links(app, "set-password")
    client.post("/auth/logout")

    form = client.get(link)
    assert form.status_code == 200
    assert 'name="password"' in form.get_data(as_text=True)
    too_short = ("krótkie has", "The password must have at least %(n)d characters.", {"n": 12})
    common = (
        "password1234",
        "This password is too common. Choose a longer phrase that only you know.",
        {},
    )
    for password, message, params in (too_short, common):
        response = set_password(client, link, password)
        assert response.status_code == 200
        assert translated(app, message, **params) in response.get_data(as_text=True)
        assert user_by_email(app, "nowa@example.org").password_hash is None
    mismatch = set_password(client, link, NEW_PASSWORD, confirm=NEW_PASSWORD + "!")
    assert mismatch.status_code == 200
    page = mismatch.get_data(as_text=True)
    assert translated(app, "The two passwords are not the same.") in page
    assert user_by_email(app, "nowa@example.org").password_hash is None

    response = set_password(client, link, NEW_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert user_by_email(app, "nowa@example.org").password_hash.startswith("$argon2id$")

    for reuse in (client.get(link), set_password(client, link, "jeszcze inne hasło tutaj")):
        assert reuse.status_code == 400
        assert translated(app, INVALID_LINK) in reuse.get_data(as_text=True)
    login = client.post("/auth/login", data={"email": "nowa@example.org", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_invitation_expires_after_seven_days(app, client, make_user, login_as):
    make_user(Role.COORDINATOR, email="koordynator@example.org")
    with freeze_time("2026-03-02 09:00:00", tick=True) as clock:
        login_as("koordynator@example.org")  # inside the frozen clock: its cookie is signed then
        invite(client)
        [link] = links(app, "set-password")
        clock.tick(app.config["INVITATION_MAX_AGE"] - timedelta(minutes=1))
        assert client.get(link).status_code == 200
        clock.tick(timedelta(minutes=2))
        response = client.get(link)
        assert response.status_code == 400
        assert translated(app, INVALID_LINK) in response.get_data(as_text=True)
        assert set_password(client, link, NEW_PASSWORD).status_code == 400
    assert user_by_email(app, "nowa@example.org").password_hash is None


def test_reset_link_works_once_and_ends_every_other_session(app, client, make_user, login_as):
    make_user(Role.COORDINATOR, email="anna@example.org")
    elsewhere = app.test_client()
    login_as("anna@example.org", test_client=elsewhere)
    assert elsewhere.get("/staff/").status_code == 200

    response = client.post("/auth/forgot-password", data={"email": "ANNA@example.org "})
    assert response.status_code == 302
    [link] = links(app, "reset-password")
    assert client.get(link).status_code == 200
    assert set_password(client, link, NEW_PASSWORD).status_code == 302

    assert elsewhere.get("/staff/").status_code == 302  # the other browser is signed out
    assert set_password(client, link, "a different long passphrase").status_code == 400
    wrong = client.post("/auth/login", data={"email": "anna@example.org", "password": PASSWORD})
    assert wrong.status_code == 200
    login_as("anna@example.org", NEW_PASSWORD)


def test_reset_link_expires_after_an_hour(app, client, make_user):
    make_user(Role.SOCIAL_WORKER, email="anna@example.org")
    with freeze_time("2026-03-02 09:00:00", tick=True) as clock:
        client.post("/auth/forgot-password", data={"email": "anna@example.org"})
        [link] = links(app, "reset-password")
        clock.tick(timedelta(minutes=59))
        assert client.get(link).status_code == 200
        clock.tick(timedelta(minutes=2))
        assert client.get(link).status_code == 400
        assert set_password(client, link, NEW_PASSWORD).status_code == 400
    # An invitation link is not a reset link, and the reverse.
    assert client.get(link.replace("reset-password", "set-password")).status_code == 400


def test_forgot_password_answers_the_same_for_an_unknown_address(app, client, make_user):
    make_user(Role.COORDINATOR, email="anna@example.org")
    pages = []
    for email in ("anna@example.org", "nikt@example.org"):
        response = client.post(
            "/auth/forgot-password", data={"email": email}, follow_redirects=True
        )
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
    assert all(translated(app, RESET_FLASH) in page for page in pages)
    assert len(links(app, "reset-password")) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_malformed_address_is_reported_beside_the_field(app, client, coordinator):
    for response in (
        client.post("/auth/forgot-password", data={"email": "anna(at)example.org"}),
        invite(client, email="anna@@example"),
    ):
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert translated(app, BAD_EMAIL) in page
        assert 'aria-invalid="true"' in input_tag(page, "email")
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_passwords_are_stored_as_argon2id(app, make_user):
    user_id = make_user(Role.COORDINATOR)
    with app.app_context():
        stored = db.session.get(User, user_id).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_production_hashes_passwords_with_the_recommended_argon2id_parameters(monkeypatch):
    from argon2 import profiles

    from config import ProductionConfig
    from portal import create_app
    from portal.services.accounts import passwords

    production = type(
        "Production",
        (ProductionConfig,),
        {
            "SECRET_KEY": "p" * 48,
            "PSEUDONYM_KEY": "h" * 48,
            "PASSWORD_HASHING": "production",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",  # never reached here
        },
    )
    try:
        create_app(production)
        used = passwords.current_parameters()
        assert used.type.name == "ID"
        assert used.memory_cost == profiles.RFC_9106_LOW_MEMORY.memory_cost >= 65536
        assert used.time_cost == profiles.RFC_9106_LOW_MEMORY.time_cost
        cheap = type("Cheap", (production,), {"PASSWORD_HASHING": "cheap-for-tests"})
        with pytest.raises(RuntimeError, match="production parameters"):
            create_app(cheap)
    finally:
        passwords.configure(passwords.CHEAP_FOR_TESTS)
