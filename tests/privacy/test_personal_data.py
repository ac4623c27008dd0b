"""A participant downloads everything held about them, and nobody else's."""

import json
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    CaseworkEntry,
    IndividualPlan,
    Placement,
    PlacementDay,
)
from portal.models.enums import Role
from portal.models.support import ContactKind, PlacementKind


def test_participant_downloads_own_data_without_advisor_notes(
    app, client, make_centre, make_participant, login_as, make_event, make_registration
):
    centre = make_centre()
    me = make_participant(centre, first_name="Halina", pesel_number="44051401359")
    other = make_participant(centre, first_name="Zenon")
    event_id = make_event(centre, title="Piknik rodzinny")
    for person_id in (me, other):
        make_registration(person_id, event_id)
    with app.app_context():
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


def test_the_download_lists_casework_contacts_without_the_workers_note_and_placements(
    app, client, make_centre, make_participant, make_user, login_as
):
    centre = make_centre()
    me = make_participant(centre, first_name="Halina")
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre, email="worker@example.org")
    with app.app_context():
        db.session.add(
            CaseworkEntry(
                centre_id=centre, worker_id=worker, participant_id=me,
                happened_on=date(2026, 3, 2), contact_kind=ContactKind.HOME_VISIT, minutes=60,
                note="notatka tylko dla pracownika",
            )
        )  # fmt: skip
        placement = Placement(
            centre_id=centre, participant_id=me, kind=PlacementKind.SOCIALLY_USEFUL_WORK,
            employer="Gminna Biblioteka", starts_on=date(2026, 3, 1), ends_on=date(2026, 5, 31),
            hours_per_month=40, hourly_rate_grosze=9_87,
        )  # fmt: skip
        db.session.add(placement)
        db.session.flush()
        db.session.add(
            PlacementDay(centre_id=centre, placement_id=placement.id, worked_on=date(2026, 3, 3),
                         hours=4)
        )  # fmt: skip
        db.session.commit()
    login_as("participant1@example.org")

    text = client.get("/me/my-data.json").get_data(as_text=True)
    data = json.loads(text)

    assert [c["contact_kind"] for c in data["casework_contacts"]] == ["home_visit"]
    assert "notatka tylko dla pracownika" not in text
    assert [p["employer"] for p in data["work_placements"]] == ["Gminna Biblioteka"]
    assert [(d["worked_on"], d["hours"]) for d in data["work_placement_days"]] == [
        ("2026-03-03", 4)
    ]
