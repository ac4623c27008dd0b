"""Messages that reach someone: a question on a plan mails the advisor, shows in the caseload
and on the plan, is answered there, and the participant is mailed and reads the answer; a
sign-up, a waiting-list place and a promotion are confirmed by mail with the event's .ics; the
outbox is readable in development; the advisor sees that a plan changed since it was shared."""

import email
import re
import smtplib
from types import SimpleNamespace

import pytest
from flask_babel import force_locale, ngettext
from sqlalchemy import select

from config import ProductionConfig, TestConfig
from portal import create_app
from portal.extensions import db
from portal.formatting import short_date
from portal.models import IndividualPlan, OutboxMessage, Participant, PlanComment, User
from portal.models.base import utcnow
from portal.models.enums import RegistrationStatus, Role
from portal.services.events import signups
from portal.services.mail import mail
from portal.services.plans import plans
from tests.helpers import email_of, translated
from tests.plans.steps import _add_goal, _advisor_edits, _share, _start

ADVISOR = "doradca.wiadomosci@example.org"


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return list(messages)


@pytest.fixture
def world(app, make_centre, make_user, make_participant):
    centre = make_centre()
    advisor = make_user(
        Role.ADVISOR, centre_id=centre, email=ADVISOR, first_name="Dorota", last_name="Doradcza"
    )
    person = make_participant(
        centre, first_name="Janina", last_name="Kowalska", advisor=SimpleNamespace(id=advisor)
    )
    shared = SimpleNamespace(centre=centre, advisor=advisor, person=person)
    shared.plan = _start(app, shared)
    _advisor_edits(app, shared, shared.plan, strengths="Punktualność")
    _share(app, shared, shared.plan)
    shared.person_email = email_of(app, person)
    return shared


def caseload_cell(page: str, name: str) -> str:
    """The 'needs attention' cell of one person's caseload row."""
    row = re.search(rf"<tr>\s*<td><a [^>]*>{name}</a></td>(.*?)</tr>", page, re.S)
    assert row, f"no caseload row for {name}"
    return re.findall(r"<td>(.*?)</td>", row.group(1), re.S)[-1]


def test_a_question_reaches_the_advisor_is_answered_and_the_participant_reads_the_answer(
    app, world, login_as
):
    participant = login_as(world.person_email, fresh=True)
    response = participant.post("/me/plan/comments", data={"body": "Kiedy zaczyna się kurs?"})
    assert response.status_code == 302

    # The advisor is mailed, in their language, with a link to the plan but not the question.
    [to_advisor] = outbox(app)
    assert to_advisor.to_address == ADVISOR
    assert "Janina Kowalska" in to_advisor.subject
    assert f"/staff/participants/{world.person}/plan#questions" in to_advisor.body
    assert "Kiedy zaczyna" not in to_advisor.body

    # The caseload counts the unanswered question; the plan page offers an answer form.
    advisor = login_as(ADVISOR, fresh=True)
    caseload = advisor.get("/staff/caseload").get_data(as_text=True)
    assert translated(app, "%(num)d unanswered question", num=1) in caseload_cell(
        caseload, "Kowalska Janina"
    )
    page = advisor.get(f"/staff/participants/{world.person}/plan").get_data(as_text=True)
    assert "Kiedy zaczyna się kurs?" in page
    with app.app_context():
        question = db.session.scalars(select(PlanComment)).one()
    assert f'name="question_id" value="{question.id}"' in page

    # An empty answer is refused; a real one is stored as a reply and the form goes away.
    advisor.post(f"/staff/plans/{world.plan}/answer", data={"question_id": question.id})
    assert len(outbox(app)) == 1
    response = advisor.post(
        f"/staff/plans/{world.plan}/answer",
        data={"question_id": question.id, "body": "Kurs zaczyna się 3 marca."},
    )
    assert response.status_code == 302
    with app.app_context():
        answer = db.session.scalar(select(PlanComment).where(PlanComment.reply_to_id.is_not(None)))
        assert (answer.reply_to_id, answer.author_id, answer.plan_id) == (
            question.id,
            world.advisor,
            world.plan,
        )
    page = advisor.get(f"/staff/participants/{world.person}/plan").get_data(as_text=True)
    assert "Kurs zaczyna się 3 marca." in page
    assert 'name="question_id"' not in page
    caseload = advisor.get("/staff/caseload").get_data(as_text=True)
    assert caseload_cell(caseload, "Kowalska Janina").strip() == ""

    # Answering twice gives one answer; the participant is mailed once, with a link only.
    advisor.post(
        f"/staff/plans/{world.plan}/answer", data={"question_id": question.id, "body": "Znowu"}
    )
    to_advisor, to_participant = outbox(app)
    assert to_participant.to_address == world.person_email
    assert "/me/plan#questions" in to_participant.body
    assert "3 marca" not in to_participant.body

    # The participant reads the answer under their question.
    mine = participant.get("/me/plan").get_data(as_text=True)
    assert mine.index("Kiedy zaczyna się kurs?") < mine.index("Kurs zaczyna się 3 marca.")


