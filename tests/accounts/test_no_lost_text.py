"""Nothing typed is ever lost: a sign-out or an expired form keeps the text; errors in one pass.

A form sent by this browser's own session after its idle sign-out, after the session was ended
elsewhere, or with a token of this session that expired, is answered by a sign-in page that
carries what was typed (never in the address or the log); after the password, the text is shown
again, labelled, with a fresh token and sent with one button. (Forms that are not the person's
own keep nothing: tests/test_kept_only_for_its_typist.py.) Long forms show a missing field and a
wrong date order (or an amount that is no amount) together.
"""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from portal.auth import kept_forms
from portal.extensions import db
from portal.models import Event, IndividualPlan, Participant, SocialContract, User
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.common import dates
from portal.services.plans import plans
from tests.helpers import PASSWORD, email, translated
from tests.kept_pages import after_idle, form, raw_log, resume, send_again, token

PESEL = "44051401458"


@pytest.fixture
def office(app, make_centre, make_user, make_participant):
    centre = make_centre()
    coordinator = make_user(Role.COORDINATOR, centre_id=centre)
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre)
    person = make_participant(centre, first_name="Genowefa", last_name="Pigwa")
    with app.app_context():
        plan = plans.start(
            db.session.get(Participant, person),
            advisor=db.session.get(User, coordinator),
            now=utcnow(),
        )
        db.session.commit()
        plan_id, version = plan.id, plan.version_id
    return {
        "coordinator": email(app, coordinator),
        "worker": email(app, worker),
        "person": person,
        "plan": plan_id,
        "version": version,
    }


def _kept_page(app, response, *typed: str) -> str:
    assert response.status_code == 401
    assert "Location" not in response.headers  # nothing typed goes into an address
    page = response.get_data(as_text=True)
    assert translated(app, "Sign in again to keep what you typed") in page
    for text in typed:
        assert text in page
    return page


def test_a_plan_section_sent_after_the_idle_sign_out_is_saved_after_signing_in_again(
    app, client, office, login_as
):
    login_as(office["coordinator"])
    app.config["WTF_CSRF_ENABLED"] = True
    section = f"/staff/plans/{office['plan']}/sections/swot"
    page = client.get(section).get_data(as_text=True)
    typed = dict(form(page, section))
    typed |= {"swot-strengths": "Sumienność\nPrawo jazdy", "swot-threats": f"PESEL {PESEL}"}

    with after_idle(app), raw_log() as log:
        assert client.get("/staff/").status_code == 302  # signed out for inactivity
        kept = _kept_page(app, client.post(section, data=typed), "Sumienność", PESEL)
        assert client.get("/staff/").status_code == 302  # still signed out

        # A wrong password: asked again, the text still carried.
        wrong = resume(client, kept, office["coordinator"], password="not the password at all")
        assert wrong.status_code == 200
        kept = wrong.get_data(as_text=True)
        assert translated(app, "Sign in again to keep what you typed") in kept
        assert "Sumienność" in kept

        again = resume(client, kept, office["coordinator"])
        assert again.status_code == 200
        page = again.get_data(as_text=True)
        assert translated(app, "Send what you typed") in page
        assert PESEL in page  # shown back to the person who typed it
        labels = [translated(app, label) for label in ("Strengths", "Threats")]
        version = translated(app, "Version of the record it was opened on")
        assert page.index(labels[0]) < page.index("Sumienność") < page.index(labels[1])
        assert page.index(labels[1]) < page.index(version)  # what the page held, last
        with app.app_context():  # nothing was saved before the person sends it
            assert db.session.get(IndividualPlan, office["plan"]).strengths == []

        saved = send_again(client, page, section)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/staff/participants/{office['person']}/plan")
    with app.app_context():
        plan = db.session.get(IndividualPlan, office["plan"])
        assert plan.strengths == ["Sumienność", "Prawo jazdy"]
        assert plan.threats == [f"PESEL {PESEL}"]
    # The capture sees the portal's own lines, as they were logged, and none carries the text.
    assert "typed text kept for user" in log.text
    assert "to send a kept form again" in log.text
    assert PESEL not in log.text
    assert "Sumienność" not in log.text
    assert "Prawo jazdy" not in log.text


