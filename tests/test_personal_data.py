"""A participant downloads everything held about them, and nobody else's."""

import json

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, IndividualPlan, Participant
from portal.models.base import utcnow
from portal.services import signups


def test_participant_downloads_own_data_without_advisor_notes(
    app, client, make_centre, make_participant, login_as, make_event
):
    centre = make_centre()
    me = make_participant(centre, first_name="Halina", pesel_number="44051401359")
    other = make_participant(centre, first_name="Zenon")
    event_id = make_event(centre, title="Piknik rodzinny")
    with app.app_context():
        for person_id in (me, other):
            person = db.session.get(Participant, person_id)
            signups.sign_up(person, event_id, now=utcnow(), actor=None)
        db.session.add(
            IndividualPlan(centre_id=centre, participant_id=me, advisor_notes="tylko dla doradcy")
        )
        db.session.commit()
    login_as("participant1@example.org")

    response = client.get("/me/my-data.json")

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    data = json.loads(text)
    assert data["participant"]["first_name"] == "Halina"
    assert data["participant"]["pesel"] == "44051401359"
    assert [r["event"] for r in data["event_registrations"]] == ["Piknik rodzinny"]
    assert "Zenon" not in text
    assert "tylko dla doradcy" not in text
    assert "calendar_token" not in data["participant"]
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == me)
        ).all()
        assert "participant.data_export" in actions


def test_staff_cannot_use_the_participant_download(client, make_user, login_as):
    make_user(email="coordinator@example.org")
    login_as("coordinator@example.org")
    assert client.get("/me/my-data.json").status_code == 403
