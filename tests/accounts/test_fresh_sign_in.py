"""Sensitive actions need a recent sign-in: a role change, the ESF export, a stage's exports.

An old sign-in is sent to confirm it is the person (password, plus a code with two-factor);
what was posted is carried through the confirmation and sent again with one button, and nothing
happens before that.
"""

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Project, ProjectStage, User
from portal.models.enums import Role
from tests.helpers import PASSWORD, translated
from tests.jobs.helpers import file_of
from tests.kept_pages import as_data, form, token

EMAIL = "koordynator@example.org"


@pytest.fixture
def team(app, make_user, make_centre):
    centre_id = make_centre()
    boss = make_user(Role.COORDINATOR, email=EMAIL, centre_id=centre_id)
    advisor = make_user(Role.ADVISOR, email="doradca@example.org", centre_id=centre_id)
    with app.app_context():
        stage_id = db.session.scalar(
            select(ProjectStage.id).join(Project).where(Project.centre_id == centre_id)
        )
    return {"boss": boss, "advisor": advisor, "stage": stage_id}


def make_stale(client) -> None:
    with client.session_transaction() as session:
        session["signed_in_at"] -= 11 * 60


def roles_of(app, user_id: int) -> set[Role]:
    with app.app_context():
        return set(db.session.get(User, user_id).roles)


def exports_audited(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action.like("%export%"))
        )


def confirm_and_resend(client, confirm_page: str, **extra):
    """Confirm on the page the stale POST got, then press the "send it" button."""
    fields = as_data(form(confirm_page, "/auth/confirm"))
    response = client.post("/auth/confirm", data={**fields, "password": PASSWORD, **extra})
    assert response.status_code == 200, response.status_code
    send = response.get_data(as_text=True)
    action = re.search(
        r'<form method="post" action="([^"]+)" novalidate aria-labelledby="kept-title"', send
    ).group(1)
    return client.post(action, data=as_data(form(send, action)))


def stale_with_csrf(app, client) -> str:
    """Signed in long ago, CSRF on as in production: a token of this session."""
    make_stale(client)
    app.config["WTF_CSRF_ENABLED"] = True
    return token(client.get("/staff/").get_data(as_text=True))


def test_a_role_change_waits_for_the_confirmation(app, client, team, login_as):
    login_as(EMAIL)
    own = stale_with_csrf(app, client)
    url = f"/staff/users/{team['advisor']}"
    assert client.get(url).status_code == 200  # looking needs no confirmation
    page = client.post(url, data={"csrf_token": own, "roles": ["advisor", "social_worker"]})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'action="/auth/confirm"' in text
    assert roles_of(app, team["advisor"]) == {Role.ADVISOR}
    # A wrong password: a message, still nothing changed.
    wrong = client.post(
        "/auth/confirm?lang=en",
        data={**as_data(form(text, "/auth/confirm")), "password": "wrong password"},
    )
    assert "The password is not right." in wrong.get_data(as_text=True)
    assert roles_of(app, team["advisor"]) == {Role.ADVISOR}
    response = confirm_and_resend(client, text)
    assert response.status_code == 302
    assert roles_of(app, team["advisor"]) == {Role.ADVISOR, Role.SOCIAL_WORKER}


def test_a_role_change_keeps_only_the_roles_and_shows_them_with_the_page(
    app, client, team, login_as
):
    """Only the form's own fields go through the confirmation, shown by their labels, with the
    page they go to."""
    login_as(EMAIL)
    own = stale_with_csrf(app, client)
    url = f"/staff/users/{team['advisor']}"
    typed = {"csrf_token": own, "roles": ["coordinator"], "is_admin": "1", "centre_id": "99"}
    text = client.post(url, data=typed).get_data(as_text=True)
    carried = as_data(form(text, "/auth/confirm"))
    assert carried["kept-roles"] == ["coordinator"]
    assert not {"kept-is_admin", "kept-centre_id"} & set(carried)
    assert translated(app, "Staff accounts") in text
    send = client.post("/auth/confirm", data={**carried, "password": PASSWORD})
    page = send.get_data(as_text=True)
    assert translated(app, "Roles") in page
    assert translated(app, "Project coordinator") in page
    assert url in page
    assert set(as_data(form(page, url))) == {"csrf_token", "roles"}
    assert roles_of(app, team["advisor"]) == {Role.ADVISOR}  # not before the button


def test_a_role_change_posted_without_this_sessions_token_is_not_carried(
    app, client, team, login_as
):
    login_as(EMAIL)
    stale_with_csrf(app, client)
    stranger = token(app.test_client().get("/auth/login").get_data(as_text=True))
    url = f"/staff/users/{team['advisor']}"
    refused = client.post(url, data={"csrf_token": stranger, "roles": ["coordinator"]})
    assert refused.status_code == 400
    assert "kept-roles" not in refused.get_data(as_text=True)
    assert roles_of(app, team["advisor"]) == {Role.ADVISOR}


def test_the_esf_export_waits_for_the_confirmation(app, client, team, login_as):
    login_as(EMAIL)
    own = stale_with_csrf(app, client)
    url = f"/staff/esf-export/stages/{team['stage']}"
    page = client.post(url, data={"csrf_token": own, "variant": "full", "file_format": "csv"})
    assert page.mimetype == "text/html"
    assert exports_audited(app) == 0
    # Confirmed, the form is sent on and asks for the file, which a worker builds.
    response = file_of(client, confirm_and_resend(client, page.get_data(as_text=True)))
    assert response.mimetype == "text/csv"
    assert exports_audited(app) == 1


def test_a_stage_export_waits_for_the_confirmation(app, client, team, login_as):
    login_as(EMAIL)
    own = stale_with_csrf(app, client)
    url = f"/staff/stages/{team['stage']}/exports/participants.csv"
    page = client.post(url, data={"csrf_token": own})
    assert page.mimetype == "text/html"
    assert exports_audited(app) == 0
    response = confirm_and_resend(client, page.get_data(as_text=True))
    assert response.mimetype == "text/csv"
    assert exports_audited(app) == 1


def test_a_recent_sign_in_goes_straight_through(app, client, team, login_as):
    login_as(EMAIL)
    url = f"/staff/stages/{team['stage']}/exports/participants.csv"
    assert client.post(url).mimetype == "text/csv"


def test_with_two_factor_the_confirmation_asks_for_a_code_too(app, client, team, login_as):
    login_as(EMAIL)
    client.post("/auth/security/two-factor/start")
    with app.app_context():
        secret = db.session.get(User, team["boss"]).totp_secret
    client.post("/auth/security/two-factor", data={"code": pyotp.TOTP(secret).now()})
    make_stale(client)
    page = client.get("/auth/confirm").get_data(as_text=True)
    assert 'name="code"' in page
    no_code = client.post("/auth/confirm", data={"password": PASSWORD, "code": "000000"})
    assert no_code.status_code == 200
    assert client.get("/auth/security/password").status_code == 302
    code = pyotp.TOTP(secret).at(time.time() + 30)
    ok = client.post(
        "/auth/confirm?next=/auth/security/password", data={"password": PASSWORD, "code": code}
    )
    assert ok.headers["Location"] == "/auth/security/password"
    assert client.get("/auth/security/password").status_code == 200
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.sign_in_confirmed")
        ).one()
        assert entry.changes["method"]["new"] == "two_factor"


def test_confirm_never_sends_elsewhere(client, team, login_as):
    login_as(EMAIL)
    response = client.post("/auth/confirm?next=//evil.example/", data={"password": PASSWORD})
    assert response.headers["Location"] == "/staff/"
