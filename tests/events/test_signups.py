"""Signing up for PAL events: places, the waiting list, families, cancelling, staff work, calendar.

Service tests pass `now=`; pages run on the real clock with events a few days ahead.
Messages are compared with what the portal shows in Polish (tests.helpers.translated).
"""

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, func, select

from portal.extensions import db
from portal.models import (
    AccountRequest,
    AuditEntry,
    Event,
    OutboxMessage,
    Participant,
    Registration,
    User,
    Village,
)
from portal.models.base import utcnow
from portal.models.enums import (
    Audience,
    EventStatus,
    EventType,
    RegistrationStatus,
    RequestStatus,
    Role,
)
from portal.services.common import dates
from portal.services.events import reminders, signups
from portal.services.events.signups import TRANSITIONS, IllegalTransition
from tests.helpers import email_of, event_state, registrations, translated, village_id

S = RegistrationStatus


# -- helpers ------------------------------------------------------------------------------------


def statuses(app, event_id: int) -> dict[int, RegistrationStatus]:
    """participant id -> status of their registration for the event."""
    return {r.participant_id: r.status for r in registrations(app, event_id)}


def positions(app, event_id: int) -> dict[int, int]:
    """participant id -> place on the waiting list (1 = next in line)."""
    with app.app_context():
        by_registration = signups.waiting_positions([event_id])
        rows = db.session.execute(
            select(Registration.id, Registration.participant_id).where(
                Registration.event_id == event_id
            )
        ).all()
    return {pid: by_registration[rid] for rid, pid in rows if rid in by_registration}


def cancel(app, participant_id: int, event_id: int, **kwargs) -> None:
    with app.app_context():
        person = db.session.get(Participant, participant_id)
        registration = signups.find(event_id, person.id)
        signups.cancel(registration.id, now=utcnow(), actor=person.user, owner=person, **kwargs)
        db.session.commit()


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return list(messages)


def forget_mail(app) -> None:
    """Drop the sign-up confirmations of a test's set-up (tests/test_messages.py checks them),
    so that what the step under test sends is all the outbox holds."""
    with app.app_context():
        db.session.execute(delete(OutboxMessage))
        db.session.commit()


def audit_trail(app, registration_id: int) -> list[tuple[str, dict]]:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity_type == "registrations", AuditEntry.entity_id == registration_id
            )
            .order_by(AuditEntry.id)
        ).all()
        return [(entry.action, entry.changes["status"]) for entry in entries]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def live_in(app, participant_id: int, village: str) -> int:
    with app.app_context():
        person = db.session.get(Participant, participant_id)
        person.village_id = db.session.scalar(
            select(Village.id).where(Village.centre_id == person.centre_id, Village.name == village)
        )
        db.session.commit()
    return participant_id


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def centre(make_centre):
    return make_centre()


@pytest.fixture
def people(centre, make_participant):
    """Five participants of the centre with accounts, PAL path."""
    return [make_participant(centre, on_pal_path=True) for _ in range(5)]


@pytest.fixture
def staff(app, centre, make_user, login_as):
    """A coordinator of the centre, signed in on `client`."""
    make_user(Role.COORDINATOR, centre_id=centre, email="koordynator@example.org")
    login_as("koordynator@example.org")


# -- places, waiting list, families -------------------------------------------------------------


def test_places_are_confirmed_while_they_remain_then_the_waiting_list_fills_in_order(
    app, centre, people, make_event, make_registration
):
    event = make_event(centre, capacity=2)
    for person in people[:4]:
        make_registration(person, event)
    assert statuses(app, event) == {
        people[0]: S.CONFIRMED,
        people[1]: S.CONFIRMED,
        people[2]: S.WAITING,
        people[3]: S.WAITING,
    }
    assert positions(app, event) == {people[2]: 1, people[3]: 2}
    assert event_state(app, event).places_taken == 2


def test_a_family_counts_as_one_whole_and_keeps_its_position_while_others_fit(
    app, centre, people, make_event, make_registration
):
    single, family, later, last, after = people
    event = make_event(centre, capacity=3)
    make_registration(single, event)
    # Three places needed, two left: all or none, so the whole family waits.
    make_registration(family, event, companions=2)
    assert statuses(app, event)[family] == S.WAITING
    assert event_state(app, event).places_taken == 1
    # First who fits: a single person behind them still takes a free place...
    make_registration(later, event)
    make_registration(last, event)
    make_registration(after, event)
    assert statuses(app, event) == {
        single: S.CONFIRMED,
        family: S.WAITING,
        later: S.CONFIRMED,
        last: S.CONFIRMED,
        after: S.WAITING,
    }
    # ...and the family stays first in line.
    assert positions(app, event) == {family: 1, after: 2}

    # One place frees up: the family does not fit, the next single person does.
    cancel(app, single, event)
    assert statuses(app, event)[after] == S.CONFIRMED
    assert positions(app, event) == {family: 1}
    assert event_state(app, event).places_taken == 3

    cancel(app, later, event)
    cancel(app, last, event)
    assert statuses(app, event)[family] == S.WAITING  # two free places are not enough for three
    cancel(app, after, event)
    assert statuses(app, event)[family] == S.CONFIRMED
    assert event_state(app, event).places_taken == 3


