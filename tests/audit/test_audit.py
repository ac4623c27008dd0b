"""The audit trail: written with the change, never holding a PESEL, gone with a rollback."""

import json

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Participant, User
from portal.models.enums import Role

PESEL = "44051401359"


def entries(app, action: str | None = None) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        found = db.session.scalars(query).all()
        db.session.expunge_all()
        return found


def test_recording_a_participant_is_audited_without_the_pesel(
    app, client, make_centre, make_user, login_as
):
    centre_id = make_centre()
    actor_id = make_user(Role.COORDINATOR, centre_id=centre_id, email="koordynator@example.org")
    login_as("koordynator@example.org")
    response = client.post(
        "/staff/participants/new",
        data={"first_name": "Jan", "last_name": "Nowak", "pesel": PESEL},
    )
    assert response.status_code == 302
    with app.app_context():
        person_id = db.session.scalar(select(Participant.id))

    [entry] = entries(app, "participant.create")
    assert entry.actor_id == actor_id
    assert entry.centre_id == centre_id
    assert (entry.entity_type, entry.entity_id) == ("participants", person_id)
    assert entry.at is not None
    # The name is personal data: the trail says it was set, never what it is.
    assert entry.changes["name"] == {"old": None, "new": "***"}
    assert entry.changes["pesel"] == {"old": None, "new": "***"}
    assert all(PESEL not in json.dumps(e.changes) for e in entries(app))
    assert all("Nowak" not in json.dumps(e.changes) for e in entries(app))


def test_a_rolled_back_change_leaves_no_entry(app, client, make_centre, make_user, login_as):
    centre_id = make_centre()
    make_user(Role.COORDINATOR, centre_id=centre_id, email="koordynator@example.org")
    login_as("koordynator@example.org")
    before = len(entries(app))
    # The participant is recorded and audited, then the account fails (the address is taken):
    # the whole form is one transaction, so neither the record nor its entry survives.
    response = client.post(
        "/staff/participants/new",
        data={"first_name": "Jan", "last_name": "Nowak", "email": "koordynator@example.org"},
    )
    assert response.status_code == 200
    assert len(entries(app)) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 0
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_showing_a_full_pesel_is_audited(
    app, client, make_centre, make_user, make_participant, login_as
):
    centre_id = make_centre()
    actor_id = make_user(Role.SOCIAL_WORKER, centre_id=centre_id, email="pracownik@example.org")
    person_id = make_participant(centre_id, pesel_number=PESEL)
    login_as("pracownik@example.org")
    detail = client.get(f"/staff/participants/{person_id}").get_data(as_text=True)
    assert PESEL not in detail  # masked until asked for
    assert entries(app, "participant.pesel_viewed") == []
    shown = client.post(f"/staff/participants/{person_id}/pesel")
    assert PESEL in shown.get_data(as_text=True)
    [entry] = entries(app, "participant.pesel_viewed")
    assert (entry.actor_id, entry.entity_id) == (actor_id, person_id)


def test_personal_values_are_masked_in_bulk_entries_too_but_not_an_organisations(app, ctx):
    from portal.services.audit import audit

    audit.record_many(
        "participant.bulk", "participants", [1, 2], actor=None, centre_id=None,
        changes={"note": ("stara notatka", "nowa notatka"), "status": ("a", "b")},
    )  # fmt: skip
    audit.record_many(
        "centre.bulk", "centres", [3], actor=None, centre_id=None,
        changes={"phone": ("", "81 825 00 00")},
    )  # fmt: skip
    db.session.flush()
    bulk = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.changes for e in bulk[:2]] == [
        {"note": {"old": "***", "new": "***"}, "status": {"old": "a", "new": "b"}}
    ] * 2
    assert bulk[2].changes == {"phone": {"old": "", "new": "81 825 00 00"}}
