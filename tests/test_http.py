"""What every response carries, how failures look, language choice, startup refusals, logs."""

import logging
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from config import ProductionConfig, TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import Participant, User
from portal.models.enums import Role
from tests import urlmap
from tests.helpers import PASSWORD, app_log, translated

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/x"
PESEL, OTHER_PESEL = "44051401359", "02211307589"


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.fixture
def coordinator(make_centre, make_user):
    make_user(Role.COORDINATOR, centre_id=make_centre(), email="koordynator@example.org")
    return "koordynator@example.org"


@pytest.mark.parametrize("path", ["/auth/login", "/healthz", "/no-such-page"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}


def test_pages_of_a_signed_in_person_are_never_cached(client, coordinator, login_as):
    login_as(coordinator)
    assert "no-store" in client.get("/staff/").headers["Cache-Control"]


def test_health_check_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


@pytest.fixture
def unreachable_app():
    """The same portal whose database has gone away (nothing listens on port 1)."""
    broken = create_app(
        type(
            "Unreachable",
            (TestConfig,),
            {"SQLALCHEMY_DATABASE_URI": UNREACHABLE, "WTF_CSRF_ENABLED": False},
        )
    )
    yield broken
    with broken.app_context():
        db.engine.dispose()


def test_health_check_reports_an_unreachable_database(unreachable_app):
    response = unreachable_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.is_json
    assert response.get_json()["status"] != "ok"


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_pages_say_unavailable_in_the_persons_language(
    app, client, unreachable_app, coordinator, login_as, lang
):
    login_as(coordinator)
    broken = unreachable_app.test_client()
    broken.set_cookie("session", client.get_cookie("session").value)
    query = "?lang=en" if lang == "en" else ""
    response = broken.get(f"/staff/{query}")
    assert response.status_code == 503
    assert html_lang(response) == lang
    title = translated(app, "The service is temporarily unavailable", locale=lang)
    assert title in response.get_data(as_text=True)
    # A sign-in attempt meets the same page, not a 500.
    attempt = unreachable_app.test_client().post(
        f"/auth/login{query}", data={"email": coordinator, "password": PASSWORD}
    )
    assert attempt.status_code == 503
    assert html_lang(attempt) == lang


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_not_found_page_in_both_languages(app, client, lang):
    response = client.get("/nie-ma-takiej-strony" + ("?lang=en" if lang == "en" else ""))
    assert response.status_code == 404
    assert html_lang(response) == lang
    assert translated(app, "Page not found", locale=lang) in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(app, client, coordinator):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/auth/login", data={"email": coordinator, "password": PASSWORD})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "The form has expired") in page
    request_id = response.headers["X-Request-Id"]
    assert request_id
    assert request_id in page  # the number a person can quote to the centre
    assert client.get("/staff/").status_code == 302  # not signed in


def test_post_only_routes_refuse_get(app, client, coordinator, login_as):
    methods: dict[str, set[str]] = {}  # by path, for a path may have several rules
    ids: dict[str, frozenset[str]] = {}
    for route in urlmap.routes(app):
        methods.setdefault(route.rule, set()).add(route.method)
        ids[route.rule] = route.ids
    post_only = [
        urlmap.fill(rule, dict.fromkeys(ids[rule], 1), ids_only=True)
        for rule, used in methods.items()
        if used == {"POST"}
    ]
    assert "/auth/logout" in post_only
    for signed_in in (False, True):
        if signed_in:
            login_as(coordinator)
        for path in post_only:
            assert client.get(path).status_code == 405, path


def test_language_choice_is_kept_in_the_session_and_saved_for_the_user(
    app, client, coordinator, login_as
):
    assert html_lang(client.get("/auth/login")) == "pl"
    client.get("/auth/login?lang=en")
    assert html_lang(client.get("/auth/login")) == "en"

    login_as(coordinator)  # the language chosen before signing in is kept and saved
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.email == coordinator)) == "en"
    client.get("/staff/?lang=pl")
    with app.app_context():  # a GET changes no data: the choice waits for the next change
        assert db.session.scalar(select(User.locale).where(User.email == coordinator)) == "en"
    assert html_lang(client.get("/staff/")) == "pl"
    client.post("/auth/logout")
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.email == coordinator)) == "pl"
    elsewhere = app.test_client()
    login_as(coordinator, test_client=elsewhere)
    assert html_lang(elsewhere.get("/staff/")) == "pl"  # the saved choice follows the account


def test_production_refuses_to_start_unsafely(monkeypatch, database_url):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "")
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", database_url)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production"})  # the development key is not a secret
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "s" * 48)
    with pytest.raises(RuntimeError, match="debug"):
        create_app(type("Debugging", (ProductionConfig,), {"DEBUG": True}))
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="debug"):
        create_app(ProductionConfig)


def test_no_pesel_in_the_log_when_a_participant_is_recorded(
    app, client, coordinator, login_as, monkeypatch
):
    # What the portal's handler writes, after its filter: the portal's loggers do not propagate,
    # so pytest's caplog would see none of it (and pass whatever the log held).
    login_as(coordinator)
    form = {"first_name": "Jan", "last_name": "Nowak", "pesel": PESEL}
    with app_log() as log:
        assert client.post("/staff/participants/new", data=form).status_code == 302

        # A database error carries the statement's parameters; its traceback is logged.
        def failing_record(*_args, **_kwargs):
            raise IntegrityError("INSERT INTO participants", {"pesel": OTHER_PESEL}, Exception("x"))

        monkeypatch.setattr("portal.services.people.participants.audit.record", failing_record)
        form.update(last_name="Kowalska", pesel=OTHER_PESEL)
        response = client.post("/staff/participants/new", data=form)
        assert response.status_code == 500
    assert "IntegrityError" in log.getvalue()  # the error is in the log ...
    for number in (PESEL, OTHER_PESEL):
        assert number not in log.getvalue()  # ... without the number
        assert number not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 1


def test_line_breaks_in_logged_values_cannot_forge_a_line(app):
    log = logging.getLogger("portal.test")
    forged = "anna@example.org\n2026-01-01 00:00:00 INFO [-] portal.auth: admin signed in"
    with app_log() as output:
        log.warning("failed login for %s", forged)
        log.warning("failed login for %(email)s", {"email": forged})
        log.warning("rejected: %s", ValueError(forged))
        log.warning("carriage %s", "a\rb")
    lines = output.getvalue().splitlines()
    assert len(lines) == 4
    assert all(" WARNING " in line for line in lines)