def test_family_members_are_signed_up_on_the_page_within_the_limit(
    app, centre, people, login_as, make_event
):
    event = make_event(centre, capacity=5)
    browser = login_as(email_of(app, people[0]), fresh=True)

    too_many = browser.post(f"/me/events/{event}/sign-up", data={"companions": "11"})
    assert too_many.status_code == 400
    assert translated(app, "Enter a number from 0 to %(n)d.", n=10) in page(too_many)
    assert count(app, Registration) == 0

    browser.post(
        f"/me/events/{event}/sign-up", data={"companions": "2", "companion_names": "Ola, Ela"}
    )
    [registration] = registrations(app, event)
    assert (registration.status, registration.places) == (S.CONFIRMED, 3)
    assert registration.companion_names == "Ola, Ela"
    assert event_state(app, event).places_taken == 3


def test_cancelling_promotes_the_first_waiting_person_at_once_and_tells_them(
    app, centre, people, make_event, make_registration
):
    first, second, third = people[:3]
    event = make_event(centre, capacity=1)
    for person in (first, second, third):
        make_registration(person, event)
    forget_mail(app)

    cancel(app, first, event)

    assert statuses(app, event) == {first: S.CANCELLED, second: S.CONFIRMED, third: S.WAITING}
    assert positions(app, event) == {third: 1}
    messages = outbox(app)
    assert [m.to_address for m in messages] == [email_of(app, second)]
    assert "Spotkanie integracyjne" in messages[0].subject


def test_leaving_the_waiting_list_frees_no_place_and_moves_the_others_up(
    app, centre, people, make_event, make_registration
):
    first, second, third = people[:3]
    event = make_event(centre, capacity=1)
    for person in (first, second, third):
        make_registration(person, event)
    forget_mail(app)

    cancel(app, second, event)

    assert statuses(app, event) == {first: S.CONFIRMED, second: S.CANCELLED, third: S.WAITING}
    assert positions(app, event) == {third: 1}
    assert event_state(app, event).places_taken == 1
    assert outbox(app) == []


def test_leaving_the_waiting_list_on_the_page(
    app, centre, people, login_as, make_event, make_registration
):
    event = make_event(centre, capacity=1)
    make_registration(people[0], event)
    make_registration(people[1], event)
    browser = login_as(email_of(app, people[1]), fresh=True)
    response = browser.post(f"/me/events/{event}/cancel", follow_redirects=True)
    assert translated(app, "You have left the waiting list.") in page(response)
    assert statuses(app, event)[people[1]] == S.CANCELLED


def test_after_the_cut_off_a_participant_is_refused_but_staff_can_cancel(
    app, client, centre, people, login_as, staff, make_event, make_registration
):
    event = make_event(centre, capacity=2, cancellation_cutoff_at=utcnow() - timedelta(hours=1))
    registration = make_registration(people[0], event)
    browser = login_as(email_of(app, people[0]), fresh=True)

    response = browser.post(f"/me/events/{event}/cancel", follow_redirects=True)

    closed = "It is too late to cancel online. Please phone the centre if you cannot come."
    assert translated(app, closed) in page(response)
    assert statuses(app, event)[people[0]] == S.CONFIRMED

    response = client.post(f"/staff/registrations/{registration}/cancel", data={"reason": "tel."})
    assert response.status_code == 302
    assert statuses(app, event)[people[0]] == S.CANCELLED
    assert event_state(app, event).places_taken == 0


def test_posting_the_sign_up_twice_gives_one_registration(
    app, centre, people, login_as, make_event
):
    event = make_event(centre, capacity=3)
    browser = login_as(email_of(app, people[0]), fresh=True)
    for _ in range(2):
        assert (
            browser.post(f"/me/events/{event}/sign-up", data={"companions": "0"}).status_code == 302
        )
    assert statuses(app, event) == {people[0]: S.CONFIRMED}
    assert event_state(app, event).places_taken == 1


