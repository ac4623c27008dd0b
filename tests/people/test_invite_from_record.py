"""A person recorded by staff is invited to the portal from their record: one account, linked
to the record, with the participant role and the same invitation (and set-password link) as
staff; a second click sends nothing; an address typed on the record is not silently ignored."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from config import TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import AuditEntry, OutboxMessage, Participant, User
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.common.errors import PortalError
from portal.services.people import invitations
from tests.helpers import PASSWORD, EnglishClient

NEW_PASSWORD = "zielona łąka nad Sanem"


@pytest.fixture(autouse=True)
def _english_pages(app):
    app.test_client_class = EnglishClient


def _record(app, make_participant, centre, email="ewa.lis@example.org") -> int:
    person_id = make_participant(centre, first_name="Ewa", last_name="Lis", with_account=False)
    with app.app_context():
        db.session.get(Participant, person_id).email = email
        db.session.commit()
    return person_id


def _mails_to(app, address: str) -> list[OutboxMessage]:
    with app.app_context():
        found = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == address)
        ).all()
        for message in found:
            db.session.expunge(message)
        return list(found)


def test_the_record_offers_the_invitation_and_it_links_one_account(
    app, client, centre, worker, make_participant
):
    person_id = _record(app, make_participant, centre)
    page = client.get(f"/staff/participants/{person_id}").get_data(as_text=True)
    assert 'id="invite"' in page
    response = client.post(f"/staff/participants/{person_id}/invite")
    assert response.status_code == 302
    with app.app_context():
        person = db.session.get(Participant, person_id)
        user = person.user
        assert user is not None
        assert user.email == "ewa.lis@example.org"
        assert user.roles == {Role.PARTICIPANT}
        assert user.password_hash is None
        assert user.centre_id == centre
        actions = set(
            db.session.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.entity_type == "participants", AuditEntry.entity_id == person_id
                )
            )
        )
        assert {"participant.invite", "participant.account"} <= actions
    (mail,) = _mails_to(app, "ewa.lis@example.org")
    link = re.search(r"/auth/set-password/\S+", mail.body).group(0)
    # The staff's set-password path: the person sets a password and signs in to their record.
    assert app.test_client().get(link).status_code == 200
    done = app.test_client().post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    participant = app.test_client()
    signed_in = participant.post(
        "/auth/login", data={"email": "ewa.lis@example.org", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert participant.get("/me/my-details").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 1


def test_a_second_click_sends_nothing_twice(app, client, centre, worker, make_participant):
    person_id = _record(app, make_participant, centre)
    assert client.post(f"/staff/participants/{person_id}/invite").status_code == 302
    assert client.post(f"/staff/participants/{person_id}/invite").status_code == 302
    assert len(_mails_to(app, "ewa.lis@example.org")) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).where(User.email.like("ewa%"))) == 1
    page = client.get(f"/staff/participants/{person_id}").get_data(as_text=True)
    assert 'id="invite"' not in page
    assert 'id="account-invited"' in page
    assert 'id="invite-again"' in page


def test_sending_again_kills_the_earlier_link(app, client, centre, worker, make_participant):
    person_id = _record(app, make_participant, centre)
    client.post(f"/staff/participants/{person_id}/invite")
    assert client.post(f"/staff/participants/{person_id}/invite-again").status_code == 302
    first, second = (
        re.search(r"/auth/set-password/\S+", m.body).group(0)
        for m in _mails_to(app, "ewa.lis@example.org")
    )
    assert app.test_client().get(first).status_code == 400
    assert app.test_client().get(second).status_code == 200


def test_parallel_invitations_make_one_account(app, centre, make_user, make_participant):
    """Two colleagues press the button at the same moment: one account, one mail."""
    person_id = _record(app, make_participant, centre)
    make_user(Role.SOCIAL_WORKER, centre_id=centre, email="a@example.org")
    make_user(Role.COORDINATOR, centre_id=centre, email="b@example.org")
    clients = []
    for address in ("a@example.org", "b@example.org"):
        browser = app.test_client()
        assert (
            browser.post("/auth/login", data={"email": address, "password": PASSWORD}).status_code
            == 302
        )
        clients.append(browser)
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(lambda c: c.post(f"/staff/participants/{person_id}/invite"), clients)
        )
    assert all(answer.status_code == 302 for answer in answers)
    assert len(_mails_to(app, "ewa.lis@example.org")) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).where(User.email.like("ewa%"))) == 1


def test_no_address_or_a_taken_one_is_said_and_nothing_is_made(
    app, client, centre, worker, make_participant, make_user
):
    without = make_participant(centre, with_account=False)
    page = client.get(f"/staff/participants/{without}").get_data(as_text=True)
    assert 'id="invite"' not in page
    assert "enter their e-mail address in the details" in page
    back = f"http://localhost/staff/participants/{without}"
    refused = client.post(f"/staff/participants/{without}/invite", headers={"Referer": back})
    assert refused.status_code == 302
    assert "e-mail address on their record first" in client.get(refused.location).get_data(
        as_text=True
    )
    make_user(Role.ADVISOR, centre_id=centre, email="taken@example.org")
    taken = _record(app, make_participant, centre, email="taken@example.org")
    assert 'id="invite"' not in client.get(f"/staff/participants/{taken}").get_data(as_text=True)
    with app.app_context():
        for person_id in (without, taken):
            person = db.session.get(Participant, person_id)
            assert person.user_id is None
            with pytest.raises(PortalError):
                invitations.invite(person, actor=db.session.get(User, 1), now=utcnow())
            db.session.rollback()
    assert _mails_to(app, "taken@example.org") == []


def test_an_address_typed_on_the_record_leads_to_the_invitation(
    app, client, centre, worker, make_participant
):
    person_id = make_participant(centre, first_name="Ewa", last_name="Lis", with_account=False)
    with app.app_context():
        person = db.session.get(Participant, person_id)
        data = {
            "version": str(person.version_id),
            "first_name": "Ewa",
            "last_name": "Lis",
            "pesel": "",
            "no_pesel_country": "Polska",
            "birth_date": "",
            "sex": "",
            "email": "ewa.nowa@example.org",
            "phone": "",
            "village_id": str(person.village_id or 0),
            "advisor_id": "0",
            "social_worker_id": "0",
        }
    saved = client.post(f"/staff/participants/{person_id}/edit", data=data)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    page = client.get(saved.location).get_data(as_text=True)
    assert "has no account on the portal yet" in page
    assert 'id="invite"' in page


def test_only_record_keepers_invite_and_other_centres_are_not_found(
    app, client, centre, make_participant, make_user, login_as
):
    person_id = _record(app, make_participant, centre)
    make_user(Role.ADVISOR, centre_id=centre, email="advisor@example.org")
    login_as("advisor@example.org")
    assert client.post(f"/staff/participants/{person_id}/invite").status_code == 403
    make_user(Role.COORDINATOR, email="elsewhere@example.org")
    elsewhere = app.test_client()
    login_as("elsewhere@example.org", test_client=elsewhere)
    assert elsewhere.post(f"/staff/participants/{person_id}/invite").status_code == 404
    assert _mails_to(app, "ewa.lis@example.org") == []


def test_sending_invitations_is_limited_per_member_of_staff(
    database_url, centre, make_user, make_participant
):
    """A stuck button or a script cannot flood a mailbox: past the limit the answer is 429."""
    config = type(
        "LimitedConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "INVITATION_RATE_LIMIT": "2 per hour",
        },
    )
    limited = create_app(config)
    try:
        person_id = _record(limited, make_participant, centre)
        make_user(Role.SOCIAL_WORKER, centre_id=centre, email="busy@example.org")
        browser = limited.test_client()
        signed_in = browser.post(
            "/auth/login", data={"email": "busy@example.org", "password": PASSWORD}
        )
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
        url = f"/staff/participants/{person_id}/invite-again"
        statuses = [browser.post(f"/staff/participants/{person_id}/invite").status_code]
        statuses += [browser.post(url).status_code for _ in range(2)]
        assert statuses == [302, 302, 429]
        assert len(_mails_to(limited, "ewa.lis@example.org")) == 2
    finally:
        with limited.app_context():
            db.engine.dispose()
