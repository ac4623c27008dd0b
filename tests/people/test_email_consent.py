"""The consent to e-mail contact decides who is written to about the project, and staff see why
someone is not.

The project's mail (a place or the waiting list, a reminder, a cancelled event, an answer to a
question) goes only to a person whose consent to e-mail contact stands: never given, or
withdrawn, means no such mail. Staff see the reason beside the person on the event's page and on
the person's record, with the letter to print instead. The account's own mail (invitation,
password links) asks for no consent: tests/test_invitations.py and test_password_change.py.
"""

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Consent, ConsentKind, OutboxMessage, PlanComment
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.common import dates
from portal.services.people import consents
from tests.helpers import email_of, translated
from tests.plans.steps import _share, _start

COORDINATOR = "koordynator.zgody@example.org"
ADVISOR = "doradca.zgody@example.org"


def _outbox(app) -> list[tuple[str, str]]:
    """(address, template-ish subject) of every message queued so far, then forgotten."""
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        sent = [(m.to_address, m.subject) for m in messages]
        for message in messages:
            db.session.delete(message)
        db.session.commit()
    return sent


def _withdraw_email_consent(app, person_id: int) -> None:
    with app.app_context():
        for consent in db.session.scalars(
            select(Consent).where(
                Consent.participant_id == person_id, Consent.kind == ConsentKind.EMAIL_CONTACT
            )
        ):
            consents.withdraw(consent, at=datetime.now(UTC), actor=None)
        db.session.commit()


@pytest.fixture
def office(app, make_centre, make_user, make_participant):
    centre = make_centre()
    make_user(Role.COORDINATOR, centre_id=centre, email=COORDINATOR)
    agreed = make_participant(centre, last_name="Zgodna")
    never = make_participant(centre, last_name="Bezzgody", email_consent=False)
    withdrawn = make_participant(centre, last_name="Wycofana")
    _withdraw_email_consent(app, withdrawn)
    return SimpleNamespace(centre=centre, agreed=agreed, never=never, withdrawn=withdrawn)


def test_event_mail_goes_only_to_people_who_agreed_to_e_mail_contact(
    app, office, make_event, login_as, runner
):
    # Tomorrow at noon in Warsaw: the reminders' day, whatever the hour the test runs.
    tomorrow = dates.local_date(utcnow()) + timedelta(days=1)
    event = make_event(office.centre, capacity=2, starts_at=dates.local_to_utc(tomorrow, time(12)))
    agreed = email_of(app, office.agreed)
    _outbox(app)

    for person in (office.agreed, office.never, office.withdrawn):  # the last one waits
        client = login_as(email_of(app, person), fresh=True)
        assert client.post(f"/me/events/{event}/sign-up").status_code == 302
    signed_up = _outbox(app)
    assert [address for address, _subject in signed_up] == [agreed]

    assert runner.invoke(args=["send-reminders"]).exit_code == 0
    assert [address for address, _subject in _outbox(app)] == [agreed]

    staff = login_as(COORDINATOR, fresh=True)
    page = staff.get(f"/staff/events/{event}").get_data(as_text=True)
    rows = {
        name: page.split(name, 1)[1].split("</tr>", 1)[0]
        for name in ("Zgodna", "Bezzgody", "Wycofana")
    }
    reason = translated(app, "no consent to e-mail contact")
    assert reason not in rows["Zgodna"]
    for name in ("Bezzgody", "Wycofana"):
        assert reason in rows[name]
        assert translated(app, "Letter to print") in rows[name]

    cancelled = staff.post(f"/staff/events/{event}/cancel", data={"reason": "Burza"})
    assert cancelled.status_code == 302
    assert [address for address, _subject in _outbox(app)] == [agreed]


def test_the_record_says_why_the_person_gets_no_mail_about_the_project(
    app, office, login_as, make_participant
):
    staff = login_as(COORDINATOR, fresh=True)
    no_address = make_participant(office.centre, with_account=False)
    said = "E-mails about the project (a place at an event, reminders, answers to questions) are "
    said += "not sent to this person: %(reason)s."
    for person, reason in (
        (office.never, "no consent to e-mail contact"),
        (office.withdrawn, "no consent to e-mail contact"),
        (no_address, "no e-mail"),
        (office.agreed, None),
    ):
        page = staff.get(f"/staff/participants/{person}?lang=en").get_data(as_text=True)
        if reason is None:
            assert "are not sent to this person" not in page
        else:
            assert translated(app, said, locale="en", reason=reason) in page


@pytest.mark.parametrize("agreed", [True, False], ids=["agreed", "never agreed"])
def test_an_answer_to_a_question_is_mailed_only_with_the_consent(
    app, make_centre, make_user, make_participant, login_as, agreed
):
    centre = make_centre()
    advisor = make_user(Role.ADVISOR, centre_id=centre, email=ADVISOR)
    person = make_participant(centre, advisor=SimpleNamespace(id=advisor), email_consent=agreed)
    world = SimpleNamespace(centre=centre, advisor=advisor, person=person)
    plan = _start(app, world)
    _share(app, world, plan)
    participant = login_as(email_of(app, person), fresh=True)
    assert participant.post("/me/plan/comments", data={"body": "Kiedy kurs?"}).status_code == 302
    assert [address for address, _subject in _outbox(app)] == [ADVISOR]  # staff, always
    with app.app_context():
        question = db.session.scalars(select(PlanComment)).one().id

    staff = login_as(ADVISOR, fresh=True)
    answer = {"question_id": question, "body": "Trzeciego marca."}
    assert staff.post(f"/staff/plans/{plan}/answer", data=answer).status_code == 302
    assert [address for address, _s in _outbox(app)] == ([email_of(app, person)] if agreed else [])
    # Either way the answer waits on the person's plan page.
    assert "Trzeciego marca." in participant.get("/me/plan").get_data(as_text=True)
