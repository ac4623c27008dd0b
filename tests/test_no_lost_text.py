"""Nothing typed is ever lost: a sign-out or an expired form keeps the text; errors in one pass.

A form sent after the idle sign-out (the session cookie is gone) or with an expired CSRF token
is answered by a sign-in page that carries what was typed (never in the address or the log);
after the password, the text is shown again with a fresh token and sent with one button. Long
forms show a missing field and a wrong date order (or an amount that is no amount) together.
"""

import logging
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Event, IndividualPlan, Participant, SocialContract, User
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services import dates, plans
from tests.helpers import PASSWORD, email, translated

PESEL = "44051401458"


class _Forms(HTMLParser):
    """Every form on a page: its action and its inputs (name, value) in order."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action") or "", []))
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1][1].append((attributes["name"], attributes.get("value") or ""))


def _form(page: str, action_ends_with: str) -> list[tuple[str, str]]:
    parser = _Forms()
    parser.feed(page)
    found = [fields for action, fields in parser.forms if action.endswith(action_ends_with)]
    assert found, f"no form posting to {action_ends_with}"
    return found[0]


def _resume(client, page: str, who: str, password: str = PASSWORD):
    """Sign in again on the page that kept the text; the page to send it again comes back."""
    fields = [(n, v) for n, v in _form(page, "/auth/resume") if n not in ("email", "password")]
    data = {}
    for name, value in [*fields, ("email", who), ("password", password)]:
        data.setdefault(name, []).append(value)
    return client.post("/auth/resume", data=data)


def _send_again(client, page: str, action: str):
    data: dict[str, list[str]] = {}
    for name, value in _form(page, action):
        data.setdefault(name, []).append(value)
    return client.post(action, data=data)


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
    app, client, office, login_as, caplog
):
    login_as(office["coordinator"])
    app.config["WTF_CSRF_ENABLED"] = True
    section = f"/staff/plans/{office['plan']}/sections/swot"
    page = client.get(section).get_data(as_text=True)
    typed = dict(_form(page, section))
    typed |= {"swot-strengths": "Sumienność\nPrawo jazdy", "swot-threats": f"PESEL {PESEL}"}
    client.delete_cookie("session")  # the idle sign-out: the browser dropped the session

    caplog.set_level(logging.DEBUG)
    kept = _kept_page(app, client.post(section, data=typed), "Sumienność", PESEL)
    assert client.get("/staff/").status_code == 302  # still signed out

    # A wrong password: asked again, the text still carried.
    wrong = _resume(client, kept, office["coordinator"], password="not the password at all")
    assert wrong.status_code == 200
    kept = wrong.get_data(as_text=True)
    assert translated(app, "Sign in again to keep what you typed") in kept
    assert "Sumienność" in kept

    again = _resume(client, kept, office["coordinator"])
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert translated(app, "Send what you typed") in page
    assert PESEL in page  # shown back to the person who typed it
    with app.app_context():  # nothing was saved before the person sends it
        assert db.session.get(IndividualPlan, office["plan"]).strengths == []

    saved = _send_again(client, page, section)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/staff/participants/{office['person']}/plan")
    with app.app_context():
        plan = db.session.get(IndividualPlan, office["plan"])
        assert plan.strengths == ["Sumienność", "Prawo jazdy"]
        assert plan.threats == [f"PESEL {PESEL}"]
    assert PESEL not in caplog.text
    assert "Sumienność" not in caplog.text


def test_a_contract_sent_with_an_expired_token_needs_the_password_then_is_saved(
    app, client, office, login_as
):
    login_as(office["worker"])  # still signed in: only the form's token is stale
    app.config["WTF_CSRF_ENABLED"] = True
    action = f"/staff/participants/{office['person']}/contracts/new"
    today = dates.local_date(utcnow())
    typed = {
        "csrf_token": "a-token-from-yesterday",
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
    assert "a-token-from-yesterday" not in kept
    # The kept page alone is no way round the token: without the password nothing is sent.
    page = _resume(client, kept, office["worker"]).get_data(as_text=True)
    assert "never-kept-secret" not in page
    sent = _send_again(client, page, action)
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
    other.post("/auth/logout")  # signs out every session of the account
    starts = dates.local_date(utcnow()) + timedelta(days=10)
    typed = {
        "event_type": "workshop",
        "title": "Warsztaty „Aktywne poszukiwanie pracy”",
        "place": "",
        "starts_at": f"{starts.isoformat()}T10:00",
        "ends_at": f"{starts.isoformat()}T13:00",
        "capacity": "15",
        "audience": "project",
    }
    kept = _kept_page(app, client.post("/staff/events/new", data=typed), "Aktywne poszukiwanie")
    page = _resume(client, kept, office["coordinator"]).get_data(as_text=True)
    shown = _send_again(client, page, "/staff/events/new")
    assert shown.status_code == 200  # the form again, the place missing
    form = shown.get_data(as_text=True)
    assert 'aria-invalid="true"' in form
    assert "Aktywne poszukiwanie pracy" in form
    with app.app_context():
        assert db.session.scalar(select(Event)) is None


def test_the_sign_in_form_itself_still_refuses_an_expired_token(app, client, office):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/auth/login", data={"email": office["worker"], "password": PASSWORD})
    assert response.status_code == 400
    assert translated(app, "The form has expired") in response.get_data(as_text=True)


def test_a_send_again_page_never_targets_another_site(app, client, office):
    response = client.post(
        "/auth/resume",
        data={
            "kept_action": "//evil.example/steal",
            "email": office["worker"],
            "password": PASSWORD,
        },
    )
    assert response.status_code == 400


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
