"""Staff two-factor sign-in: enrolment, the code step, codes used once, recovery codes,
enrolment required by configuration, turning it off, and the audit trail."""

import re
import time
from datetime import timedelta

import pyotp
import pytest
from freezegun import freeze_time
from sqlalchemy import select

from config import Config, ProductionConfig, _roles
from portal.extensions import db
from portal.models import AuditEntry, RecoveryCode, User
from portal.models.base import utcnow
from portal.models.enums import Role
from tests.helpers import PASSWORD, translated

EMAIL = "koordynatorka@example.org"


def user_row(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge_all()
        return user


def actions(app, user_id: int) -> list[tuple[str, dict]]:
    with app.app_context():
        return [
            (row.action, row.changes)
            for row in db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity_type == "users", AuditEntry.entity_id == user_id)
                .order_by(AuditEntry.id)
            )
        ]


def later_code(secret: str, steps: int = 1) -> str:
    """A code of a later time step (the one used at enrolment is spent)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def enrol(app, client, user_id: int) -> tuple[str, list[str]]:
    """Turn two-factor on through the pages; the secret and the ten recovery codes."""
    assert client.post("/auth/security/two-factor/start").status_code == 302
    secret = user_row(app, user_id).totp_secret
    page = client.post("/auth/security/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert page.status_code == 200
    codes = re.findall(
        r"<code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</code>", page.get_data(as_text=True)
    )
    return secret, codes


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.COORDINATOR, email=EMAIL)


@pytest.fixture
def enrolled(app, client, coordinator, login_as):
    login_as(EMAIL)
    secret, codes = enrol(app, client, coordinator)
    client.post("/auth/logout")
    return {"id": coordinator, "secret": secret, "codes": codes}


def sign_in(client, password: str = PASSWORD):
    return client.post("/auth/login", data={"email": EMAIL, "password": password})


def test_enrolment_shows_a_qr_code_and_the_key_then_ten_codes_once(
    app, client, coordinator, login_as
):
    login_as(EMAIL)
    page = client.get("/auth/security?lang=en").get_data(as_text=True)
    assert "Set up two-factor authentication" in page
    client.post("/auth/security/two-factor/start")
    secret = user_row(app, coordinator).totp_secret
    page = client.get("/auth/security/two-factor?lang=en").get_data(as_text=True)
    assert "<svg" in page
    assert 'class="qr-code"' in page
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page

    # A wrong code: a message beside the field, and two-factor stays off.
    wrong = client.post("/auth/security/two-factor?lang=en", data={"code": "000000"})
    assert "This code is not right." in wrong.get_data(as_text=True)
    assert user_row(app, coordinator).totp_enabled_at is None
    empty = client.post("/auth/security/two-factor?lang=en", data={"code": ""})
    assert "Enter the code your app shows." in empty.get_data(as_text=True)

    page = client.post("/auth/security/two-factor", data={"code": pyotp.TOTP(secret).now()})
    text = page.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</code>", text)
    assert len(set(codes)) == 10
    assert user_row(app, coordinator).totp_enabled_at is not None
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not set(codes) & set(stored)
    # Shown once: the security page does not show them again.
    page = client.get("/auth/security").get_data(as_text=True)
    assert not any(code in page for code in codes)
    assert ("user.two_factor_on", {"two_factor": {"old": False, "new": True}}) in actions(
        app, coordinator
    )


def test_participants_have_no_two_factor_pages(client, make_participant, login_as):
    make_participant()
    login_as("participant1@example.org")
    assert client.get("/auth/security").status_code == 403
    assert client.post("/auth/security/two-factor/start").status_code == 403
    assert "/auth/security" not in client.get("/me/").get_data(as_text=True)


def test_staff_menu_links_the_security_page(client, coordinator, login_as):
    login_as(EMAIL)
    assert 'href="/auth/security"' in client.get("/staff/").get_data(as_text=True)


def test_sign_in_asks_for_the_code_before_anything_opens(app, client, enrolled):
    response = sign_in(client)
    assert response.headers["Location"] == "/auth/code"
    # Half signed in: no page of the portal opens yet.
    assert client.get("/staff/").headers["Location"].startswith("/auth/login")
    wrong = client.post("/auth/code?lang=en", data={"code": "123456"})
    assert "This code is not right or has already been used." in wrong.get_data(as_text=True)
    assert user_row(app, enrolled["id"]).failed_logins == 1
    response = client.post("/auth/code", data={"code": later_code(enrolled["secret"])})
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert user_row(app, enrolled["id"]).failed_logins == 0
    log = actions(app, enrolled["id"])
    assert ("user.second_step_failed", {}) in log
    assert log[-1] == ("user.sign_in", {"method": {"old": None, "new": "two_factor"}})


def test_a_code_is_accepted_once(app, client, enrolled):
    code = later_code(enrolled["secret"])
    sign_in(client)
    assert client.post("/auth/code", data={"code": code}).status_code == 302
    client.post("/auth/logout")
    sign_in(client)
    again = client.post("/auth/code?lang=en", data={"code": code})
    assert again.status_code == 200
    assert "has already been used" in again.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_wrong_codes_lock_the_account_like_wrong_passwords(app, client, enrolled):
    sign_in(client)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/auth/code", data={"code": "999999"})
    assert user_row(app, enrolled["id"]).locked_until is not None
    # The right code no longer helps, and the password alone does not reset the count.
    refused = client.post("/auth/code", data={"code": later_code(enrolled["secret"])})
    assert refused.status_code == 200
    assert client.get("/staff/").status_code == 302


def test_the_password_does_not_reset_the_count_of_wrong_codes(app, client, enrolled):
    for _ in range(3):
        sign_in(client)
        client.post("/auth/code", data={"code": "999999"})
    assert user_row(app, enrolled["id"]).failed_logins == 3


def test_the_half_sign_in_expires(app, client, enrolled):
    with freeze_time(utcnow()) as frozen:
        sign_in(client)
        frozen.tick(timedelta(minutes=app.config["TWO_FACTOR_PENDING_MINUTES"] + 1))
        response = client.post(
            "/auth/code", data={"code": pyotp.TOTP(enrolled["secret"]).at(frozen().timestamp())}
        )
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/staff/").status_code == 302


def test_a_recovery_code_works_once(app, client, enrolled):
    code = enrolled["codes"][0]
    sign_in(client)
    response = client.post("/auth/code", data={"code": code.upper().replace("-", " ")})
    assert response.headers["Location"] == "/staff/"
    assert actions(app, enrolled["id"])[-1] == (
        "user.sign_in",
        {"method": {"old": None, "new": "recovery_code"}},
    )
    client.post("/auth/logout")
    sign_in(client)
    assert client.post("/auth/code", data={"code": code}).status_code == 200
    assert client.get("/staff/").status_code == 302
    # Another unused code still works.
    assert client.post("/auth/code", data={"code": enrolled["codes"][1]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(app, client, enrolled):
    sign_in(client)
    client.post("/auth/code", data={"code": later_code(enrolled["secret"])})
    page = client.post("/auth/security/recovery-codes").get_data(as_text=True)
    fresh = re.findall(r"<code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</code>", page)
    assert len(fresh) == 10
    assert not set(fresh) & set(enrolled["codes"])
    assert "user.recovery_codes_regenerated" in [a for a, _ in actions(app, enrolled["id"])]
    client.post("/auth/logout")
    sign_in(client)
    assert client.post("/auth/code", data={"code": enrolled["codes"][0]}).status_code == 200
    assert client.post("/auth/code", data={"code": fresh[0]}).status_code == 302


def test_turning_off_needs_the_password_and_a_code(app, client, enrolled):
    sign_in(client)
    client.post("/auth/code", data={"code": later_code(enrolled["secret"])})
    bad = [
        ({"password": "", "code": ""}, "Enter your password."),
        ({"password": "wrong password!", "code": later_code(enrolled["secret"], 2)}, "password"),
        ({"password": PASSWORD, "code": "000000"}, "This code is not right"),
    ]
    for data, message in bad:
        page = client.post("/auth/security/two-factor/off?lang=en", data=data)
        assert page.status_code == 200
        assert message in page.get_data(as_text=True)
        assert user_row(app, enrolled["id"]).totp_enabled_at is not None
    with freeze_time(utcnow() + timedelta(seconds=60)) as frozen:  # the next unused step
        response = client.post(
            "/auth/security/two-factor/off",
            data={
                "password": PASSWORD,
                "code": pyotp.TOTP(enrolled["secret"]).at(frozen().timestamp()),
            },
        )
    assert response.headers["Location"] == "/auth/security"
    user = user_row(app, enrolled["id"])
    assert user.totp_enabled_at is None
    assert user.totp_secret is None
    with app.app_context():
        assert db.session.scalars(select(RecoveryCode)).all() == []
    assert "user.two_factor_off" in [a for a, _ in actions(app, enrolled["id"])]
    client.post("/auth/logout")
    assert sign_in(client).headers["Location"] == "/staff/"  # the password alone again


def test_a_required_role_is_taken_to_enrolment_and_nowhere_else(
    app, client, coordinator, make_user, login_as
):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("coordinator", "admin")
    login_as(EMAIL)
    for path in ("/staff/", "/staff/participants", "/staff/users", "/auth/security/password"):
        response = client.get(path)
        assert response.headers["Location"] == "/auth/security", path
    page = client.get("/auth/security?lang=en").get_data(as_text=True)
    assert "Your role requires two-factor authentication" in page
    secret, _codes = enrol(app, client, coordinator)
    assert client.get("/staff/").status_code == 200
    # Required: it cannot be turned off.
    off = client.post(
        "/auth/security/two-factor/off",
        data={"password": PASSWORD, "code": later_code(secret)},
    )
    assert off.status_code == 200
    assert user_row(app, coordinator).totp_enabled_at is not None
    # Another role is not required to.
    make_user(Role.ADVISOR, email="doradca@example.org")
    other = login_as("doradca@example.org", fresh=True)
    assert other.get("/staff/caseload").status_code == 200


def test_configuration_defaults(monkeypatch):
    assert Config.TWO_FACTOR_REQUIRED_ROLES == ()
    assert ProductionConfig.TWO_FACTOR_REQUIRED_ROLES == ("coordinator", "admin")
    monkeypatch.setenv("TWO_FACTOR_REQUIRED_ROLES", "Admin, social_worker")
    assert _roles("TWO_FACTOR_REQUIRED_ROLES", "") == ("admin", "social_worker")
    monkeypatch.setenv("TWO_FACTOR_REQUIRED_ROLES", "none")
    assert _roles("TWO_FACTOR_REQUIRED_ROLES", "coordinator") == ()


def test_production_refuses_an_unknown_required_role():
    config = {
        "SECRET_KEY": "k" * 40,
        "PSEUDONYM_KEY": "p" * 40,
        "PASSWORD_HASHING": "production",
        "TWO_FACTOR_REQUIRED_ROLES": ("coordinater",),
    }
    with pytest.raises(RuntimeError, match="unknown roles"):
        ProductionConfig.check(config)


def test_sign_out_is_audited(app, client, coordinator, login_as):
    login_as(EMAIL)
    client.post("/auth/logout")
    assert [a for a, _ in actions(app, coordinator)][-2:] == ["user.sign_in", "user.sign_out"]


def test_the_code_page_messages_are_translated(app, client, enrolled):
    sign_in(client)
    page = client.post("/auth/code", data={"code": ""}).get_data(as_text=True)
    assert translated(app, "Enter the one-time code.") in page
    assert '<html lang="pl">' in page


def _fields(page: str, action: str) -> dict[str, list[str]]:
    form = re.search(rf'<form method="post" action="{re.escape(action)}"(.*?)</form>', page, re.S)
    assert form, f"no form posting to {action}"
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[1]):
        found.setdefault(name, []).append(value)
    return found


def test_signing_in_again_to_keep_a_form_asks_for_the_code_too(app, client, enrolled):
    sign_in(client)
    client.post("/auth/code", data={"code": later_code(enrolled["secret"])})
    app.config["WTF_CSRF_ENABLED"] = True
    own = _fields(client.get("/staff/").get_data(as_text=True), "/auth/logout")["csrf_token"][0]
    typed = {"first_name": "Nowa", "last_name": "Doradczyni", "email": "nowa@example.org"}
    idle = app.config["PERMANENT_SESSION_LIFETIME"] + timedelta(minutes=1)
    with freeze_time(utcnow() + idle) as frozen:  # the idle sign-out
        kept_page = client.post(
            "/staff/users", data={**typed, "csrf_token": own, "roles": ["advisor"]}
        )
        fields = _fields(kept_page.get_data(as_text=True), "/auth/resume")
        code_page = client.post(
            "/auth/resume", data={**fields, "email": EMAIL, "password": PASSWORD}
        )
        page = code_page.get_data(as_text=True)
        assert 'action="/auth/code"' in page
        assert client.get("/staff/").status_code == 302  # the password alone opens nothing
        carried = _fields(page, "/auth/code")
        carried["csrf_token"] = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert carried["kept-first_name"] == ["Nowa"]
        code = pyotp.TOTP(enrolled["secret"]).at(frozen().timestamp())
        send = client.post("/auth/code", data={**carried, "code": code}).get_data(as_text=True)
        assert "Nowa" in send
        resent = _fields(send, "/staff/users")
        assert client.post("/staff/users", data=resent).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "nowa@example.org"))


def test_an_operator_resets_two_factor_for_a_lost_phone(app, runner, enrolled):
    result = runner.invoke(args=["reset-two-factor", EMAIL.upper()])
    assert result.exit_code == 0, result.output
    user = user_row(app, enrolled["id"])
    assert user.totp_enabled_at is None
    assert user.totp_secret is None
    assert actions(app, enrolled["id"])[-1][0] == "user.two_factor_reset"
    again = runner.invoke(args=["reset-two-factor", EMAIL])
    assert again.exit_code != 0
    assert runner.invoke(args=["reset-two-factor", "nobody@example.org"]).exit_code != 0