def test_signing_up_again_after_cancelling_reuses_the_registration(
    app, centre, people, login_as, make_event
):
    event = make_event(centre, capacity=3)
    browser = login_as(email_of(app, people[0]), fresh=True)
    browser.post(f"/me/events/{event}/sign-up")
    browser.post(f"/me/events/{event}/cancel")
    assert statuses(app, event) == {people[0]: S.CANCELLED}

    response = browser.post(f"/me/events/{event}/sign-up", follow_redirects=True)

    assert translated(app, "You are signed up. See you there!") in page(response)
    [registration] = registrations(app, event)
    assert registration.status == S.CONFIRMED
    assert registration.queue_number == 2  # a new place in the sign-up order
    assert event_state(app, event).places_taken == 1
    assert [action for action, _ in audit_trail(app, registration.id)] == [
        "registration.sign_up",
        "registration.cancel",
        "registration.sign_up_again",
    ]


def test_the_transition_table_refuses_every_other_move(
    app, ctx, centre, people, make_event, make_registration
):
    event = make_event(centre, capacity=5)
    registration_id = make_registration(people[0], event)
    assert set(TRANSITIONS) == set(RegistrationStatus)
    registration = db.session.get(Registration, registration_id)
    refused = 0
    for old in RegistrationStatus:
        for new in RegistrationStatus:
            registration.status = old
            db.session.flush()
            if new in TRANSITIONS[old]:
                signups.move(registration, new, actor=None, action="test")
                assert registration.status == new
                continue
            with pytest.raises(IllegalTransition):
                signups.move(registration, new, actor=None, action="test")
            db.session.refresh(registration)
            assert registration.status == old
            refused += 1
    assert refused == 25 - sum(len(moves) for moves in TRANSITIONS.values())
    # What the issue names as final, or as corrections only, stays so.
    assert S.WAITING not in TRANSITIONS[S.ATTENDED] | TRANSITIONS[S.ABSENT]
    assert S.ATTENDED not in TRANSITIONS[S.WAITING] | TRANSITIONS[S.CANCELLED]


# -- who may sign up, and bad input -------------------------------------------------------------


def test_a_pal_only_event_refuses_someone_outside_pal_and_says_why(
    app, centre, make_participant, login_as, make_event
):
    outsider = make_participant(centre, on_pal_path=False)
    member = make_participant(centre, on_pal_path=True)
    event = make_event(centre, audience=Audience.PAL)
    reason = translated(app, "This event is only for participants of the Local Activity Programme.")
    browser = login_as(email_of(app, outsider), fresh=True)

    assert reason in page(browser.get(f"/me/events/{event}"))
    response = browser.post(f"/me/events/{event}/sign-up", follow_redirects=True)

    assert reason in page(response)
    assert statuses(app, event) == {}
    login_as(email_of(app, member), fresh=True).post(f"/me/events/{event}/sign-up")
    assert statuses(app, event) == {member: S.CONFIRMED}


def test_a_village_event_refuses_a_resident_of_another_village(
    app, centre, make_participant, login_as, make_event
):
    resident = live_in(app, make_participant(centre), "Biała Pierwsza")
    neighbour = live_in(app, make_participant(centre), "Biała Druga")
    event = make_event(centre, audience=Audience.VILLAGES, villages=("Biała Pierwsza",))
    browser = login_as(email_of(app, neighbour), fresh=True)

    response = browser.post(f"/me/events/{event}/sign-up", follow_redirects=True)

    reason = translated(
        app, "This event is only for residents of: %(villages)s.", villages="Biała Pierwsza"
    )
    assert reason in page(response)
    assert statuses(app, event) == {}
    login_as(email_of(app, resident), fresh=True).post(f"/me/events/{event}/sign-up")
    assert statuses(app, event) == {resident: S.CONFIRMED}


def test_an_unknown_event_is_not_found(app, people, login_as):
    browser = login_as(email_of(app, people[0]), fresh=True)
    assert browser.get("/me/events/999999").status_code == 404
    assert browser.post("/me/events/999999/sign-up").status_code == 404
    assert browser.post("/me/events/999999/cancel").status_code == 404
    assert count(app, Registration) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": EventStatus.CANCELLED}, "This event has been cancelled."),
        (
            {"starts_in": timedelta(hours=-2)},
            "This event has already taken place or is not open for sign-up.",
        ),
        (
            {"registration_closes_at": datetime(2020, 1, 1, tzinfo=UTC)},
            "Sign-up for this event is closed.",
        ),
        (
            {
                "registration_opens_at": datetime(2100, 1, 1, tzinfo=UTC),
                "starts_in": timedelta(days=40000),
            },
            "Sign-up for this event has not opened yet.",
        ),
    ],
    ids=["cancelled", "past", "closed", "not-open-yet"],
)
def test_an_event_closed_to_sign_up_says_why_and_stores_nothing(
    app, centre, people, login_as, fields, message, make_event
):
    event = make_event(centre, **fields)
    browser = login_as(email_of(app, people[0]), fresh=True)
    response = browser.post(f"/me/events/{event}/sign-up", follow_redirects=True)
    assert response.status_code == 200
    assert translated(app, message) in page(response)
    assert count(app, Registration) == 0
    assert event_state(app, event).places_taken == 0