def test_an_advisor_cannot_answer_another_plans_question_or_an_answer(
    app, world, make_participant, login_as
):
    other = make_participant(world.centre, advisor=SimpleNamespace(id=world.advisor))
    other_world = SimpleNamespace(advisor=world.advisor, person=other)
    other_plan = _start(app, other_world)
    _share(app, other_world, other_plan)
    login_as(world.person_email, fresh=True).post("/me/plan/comments", data={"body": "Pytanie"})
    with app.app_context():
        question = db.session.scalars(select(PlanComment)).one().id
    advisor = login_as(ADVISOR, fresh=True)

    response = advisor.post(
        f"/staff/plans/{other_plan}/answer", data={"question_id": question, "body": "Źle"}
    )
    assert response.status_code == 404
    advisor.post(f"/staff/plans/{world.plan}/answer", data={"question_id": question, "body": "A"})
    with app.app_context():
        answer = db.session.scalar(
            select(PlanComment.id).where(PlanComment.reply_to_id.isnot(None))
        )
    response = advisor.post(
        f"/staff/plans/{world.plan}/answer", data={"question_id": answer, "body": "B"}
    )
    assert response.status_code == 404
    with app.app_context():
        assert len(db.session.scalars(select(PlanComment)).all()) == 2


def test_the_caseload_counts_questions_in_the_same_number_of_queries(
    app, world, make_participant, login_as, query_counter
):
    advisor = login_as(ADVISOR, fresh=True)

    def ask(person: int) -> None:
        with app.app_context():
            plan = db.session.scalar(
                select(IndividualPlan).where(IndividualPlan.participant_id == person)
            )
            participant = db.session.get(Participant, person)
            plans.comment(plan, author=participant.user, body="Pytanie", now=utcnow())
            db.session.commit()

    ask(world.person)
    with query_counter() as few:
        advisor.get("/staff/caseload")
    for _ in range(4):
        person = make_participant(world.centre, advisor=SimpleNamespace(id=world.advisor))
        more = SimpleNamespace(advisor=world.advisor, person=person)
        _share(app, more, _start(app, more))
        ask(person)
        ask(person)
    with query_counter() as many:
        page = advisor.get("/staff/caseload").get_data(as_text=True)
    assert len(many) == len(few)
    with app.test_request_context(), force_locale("pl"):
        two = ngettext("%(num)d unanswered question", "%(num)d unanswered questions", 2)
    assert page.count(two) == 4


def test_the_plan_changed_since_shared_shows_on_the_plan_and_the_caseload(app, world, login_as):
    advisor = login_as(ADVISOR, fresh=True)
    flag = "changed-since-shared"
    assert flag not in advisor.get(f"/staff/participants/{world.person}/plan").get_data(
        as_text=True
    )
    caseload = advisor.get("/staff/caseload").get_data(as_text=True)
    assert caseload_cell(caseload, "Kowalska Janina").strip() == ""

    # The advisor's private notes are not what the participant sees: no flag.
    _advisor_edits(app, world, world.plan, advisor_notes="Notatka")
    assert flag not in advisor.get(f"/staff/participants/{world.person}/plan").get_data(
        as_text=True
    )

    _add_goal(app, world, world.plan, "Nowy cel")
    with app.app_context():
        shared_at = db.session.get(IndividualPlan, world.plan).shared_at
    page = advisor.get(f"/staff/participants/{world.person}/plan").get_data(as_text=True)
    assert flag in page
    caseload = advisor.get("/staff/caseload").get_data(as_text=True)
    with app.test_request_context(), force_locale("pl"):
        day = short_date(shared_at)
    assert translated(app, "changed since shared on %(date)s", date=day) in caseload_cell(
        caseload, "Kowalska Janina"
    )

    _share(app, world, world.plan)
    assert flag not in advisor.get(f"/staff/participants/{world.person}/plan").get_data(
        as_text=True
    )
    caseload = advisor.get("/staff/caseload").get_data(as_text=True)
    assert caseload_cell(caseload, "Kowalska Janina").strip() == ""


# -- sign-up confirmations ------------------------------------------------------------------


def _ics_of(message: OutboxMessage) -> str:
    assert message.attachment_name
    assert message.attachment_name.endswith(".ics")
    assert "BEGIN:VCALENDAR" in message.attachment_body
    return message.attachment_body


def test_a_sign_up_is_confirmed_with_the_ics_and_the_event_link(
    app, make_centre, make_participant, make_event, login_as
):
    centre = make_centre()
    person = make_participant(centre)
    event = make_event(centre, capacity=1, title="Warsztaty kulinarne")

    response = login_as(email_of(app, person), fresh=True).post(f"/me/events/{event}/sign-up")
    assert response.status_code == 302

    [message] = outbox(app)
    assert message.to_address == email_of(app, person)
    assert "Warsztaty kulinarne" in message.subject
    assert f"http://127.0.0.1:5000/me/events/{event}" in message.body
    ics = _ics_of(message)
    assert "SUMMARY:Warsztaty kulinarne" in ics
    assert f"UID:event-{event}@" in ics


