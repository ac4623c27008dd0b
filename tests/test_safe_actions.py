"""Safe, clear actions: each step that gives something up first says what will happen.

Cancelling a place, switching the calendar address off, restoring an old plan version and
ending a contract early each have a page (GET) that changes nothing and says what the POST will
do; the POST, to the action's old address, does it. After signing up, the main action is "Add to
calendar". The plan is acknowledged below its content, and "I don't agree" reaches the advisor
as a question on the plan. A language chosen before signing in survives it and is saved.
"""

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Event,
    IndividualPlan,
    Participant,
    PlanComment,
    PlanRevision,
    SocialContract,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import ContractStatus, PlanStatus, RegistrationStatus, Role
from tests.factories import PASSWORD
from tests.helpers import email, email_of, translated, user_of
from tests.plans.steps import _advisor_edits, _share, _start

S = RegistrationStatus


def text(response) -> str:
    return response.get_data(as_text=True)


def audit_count(app) -> int:
    """The entries that record a change; a page of someone's data records who read it too."""
    readings = ("participant.viewed", "participant.listed")
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.not_in(readings))
        )


@pytest.fixture
def centre(make_centre):
    return make_centre()


# -- cancelling a place ---------------------------------------------------------------------------


def test_cancelling_a_place_says_what_happens_to_family_and_waiting_list_then_does_it(
    app, client, centre, make_participant, make_event, make_registration, login_as
):
    me, other = (make_participant(centre, on_pal_path=True) for _ in range(2))
    event = make_event(centre, capacity=3)
    with app.app_context():
        found = db.session.get(Event, event)
        found.cancellation_cutoff_at = found.starts_at.replace(hour=6, minute=0)
        db.session.commit()
    registration = make_registration(me, event, companions=2)
    make_registration(other, event)  # full: waits
    login_as(email_of(app, me))

    page = client.get(f"/me/events/{event}?lang=en")
    body = text(page)
    # After the sign-up the main action is the calendar file; cancelling is a link onward.
    assert f'class="button" href="/me/events/{event}/event.ics"' in body
    assert f'href="/me/events/{event}/cancel">Cancel my place</a>' in body
    assert f'action="/me/events/{event}/cancel"' not in body

    before = audit_count(app)
    confirm = client.get(f"/me/events/{event}/cancel")
    assert confirm.status_code == 200
    body = text(confirm)
    assert "Cancel your place?" in body
    assert "The places of the 2 family members coming with you are given up too." in body
    assert "1 person is on the waiting list" in body
    assert "You can cancel online until" in body
    assert f'<form method="post" action="/me/events/{event}/cancel"' in body
    assert "Yes, cancel my place" in body
    # Looking changes nothing.
    assert signups_of(app, event) == {me: S.CONFIRMED, other: S.WAITING}
    assert audit_count(app) == before

    done = client.post(f"/me/events/{event}/cancel", follow_redirects=True)
    assert "Your place is cancelled" in text(done)
    assert signups_of(app, event) == {me: S.CANCELLED, other: S.CONFIRMED}
    assert registration in {r for r in registration_ids(app, event)}
    # Once cancelled, the confirmation page has nothing to offer: back to the event.
    again = client.get(f"/me/events/{event}/cancel")
    assert again.status_code == 302
    assert again.location.endswith(f"/me/events/{event}")


def test_leaving_the_waiting_list_is_confirmed_with_the_persons_number(
    app, client, centre, make_participant, make_event, make_registration, login_as
):
    first, me = (make_participant(centre, on_pal_path=True) for _ in range(2))
    event = make_event(centre, capacity=1)
    make_registration(first, event)
    make_registration(me, event)
    login_as(email_of(app, me))
    body = text(client.get(f"/me/events/{event}/cancel?lang=en"))
    assert "Leave the waiting list?" in body
    assert "You leave the waiting list. Now you are number 1." in body
    assert "Yes, leave the waiting list" in body
    assert signups_of(app, event)[me] == S.WAITING
    client.post(f"/me/events/{event}/cancel")
    assert signups_of(app, event)[me] == S.CANCELLED


def test_after_the_cut_off_the_confirmation_offers_no_button_and_says_why(
    app, client, centre, make_participant, make_event, make_registration, login_as
):
    me = make_participant(centre, on_pal_path=True)
    event = make_event(centre)
    make_registration(me, event)
    with app.app_context():
        db.session.get(Event, event).cancellation_cutoff_at = utcnow()
        db.session.commit()
    login_as(email_of(app, me))
    body = text(client.get(f"/me/events/{event}/cancel?lang=en"))
    assert "It is too late to cancel online" in body
    assert "Yes, cancel my place" not in body
    assert signups_of(app, event)[me] == S.CONFIRMED