def test_a_draft_is_invisible_to_participants(app, centre, people, login_as, make_event):
    event = make_event(centre, status=EventStatus.DRAFT)
    browser = login_as(email_of(app, people[0]), fresh=True)
    assert browser.get(f"/me/events/{event}").status_code == 404
    assert browser.post(f"/me/events/{event}/sign-up").status_code == 404
    assert count(app, Registration) == 0


def test_the_participant_is_never_taken_from_the_form(
    app, centre, people, make_centre, make_participant, login_as, make_event
):
    other_centre = make_centre()
    stranger = make_participant(other_centre)
    their_event = make_event(other_centre)
    our_event = make_event(centre)
    browser = login_as(email_of(app, people[0]), fresh=True)
    # Another centre's event does not exist for this person.
    assert browser.get(f"/me/events/{their_event}").status_code == 404
    assert browser.post(f"/me/events/{their_event}/sign-up").status_code == 404
    # A forged participant id in the form is ignored: the sign-up is the signed-in person's.
    browser.post(f"/me/events/{our_event}/sign-up", data={"participant_id": stranger})
    assert statuses(app, our_event) == {people[0]: S.CONFIRMED}
    assert statuses(app, their_event) == {}


def test_every_change_of_a_registration_is_in_the_audit_trail(
    app, centre, people, make_user, make_event, make_registration
):
    first, second = people[:2]
    coordinator_id = make_user(Role.COORDINATOR, centre_id=centre)
    event = make_event(centre, capacity=1, starts_in=timedelta(hours=1))
    first_id = make_registration(first, event)
    second_id = make_registration(second, event)
    cancel(app, first, event)
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        signups.record_attendance(
            event, {second_id: True}, actor=coordinator, now=utcnow() + timedelta(hours=2)
        )
        db.session.commit()

    assert audit_trail(app, first_id) == [
        ("registration.sign_up", {"old": None, "new": "confirmed"}),
        ("registration.cancel", {"old": "confirmed", "new": "cancelled"}),
    ]
    assert audit_trail(app, second_id) == [
        ("registration.sign_up", {"old": None, "new": "waiting"}),
        ("registration.promote", {"old": "waiting", "new": "confirmed"}),
        ("registration.attendance", {"old": "confirmed", "new": "attended"}),
    ]


# -- staff ---------------------------------------------------------------------------------------


def edit_form(app, event_id: int, **changes) -> dict:
    """The edit form as the page would send it back, with `changes`."""
    with app.app_context():
        event = db.session.get(Event, event_id)

        def local(value):
            return dates.to_local(value).strftime("%Y-%m-%dT%H:%M") if value else ""

        data = {
            "event_type": event.event_type.value,
            "title": event.title,
            "description": event.description or "",
            "place": event.place,
            "starts_at": local(event.starts_at),
            "ends_at": local(event.ends_at),
            "capacity": str(event.capacity),
            "audience": event.audience.value,
            "registration_opens_at": local(event.registration_opens_at),
            "registration_closes_at": local(event.registration_closes_at),
            "cancellation_cutoff_at": local(event.cancellation_cutoff_at),
            "version": str(event.version_id),
        }
    data.update(changes)
    return data


def test_capacity_cannot_fall_below_the_places_taken(
    app, client, centre, people, staff, make_event, make_registration
):
    event = make_event(centre, capacity=5)
    for person in people[:3]:
        make_registration(person, event)

    response = client.post(f"/staff/events/{event}/edit", data=edit_form(app, event, capacity="2"))

    assert response.status_code == 200
    message = translated(app, "%(n)d places are already taken: the capacity cannot be lower.", n=3)
    assert re.search(rf'id="capacity-error">.*{re.escape(message)}', page(response))
    assert event_state(app, event).capacity == 5


def test_raising_capacity_promotes_the_waiting_list(
    app, client, centre, people, staff, make_event, make_registration
):
    event = make_event(centre, capacity=1)
    for person in people[:3]:
        make_registration(person, event)
    forget_mail(app)

    response = client.post(f"/staff/events/{event}/edit", data=edit_form(app, event, capacity="2"))

    assert response.status_code == 302
    assert statuses(app, event) == {
        people[0]: S.CONFIRMED,
        people[1]: S.CONFIRMED,
        people[2]: S.WAITING,
    }
    assert event_state(app, event).places_taken == 2
    assert [m.to_address for m in outbox(app)] == [email_of(app, people[1])]


