"""A newcomer's first ten minutes and what a public body's site must have: the accessibility
statement and the privacy notice for everyone in both languages, linked from every footer and
from the account request's consent box; the centres' contact details on the landing page; the
demo logins printed on every `make run`, every one of them in the README; BASE_URL following
the port `make run` is given."""

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from portal import demo
from portal.extensions import db
from portal.models import Centre, User
from portal.models.enums import Role
from portal.services.centres import centre_contacts
from tests.helpers import email, translated

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/accessibility", "/privacy"]
TITLES = {"/accessibility": "Accessibility statement", "/privacy": "Privacy notice"}
PLACEHOLDER = "to complete"  # the blanks the pages once left "for the centre to complete"


def page_text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def footer(page: str) -> str:
    return page.split('<footer class="site-footer">', 1)[1]


@pytest.fixture
def centre(make_centre):
    return make_centre(
        name="Ośrodek Pomocy Społecznej w Kraśniku",
        address="ul. Kościuszki 7, 23-200 Kraśnik",
        email="ops@krasnik.example.org",
        phone="81 825 00 00",
    )


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("locale", ["pl", "en"])
def test_each_page_is_there_without_signing_in_in_both_languages(app, client, centre, path, locale):
    page = page_text(client, f"{path}?lang={locale}")
    assert f'<html lang="{locale}">' in page
    assert f"<h1>{translated(app, TITLES[path], locale=locale)}</h1>" in page
    # The centre that runs the installation, with its contact details from its record.
    assert "Ośrodek Pomocy Społecznej w Kraśniku" in page
    assert "ul. Kościuszki 7, 23-200 Kraśnik" in page
    assert 'href="mailto:ops@krasnik.example.org"' in page
    assert 'href="tel:818250000"' in page


def test_the_statement_has_the_statutory_parts(app, client, centre):
    page = page_text(client, "/accessibility?lang=en")
    for heading in (
        "Compliance status",
        "Preparation of the accessibility statement",
        "Feedback and contact details",
        "Enforcement procedure",
        "Architectural accessibility",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert "partially compliant" in page
    # Published when the installation's first centre was opened; the statement's own dates.
    with app.app_context():
        opened = centre_contacts.published_on()
        assert (
            opened
            == db.session.get(Centre, centre).created_at.astimezone(centre_contacts.WARSAW).date()
        )
    assert opened is not None
    assert f"Date of publication of the website: {opened:%b} {opened.day}, {opened.year}." in page
    prepared = centre_contacts.STATEMENT_PREPARED
    assert f"prepared on {prepared:%b} {prepared.day}, {prepared.year}" in page
    # The idle sign-out is a non-conformity, stated with the installation's setting.
    minutes = int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 60)
    assert f"After {minutes} minutes without activity you are signed out" in page
    assert 'href="https://bip.brpo.gov.pl/"' in page
    assert "self-assessment" in page
    # The building not described yet: the statement says whom to ask, never leaves a blank.
    architecture = page.split("<h2>Architectural accessibility</h2>", 1)[1]
    assert 'class="ask-building"' in architecture
    assert PLACEHOLDER not in page
    assert "Address: ul. Kościuszki 7, 23-200 Kraśnik." in architecture


def test_the_privacy_notice_names_the_bases_recipients_rights_and_the_authority(client, centre):
    page = page_text(client, "/privacy?lang=en")
    for basis in ("article 6(1)(c)", "article 6(1)(e)", "article 9(2)(b)", "article 9(2)(g)"):
        assert basis in page
    assert "managing authority" in page
    assert "county labour office" in page
    assert "President of the Personal Data Protection Office" in page
    assert 'href="https://uodo.gov.pl/"' in page
    assert "data protection officer" in page
    assert "Giving the European Social Fund monitoring data is a condition" in page


def test_details_missing_from_the_centre_record_say_whom_to_ask(app, client, make_centre):
    make_centre(name="Gminny Ośrodek Pomocy Społecznej w Modliborzycach", town="Modliborzyce")
    app.config["INSTALLATION_CONTACT"] = "pomoc@portal.example.gov.pl"
    for path in PAGES:
        page = page_text(client, f"{path}?lang=en")
        contacts = page.split("Gminny Ośrodek Pomocy Społecznej w Modliborzycach", 1)[1]
        assert "<dd>Modliborzyce</dd>" in contacts
        assert 'class="ask-operator"' in contacts
        assert 'href="mailto:pomoc@portal.example.gov.pl"' in contacts
        assert PLACEHOLDER not in page
    # The landing page shows only what is known: the town, and asks nothing.
    landing = page_text(client, "/?lang=en")
    assert "Modliborzyce" in landing
    assert "ask-operator" not in landing


def test_every_footer_links_both_pages_signed_out_and_signed_in(app, client, login_as, make_user):
    for page in (page_text(client, "/"), page_text(client, "/request-account")):
        assert 'href="/accessibility"' in footer(page)
        assert 'href="/privacy"' in footer(page)
    login_as(email(app, make_user(Role.COORDINATOR)))
    signed_in = page_text(client, "/staff/")
    assert 'href="/accessibility"' in footer(signed_in)
    assert 'href="/privacy"' in footer(signed_in)