def test_the_cancel_page_is_only_for_the_persons_own_events(
    app, client, make_centre, make_participant, make_event, login_as
):
    me = make_participant(make_centre(), on_pal_path=True)
    elsewhere = make_event(make_centre())
    login_as(email_of(app, me))
    assert client.get(f"/me/events/{elsewhere}/cancel").status_code == 404


def signups_of(app, event_id: int) -> dict[int, RegistrationStatus]:
    with app.app_context():
        from portal.models import Registration

        rows = db.session.execute(
            select(Registration.participant_id, Registration.status).where(
                Registration.event_id == event_id
            )
        ).all()
        return dict(rows)


def registration_ids(app, event_id: int) -> list[int]:
    with app.app_context():
        from portal.models import Registration

        return list(
            db.session.scalars(select(Registration.id).where(Registration.event_id == event_id))
        )


# -- the calendar address -------------------------------------------------------------------------


def test_switching_the_calendar_address_off_is_confirmed_first(
    app, client, centre, make_participant, login_as
):
    me = make_participant(centre, on_pal_path=True)
    login_as(email_of(app, me))
    client.post("/me/calendar", data={"action": "renew"})
    with app.app_context():
        token = db.session.get(Participant, me).calendar_token
    assert token

    page = text(client.get("/me/calendar?lang=en"))
    assert 'href="/me/calendar/switch-off">Switch it off</a>' in page
    assert 'value="revoke"' not in page

    confirm = client.get("/me/calendar/switch-off")
    body = text(confirm)
    assert confirm.status_code == 200
    assert "The address stops working at once" in body
    assert "Your sign-ups do not change" in body
    assert 'name="action" value="revoke"' in body
    with app.app_context():
        assert db.session.get(Participant, me).calendar_token == token
    assert client.get(f"/calendar/{token}.ics").status_code == 200

    client.post("/me/calendar", data={"action": "revoke"})
    with app.app_context():
        assert db.session.get(Participant, me).calendar_token is None
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert "already switched off" in text(client.get("/me/calendar/switch-off"))


# -- the plan: restoring a version, acknowledging, disagreeing ------------------------------------


@pytest.fixture
def world(app, centre, make_user, make_participant):
    advisor = make_user(Role.ADVISOR, centre_id=centre, email="doradca@example.org")
    person = make_participant(centre, advisor=SimpleNamespace(id=advisor))
    return SimpleNamespace(centre=centre, advisor=advisor, person=person)


def revision_numbers(app, plan_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(PlanRevision.number)
                .where(PlanRevision.plan_id == plan_id)
                .order_by(PlanRevision.number)
            )
        )


def test_restoring_a_version_says_the_current_text_is_replaced_and_kept(
    app, client, world, login_as
):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="Punktualność")
    _advisor_edits(app, world, plan_id, strengths="Punktualność\nCierpliwość")
    numbers = revision_numbers(app, plan_id)
    old, current = numbers[-2], numbers[-1]
    login_as("doradca@example.org")

    history = text(client.get(f"/staff/plans/{plan_id}/history?lang=en"))
    assert f'href="/staff/plans/{plan_id}/restore/{old}">Restore' in history
    assert f'action="/staff/plans/{plan_id}/restore/' not in history

    before = audit_count(app)
    body = text(client.get(f"/staff/plans/{plan_id}/restore/{old}"))
    assert f"Restore version {old}?" in body
    assert f"The current text of the plan will be replaced by version {old} from" in body
    assert f"The current one (version {current}) stays in the history" in body
    assert f"saved as a new version, {current + 1}" in body
    assert f'<form method="post" action="/staff/plans/{plan_id}/restore/{old}"' in body
    assert revision_numbers(app, plan_id) == numbers
    assert audit_count(app) == before

    with app.app_context():
        version = db.session.get(IndividualPlan, plan_id).version_id
    done = client.post(f"/staff/plans/{plan_id}/restore/{old}", data={"version": version})
    assert done.status_code == 302
    assert revision_numbers(app, plan_id) == [*numbers, current + 1]
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).strengths == ["Punktualność"]
    # The newest version is the current text: nothing to restore, no button.
    body = text(client.get(f"/staff/plans/{plan_id}/restore/{current + 1}"))
    assert "there is nothing to restore" in body
    assert '<form method="post"' not in body.split("<main", 1)[1]


