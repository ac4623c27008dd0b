"""Sessions of group instruments: staff create them, enrol participants, take attendance, and
the hours attended add up per instrument. Sessions are never offered for sign-up.

Pages run on the real clock: a session is created a few days ahead, and a test that needs it
under way moves its times to today with `_move_to_today`.
"""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Centre,
    Event,
    OutboxMessage,
    Participant,
    Registration,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import EventStatus, EventType, RegistrationStatus, Role
from portal.models.support import GroupInstrument
from portal.services.common import dates
from portal.services.common.errors import NotFound, PortalError
from portal.services.events import session_changes, sessions, signups
from portal.services.people import participants
from portal.services.plans import progress

S = RegistrationStatus
VALID_PESEL = "44051401359"
TOPICS = "Komunikacja interpersonalna\n\n  Asertywność  \nRozwiązywanie konfliktów"


@pytest.fixture
def centre(make_centre):
    return make_centre()


@pytest.fixture
def coordinator(make_user, centre):
    return make_user(Role.COORDINATOR, centre_id=centre, email="koordynator@example.org")


@pytest.fixture
def make_session(app, coordinator):
    """A session made through the service, `days` ahead, `hours` long."""

    def make(
        centre_id: int,
        *,
        capacity: int = 5,
        days: int = 3,
        minutes: int = 120,
        instrument: GroupInstrument = GroupInstrument.SOCIAL_SKILLS,
        actor_id: int | None = None,
    ) -> int:
        with app.app_context():
            centre_row = db.session.get(Centre, centre_id)
            project = participants.current_project(centre_id)
            starts = (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)
            event = sessions.create(
                centre_row,
                project,
                sessions.SessionFields(
                    instrument=instrument,
                    title="",
                    place="Sala GOPS",
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=minutes),
                    capacity=capacity,
                    trainer="Ewa Trenerska",
                    topics=TOPICS,
                ),
                actor=db.session.get(User, actor_id or coordinator),
                now=utcnow(),
            )
            db.session.commit()
            return event.id

    return make


def _enrol(app, session_id: int, people: list[int], actor_id: int, *, now=None):
    with app.app_context():
        found = [db.session.get(Participant, pid) for pid in people]
        done = sessions.enrol(
            session_id, found, actor=db.session.get(User, actor_id), now=now or utcnow()
        )
        db.session.commit()
        return [r.id for r in done]


def _move_to_today(app, session_id: int, *, minutes: int = 120) -> None:
    """The session, planned days ahead, began a minute ago (today in Warsaw, unless it is just
    past midnight). It was recorded before it began: enrolment closed when it started."""
    with app.app_context():
        event = db.session.get(Event, session_id)
        event.starts_at = utcnow() - timedelta(minutes=1)
        event.ends_at = event.starts_at + timedelta(minutes=minutes)
        event.created_at = event.starts_at - timedelta(days=3)
        db.session.commit()


def _registration(app, session_id: int, participant_id: int) -> Registration | None:
    with app.app_context():
        found = signups.find(session_id, participant_id)
        if found is not None:
            db.session.expunge(found)
        return found


def _event(app, session_id: int) -> Event:
    with app.app_context():
        event = db.session.get(Event, session_id)
        db.session.expunge(event)
        return event


# -- creating -----------------------------------------------------------------------------------