def test_the_waiting_list_and_the_promotion_are_mailed_with_the_position(
    app, make_centre, make_participant, make_event, make_registration
):
    centre = make_centre()
    first, second, third = (make_participant(centre) for _ in range(3))
    no_address = make_participant(centre, with_account=False)
    event = make_event(centre, capacity=1)
    for person in (first, second, third, no_address):
        make_registration(person, event)

    messages = outbox(app)
    assert [m.to_address for m in messages] == [email_of(app, p) for p in (first, second, third)]
    confirmed, waiting_second, waiting_third = messages
    with app.app_context():
        words = [
            translated(app, "Your position on the waiting list: %(n)d.", n=n, html=False)
            for n in (1, 2)
        ]
    assert words[0] in waiting_second.body
    assert words[1] in waiting_third.body
    assert confirmed.subject != waiting_second.subject
    for message in messages:
        assert f"/me/events/{event}" in message.body
        _ics_of(message)

    with app.app_context():
        person = db.session.get(Participant, first)
        registration = signups.find(event, first)
        signups.cancel(registration.id, now=utcnow(), actor=person.user, owner=person)
        db.session.commit()
        assert signups.find(event, second).status == RegistrationStatus.CONFIRMED

    promoted = outbox(app)[3:]
    assert [m.to_address for m in promoted] == [email_of(app, second)]
    assert f"/me/events/{event}" in promoted[0].body
    _ics_of(promoted[0])


def test_the_sender_attaches_the_ics(
    app, make_centre, make_participant, make_event, make_registration, monkeypatch
):
    centre = make_centre()
    person = make_participant(centre)
    event = make_event(centre, title="Spacer")
    sent = []

    class FakeSMTP:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

        def starttls(self):
            pass

        def send_message(self, message):
            sent.append(message.as_bytes())

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.org", MAIL_USE_TLS=False)
    make_registration(person, event)
    with app.app_context():
        [message_id] = mail.pending()
        assert mail.claim(message_id, now=utcnow())
        assert mail.send_claimed(message_id)
        db.session.commit()

    [raw] = sent
    parsed = email.message_from_bytes(raw)
    parts = {part.get_content_type(): part for part in parsed.walk()}
    assert parts["text/calendar"].get_filename() == f"event-{event}.ics"
    assert b"SUMMARY:Spacer" in parts["text/calendar"].get_payload(decode=True)
    assert f"/me/events/{event}" in parts["text/plain"].get_payload(decode=True).decode()


# -- the development outbox -----------------------------------------------------------------


def _app(base, database_url, **extra):
    config = type("Here", (base,), {"SQLALCHEMY_DATABASE_URI": database_url, **extra})
    return create_app(config)


def test_the_outbox_page_exists_only_in_development(app, database_url):
    with app.app_context():
        mail.queue(
            "nowa.osoba@example.org",
            "invitation",
            locale="en",
            centre_id=None,
            user=SimpleNamespace(first_name="Nowa"),
            centre=None,
            days=7,
            url="http://127.0.0.1:5000/auth/set-password/abc.def",
        )
        db.session.commit()
    assert (ProductionConfig.DEV_OUTBOX, TestConfig.DEV_OUTBOX) == (False, False)
    assert app.test_client().get("/dev/outbox").status_code == 404  # the test config

    production = _app(
        ProductionConfig,
        database_url,
        SECRET_KEY="k" * 48,
        PSEUDONYM_KEY="h" * 48,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",  # never reached: no sign-in here
        DEV_OUTBOX=True,
    )
    assert production.test_client().get("/dev/outbox").status_code == 404
    assert not any(rule.rule.startswith("/dev") for rule in production.url_map.iter_rules())

    development = _app(TestConfig, database_url, DEV_OUTBOX=True)
    response = development.test_client().get("/dev/outbox?lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "nowa.osoba@example.org" in page
    link = re.search(r'<a href="(http://127\.0\.0\.1:5000/auth/set-password/[^"]+)">', page)
    assert link, "the invitation link is clickable"
    with development.app_context():
        db.engine.dispose()
    with production.app_context():
        db.engine.dispose()


def test_the_outbox_page_escapes_what_it_shows(app, database_url):
    with app.app_context():
        db.session.add(
            OutboxMessage(
                to_address="x@example.org",
                subject="<b>temat</b>",
                body='<script>alert(1)</script> https://example.org/a"onmouseover=x',
            )
        )
        db.session.commit()
    development = _app(TestConfig, database_url, DEV_OUTBOX=True)
    page = development.test_client().get("/dev/outbox").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "<b>temat</b>" not in page
    assert '<a href="https://example.org/a">' in page
    with development.app_context():
        db.engine.dispose()


def test_the_advisor_account_may_be_gone(app, world, login_as):
    """A question on a plan whose advisor left is still flagged, and nobody is mailed."""
    with app.app_context():
        db.session.get(User, world.advisor).is_active = False
        db.session.commit()
    login_as(world.person_email, fresh=True).post("/me/plan/comments", data={"body": "Halo?"})
    assert outbox(app) == []
    with app.app_context():
        assert db.session.scalars(select(PlanComment)).one().body == "Halo?"