def _expired_token(app, client, hours: int = 9) -> str:
    """A token this session issued `hours` ago: its signature is old, what it signs is ours."""
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    with freeze_time(datetime.now(UTC) - timedelta(hours=hours)):
        return serializer.dumps(raw)


def test_a_contract_sent_with_an_expired_token_needs_the_password_then_is_saved(
    app, client, office, login_as
):
    login_as(office["worker"])  # still signed in: only the form's token is stale
    app.config["WTF_CSRF_ENABLED"] = True
    action = f"/staff/participants/{office['person']}/contracts/new"
    client.get(action)  # the form was opened (the session issued its token) yesterday
    today = dates.local_date(utcnow())
    typed = {
        "csrf_token": _expired_token(app, client),
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=90)).isoformat(),
        "problem": "Długotrwałe bezrobocie",
        "goal": "Podjęcie pracy",
        "participant_obligations": "Udział w kursie",
        "centre_obligations": "Opłacenie kursu",
        "instruments": ["course", "vocational_counselling"],
        "password": "never-kept-secret",
    }
    kept = _kept_page(app, client.post(action, data=typed), "Długotrwałe bezrobocie")
    assert "never-kept-secret" not in kept
    assert typed["csrf_token"] not in kept
    # The kept page alone is no way round the token: without the password nothing is sent.
    page = resume(client, kept, office["worker"]).get_data(as_text=True)
    assert "never-kept-secret" not in page
    sent = send_again(client, page, action)
    assert sent.status_code == 302
    with app.app_context():
        contract = db.session.scalar(select(SocialContract))
        assert contract.problem == "Długotrwałe bezrobocie"
        assert set(contract.instruments) == {"course", "vocational_counselling"}


def test_an_event_sent_after_the_session_ended_elsewhere_comes_back_with_its_errors(
    app, client, office, login_as
):
    """Signed out elsewhere (the session's token is gone) and the form is wrong: after signing
    in, the text is sent and the form shows its errors beside the fields with the text kept."""
    login_as(office["coordinator"])
    other = login_as(office["coordinator"], fresh=True)
    app.config["WTF_CSRF_ENABLED"] = True
    opened = token(client.get("/staff/events/new").get_data(as_text=True))  # the form opened
    # Signing out elsewhere signs out every session of the account.
    other.post(
        "/auth/logout", data={"csrf_token": token(other.get("/staff/").get_data(as_text=True))}
    )
    assert client.get("/staff/").status_code == 302
    starts = dates.local_date(utcnow()) + timedelta(days=10)
    typed = {
        "csrf_token": opened,
        "event_type": "workshop",
        "title": "Warsztaty „Aktywne poszukiwanie pracy”",
        "place": "",
        "starts_at": f"{starts.isoformat()}T10:00",
        "ends_at": f"{starts.isoformat()}T13:00",
        "capacity": "15",
        "audience": "project",
    }
    kept = _kept_page(app, client.post("/staff/events/new", data=typed), "Aktywne poszukiwanie")
    page = resume(client, kept, office["coordinator"]).get_data(as_text=True)
    shown = send_again(client, page, "/staff/events/new")
    assert shown.status_code == 200  # the form again, the place missing
    page = shown.get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    assert "Aktywne poszukiwanie pracy" in page
    with app.app_context():
        assert db.session.scalar(select(Event)) is None


def test_the_sign_in_form_itself_still_refuses_an_expired_token(app, client, office):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/auth/login", data={"email": office["worker"], "password": "x"})
    assert response.status_code == 400
    assert translated(app, "The form has expired") in response.get_data(as_text=True)