def test_staff_create_a_session_through_the_page(app, centre, coordinator, login_as):
    client = login_as("koordynator@example.org")
    page = client.get("/staff/sessions/new?lang=en")
    assert page.status_code == 200
    assert "Social skills training" in page.get_data(as_text=True)
    day = dates.local_date(utcnow()) + timedelta(days=5)
    with app.app_context():
        project_id = participants.current_project(centre).id
    response = client.post(
        "/staff/sessions/new",
        data={
            "instrument": "social_skills",
            "title": "",
            "day": day.isoformat(),
            "starts": "10:00",
            "ends": "13:30",
            "place": "Sala GOPS",
            "trainer": "Ewa Trenerska",
            "topics": "Komunikacja interpersonalna\r\nAsertywność\r\n\r\nKonstruktywna krytyka",
            "capacity": "10",
            "project_id": str(project_id),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        event = db.session.scalars(select(Event).where(Event.centre_id == centre)).one()
        assert event.instrument == GroupInstrument.SOCIAL_SKILLS
        assert event.event_type == EventType.WORKSHOP
        assert event.status == EventStatus.PUBLISHED
        assert event.title == "Social skills training"
        assert event.trainer == "Ewa Trenerska"
        assert event.topics == "Komunikacja interpersonalna\nAsertywność\nKonstruktywna krytyka"
        assert sessions.length_minutes(event) == 210
        assert event.capacity == 10
        assert dates.local_date(event.starts_at) == day
        session_id = event.id
    assert response.headers["Location"].endswith(f"/staff/sessions/{session_id}")
    detail = client.get(f"/staff/sessions/{session_id}").get_data(as_text=True)
    assert "3.5" in detail
    assert "<li>Asertywność</li>" in detail
    listing = client.get("/staff/sessions").get_data(as_text=True)
    assert "Social skills training" in listing
    assert "3.5" in listing


def test_a_club_meeting_is_stored_as_one(app, centre, make_session):
    session_id = make_session(centre, instrument=GroupInstrument.CLUB_MEETING)
    assert _event(app, session_id).event_type == EventType.CLUB_MEETING


def test_the_form_refuses_an_end_before_the_start_beside_the_field(
    app, centre, coordinator, login_as
):
    client = login_as("koordynator@example.org")
    day = dates.local_date(utcnow()) + timedelta(days=5)
    with app.app_context():
        project_id = participants.current_project(centre).id
    response = client.post(
        "/staff/sessions/new?lang=en",
        data={
            "instrument": "group_counselling",
            "day": day.isoformat(),
            "starts": "12:00",
            "ends": "11:00",
            "place": "Sala",
            "trainer": "Doradca",
            "capacity": "8",
            "project_id": str(project_id),
        },
    )
    assert response.status_code == 200
    assert "The session must end after it starts." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Event)).all() == []


# -- enrolling ----------------------------------------------------------------------------------


def test_enrol_through_the_page_tells_namesakes_apart(
    app, centre, coordinator, make_participant, make_session, login_as
):
    one = make_participant(centre, last_name="Nowak", first_name="A", pesel_number=VALID_PESEL)
    two = make_participant(centre, last_name="Nowak", first_name="A", birth_date=date(1980, 2, 3))
    session_id = make_session(centre)
    client = login_as("koordynator@example.org")
    page = client.get(f"/staff/sessions/{session_id}?lang=en").get_data(as_text=True)
    assert "*******1359" in page
    assert "born 1980" in page
    assert VALID_PESEL not in page
    response = client.post(
        f"/staff/sessions/{session_id}/enrol", data={"participant_ids": [str(one), str(two)]}
    )
    assert response.status_code == 302
    for pid in (one, two):
        registration = _registration(app, session_id, pid)
        assert registration.status == S.CONFIRMED
        assert registration.created_by_id == coordinator
    assert _event(app, session_id).places_taken == 2
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == "registrations")
        ).all()
    assert actions.count("registration.enrol") == 2


def test_double_enrolment_is_refused(app, centre, coordinator, make_participant, make_session):
    person = make_participant(centre)
    session_id = make_session(centre)
    _enrol(app, session_id, [person], coordinator)
    with pytest.raises(sessions.AlreadyEnrolled):
        _enrol(app, session_id, [person], coordinator)
    assert _event(app, session_id).places_taken == 1


def test_a_person_already_enrolled_is_not_offered_and_a_forged_post_is_refused(
    app, centre, coordinator, make_participant, make_session, login_as
):
    person = make_participant(centre, last_name="Zapisana")
    session_id = make_session(centre)
    _enrol(app, session_id, [person], coordinator)
    client = login_as("koordynator@example.org")
    page = client.get(f"/staff/sessions/{session_id}").get_data(as_text=True)
    assert f'value="{person}"' not in page
    response = client.post(
        f"/staff/sessions/{session_id}/enrol", data={"participant_ids": [str(person)]}
    )
    assert response.status_code == 400
    assert _event(app, session_id).places_taken == 1


def test_the_group_size_is_respected_all_or_none(
    app, centre, coordinator, make_participant, make_session, login_as
):
    people = [make_participant(centre) for _ in range(3)]
    session_id = make_session(centre, capacity=2)
    client = login_as("koordynator@example.org")
    response = client.post(
        f"/staff/sessions/{session_id}/enrol?lang=en",
        data={"participant_ids": [str(p) for p in people]},
    )
    assert response.status_code == 400
    assert "The group is full" in response.get_data(as_text=True)
    assert _event(app, session_id).places_taken == 0
    assert all(_registration(app, session_id, p) is None for p in people)
    _enrol(app, session_id, people[:2], coordinator)
    with pytest.raises(sessions.GroupFull):
        _enrol(app, session_id, people[2:], coordinator)