def test_the_plan_is_acknowledged_below_its_content_and_disagreement_reaches_the_advisor(
    app, client, world, login_as
):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="Punktualność")
    _share(app, world, plan_id)
    login_as(email_of(app, world.person))

    body = text(client.get("/me/plan?lang=en"))
    assert body.index("Your goals") < body.index('action="/me/plan/acknowledge"')
    assert body.index('action="/me/plan/acknowledge"') < body.index('action="/me/plan/disagree"')
    assert re.search(r"<summary>I don(&#39;|')t agree with my plan</summary>", body)

    # Nothing written: refused beside the field, the box open, nothing sent.
    refused = client.post("/me/plan/disagree", data={"disagree-body": "  "})
    assert refused.status_code == 400
    assert 'id="disagree-body-error"' in text(refused)
    assert '<details class="disagree" open>' in text(refused)

    client.post("/me/plan/disagree", data={"disagree-body": "Nie chcę kursu na wózki."})
    with app.app_context():
        comments = db.session.scalars(
            select(PlanComment).where(PlanComment.plan_id == plan_id)
        ).all()
        assert [c.body for c in comments] == [
            "I do not agree with my plan: Nie chcę kursu na wózki."
        ]
        assert comments[0].author_id == user_of(world.person).id
        # Disagreeing does not acknowledge the plan.
        assert db.session.get(IndividualPlan, plan_id).status == PlanStatus.SHARED
    # The advisor sees it with the plan.
    advisor = login_as("doradca@example.org", fresh=True)
    plan_page = text(advisor.get(f"/staff/participants/{world.person}/plan?lang=en"))
    assert "Nie chcę kursu na wózki." in plan_page

    with app.app_context():
        seen = db.session.get(IndividualPlan, plan_id).shared_revision_number
    client.post("/me/plan/acknowledge", data={"seen_revision": seen})
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).status == PlanStatus.ACKNOWLEDGED


def test_the_disagreement_marker_is_in_the_participants_language(app, client, world, login_as):
    plan_id = _start(app, world)
    _share(app, world, plan_id)
    login_as(email_of(app, world.person))
    client.get("/me/plan?lang=pl")
    client.post("/me/plan/disagree", data={"disagree-body": "Za mało praktyki."})
    with app.app_context():
        body = db.session.scalar(select(PlanComment.body).where(PlanComment.plan_id == plan_id))
    marker = translated(app, "I do not agree with my plan: %(text)s", html=False, text="")
    assert marker != "I do not agree with my plan: "
    assert body == marker + "Za mało praktyki."


# -- ending a contract early ----------------------------------------------------------------------


def test_ending_a_contract_early_is_confirmed_with_the_reason(
    app, client, centre, make_user, make_participant, make_contract, login_as
):
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre, email="pracownik@example.org")
    person = make_participant(centre)
    contract = make_contract(person, worker)
    login_as("pracownik@example.org")

    detail = text(client.get(f"/staff/contracts/{contract}?lang=en"))
    assert f'href="/staff/contracts/{contract}/terminate">End this contract early' in detail
    assert f'action="/staff/contracts/{contract}/terminate"' not in detail

    before = audit_count(app)
    body = text(client.get(f"/staff/contracts/{contract}/terminate"))
    assert "End the contract early?" in body
    assert "The contract ends today" in body
    assert "This cannot be undone" in body
    assert 'name="reason"' in body
    assert audit_count(app) == before

    # A blank reason is refused beside the field, on the same page; nothing changes.
    refused = client.post(f"/staff/contracts/{contract}/terminate", data={"reason": " "})
    assert refused.status_code == 400
    assert 'id="reason-error"' in text(refused)
    assert "End the contract early?" in text(refused)
    with app.app_context():
        assert db.session.get(SocialContract, contract).status == ContractStatus.SIGNED

    done = client.post(f"/staff/contracts/{contract}/terminate", data={"reason": "Wyjazd"})
    assert done.status_code == 302
    with app.app_context():
        found = db.session.get(SocialContract, contract)
        assert (found.status, found.termination_reason) == (ContractStatus.TERMINATED, "Wyjazd")
    body = text(client.get(f"/staff/contracts/{contract}/terminate"))
    assert "Only a signed or active contract can be ended early" in body
    assert 'name="reason"' not in body


# -- the language chosen before signing in -------------------------------------------------------


def test_the_language_chosen_before_signing_in_survives_it_and_is_saved(app, client, make_user):
    user = make_user(Role.COORDINATOR, email="jezyk@example.org")
    with app.app_context():
        assert db.session.get(User, user).locale != "en"
    assert '<html lang="en">' in text(client.get("/auth/login?lang=en"))
    signed_in = client.post(
        "/auth/login", data={"email": "jezyk@example.org", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    home = client.get(signed_in.location)
    assert '<html lang="en">' in text(home)
    with app.app_context():
        assert db.session.get(User, user).locale == "en"

    # On another device (no choice in its session) the saved language is used.
    other = app.test_client()
    other.post("/auth/login", data={"email": "jezyk@example.org", "password": PASSWORD})
    assert '<html lang="en">' in text(other.get("/auth/login", follow_redirects=True))


def test_signing_in_without_a_choice_keeps_the_saved_language(app, client, make_user):
    user = make_user(Role.COORDINATOR, email="zapisany@example.org")
    with app.app_context():
        db.session.get(User, user).locale = "en"
        db.session.commit()
    client.post("/auth/login", data={"email": "zapisany@example.org", "password": PASSWORD})
    with app.app_context():
        assert db.session.get(User, user).locale == "en"
    assert email(app, user) == "zapisany@example.org"
