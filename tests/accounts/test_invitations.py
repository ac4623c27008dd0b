"""An invitation sent again: for accounts that never set a password, by the centre's coordinator
or administrator; the new link works, the earlier ones stop working."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import AuditEntry, Centre, OutboxMessage, Participant, User
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.accounts import accounts
from portal.services.common.errors import PortalError
from portal.services.people import participants
from tests.helpers import PASSWORD, EnglishClient, translated
from tests.live import csrf

NEW_PASSWORD = "zielona łąka nad Sanem"
INVALID_LINK = "This link is invalid, has expired or has already been used."
SENT = "A new invitation has been sent to %(email)s. The links sent before no longer work."
ALREADY_SET = (
    "%(name)s has already set a password, so there is no invitation to send again. "
    "A forgotten password is replaced through “I forgot my password” on the sign-in page."
)
DEACTIVATED = "%(name)s's account is deactivated. Reactivate it before sending an invitation."


def links(app, address: str) -> list[str]:
    """The set-password links mailed to `address`, oldest first."""
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id)
        ).all()
    return [m.group(0) for body in bodies for m in re.finditer(r"/auth/set-password/\S+", body)]


def mails(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OutboxMessage.id)))


def resent_entries(app) -> list[tuple[int, int]]:
    """(account, actor) of every resent invitation in the audit trail."""
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(AuditEntry.entity_id, AuditEntry.actor_id)
                .where(AuditEntry.action == "user.invite_resent")
                .order_by(AuditEntry.id)
            )
        ]


def resend(client, user_id: int, back: str | None = None, **kw):
    data = {"next": back} if back else {}
    return client.post(f"/staff/users/{user_id}/resend-invitation", data=data, **kw)


def set_password(app, link: str, password: str = NEW_PASSWORD):
    return app.test_client().post(link, data={"password": password, "confirm": password})


def english(app) -> EnglishClient:
    """A browser reading the English pages (the portal speaks Polish by default)."""
    return EnglishClient(app, app.response_class)


def signs_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/auth/login", data={"email": email, "password": password})
    return response.status_code == 302


@pytest.fixture
def office(app, make_centre, make_user, make_participant):
    centre, other = make_centre(), make_centre()
    o = SimpleNamespace(
        centre=centre,
        boss=make_user(Role.COORDINATOR, centre_id=centre, email="boss@example.org"),
        admin=make_user(Role.ADMIN, centre_id=centre, email="admin@example.org"),
        advisor=make_user(Role.ADVISOR, centre_id=centre, email="advisor@example.org"),
        worker=make_user(Role.SOCIAL_WORKER, centre_id=centre, email="worker@example.org"),
        signed_up=make_participant(centre),
        person=make_participant(centre, with_account=False),
    )
    with app.app_context():
        o.signed_up_user = db.session.get(Participant, o.signed_up).user_id

        # Invited the ordinary way, never used: a new advisor, a participant, another centre's
        # advisor and an administrator of this centre.
        def invited(centre_id, email, roles, last_name):
            user = accounts.create_user(
                email=email, first_name="Nowa", last_name=last_name, roles=roles,
                centre=db.session.get(Centre, centre_id), actor=None,
            )  # fmt: skip
            accounts.invite(user, actor=None)
            return user

        o.newcomer = invited(centre, "nowa@example.org", {Role.ADVISOR}, "Doradczyni").id
        o.stranger = invited(other, "obca@example.org", {Role.ADVISOR}, "Obca").id
        o.new_admin = invited(centre, "admin2@example.org", {Role.ADMIN}, "Administratorka").id
        o.participant = participants.create_account(
            db.session.get(Participant, o.person), email="uczestniczka@example.org", actor=None
        ).id
        accounts.invite(db.session.get(User, o.participant), actor=None)
        db.session.commit()
    return o


def test_a_coordinator_sends_a_new_invitation_and_only_its_link_works(app, office, login_as):
    boss = login_as("boss@example.org", test_client=english(app))
    [old] = links(app, "nowa@example.org")
    account = boss.get(f"/staff/users/{office.newcomer}").get_data(as_text=True)
    assert "Nowa Doradczyni has not set a password yet" in account
    assert f'action="/staff/users/{office.newcomer}/resend-invitation"' in account

    back = f"/staff/users/{office.newcomer}"
    response = resend(boss, office.newcomer, back)
    assert response.status_code == 302
    assert response.headers["Location"] == back
    shown = boss.get(back).get_data(as_text=True)
    assert translated(app, SENT, locale="en", email="nowa@example.org") in shown

    [_old, new] = links(app, "nowa@example.org")
    assert new != old
    for refused in (app.test_client().get(old), set_password(app, old)):
        assert refused.status_code == 400
        assert translated(app, INVALID_LINK) in refused.get_data(as_text=True)
    assert set_password(app, new).status_code == 302
    assert signs_in(app, "nowa@example.org", NEW_PASSWORD)
    assert resent_entries(app) == [(office.newcomer, office.boss)]
    with app.app_context():
        [entry] = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.invite_resent")
        ).all()
        assert entry.centre_id == office.centre
        assert entry.changes == {"link_nonce": {"old": "***", "new": "***"}}
    # Now that the password is set there is nothing to send again.
    assert "has not set a password yet" not in boss.get(back).get_data(as_text=True)


def test_a_participants_invitation_is_sent_again_from_the_list(app, office, login_as):
    boss = login_as("boss@example.org", test_client=english(app))
    listing = boss.get("/staff/users").get_data(as_text=True)
    waiting = listing.split("Invitations not used yet", 1)[1].split("Create a staff account")[0]
    # Unused invitations of the centre's staff and participants; not another centre's, not an
    # administrator's (only an administrator may touch it), not those who set a password.
    assert "uczestniczka@example.org" in waiting
    assert "nowa@example.org" in waiting
    assert "obca@example.org" not in waiting
    assert "admin2@example.org" not in waiting
    assert "advisor@example.org" not in waiting
    assert f'action="/staff/users/{office.participant}/resend-invitation"' in waiting

    response = resend(boss, office.participant, "/staff/users", follow_redirects=True)
    assert response.request.path == "/staff/users"
    sent = translated(app, SENT, locale="en", email="uczestniczka@example.org")
    assert sent in response.get_data(as_text=True)
    [old, new] = links(app, "uczestniczka@example.org")
    assert set_password(app, old).status_code == 400
    assert set_password(app, new).status_code == 302
    assert signs_in(app, "uczestniczka@example.org", NEW_PASSWORD)
    listing = boss.get("/staff/users").get_data(as_text=True)
    assert "uczestniczka@example.org" not in listing


def test_the_list_says_when_the_last_invitation_expired(app, office, login_as):
    with freeze_time(utcnow() + timedelta(days=8), tick=True):
        boss = login_as("boss@example.org", test_client=english(app))
        listing = boss.get("/staff/users").get_data(as_text=True)
        assert listing.count("(the link has expired)") == 2  # the advisor's and the participant's
        resend(boss, office.newcomer)
        listing = boss.get("/staff/users").get_data(as_text=True)
        assert listing.count("(the link has expired)") == 1


def test_the_centres_administrator_sends_it_too_even_to_an_administrator(app, office, login_as):
    admin = login_as("admin@example.org")
    for user_id in (office.newcomer, office.new_admin):
        assert resend(admin, user_id).status_code == 302
    assert resent_entries(app) == [
        (office.newcomer, office.admin),
        (office.new_admin, office.admin),
    ]
    assert len(links(app, "admin2@example.org")) == 2


def test_an_account_with_a_password_or_deactivated_is_refused_without_a_mail(app, office, login_as):
    boss = login_as("boss@example.org")
    with app.app_context():
        db.session.get(User, office.newcomer).is_active = False
        db.session.commit()
    before = mails(app)
    cases = (
        (office.advisor, ALREADY_SET),
        (office.signed_up_user, ALREADY_SET),
        (office.newcomer, DEACTIVATED),
    )
    for user_id, message in cases:
        back = f"/staff/users/{office.advisor}"
        response = resend(boss, user_id, headers={"Referer": f"http://localhost{back}"})
        assert response.status_code == 302
        assert response.headers["Location"] == back
        with app.app_context():
            name = db.session.get(User, user_id).full_name
        shown = boss.get(back).get_data(as_text=True)
        assert translated(app, message, name=name) in shown
    assert mails(app) == before
    assert resent_entries(app) == []
    # The deactivated account's page offers no invitation.
    page = boss.get(f"/staff/users/{office.newcomer}").get_data(as_text=True)
    assert "resend-invitation" not in page


def test_another_centres_account_is_not_found_and_an_administrators_is_forbidden(
    app, office, login_as
):
    boss = login_as("boss@example.org")
    before = mails(app)
    assert resend(boss, office.stranger).status_code == 404
    assert resend(boss, 2_000_000).status_code == 404
    assert resend(boss, office.new_admin).status_code == 403
    assert mails(app) == before
    assert resent_entries(app) == []
    assert len(links(app, "obca@example.org")) == 1


def test_only_the_coordinator_and_the_administrator_may_send_it(app, office, login_as, make_user):
    before = mails(app)
    with app.app_context():
        participant_email = db.session.get(User, office.signed_up_user).email
    for email in ("advisor@example.org", "worker@example.org", participant_email):
        client = login_as(email, fresh=True)
        assert resend(client, office.newcomer).status_code == 403
        assert resend(client, office.participant).status_code == 403
    make_user(Role.ADMIN, email="instalacja@example.org")  # no centre: no centre's accounts
    installation = login_as("instalacja@example.org", fresh=True)
    assert resend(installation, office.newcomer).status_code == 404
    assert mails(app) == before
    assert resent_entries(app) == []


def test_the_button_needs_its_csrf_token(app, office, login_as):
    boss = login_as("boss@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    before = mails(app)
    # Without its token the post does nothing: the form has expired, and nothing is kept.
    assert resend(boss, office.newcomer).status_code == 400
    assert mails(app) == before
    token = csrf(boss.get(f"/staff/users/{office.newcomer}").get_data(as_text=True))
    response = boss.post(
        f"/staff/users/{office.newcomer}/resend-invitation", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert mails(app) == before + 1


def test_a_forged_next_address_goes_back_to_the_list(app, office, login_as):
    boss = login_as("boss@example.org")
    for back in ("https://evil.example/", "//evil.example/x"):
        response = resend(boss, office.newcomer, back)
        assert response.headers["Location"] == "/staff/users"


def test_a_password_set_meanwhile_stops_the_resend(app, office):
    # The page was read before the person set their password through the old link.
    with app.app_context():
        user = db.session.get(User, office.newcomer)
        actor = db.session.get(User, office.boss)
        db.session.execute(
            update(User)
            .where(User.id == office.newcomer)
            .values(password_hash="$argon2id$set-meanwhile")
            .execution_options(synchronize_session=False)
        )
        assert user.password_hash is None  # what the request had read
        with pytest.raises(PortalError) as refused:
            accounts.resend_invitation(user, actor=actor, now=utcnow())
        changed = "The account has changed meanwhile. Reload the page and check it again."
        assert str(refused.value.message) == translated(app, changed, html=False)
        db.session.rollback()
    assert signs_in(app, "boss@example.org", PASSWORD)
    assert len(links(app, "nowa@example.org")) == 1