def test_unenrol_before_the_session_but_not_after_it_started(
    app, centre, coordinator, make_participant, make_session, login_as
):
    person = make_participant(centre)
    session_id = make_session(centre)
    (registration_id,) = _enrol(app, session_id, [person], coordinator)
    client = login_as("koordynator@example.org")
    unenrol = f"/staff/sessions/registrations/{registration_id}/unenrol"
    assert client.post(unenrol).status_code == 302
    assert _registration(app, session_id, person).status == S.CANCELLED
    assert _event(app, session_id).places_taken == 0
    # Enrolled again (the cancelled registration comes back), then the session starts.
    _enrol(app, session_id, [person], coordinator)
    assert _registration(app, session_id, person).status == S.CONFIRMED
    _move_to_today(app, session_id)
    client.post(unenrol)
    assert _registration(app, session_id, person).status == S.CONFIRMED


def test_nobody_is_enrolled_once_the_session_started(
    app, centre, coordinator, make_participant, make_session
):
    person = make_participant(centre)
    session_id = make_session(centre)
    _move_to_today(app, session_id)
    with pytest.raises(PortalError):
        _enrol(app, session_id, [person], coordinator)


# -- attendance and walk-ins --------------------------------------------------------------------


def test_attendance_is_refused_up_front_before_the_start(
    app, centre, coordinator, make_participant, make_session, login_as
):
    person = make_participant(centre)
    session_id = make_session(centre)
    _enrol(app, session_id, [person], coordinator)
    client = login_as("koordynator@example.org")
    page = client.get(f"/staff/events/{session_id}/attendance?lang=en").get_data(as_text=True)
    assert "Attendance can be taken from the start of the event:" in page
    assert 'name="present-' not in page
    walk_in = client.get(f"/staff/sessions/{session_id}/walk-in?lang=en").get_data(as_text=True)
    assert "Attendance can be taken from the start of the event:" in walk_in
    assert 'name="reason"' not in walk_in


