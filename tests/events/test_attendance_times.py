"""Attendance is taken from an event's start, and an event "took place" only after it began; a
PAL event that took place before the centre used the portal is recorded afterwards, with the
reason, then its attendance is taken.

The clock is frozen (freezegun): an event later on the same day in Warsaw is the case a rule by
the day would let through.
"""

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from freezegun import freeze_time
from sqlalchemy import func, select

from portal import formatting
from portal.extensions import db
from portal.models import AuditEntry, Event, OutboxMessage, Registration
from portal.models.enums import EventStatus, RegistrationStatus, Role
from tests.helpers import translated

S = RegistrationStatus
# 10:00 in Warsaw; the event starts at 13:00 the same day.
MORNING = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
STARTS = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
JUST_AFTER = datetime(2026, 3, 10, 12, 1, tzinfo=UTC)


@pytest.fixture
def centre(make_centre):
    return make_centre()


def _held_label(app) -> str:
    with app.test_request_context(), force_locale("pl"):
        return str(EventStatus.HELD.label)


def _opens_at(app, when: datetime) -> str:
    """The refusal as the page says it in Polish, with the start written as the page writes it."""
    with app.test_request_context(), force_locale("pl"):
        written = formatting.date_time(when)
    return translated(
        app, "Attendance can be taken from the start of the event: %(when)s.", when=written
    )


def _status(app, event_id):
    with app.app_context():
        return db.session.get(Event, event_id).status


def _registration_status(app, registration_id):
    with app.app_context():
        return db.session.get(Registration, registration_id).status


def test_attendance_before_the_start_is_refused_saying_when_it_opens_then_taken_after_it(
    app, centre, make_user, make_participant, make_event, make_registration, login_as
):
    with freeze_time(MORNING) as clock:
        make_user(Role.COORDINATOR, centre_id=centre, email="koordynator@example.org")
        event = make_event(centre, starts_at=STARTS)
        person = make_participant(centre)
        registration = make_registration(person, event, now=MORNING)
        client = login_as("koordynator@example.org", fresh=True)

        # Before the start the page says when the list opens and offers no marks to save.
        form = client.get(f"/staff/events/{event}/attendance").get_data(as_text=True)
        assert _opens_at(app, STARTS) in form
        assert 'name="present-' not in form

        # A list posted anyway (a page opened earlier, a crafted request) is refused the same.
        response = client.post(
            f"/staff/events/{event}/attendance", data={f"present-{registration}": "yes"}
        )
        assert response.status_code == 200
        assert _opens_at(app, STARTS) in response.get_data(as_text=True)
        assert _registration_status(app, registration) == S.CONFIRMED
        assert _status(app, event) == EventStatus.PUBLISHED
        detail = client.get(f"/staff/events/{event}").get_data(as_text=True)
        assert _held_label(app) not in detail

        # From the start it is taken, and only now the event took place.
        clock.move_to(JUST_AFTER)
        client = login_as("koordynator@example.org", fresh=True)
        response = client.post(
            f"/staff/events/{event}/attendance", data={f"present-{registration}": "yes"}
        )
        assert response.status_code == 302
        assert _registration_status(app, registration) == S.ATTENDED
        assert _status(app, event) == EventStatus.HELD
        detail = client.get(f"/staff/events/{event}").get_data(as_text=True)
        assert _held_label(app) in detail


# -- a PAL event recorded afterwards -----------------------------------------------------------

# June: the centre starts using the portal; the integration meeting was held on 24 April.
GO_LIVE = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
REASON = "Ośrodek korzysta z portalu od czerwca; spotkanie odbyło się wcześniej."


def _past_event(**changes) -> dict:
    data = {
        "event_type": "integration_meeting",
        "title": "Spotkanie integracyjne uczestników PAL",
        "place": "Świetlica wiejska w Białej Pierwszej",
        "starts_at": "2026-04-24T10:00",
        "ends_at": "2026-04-24T13:00",
        "capacity": "30",
        "audience": "project",
        "recorded_afterwards_reason": REASON,
    }
    return data | changes


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Event.id)))


def _error_beside(page: str, field: str) -> str:
    found = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def test_a_past_event_is_recorded_afterwards_with_a_reason_audited_then_takes_attendance(
    app, centre, make_user, make_participant, login_as
):
    with freeze_time(GO_LIVE):
        make_user(Role.COORDINATOR, centre_id=centre, email="koordynator@example.org")
        came = make_participant(centre, on_pal_path=True, first_name="Olena", last_name="Koval")
        missed = make_participant(centre, on_pal_path=True)
        client = login_as("koordynator@example.org", fresh=True)

        # Without a reason, a past start is refused beside the start, and says what to do.
        response = client.post("/staff/events/new", data=_past_event(recorded_afterwards_reason=""))
        assert response.status_code == 200
        assert translated(
            app,
            "The event must start in the future. To enter an event that has already taken "
            "place, give the reason it is recorded afterwards.",
        ) in _error_beside(response.get_data(as_text=True), "starts_at")
        # A reason for an event still to come is refused beside the reason.
        response = client.post(
            "/staff/events/new",
            data=_past_event(starts_at="2026-06-24T10:00", ends_at="2026-06-24T12:00"),
        )
        assert _error_beside(response.get_data(as_text=True), "recorded_afterwards_reason")
        assert _events(app) == 0

        response = client.post("/staff/events/new", data=_past_event())
        assert response.status_code == 302
        event_id = int(response.headers["Location"].rsplit("/", 1)[1])
        with app.app_context():
            event = db.session.get(Event, event_id)
            # Published at once: nobody signs up for the past, staff put down who came.
            assert event.status == EventStatus.PUBLISHED
            assert event.recorded_afterwards_reason == REASON
            trail = {
                entry.action: entry.changes
                for entry in db.session.scalars(
                    select(AuditEntry).where(
                        AuditEntry.entity_type == "events", AuditEntry.entity_id == event_id
                    )
                )
            }
            assert trail["event.create"]["recorded_afterwards_reason"] == {
                "old": None,
                "new": REASON,
            }
            assert "event.published" in trail
        detail = client.get(f"/staff/events/{event_id}").get_data(as_text=True)
        assert REASON in detail

        with app.app_context():
            mail_before = db.session.scalar(select(func.count(OutboxMessage.id)))
        for person in (came, missed):
            added = client.post(
                f"/staff/events/{event_id}/registrations", data={"participant_id": str(person)}
            )
            assert added.status_code == 302, added.get_data(as_text=True)
        with app.app_context():
            # A place at an event long over is no news: nobody is written to.
            assert db.session.scalar(select(func.count(OutboxMessage.id))) == mail_before
            marks = {
                r.participant_id: r.id
                for r in db.session.scalars(
                    select(Registration).where(Registration.event_id == event_id)
                )
            }
        response = client.post(
            f"/staff/events/{event_id}/attendance",
            data={f"present-{marks[came]}": "yes", f"present-{marks[missed]}": "no"},
        )
        assert response.status_code == 302
        assert _registration_status(app, marks[came]) == S.ATTENDED
        assert _registration_status(app, marks[missed]) == S.ABSENT
        assert _status(app, event_id) == EventStatus.HELD