def test_cancelling_an_event_tells_everyone_registered_and_frees_the_places(
    app, client, centre, people, make_participant, staff, make_event, make_registration
):
    no_address = make_participant(centre, with_account=False)
    event = make_event(centre, capacity=2)
    for person in people[:3]:
        make_registration(person, event)
    client.post(f"/staff/events/{event}/registrations", data={"participant_id": no_address})
    assert len(registrations(app, event)) == 4
    forget_mail(app)

    response = client.post(f"/staff/events/{event}/cancel", data={"reason": "Burza"})

    assert response.status_code == 302
    state = event_state(app, event)
    assert state.status == EventStatus.CANCELLED
    assert state.places_taken == 0
    assert set(statuses(app, event).values()) == {S.CANCELLED}
    messages = outbox(app)
    assert sorted(m.to_address for m in messages) == sorted(
        email_of(app, person) for person in people[:3]
    )
    assert all("Burza" in m.body for m in messages)


def test_cancelling_an_event_needs_a_reason(
    app, client, centre, people, staff, make_event, make_registration
):
    event = make_event(centre)
    make_registration(people[0], event)
    client.post(f"/staff/events/{event}/cancel", data={"reason": ""})
    assert event_state(app, event).status == EventStatus.PUBLISHED
    assert statuses(app, event) == {people[0]: S.CONFIRMED}


def test_admitting_from_the_waiting_list_grows_capacity_and_never_overbooks(
    app, client, centre, people, staff, make_event, make_registration
):
    event = make_event(centre, capacity=1)
    make_registration(people[0], event)
    waiting = make_registration(people[1], event)
    family = make_registration(people[2], event, companions=2)

    # A reason is required.
    client.post(f"/staff/registrations/{waiting}/admit", data={"reason": ""})
    assert statuses(app, event)[people[1]] == S.WAITING

    client.post(f"/staff/registrations/{waiting}/admit", data={"reason": "Opiekunka"})
    client.post(f"/staff/registrations/{family}/admit", data={"reason": "Rodzina z dziećmi"})

    state = event_state(app, event)
    assert (state.capacity, state.places_taken) == (5, 5)
    assert set(statuses(app, event).values()) == {S.CONFIRMED}
    notes = {r.participant_id: r.note for r in registrations(app, event)}
    assert notes[people[1]] == "Opiekunka"
    # Admitting twice has one effect.
    client.post(f"/staff/registrations/{family}/admit", data={"reason": "again"})
    assert event_state(app, event).capacity == 5


def test_taking_attendance_marks_people_and_the_event_is_held(
    app, client, centre, people, staff, make_event, make_registration
):
    starts = utcnow() - timedelta(minutes=30)
    event = make_event(centre, capacity=5, starts_at=starts)
    came, stayed_home = (
        make_registration(person, event, now=starts - timedelta(days=1)) for person in people[:2]
    )

    response = client.post(
        f"/staff/events/{event}/attendance",
        data={f"present-{came}": "yes", f"present-{stayed_home}": "no"},
    )

    assert response.status_code == 302
    assert statuses(app, event) == {people[0]: S.ATTENDED, people[1]: S.ABSENT}
    assert event_state(app, event).status == EventStatus.HELD
    assert audit_trail(app, stayed_home)[-1] == (
        "registration.attendance",
        {"old": "confirmed", "new": "absent"},
    )


def test_the_attendance_list_is_a_pdf_with_the_names(
    app, client, centre, make_participant, staff, make_event, make_registration
):
    names = [("Zofia", "Wiśniewska"), ("Józef", "Kowalczyk")]
    event = make_event(centre, title="Warsztaty kulinarne")
    for first, last in names:
        make_registration(make_participant(centre, first_name=first, last_name=last), event)

    response = client.get(f"/staff/events/{event}/attendance.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    for first, last in names:
        assert f"{last} {first}" in text
    assert "Warsztaty kulinarne" in text


def test_the_registrations_csv_has_the_names_and_no_formulas(
    app, client, centre, make_participant, staff, make_event, make_registration
):
    event = make_event(centre)
    make_registration(make_participant(centre, first_name="Anna", last_name="Nowak"), event)
    make_registration(
        make_participant(centre, first_name='=HYPERLINK("x")', last_name="Zły"), event
    )

    response = client.get(f"/staff/events/{event}/registrations.csv")

    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(page(response).lstrip("\ufeff")), delimiter=";"))
    names = {(row[0], row[1]) for row in rows[1:]}
    assert ("Nowak", "Anna") in names
    assert ("Zły", '\'=HYPERLINK("x")') in names
    assert not any(cell.startswith("=") for row in rows for cell in row)


# -- calendar, reminders ------------------------------------------------------------------------