def test_a_send_again_page_never_targets_another_site(app, client, office, login_as):
    login_as(office["worker"])
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        worker_id = db.session.scalar(select(User.id).where(User.email == office["worker"]))
    with client.session_transaction() as session:
        session["kept_for"] = worker_id  # as if a kept page had been shown to this session
    response = client.post(
        "/auth/resume",
        data={
            "csrf_token": token(client.get("/staff/").get_data(as_text=True)),
            "kept_action": "//evil.example/steal",
            "kept-first_name": "Ewa",
            "email": office["worker"],
            "password": PASSWORD,
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "The form has expired") in page
    assert "evil.example" not in page


def test_every_listed_form_is_a_form_of_the_portal_and_every_fresh_form_is_listed(app):
    """The list of forms that may be kept names real pages and builds their forms; the pages
    that ask for a recent sign-in are all on it (their forms travel through the confirmation)."""
    posted = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    listed = set(kept_forms.registry())
    assert listed <= posted, listed - posted
    assert {
        "staff.user_account",
        "staff.esf.export_stage",
        "staff.stage_export",
        "auth.password",
    } <= listed
    from portal.staff.centres.setup import LISTS
    from portal.staff.plans.plan_forms import SECTION_FORMS

    arguments = {
        "staff.plan_section": [{"section": name} for name in SECTION_FORMS],
        "staff.setup.entries": [{"kind": kind} for kind in LISTS],
        "staff.setup.entry_edit": [{"kind": kind} for kind in LISTS],
    }
    with app.test_request_context("/", method="POST"):
        for endpoint in listed:
            for args in arguments.get(endpoint, [{}]):
                keeps = kept_forms.resolve(endpoint, args)
                assert keeps is not None, endpoint
                built = keeps.form(formdata=None, prefix=keeps.prefix, meta={"csrf": False})
                assert str(keeps.title)
                assert list(built) or endpoint == "staff.stage_export", endpoint
        assert kept_forms.resolve("staff.plan_section", {"section": "nonsense"}) is None
        assert kept_forms.resolve("staff.attendance", {}) is None


# -- one pass: every error of a long form at once ----------------------------------------------


def _errors(page: str) -> int:
    return page.count('class="error-message"')


def test_a_contract_shows_a_missing_field_and_the_date_order_together(
    app, client, office, login_as
):
    worker = login_as(office["worker"])
    response = worker.post(
        f"/staff/participants/{office['person']}/contracts/new?lang=en",
        data={
            "start_date": "2026-06-01",
            "end_date": "2026-03-01",
            "problem": "",
            "goal": "Podjęcie pracy",
            "participant_obligations": "Udział w kursie",
            "centre_obligations": "Opłacenie kursu",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Describe the problem." in page
    assert "The contract cannot end before it starts." in page
    assert _errors(page) == 2


def test_an_allowance_shows_a_missing_field_and_a_bad_amount_together(
    app, client, office, login_as
):
    worker = login_as(office["worker"])
    response = worker.post(
        f"/staff/participants/{office['person']}/allowances/new?lang=en",
        data={
            "kind": "purpose",
            "contract_id": "0",
            "amount": "12,345",
            "category": "fuel",
            "purpose": "Opał",
            "justification": "",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Write the justification." in page
    assert 'id="amount-error"' in page
    assert _errors(page) == 2


def test_an_event_shows_a_missing_field_and_the_time_order_together(app, client, office, login_as):
    coordinator = login_as(office["coordinator"])
    starts = dates.local_date(utcnow()) + timedelta(days=10)
    response = coordinator.post(
        "/staff/events/new?lang=en",
        data={
            "event_type": "workshop",
            "title": "",
            "place": "Świetlica",
            "starts_at": f"{starts.isoformat()}T13:00",
            "ends_at": f"{starts.isoformat()}T10:00",
            "capacity": "15",
            "audience": "project",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="title-error"' in page
    assert "The end must not be before the start." in page
    assert _errors(page) == 2