def test_the_consent_box_links_to_the_privacy_notice(app, client, centre):
    page = page_text(client, "/request-account?lang=en")
    box = re.search(r'<div class="field field-checkbox consent">.*?</div>', page, re.S)
    assert box, "the consent box"
    checkbox = re.search(r'<input[^>]*name="consent"[^>]*>', box[0])[0]
    assert 'aria-describedby="consent-hint"' in checkbox
    hint = re.search(r'<p class="hint" id="consent-hint">.*?</p>', box[0], re.S)[0]
    assert 'href="/privacy"' in hint
    assert "(opens in a new tab)" in hint
    # Refused for want of consent: the error and the link are both there, beside the box.
    refused = client.post(
        "/request-account?lang=en",
        data={
            "first_name": "Anna",
            "last_name": "Nowak",
            "email": "anna@example.org",
            "centre_id": str(centre),
        },
    ).get_data(as_text=True)
    box = re.search(
        r'<div class="field field-checkbox consent field-error">.*?</div>', refused, re.S
    )
    assert box, "the consent box with its error"
    assert 'aria-describedby="consent-hint consent-error"' in box[0]
    assert 'aria-invalid="true"' in box[0]
    assert 'href="/privacy"' in box[0]
    assert "We can only process your request with your consent." in box[0]


def test_the_landing_page_lists_the_centres_with_their_contact_details(app, client, centre):
    page = page_text(client, "/?lang=en")
    assert '<h2 id="contact-title">Contact the social welfare centre</h2>' in page
    assert "ul. Kościuszki 7, 23-200 Kraśnik" in page
    assert 'href="mailto:ops@krasnik.example.org"' in page


# The demo: one seeding serves the checks that need it (it is the slowest step here).


def test_make_run_prints_the_logins_every_time_and_each_is_in_the_readme(app, client, runner):
    first = runner.invoke(args=["seed-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "Demo data created." in first.output
    assert demo.LOGINS_TEXT in first.output
    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "Demo data already present; nothing changed." in second.output
    assert demo.LOGINS_TEXT in second.output

    # Every account the demo makes is a listed login, and the README's table lists it too.
    with app.app_context():
        emails = set(db.session.scalars(select(User.email).where(User.password_hash.is_not(None))))
    listed = {email for email, _what in demo.LOGINS}
    assert emails == listed
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| login | role |", 1)[1].split("\n\n", 1)[0]
    for login in listed:
        assert f"`{login}`" in table, login

    # Several centres: the landing page lists each, with the address the demo gives Janów.
    landing = page_text(client, "/?lang=en")
    assert "Contact the social welfare centres" in landing
    assert "Ośrodek Pomocy Społecznej w Janowie Lubelskim" in landing
    assert "ul. Ogrodowa 16, 23-300 Janów Lubelski" in landing
    assert "Gminny Ośrodek Pomocy Społecznej w Chrzanowie" in landing


def test_seed_demo_if_empty_over_real_data_prints_no_demo_logins(runner, make_centre):
    make_centre()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "the demo is not seeded" in result.output
    assert "pierwszy-krok" not in result.output


# make run and CI


def make_dry_run(*args: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "PORT")}
    result = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_base_url_follows_the_port_make_run_is_given():
    default = make_dry_run()
    assert "BASE_URL=http://127.0.0.1:5000 " in default
    assert "--port 5000" in default
    for output in (make_dry_run("PORT=5050"), make_dry_run(PORT="5050")):
        assert "BASE_URL=http://127.0.0.1:5050 " in output
        assert "flask --app portal run --host 127.0.0.1 --port 5050" in output
        assert "Serving on http://127.0.0.1:5050" in output
    # A BASE_URL set by hand is kept.
    kept = make_dry_run("PORT=5050", BASE_URL="https://portal.example.gov.pl")
    assert "BASE_URL=https://portal.example.gov.pl " in kept
    assert "127.0.0.1:5050 " not in kept.split("Serving on", 1)[1].split("\n", 1)[1]


def test_ci_installs_the_packages_the_readme_names_for_weasyprint():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert package in readme
        assert re.search(rf"for package in [^;]*\b{re.escape(package)}\b", ci), package
    assert "fonts-dejavu-core" in readme
    assert "fonts-dejavu-core" in ci
    assert "dated relative to the day the demo is seeded" in readme


def test_the_published_date_is_the_first_centres_opening(app, make_centre):
    with app.app_context():
        assert centre_contacts.published_on() is None
        assert centre_contacts.last_updated(None) == centre_contacts.STATEMENT_PREPARED
    make_centre(created_at=datetime(2031, 5, 4, 10, tzinfo=UTC))
    make_centre(created_at=datetime(2032, 1, 1, 10, tzinfo=UTC))
    with app.app_context():
        published = centre_contacts.published_on()
        assert str(published) == "2031-05-04"
        assert centre_contacts.last_updated(published) == published