def test_an_event_can_be_added_to_a_calendar(app, centre, people, login_as, make_event):
    event = make_event(centre, title="Piknik rodzinny")
    browser = login_as(email_of(app, people[0]), fresh=True)
    response = browser.get(f"/me/events/{event}/event.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = page(response)
    assert "BEGIN:VEVENT" in body
    assert "SUMMARY:Piknik rodzinny" in body


def test_the_private_calendar_feed_works_without_login_until_revoked(
    app, centre, people, login_as, make_event, make_registration
):
    mine = make_event(centre, title="Moje spotkanie")
    make_event(centre, title="Cudze spotkanie")
    make_registration(people[0], mine)
    browser = login_as(email_of(app, people[0]), fresh=True)

    browser.post("/me/calendar", data={"action": "renew"})
    with app.app_context():
        token = db.session.get(Participant, people[0]).calendar_token
    assert token

    anonymous = app.test_client()
    feed = anonymous.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    assert "Moje spotkanie" in page(feed)
    assert "Cudze spotkanie" not in page(feed)

    browser.post("/me/calendar", data={"action": "revoke"})
    assert anonymous.get(f"/calendar/{token}.ics").status_code == 404


def test_renewing_the_feed_address_stops_the_old_one(app, centre, people, login_as):
    browser = login_as(email_of(app, people[0]), fresh=True)
    browser.post("/me/calendar", data={"action": "renew"})
    with app.app_context():
        old = db.session.get(Participant, people[0]).calendar_token
    browser.post("/me/calendar", data={"action": "renew"})
    anonymous = app.test_client()
    assert anonymous.get(f"/calendar/{old}.ics").status_code == 404


def warsaw(day: date, hour: int) -> datetime:
    """A wall-clock hour in Warsaw, as UTC."""
    return dates.local_to_utc(day, time(hour))


def test_reminders_go_once_to_everyone_with_a_place_tomorrow_in_warsaw(
    app, centre, people, make_participant, make_event, make_registration
):
    no_address = make_participant(centre, with_account=False)
    # Half past midnight on Tuesday in Warsaw is still Monday in UTC.
    now = warsaw(date(2026, 12, 15), 0) + timedelta(minutes=30)
    today = make_event(centre, capacity=5, starts_at=warsaw(date(2026, 12, 15), 17))
    tomorrow = make_event(centre, capacity=4, starts_at=warsaw(date(2026, 12, 16), 8))
    before = now - timedelta(days=2)
    with app.app_context():
        person = db.session.get(Participant, no_address)
        signups.sign_up(person, tomorrow, now=before, actor=None, on_behalf=True)
        db.session.commit()
    for person in people[:4]:  # three places left, the fourth waits
        make_registration(person, tomorrow, now=before)
        make_registration(person, today, now=before)
    forget_mail(app)

    with app.app_context():
        assert reminders.queue_reminders(now=now) == 3
        db.session.commit()
        assert reminders.queue_reminders(now=now) == 0
        db.session.commit()

    messages = outbox(app)
    assert sorted(m.to_address for m in messages) == sorted(
        email_of(app, person) for person in people[:3]
    )
    assert all("Spotkanie integracyjne" in m.subject for m in messages)


def test_send_reminders_command(app, runner, centre, people, make_event, make_registration):
    event = make_event(centre, starts_in=timedelta(days=1))
    make_registration(people[0], event)
    forget_mail(app)
    with app.app_context():
        starts = db.session.get(Event, event).starts_at
    # The command uses the real clock: it is "tomorrow" unless the event slid two days ahead.
    expected = (
        1 if dates.local_date(starts) == dates.local_date(utcnow()) + timedelta(days=1) else 0
    )

    result = runner.invoke(args=["send-reminders"])

    assert result.exit_code == 0, result.output
    assert f"Queued {expected} reminders." in result.output
    assert len(outbox(app)) == expected
    assert runner.invoke(args=["send-reminders"]).exit_code == 0
    assert len(outbox(app)) == expected


# -- account requests ---------------------------------------------------------------------------


def request_account(client, village: int, **changes):
    data = {
        "first_name": "Maria",
        "last_name": "Lis",
        "email": "maria.lis@example.org",
        "village_id": str(village),
        "consent": "y",
    }
    data.update(changes)
    return client.post("/request-account", data=data)


def test_an_account_request_with_consent_is_stored_as_pending(app, client, centre):
    response = request_account(client, village_id(app, centre, "Biała Druga"))
    assert response.status_code == 200
    with app.app_context():
        [stored] = db.session.scalars(select(AccountRequest)).all()
        assert (stored.email, stored.status, stored.centre_id) == (
            "maria.lis@example.org",
            RequestStatus.PENDING,
            centre,
        )
        assert stored.consent_at is not None


def test_an_account_request_without_consent_is_not_stored(app, client, centre):
    response = request_account(client, village_id(app, centre, "Biała Druga"), consent="")
    assert translated(app, "We can only process your request with your consent.") in page(response)
    assert count(app, AccountRequest) == 0


def pending_request(app, centre) -> int:
    anonymous = app.test_client()
    request_account(anonymous, village_id(app, centre, "Biała Druga"))
    with app.app_context():
        return db.session.scalar(select(AccountRequest.id))


def test_accepting_a_request_records_the_person_and_invites_them_once(app, client, centre, staff):
    request_id = pending_request(app, centre)

    client.post(f"/staff/account-requests/{request_id}/accept")
    client.post(f"/staff/account-requests/{request_id}/accept")
    client.post(f"/staff/account-requests/{request_id}/refuse", data={"reason": "za późno"})

    with app.app_context():
        person = db.session.scalar(select(Participant).where(Participant.last_name == "Lis"))
        assert person.on_pal_path
        assert person.user.email == "maria.lis@example.org"
        assert person.user.has_role(Role.PARTICIPANT)
        assert person.village.name == "Biała Druga"
        assert db.session.get(AccountRequest, request_id).status == RequestStatus.ACCEPTED
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 1
    messages = outbox(app)
    assert [m.to_address for m in messages] == ["maria.lis@example.org"]
    assert "/auth/set-password/" in messages[0].body


def test_refusing_a_request_needs_a_reason_and_tells_the_person(app, client, centre, staff):
    request_id = pending_request(app, centre)

    client.post(f"/staff/account-requests/{request_id}/refuse", data={"reason": ""})
    with app.app_context():
        assert db.session.get(AccountRequest, request_id).status == RequestStatus.PENDING

    client.post(f"/staff/account-requests/{request_id}/refuse", data={"reason": "Spoza gminy"})
    client.post(f"/staff/account-requests/{request_id}/refuse", data={"reason": "Drugi raz"})
    client.post(f"/staff/account-requests/{request_id}/accept")

    with app.app_context():
        stored = db.session.get(AccountRequest, request_id)
        assert (stored.status, stored.refusal_reason) == (RequestStatus.REFUSED, "Spoza gminy")
    assert count(app, Participant) == 0
    messages = outbox(app)
    assert [m.to_address for m in messages] == ["maria.lis@example.org"]
    assert "Spoza gminy" in messages[0].body


# -- what staff type on the event pages is bounded ---------------------------------------------

CONTROL = "Remove the invisible control characters (for example pasted from another program)."


def test_a_reason_with_control_characters_is_shown_beside_its_field_and_changes_nothing(
    app, client, centre, people, staff, make_event, make_registration
):
    event = make_event(centre, capacity=1)
    make_registration(people[0], event)
    waiting = make_registration(people[1], event)

    cancelled = client.post(f"/staff/events/{event}/cancel", data={"reason": "Bu\x00rza"})
    admitted = client.post(f"/staff/registrations/{waiting}/admit", data={"reason": "Op\x00a"})
    removed = client.post(f"/staff/registrations/{waiting}/cancel", data={"reason": "x" * 501})

    assert cancelled.status_code == admitted.status_code == removed.status_code == 200
    assert translated(app, CONTROL) in page(cancelled)
    assert 'aria-invalid="true"' in _tag_with_id(page(cancelled), "reason")
    assert translated(app, CONTROL) in page(admitted)
    assert 'aria-invalid="true"' in _tag_with_id(page(admitted), f"reason-{waiting}")
    # The remove button has no field of its own: the message stands in its row.
    row_form = re.search(
        rf'action="/staff/registrations/{waiting}/cancel".*?</form>', page(removed), re.S
    )
    assert 'class="error-message"' in row_form.group(0)
    assert event_state(app, event).status == EventStatus.PUBLISHED
    assert statuses(app, event) == {people[0]: S.CONFIRMED, people[1]: S.WAITING}


def _tag_with_id(html: str, element_id: str) -> str:
    return re.search(rf'<input[^>]*\bid="{element_id}"[^>]*>', html).group(0)


@pytest.mark.parametrize("chosen", ["", "abc", "99999999999999999999", "٣"])
def test_signing_someone_up_needs_a_real_choice(
    app, client, centre, people, staff, chosen, make_event
):
    event = make_event(centre)
    response = client.post(
        f"/staff/events/{event}/registrations", data={"participant_id": chosen, "companions": "0"}
    )
    assert response.status_code == 200
    assert translated(app, "Choose a participant.") in page(response)
    assert statuses(app, event) == {}


def test_signing_up_someone_the_staff_member_cannot_see_is_not_found(
    app, client, centre, staff, make_centre, make_participant, make_event
):
    stranger = make_participant(make_centre())
    event = make_event(centre)
    response = client.post(
        f"/staff/events/{event}/registrations", data={"participant_id": stranger}
    )
    assert response.status_code == 404
    assert statuses(app, event) == {}


def test_an_attendance_mark_other_than_present_or_absent_is_refused_on_its_row(
    app, client, centre, people, staff, make_event, make_registration
):
    starts = utcnow() - timedelta(minutes=30)
    event = make_event(centre, capacity=5, starts_at=starts)
    came, odd = (
        make_registration(person, event, now=starts - timedelta(days=1)) for person in people[:2]
    )

    response = client.post(
        f"/staff/events/{event}/attendance",
        data={f"present-{came}": "yes", f"present-{odd}": "maybe"},
    )

    assert response.status_code == 200
    assert 'class="attendance-row field-error"' in page(response)
    assert statuses(app, event) == {people[0]: S.CONFIRMED, people[1]: S.CONFIRMED}
    assert event_state(app, event).status == EventStatus.PUBLISHED
    # A row left unmarked keeps its state; the others are saved.
    saved = client.post(f"/staff/events/{event}/attendance", data={f"present-{came}": "yes"})
    assert saved.status_code == 302
    assert statuses(app, event) == {people[0]: S.ATTENDED, people[1]: S.CONFIRMED}


def test_participant_filters_and_buttons_take_only_what_they_offer(
    app, centre, people, login_as, make_event
):
    make_event(centre, title="Warsztat ceramiki")
    browser = login_as(email_of(app, people[0]), fresh=True)
    for query in ("village=99999999999999999999", "village=-1", "type=nope", "village=٣"):
        response = browser.get(f"/me/events?{query}")
        assert response.status_code == 200, query
        assert "Warsztat ceramiki" in page(response), query
    assert browser.post("/me/calendar", data={"action": "delete-everything"}).status_code == 400
    assert browser.post("/me/calendar", data={}).status_code == 400
    plan = browser.post("/me/plan/acknowledge", data={"seen_revision": "99999999999999999999"})
    assert plan.status_code == 404  # no plan was shared with this person


# -- participant pages --------------------------------------------------------------------------


def test_the_event_list_has_upcoming_and_past_tabs_and_filters(
    app, centre, people, login_as, make_event
):
    make_event(centre, title="Warsztat ceramiki", event_type=EventType.WORKSHOP)
    make_event(centre, title="Piknik nad stawem", event_type=EventType.FAMILY_PICNIC)
    make_event(
        centre,
        title="Spotkanie w Białej Drugiej",
        audience=Audience.VILLAGES,
        villages=("Biała Druga",),
    )
    make_event(centre, title="Zeszłoroczna wycieczka", starts_in=timedelta(days=-30))
    make_event(centre, title="Szkic", status=EventStatus.DRAFT)
    browser = login_as(email_of(app, people[0]), fresh=True)

    upcoming = page(browser.get("/me/events"))
    past = page(browser.get("/me/events?tab=past"))
    workshops = page(browser.get("/me/events?type=workshop"))
    first_village = village_id(app, centre, "Biała Pierwsza")
    in_first_village = page(browser.get(f"/me/events?village={first_village}"))

    assert all(
        title in upcoming
        for title in ("Warsztat ceramiki", "Piknik nad stawem", "Spotkanie w Białej Drugiej")
    )
    assert "Zeszłoroczna wycieczka" not in upcoming
    assert "Szkic" not in upcoming
    assert "Zeszłoroczna wycieczka" in past
    assert "Warsztat ceramiki" not in past
    assert "Warsztat ceramiki" in workshops
    assert "Piknik nad stawem" not in workshops
    assert "Spotkanie w Białej Drugiej" not in in_first_village
    assert "Warsztat ceramiki" in in_first_village


def test_my_events_shows_each_status(
    app, centre, people, login_as, make_user, make_event, make_registration
):
    me = people[0]
    coordinator_id = make_user(Role.COORDINATOR, centre_id=centre)
    confirmed = make_event(centre, title="Mam miejsce", capacity=1)
    waiting = make_event(centre, title="Czekam", capacity=1)
    cancelled = make_event(centre, title="Zrezygnowałam")
    make_registration(me, confirmed)
    make_registration(people[1], waiting)
    make_registration(me, waiting)
    make_registration(me, cancelled)
    cancel(app, me, cancelled)
    starts = utcnow() - timedelta(hours=1)
    held = make_event(centre, title="Byłam", starts_at=starts)
    make_registration(me, held, now=starts - timedelta(days=1))
    with app.app_context():
        actor = db.session.get(User, coordinator_id)
        registration = signups.find(held, me)
        signups.record_attendance(held, {registration.id: True}, actor=actor, now=utcnow())
        db.session.commit()
    browser = login_as(email_of(app, me), fresh=True)

    text = page(browser.get("/me/my-events"))

    for title in ("Mam miejsce", "Czekam", "Zrezygnowałam", "Byłam"):
        assert title in text
    assert translated(app, "You have a place") in text
    assert translated(app, "Waiting list, number %(n)d", n=1) in text
    assert translated(app, "Cancelled") in text
    assert translated(app, "You were there") in text
