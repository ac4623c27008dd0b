"""A resident's account request that matches a record of the centre (the same e-mail address, or
the same first name and surname) is never accepted into a second record silently: staff link it
to the record, or say explicitly that it is somebody else."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AccountRequest, AuditEntry, OutboxMessage, Participant, User
from portal.models.enums import RequestStatus
from portal.services.people import account_requests
from tests.helpers import EnglishClient, village_id

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english_pages(app):
    app.test_client_class = EnglishClient


def _request(app, centre, *, first="Ewa", last="Lis", email="ewa.lis@example.org") -> int:
    with app.app_context():
        request = account_requests.submit(
            first_name=first,
            last_name=last,
            email=email,
            village_id=village_id(app, centre, "Biała Druga"),
            consent=True,
            now=NOW,
            centre_id=centre,
        )
        db.session.commit()
        return request.id


def _people(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Participant.id)))


def _recorded(app, make_participant, centre, **kw) -> int:
    person_id = make_participant(centre, with_account=False, **kw)
    return person_id


def test_a_request_with_a_recorded_address_is_linked_to_that_record(
    app, client, centre, worker, make_participant
):
    person_id = _recorded(app, make_participant, centre, first_name="Ewa", last_name="Kowal")
    with app.app_context():
        db.session.get(Participant, person_id).email = "ewa.lis@example.org"
        db.session.commit()
    request_id = _request(app, centre)
    page = client.get("/staff/account-requests").get_data(as_text=True)
    assert f'id="link-{request_id}-{person_id}"' in page
    assert "the same e-mail address" in page
    assert f'id="accept-{request_id}"' not in page  # no plain "accept" beside a match
    # A plain accept (an old page, a second tab) is refused: nothing is recorded.
    refused = client.post(
        f"/staff/account-requests/{request_id}/accept",
        headers={"Referer": "http://localhost/staff/account-requests"},
    )
    assert refused.status_code == 302
    assert _people(app) == 1
    linked = client.post(
        f"/staff/account-requests/{request_id}/accept", data={"participant_id": str(person_id)}
    )
    assert linked.status_code == 302
    assert _people(app) == 1
    with app.app_context():
        person = db.session.get(Participant, person_id)
        assert person.user is not None
        assert person.user.email == "ewa.lis@example.org"
        assert db.session.get(AccountRequest, request_id).status == RequestStatus.ACCEPTED
        assert db.session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "account_request.linked")
        )
        assert (
            db.session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.to_address == "ewa.lis@example.org"
                )
            )
            == 1
        )


def test_a_namesake_is_shown_and_staff_choose_a_new_record_explicitly(
    app, client, centre, worker, make_participant
):
    person_id = _recorded(app, make_participant, centre, first_name="Ewa", last_name="Łukasik")
    request_id = _request(app, centre, last="Lukasik", email="inna.ewa@example.org")
    page = client.get("/staff/account-requests").get_data(as_text=True)
    assert f'id="link-{request_id}-{person_id}"' in page
    assert "the same name" in page
    assert (
        client.post(
            f"/staff/account-requests/{request_id}/accept", data={"new_record": "1"}
        ).status_code
        == 302
    )
    assert _people(app) == 2
    with app.app_context():
        assert db.session.get(Participant, person_id).user_id is None


def test_only_a_shown_match_can_be_linked(app, client, centre, worker, make_participant):
    stranger = _recorded(app, make_participant, centre, first_name="Olga", last_name="Bór")
    _recorded(app, make_participant, centre, first_name="Ewa", last_name="Lis")
    request_id = _request(app, centre)
    refused = client.post(
        f"/staff/account-requests/{request_id}/accept",
        data={"participant_id": str(stranger)},
        headers={"Referer": "http://localhost/staff/account-requests"},
    )
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(Participant, stranger).user_id is None
        assert db.session.get(AccountRequest, request_id).status == RequestStatus.PENDING


def test_a_record_with_an_account_cannot_take_a_second_one(
    app, client, centre, worker, make_participant
):
    person_id = make_participant(centre, first_name="Ewa", last_name="Lis")  # has an account
    request_id = _request(app, centre)
    page = client.get("/staff/account-requests").get_data(as_text=True)
    assert f'id="link-{request_id}-{person_id}"' not in page
    assert "already has an account" in page
    client.post(
        f"/staff/account-requests/{request_id}/accept",
        data={"participant_id": str(person_id)},
        headers={"Referer": "http://localhost/staff/account-requests"},
    )
    with app.app_context():
        assert db.session.get(AccountRequest, request_id).status == RequestStatus.PENDING
        assert (
            db.session.scalar(
                select(func.count(User.id)).where(User.email == "ewa.lis@example.org")
            )
            == 0
        )


def test_a_request_matching_nobody_is_accepted_as_before(app, client, centre, worker):
    request_id = _request(app, centre)
    assert f'id="accept-{request_id}"' in client.get("/staff/account-requests").get_data(
        as_text=True
    )
    assert client.post(f"/staff/account-requests/{request_id}/accept").status_code == 302
    assert _people(app) == 1
