"""Staff are told of residents' account requests: a count with a link on the home of those who
decide them, and an e-mail to those who asked for it on their own settings page. The staff list
tells an account that never set a password ("invited, not yet signed in") from one in use."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, OutboxMessage, User
from portal.models.enums import Role
from portal.services.accounts import accounts
from portal.services.people import account_requests
from tests.helpers import EnglishClient, village_id

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english_pages(app):
    app.test_client_class = EnglishClient


@pytest.fixture
def centre(make_centre):
    return make_centre()


def _submit(app, centre, email="ewa.lis@example.org") -> None:
    with app.app_context():
        account_requests.submit(
            first_name="Ewa",
            last_name="Lis",
            email=email,
            village_id=village_id(app, centre, "Biała Druga"),
            consent=True,
            now=NOW,
            centre_id=centre,
        )
        db.session.commit()


def _mail_to(app, address: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboxMessage.body).where(OutboxMessage.to_address == address)
            )
        )


def test_the_home_of_deciders_counts_waiting_requests(app, centre, make_user, login_as):
    make_user(Role.COORDINATOR, centre_id=centre, email="coord@example.org")
    make_user(Role.SOCIAL_WORKER, centre_id=centre, email="worker@example.org")
    coordinator = login_as("coord@example.org", fresh=True)
    worker = login_as("worker@example.org", fresh=True)
    assert 'id="account-requests-waiting"' not in coordinator.get("/staff/").get_data(as_text=True)
    _submit(app, centre)
    _submit(app, centre, email="jan@example.org")
    for browser, home in ((coordinator, "/staff/"), (worker, "/staff/participants")):
        page = browser.get(home).get_data(as_text=True)
        assert 'id="account-requests-waiting"' in page
        assert "2 account requests are waiting" in page
        assert 'href="/staff/account-requests"' in page


def test_mail_goes_only_to_deciders_who_asked_for_it(app, centre, make_user, login_as):
    make_user(Role.COORDINATOR, centre_id=centre, email="coord@example.org")
    make_user(Role.SOCIAL_WORKER, centre_id=centre, email="quiet@example.org")
    make_user(Role.ADVISOR, centre_id=centre, email="advisor@example.org")
    coordinator = login_as("coord@example.org", fresh=True)
    page = coordinator.get("/auth/security").get_data(as_text=True)
    assert 'name="notify_account_requests"' in page
    saved = coordinator.post("/auth/security/notifications", data={"notify_account_requests": "y"})
    assert saved.status_code == 302
    advisor = login_as("advisor@example.org", fresh=True)
    assert 'name="notify_account_requests"' not in advisor.get("/auth/security").get_data(
        as_text=True
    )
    advisor.post("/auth/security/notifications", data={"notify_account_requests": "y"})
    with app.app_context():
        wants = dict(db.session.execute(select(User.email, User.notify_account_requests)).all())
        assert wants == {
            "coord@example.org": True,
            "quiet@example.org": False,
            "advisor@example.org": False,
        }
        assert db.session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "user.notify_account_requests")
        )
    _submit(app, centre)
    [body] = _mail_to(app, "coord@example.org")
    assert "/staff/account-requests" in body
    assert "ewa.lis@example.org" not in body  # the resident's address stays on the portal
    assert _mail_to(app, "quiet@example.org") == []
    assert _mail_to(app, "advisor@example.org") == []
    _submit(app, centre)  # the same request sent again is not a new one
    assert len(_mail_to(app, "coord@example.org")) == 1
    coordinator.post("/auth/security/notifications", data={})
    _submit(app, centre, email="jan@example.org")
    assert len(_mail_to(app, "coord@example.org")) == 1


def test_the_staff_list_says_who_never_signed_in(app, centre, make_user, login_as):
    make_user(Role.COORDINATOR, centre_id=centre, email="coord@example.org")
    coordinator = login_as("coord@example.org", fresh=True)
    with app.app_context():
        from portal.models import Centre

        new = accounts.create_user(
            email="nowy@example.org",
            first_name="Piotr",
            last_name="Nowy",
            roles={Role.ADVISOR},
            centre=db.session.get(Centre, centre),
            actor=None,
        )
        accounts.invite(new, actor=None)
        db.session.commit()
        new_id = new.id
    page = coordinator.get("/staff/users").get_data(as_text=True)
    assert f'id="invited-{new_id}"' in page
    assert "Invited, not yet signed in" in page
    assert f"/staff/users/{new_id}/resend-invitation" in page
    resent = coordinator.post(f"/staff/users/{new_id}/resend-invitation")
    assert resent.status_code == 302
    assert len(_mail_to(app, "nowy@example.org")) == 2
