"""Changing the password while signed in: the current password first, the policy, the other
sessions end and this one stays, an e-mail and an audit entry; a bad input changes nothing."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, OutboxMessage, User
from portal.models.enums import Role
from tests.helpers import PASSWORD, translated

EMAIL = "pracownica@example.org"
NEW = "zielona łąka nad Sanem"


@pytest.fixture
def worker(make_user):
    return make_user(Role.SOCIAL_WORKER, email=EMAIL)


def state(app, user_id: int) -> tuple[str, str, int]:
    with app.app_context():
        user = db.session.get(User, user_id)
        mails = db.session.scalar(select(db.func.count(OutboxMessage.id)))
        return user.password_hash, user.session_token, mails


def change(client, current=PASSWORD, new=NEW, confirm=None):
    return client.post(
        "/auth/security/password",
        data={"current_password": current, "password": new, "confirm": confirm or new},
    )


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message", "params"),
    [
        ("", NEW, NEW, "current_password", "Enter your current password.", {}),
        (
            "not my password",
            NEW,
            NEW,
            "current_password",
            "The current password is not right. After many failed attempts signing in pauses "
            "for a few minutes.",
            {},
        ),
        (PASSWORD, "", "", "password", "Enter a new password.", {}),
        (PASSWORD, NEW, NEW + "x", "confirm", "The two passwords are not the same.", {}),
        (
            PASSWORD,
            "krótkie",
            "krótkie",
            "password",
            "The password must have at least %(n)d characters.",
            {"n": 12},
        ),
        (
            PASSWORD,
            "password1234",
            "password1234",
            "password",
            "This password is too common. Choose a longer phrase that only you know.",
            {},
        ),
    ],
)
def test_every_bad_input_is_shown_and_changes_nothing(
    app, client, worker, login_as, current, new, confirm, field, message, params
):
    login_as(EMAIL)
    before = state(app, worker)
    response = change(client, current, new, confirm)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert translated(app, message, **params) in page
    assert f'id="{field}-error"' in page
    assert state(app, worker) == before
    assert client.get("/staff/participants").status_code == 200  # still signed in


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app, worker, login_as):
    here = login_as(EMAIL, fresh=True)
    elsewhere = login_as(EMAIL, fresh=True)
    response = change(here)
    assert response.headers["Location"] == "/auth/security"
    assert here.get("/staff/participants").status_code == 200
    assert elsewhere.get("/staff/participants").headers["Location"].startswith("/auth/login")
    with app.app_context():
        [mail] = db.session.scalars(select(OutboxMessage)).all()
        assert mail.to_address == EMAIL
    assert mail.subject == translated(app, "Your password has been changed", html=False)
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.password_changed")
        ).one()
        assert entry.entity_id == worker
        assert entry.actor_id == worker
        assert NEW not in str(entry.changes)
    here.post("/auth/logout")
    assert here.post("/auth/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 200
    login_as(EMAIL, NEW, test_client=here)


def test_the_change_needs_a_recent_sign_in(app, client, worker, login_as):
    login_as(EMAIL)
    with client.session_transaction() as session:
        session["signed_in_at"] -= 11 * 60
    response = client.get("/auth/security/password")
    assert response.headers["Location"] == "/auth/confirm?next=/auth/security/password"
    # A change posted meanwhile: nothing is saved, the confirmation is asked for.
    before = state(app, worker)
    page = change(client)
    assert page.status_code == 200
    assert 'action="/auth/confirm"' in page.get_data(as_text=True)
    assert NEW not in page.get_data(as_text=True)  # passwords are never carried
    assert state(app, worker) == before
    # After confirming, the page opens again (nothing else was typed to send).
    assert 'name="next" value="/auth/security/password"' in page.get_data(as_text=True)
    confirmed = client.post(
        "/auth/confirm", data={"password": PASSWORD, "next": "/auth/security/password"}
    )
    assert confirmed.headers["Location"] == "/auth/security/password"
    assert change(client).status_code == 302