def test_an_advisor_takes_attendance_and_the_list_prints(
    app, centre, coordinator, make_user, make_participant, make_session, login_as
):
    advisor = make_user(Role.ADVISOR, centre_id=centre, email="doradca@example.org")
    came = make_participant(centre, last_name="Obecna")
    missed = make_participant(centre, last_name="Nieobecny")
    session_id = make_session(
        centre, instrument=GroupInstrument.GROUP_COUNSELLING, actor_id=advisor
    )
    reg_came, reg_missed = _enrol(app, session_id, [came, missed], advisor)
    _move_to_today(app, session_id)
    client = login_as("doradca@example.org")
    page = client.get(f"/staff/events/{session_id}/attendance")
    assert page.status_code == 200
    assert f'name="present-{reg_came}"' in page.get_data(as_text=True)
    response = client.post(
        f"/staff/events/{session_id}/attendance",
        data={f"present-{reg_came}": "yes", f"present-{reg_missed}": "no"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/sessions/{session_id}")
    assert _registration(app, session_id, came).status == S.ATTENDED
    assert _registration(app, session_id, missed).status == S.ABSENT
    assert _event(app, session_id).status == EventStatus.HELD
    pdf = client.get(f"/staff/events/{session_id}/attendance.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Obecna" in text
    assert "Ewa Trenerska" in text
    listing = client.get("/staff/sessions").get_data(as_text=True)
    assert '<td class="num">1</td>' in listing  # attended, beside 2 / 5 enrolled
    assert "2 / 5" in listing


def test_an_advisor_cannot_take_a_pal_events_attendance(
    app, centre, make_user, make_event, login_as
):
    make_user(Role.ADVISOR, centre_id=centre, email="doradca@example.org")
    event_id = make_event(centre)
    client = login_as("doradca@example.org")
    assert client.get(f"/staff/events/{event_id}/attendance").status_code == 403
    assert client.get(f"/staff/events/{event_id}/attendance.pdf").status_code == 403


def test_a_walk_in_is_added_with_a_reason_and_the_group_grows(
    app, centre, coordinator, make_participant, make_session, login_as
):
    enrolled = make_participant(centre)
    walker = make_participant(centre, last_name="Przyszła")
    session_id = make_session(centre, capacity=1)
    _enrol(app, session_id, [enrolled], coordinator)
    _move_to_today(app, session_id)
    client = login_as("koordynator@example.org")
    page = client.get(f"/staff/sessions/{session_id}/walk-in").get_data(as_text=True)
    assert f'value="{walker}"' in page
    assert f'value="{enrolled}"' not in page
    refused = client.post(
        f"/staff/sessions/{session_id}/walk-in?lang=en",
        data={"participant_id": str(walker), "reason": ""},
    )
    assert refused.status_code == 400
    assert "Enter the reason." in refused.get_data(as_text=True)
    assert _registration(app, session_id, walker) is None
    response = client.post(
        f"/staff/sessions/{session_id}/walk-in",
        data={"participant_id": str(walker), "reason": "Przyszła w zastępstwie"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/events/{session_id}/attendance")
    registration = _registration(app, session_id, walker)
    assert registration.status == S.ATTENDED
    assert registration.note == "Przyszła w zastępstwie"
    event = _event(app, session_id)
    assert (event.capacity, event.places_taken) == (2, 2)
    # Twice is refused; the attendance page shows the walk-in as present.
    with app.app_context(), pytest.raises(sessions.AlreadyEnrolled):
        sessions.walk_in(
            db.session.get(Participant, walker),
            session_id,
            reason="again",
            actor=db.session.get(User, coordinator),
            now=utcnow(),
        )
    attendance = client.get(f"/staff/events/{session_id}/attendance").get_data(as_text=True)
    assert f'checked id="present-{registration.id}-0"' in attendance


def test_a_walk_in_after_the_session_was_held(
    app, centre, coordinator, make_participant, make_session
):
    enrolled = make_participant(centre)
    late = make_participant(centre)
    session_id = make_session(centre)
    (registration_id,) = _enrol(app, session_id, [enrolled], coordinator)
    _move_to_today(app, session_id)
    later = utcnow() + timedelta(days=2)
    with app.app_context():
        actor = db.session.get(User, coordinator)
        signups.record_attendance(session_id, {registration_id: True}, actor=actor, now=later)
        sessions.walk_in(
            db.session.get(Participant, late),
            session_id,
            reason="Lista podpisana, pominięta w portalu",
            actor=actor,
            now=later,
        )
        db.session.commit()
    assert _registration(app, session_id, late).status == S.ATTENDED


# -- hours --------------------------------------------------------------------------------------


def test_hours_add_up_per_instrument_and_show_on_the_contract(
    app, centre, coordinator, make_user, make_participant, make_session, make_contract, login_as
):
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre, email="pracownik@example.org")
    person = make_participant(centre)
    held = [
        (GroupInstrument.SOCIAL_SKILLS, 120, True),
        (GroupInstrument.SOCIAL_SKILLS, 90, True),
        (GroupInstrument.GROUP_COUNSELLING, 60, True),
        (GroupInstrument.GROUP_COUNSELLING, 45, False),  # absent: not counted
        (GroupInstrument.CLUB_MEETING, 30, None),  # enrolled, not held yet: not counted
    ]
    for instrument, minutes, present in held:
        session_id = make_session(centre, instrument=instrument, minutes=minutes)
        (registration_id,) = _enrol(app, session_id, [person], coordinator)
        if present is None:
            continue
        with app.app_context():
            event = db.session.get(Event, session_id)
            later = event.starts_at + timedelta(minutes=minutes)
            signups.record_attendance(
                session_id,
                {registration_id: present},
                actor=db.session.get(User, coordinator),
                now=later,
            )
            db.session.commit()
    with app.app_context():
        assert sessions.hours_by_instrument(person) == {
            GroupInstrument.SOCIAL_SKILLS: 210,
            GroupInstrument.GROUP_COUNSELLING: 60,
        }
        # The plan's progress counts them from the attended registrations it already reads.
        assert dict(progress.get_for(person)["instrument_minutes"]) == {
            GroupInstrument.SOCIAL_SKILLS: 210,
            GroupInstrument.GROUP_COUNSELLING: 60,
        }
    contract_id = make_contract(person, worker)
    client = login_as("pracownik@example.org")
    page = client.get(f"/staff/contracts/{contract_id}?lang=en").get_data(as_text=True)
    assert "Social skills training: 3.5 h" in page
    assert "Group vocational counselling: 1 h" in page
    assert "Club meeting:" not in page


def test_the_participant_sees_hours_on_their_contract_and_sessions_among_their_events(
    app, centre, coordinator, make_participant, make_session, make_contract, login_as
):
    person = make_participant(centre)
    coming = make_session(centre)
    _enrol(app, coming, [person], coordinator)
    attended = make_session(centre, minutes=150)
    (registration_id,) = _enrol(app, attended, [person], coordinator)
    with app.app_context():
        event = db.session.get(Event, attended)
        signups.record_attendance(
            attended,
            {registration_id: True},
            actor=db.session.get(User, coordinator),
            now=event.ends_at,
        )
        event.starts_at -= timedelta(days=10)  # it is in the past now
        event.ends_at -= timedelta(days=10)
        db.session.commit()
    make_contract(person, coordinator)
    with app.app_context():
        email = db.session.get(Participant, person).user.email
    client = login_as(email)
    mine = client.get("/me/my-events?lang=en").get_data(as_text=True)
    assert mine.count("Trainer: Ewa Trenerska") == 2
    assert "<li>Rozwiązywanie konfliktów</li>" in mine
    assert f"/me/events/{coming}" not in mine
    home = client.get("/me/").get_data(as_text=True)
    assert f"/me/events/{coming}" not in home
    contract = client.get("/me/contract?lang=en").get_data(as_text=True)
    assert "Social skills training: 2.5 h" in contract


# -- not offered for sign-up, and who may see what ----------------------------------------------


def test_sessions_are_not_in_the_participant_catalogue_nor_the_event_list(
    app, centre, coordinator, make_participant, make_session, make_event, login_as
):
    person = make_participant(centre, on_pal_path=True)
    session_id = make_session(centre)
    make_event(centre, title="Piknik rodzinny")
    with app.app_context():
        email = db.session.get(Participant, person).user.email
    participant = login_as(email, fresh=True)
    catalogue = participant.get("/me/events").get_data(as_text=True)
    assert "Piknik rodzinny" in catalogue
    assert f"/me/events/{session_id}" not in catalogue
    assert participant.get(f"/me/events/{session_id}").status_code == 404
    assert participant.post(f"/me/events/{session_id}/sign-up").status_code == 404
    with app.app_context(), pytest.raises(signups.SignUpRefused):
        signups.sign_up(db.session.get(Participant, person), session_id, now=utcnow(), actor=None)
    staff = login_as("koordynator@example.org")
    events_page = staff.get("/staff/events").get_data(as_text=True)
    assert "Piknik rodzinny" in events_page
    assert f"/staff/events/{session_id}" not in events_page
    detail = staff.get(f"/staff/events/{session_id}")
    assert detail.status_code == 302
    assert detail.headers["Location"].endswith(f"/staff/sessions/{session_id}")


def test_another_centres_session_is_not_found(
    app, centre, coordinator, make_centre, make_user, make_participant, make_session, login_as
):
    other_centre = make_centre()
    make_user(Role.COORDINATOR, centre_id=other_centre, email="inny@example.org")
    session_id = make_session(centre)
    person = make_participant(centre)
    (registration_id,) = _enrol(app, session_id, [person], coordinator)
    stranger = make_participant(other_centre)
    client = login_as("inny@example.org")
    for path in (
        f"/staff/sessions/{session_id}",
        f"/staff/sessions/{session_id}/walk-in",
        f"/staff/events/{session_id}/attendance",
        f"/staff/events/{session_id}/attendance.pdf",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/staff/sessions/{session_id}/enrol", data={}).status_code == 404
    assert (
        client.post(f"/staff/sessions/registrations/{registration_id}/unenrol").status_code == 404
    )
    assert f'/staff/sessions/{session_id}"' not in client.get("/staff/sessions").get_data(
        as_text=True
    )
    with app.app_context(), pytest.raises(NotFound):
        sessions.enrol(
            session_id,
            [db.session.get(Participant, stranger)],
            actor=db.session.get(User, coordinator),
            now=utcnow(),
        )


def test_a_participant_cannot_reach_the_session_pages(
    app, centre, coordinator, make_participant, make_session, login_as
):
    person = make_participant(centre)
    session_id = make_session(centre)
    with app.app_context():
        email = db.session.get(Participant, person).user.email
    client = login_as(email)
    for path in (
        "/staff/sessions",
        "/staff/sessions/new",
        f"/staff/sessions/{session_id}",
        f"/staff/sessions/{session_id}/walk-in",
        f"/staff/events/{session_id}/attendance",
    ):
        assert client.get(path).status_code == 403, path
    assert (
        client.post(
            f"/staff/sessions/{session_id}/enrol", data={"participant_ids": [str(person)]}
        ).status_code
        == 403
    )
    assert _registration(app, session_id, person) is None


# -- editing ------------------------------------------------------------------------------------


def _edit_data(**changes) -> dict[str, str]:
    day = dates.local_date(utcnow()) + timedelta(days=6)
    data = {
        "title": "Trening umiejętności – grupa B",
        "day": day.isoformat(),
        "starts": "09:00",
        "ends": "12:00",
        "place": "Świetlica wiejska",
        "trainer": "Jan Trener",
        "topics": "Asertywność\r\nAutoprezentacja",
        "capacity": "8",
    }
    data.update(changes)
    return data


def _version(app, session_id: int) -> int:
    return _event(app, session_id).version_id


def test_edit_a_session_through_its_page(app, centre, coordinator, make_session, login_as):
    session_id = make_session(centre)
    client = login_as("koordynator@example.org")
    detail = client.get(f"/staff/sessions/{session_id}?lang=en").get_data(as_text=True)
    assert f'href="/staff/sessions/{session_id}/edit"' in detail
    page = client.get(f"/staff/sessions/{session_id}/edit?lang=en").get_data(as_text=True)
    assert 'value="Ewa Trenerska"' in page
    assert 'value="Sala GOPS"' in page
    data = _edit_data(version=str(_version(app, session_id)))
    response = client.post(f"/staff/sessions/{session_id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/staff/sessions/{session_id}")
    event = _event(app, session_id)
    assert event.title == "Trening umiejętności – grupa B"
    assert dates.local_date(event.starts_at).isoformat() == data["day"]
    assert dates.to_local(event.starts_at).strftime("%H:%M") == "09:00"
    assert sessions.length_minutes(event) == 180
    assert (event.place, event.trainer, event.capacity) == ("Świetlica wiejska", "Jan Trener", 8)
    assert event.topics == "Asertywność\nAutoprezentacja"
    assert event.instrument == GroupInstrument.SOCIAL_SKILLS
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == session_id)
        ).all()
    assert "event.update" in actions
    assert "session.update" in actions
    # The event pages' own edit route does not open a session: it sends to this page.
    old = client.get(f"/staff/events/{session_id}/edit")
    assert old.status_code == 302
    assert old.headers["Location"].endswith(f"/staff/sessions/{session_id}/edit")
    forged = client.post(f"/staff/events/{session_id}/edit", data={"title": "Obce"})
    assert forged.status_code == 302
    assert _event(app, session_id).title == "Trening umiejętności – grupa B"


def test_a_stale_edit_is_refused_and_keeps_the_typed_values(
    app, centre, coordinator, make_session, login_as
):
    session_id = make_session(centre)
    client = login_as("koordynator@example.org")
    opened_on = _version(app, session_id)
    # Someone else saves the session meanwhile.
    with app.app_context():
        event = db.session.get(Event, session_id)
        event.place = "Sala nr 2"
        db.session.commit()
    stale = client.post(
        f"/staff/sessions/{session_id}/edit?lang=en",
        data=_edit_data(trainer="Moja zmiana", version=str(opened_on)),
    )
    page = stale.get_data(as_text=True)
    assert "Someone else changed this event while you were editing it." in page
    assert 'value="Moja zmiana"' in page
    current = _version(app, session_id)
    assert current != opened_on
    assert f'name="version" type="hidden" value="{current}"' in page
    event = _event(app, session_id)
    assert (event.trainer, event.place) == ("Ewa Trenerska", "Sala nr 2")
    # Saved again, it is based on the session as it is now.
    again = client.post(
        f"/staff/sessions/{session_id}/edit",
        data=_edit_data(trainer="Moja zmiana", version=str(current)),
    )
    assert again.status_code == 302
    assert _event(app, session_id).trainer == "Moja zmiana"


def test_the_group_cannot_be_made_smaller_than_the_people_enrolled(
    app, centre, coordinator, make_participant, make_session, login_as
):
    people = [make_participant(centre) for _ in range(3)]
    session_id = make_session(centre, capacity=5)
    _enrol(app, session_id, people, coordinator)
    client = login_as("koordynator@example.org")
    response = client.post(
        f"/staff/sessions/{session_id}/edit?lang=en",
        data=_edit_data(capacity="2", version=str(_version(app, session_id))),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    beside = page[
        page.index('id="capacity-error"') : page.index("</div>", page.index('id="capacity-error"'))
    ]
    assert "3 places are already taken" in beside
    assert _event(app, session_id).capacity == 5
    assert (
        client.post(
            f"/staff/sessions/{session_id}/edit",
            data=_edit_data(capacity="3", version=str(_version(app, session_id))),
        ).status_code
        == 302
    )
    assert _event(app, session_id).capacity == 3


def test_a_held_session_is_not_edited(app, centre, coordinator, make_participant, make_session):
    person = make_participant(centre)
    session_id = make_session(centre)
    (registration_id,) = _enrol(app, session_id, [person], coordinator)
    _move_to_today(app, session_id)
    with app.app_context():
        actor = db.session.get(User, coordinator)
        signups.record_attendance(session_id, {registration_id: True}, actor=actor, now=utcnow())
        db.session.commit()
        event = db.session.get(Event, session_id)
        fields = sessions.SessionFields(
            instrument=event.instrument,
            title="Inny",
            place=event.place,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            capacity=event.capacity,
            trainer=event.trainer,
            topics="",
        )
        with pytest.raises(PortalError):
            session_changes.update(session_id, fields, version=event.version_id, actor=actor)


# -- cancelling ---------------------------------------------------------------------------------


def _outbox(app, text: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboxMessage.to_address).where(OutboxMessage.body.contains(text))
            )
        )


def test_cancel_a_session_after_confirming_with_a_reason(
    app, centre, coordinator, make_participant, make_session, login_as
):
    with_address = make_participant(centre, last_name="Mailowa")
    without = make_participant(centre, last_name="Bezadresowa", with_account=False)
    session_id = make_session(centre)
    _enrol(app, session_id, [with_address, without], coordinator)
    client = login_as("koordynator@example.org")
    detail = client.get(f"/staff/sessions/{session_id}?lang=en").get_data(as_text=True)
    assert f'href="/staff/sessions/{session_id}/cancel"' in detail
    page = client.get(f"/staff/sessions/{session_id}/cancel?lang=en").get_data(as_text=True)
    assert "2 people lose their places in the group." in page
    assert "1 person is told by e-mail, with the reason." in page
    tell_yourself = page[page.index("does not send these people an e-mail") :]
    assert "Bezadresowa Jan · no e-mail" in tell_yourself
    assert "Mailowa" not in tell_yourself
    assert _event(app, session_id).status == EventStatus.PUBLISHED  # the page changes nothing
    refused = client.post(f"/staff/sessions/{session_id}/cancel?lang=en", data={"reason": ""})
    assert refused.status_code == 400
    assert "Enter the reason." in refused.get_data(as_text=True)
    assert _event(app, session_id).status == EventStatus.PUBLISHED
    response = client.post(
        f"/staff/sessions/{session_id}/cancel", data={"reason": "Trenerka zachorowała"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/sessions/{session_id}")
    event = _event(app, session_id)
    assert event.status == EventStatus.CANCELLED
    assert event.cancelled_reason == "Trenerka zachorowała"
    assert event.places_taken == 0
    for pid in (with_address, without):
        assert _registration(app, session_id, pid).status == S.CANCELLED
    with app.app_context():
        address = db.session.get(Participant, with_address).user.email
    assert _outbox(app, "Trenerka zachorowała") == [address]
    shown = client.get(f"/staff/sessions/{session_id}?lang=en").get_data(as_text=True)
    assert "Trenerka zachorowała" in shown
    assert f"/staff/sessions/{session_id}/cancel" not in shown
    assert f"/staff/sessions/{session_id}/edit" not in shown
    assert client.post(
        f"/staff/sessions/{session_id}/cancel", data={"reason": "drugi raz"}
    ).status_code in (200, 400)
    assert _event(app, session_id).cancelled_reason == "Trenerka zachorowała"


def test_a_session_cancelled_after_it_began_writes_to_nobody(
    app, centre, coordinator, make_participant, make_session, login_as
):
    person = make_participant(centre)
    session_id = make_session(centre)
    _enrol(app, session_id, [person], coordinator)
    _move_to_today(app, session_id)
    client = login_as("koordynator@example.org")
    page = client.get(f"/staff/sessions/{session_id}/cancel?lang=en").get_data(as_text=True)
    assert "The session has begun, so nobody is sent an e-mail." in page
    response = client.post(
        f"/staff/sessions/{session_id}/cancel", data={"reason": "Wpisane przez pomyłkę"}
    )
    assert response.status_code == 302
    assert _event(app, session_id).status == EventStatus.CANCELLED
    assert _outbox(app, "Wpisane przez pomyłkę") == []


# -- a session recorded after it took place -----------------------------------------------------


def test_a_past_session_is_recorded_and_its_attendance_taken_at_once(
    app, centre, coordinator, make_participant, login_as
):
    came = make_participant(centre, last_name="Była")
    missed = make_participant(centre, last_name="Nieobecna")
    client = login_as("koordynator@example.org")
    with app.app_context():
        project_id = participants.current_project(centre).id
    day = dates.local_date(utcnow()) - timedelta(days=10)
    data = {
        "instrument": "club_meeting",
        "day": day.isoformat(),
        "starts": "16:00",
        "ends": "18:00",
        "place": "Klub Integracji Społecznej",
        "trainer": "Anna Animatorka",
        "capacity": "10",
        "project_id": str(project_id),
    }
    # Before the project's start it is refused beside the date.
    early = client.post("/staff/sessions/new?lang=en", data={**data, "day": "2025-12-15"}).get_data(
        as_text=True
    )
    assert "The session must take place within the project&#39;s period" in early
    beside = early[
        early.index('id="day-error"') : early.index("</div>", early.index('id="day-error"'))
    ]
    assert "The session must take place within the project&#39;s period" in beside
    response = client.post("/staff/sessions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    event = _event(app, session_id)
    assert event.status == EventStatus.PUBLISHED
    assert dates.local_date(event.starts_at) == day
    # The group is entered from the paper list, then the attendance straight away.
    detail = client.get(f"/staff/sessions/{session_id}").get_data(as_text=True)
    assert f'value="{came}"' in detail
    assert f'href="/staff/events/{session_id}/attendance"' in detail
    assert (
        client.post(
            f"/staff/sessions/{session_id}/enrol",
            data={"participant_ids": [str(came), str(missed)]},
        ).status_code
        == 302
    )
    reg_came = _registration(app, session_id, came).id
    reg_missed = _registration(app, session_id, missed).id
    response = client.post(
        f"/staff/events/{session_id}/attendance",
        data={f"present-{reg_came}": "yes", f"present-{reg_missed}": "no"},
    )
    assert response.status_code == 302
    assert _event(app, session_id).status == EventStatus.HELD
    assert _registration(app, session_id, came).status == S.ATTENDED
    with app.app_context():
        assert sessions.hours_by_instrument(came) == {GroupInstrument.CLUB_MEETING: 120}
    # Once the attendance is recorded, nobody more is enrolled (a later comer is a walk-in).
    late = make_participant(centre)
    with pytest.raises(PortalError):
        _enrol(app, session_id, [late], coordinator)


# -- who may change a session -------------------------------------------------------------------


def test_another_centre_cannot_edit_or_cancel_a_session(
    app, centre, coordinator, make_centre, make_user, make_session, login_as
):
    other_centre = make_centre()
    make_user(Role.COORDINATOR, centre_id=other_centre, email="inny@example.org")
    session_id = make_session(centre)
    version = _version(app, session_id)
    client = login_as("inny@example.org")
    for path in (f"/staff/sessions/{session_id}/edit", f"/staff/sessions/{session_id}/cancel"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/staff/events/{session_id}/edit").status_code == 404
    assert (
        client.post(
            f"/staff/sessions/{session_id}/edit", data=_edit_data(version=str(version))
        ).status_code
        == 404
    )
    assert (
        client.post(f"/staff/sessions/{session_id}/cancel", data={"reason": "obcy"}).status_code
        == 404
    )
    event = _event(app, session_id)
    assert (event.status, event.trainer) == (EventStatus.PUBLISHED, "Ewa Trenerska")


def test_a_participant_cannot_edit_or_cancel_a_session(
    app, centre, coordinator, make_participant, make_session, login_as
):
    person = make_participant(centre)
    session_id = make_session(centre)
    version = _version(app, session_id)
    with app.app_context():
        email = db.session.get(Participant, person).user.email
    client = login_as(email)
    for path in (f"/staff/sessions/{session_id}/edit", f"/staff/sessions/{session_id}/cancel"):
        assert client.get(path).status_code == 403, path
    assert (
        client.post(
            f"/staff/sessions/{session_id}/edit", data=_edit_data(version=str(version))
        ).status_code
        == 403
    )
    assert (
        client.post(f"/staff/sessions/{session_id}/cancel", data={"reason": "ja"}).status_code
        == 403
    )
    event = _event(app, session_id)
    assert (event.status, event.trainer) == (EventStatus.PUBLISHED, "Ewa Trenerska")
