"""Set-up that finishes the job: the checklist of what a centre enters before going live, each
item flipping as its data is entered; the contacts the public pages show (never a blank for the
centre to fill in); the staff menu grouped by task for each role; the favicon; and the address
`flask create-user` prints invitation links with."""

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from config import DEVELOPMENT_BASE_URL, TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import Centre
from portal.models.enums import CentreKind, Role
from portal.services.centres import centres, readiness
from portal.services.common.dates import WARSAW

ITEMS = list(readiness.ITEMS)
# The blanks the public pages once left, in both languages.
PLACEHOLDERS = ("to complete", "do uzupełnienia")
CONTACTS = {
    "name": "Gminny Ośrodek Pomocy Społecznej w Zielonej",
    "address": "ul. Lipowa 3",
    "postcode": "23-300",
    "email": "gops@zielona.example.gov.pl",
    "phone": "+48 15 871 00 00",
    "dpo_name": "Ewa Sowa",
    "dpo_contact": "iod@zielona.example.gov.pl",
    "building_accessibility": "Wejście z poziomu chodnika, bez progów.\nWinda do 2. piętra.",
}


@pytest.fixture
def bare_centre(app):
    """A centre as the administrator opens it: a name and a town, nothing set up."""
    with app.app_context():
        centre = centres.create_centre(
            name="Gminny Ośrodek Pomocy Społecznej w Zielonej",
            short_name="gops-zielona",
            kind=CentreKind.GOPS,
            town="Zielona",
            actor=None,
        )
        db.session.commit()
        return centre.id


@pytest.fixture
def coordinator(bare_centre, make_user, login_as):
    make_user(Role.COORDINATOR, centre_id=bare_centre, email="koordynator@zielona.example.org")
    return login_as("koordynator@zielona.example.org")


def checklist(client) -> dict[str, bool]:
    page = client.get("/staff/setup/").get_data(as_text=True)
    found = dict(re.findall(r'id="setup-(\w+)" data-done="(yes|no)"', page))
    assert list(found) == ITEMS, found
    return {key: done == "yes" for key, done in found.items()}


def ok(response, status: int = 302):
    assert response.status_code == status, response.get_data(as_text=True)[-1500:]
    return response


def test_the_checklist_flips_each_item_as_its_data_is_entered(app, coordinator):
    assert checklist(coordinator) == dict.fromkeys(ITEMS, False)
    home = coordinator.get("/staff/").get_data(as_text=True)
    # The empty home says how far the set-up is, and links where the first stage is set up.
    assert 'id="setup-progress"' in home
    assert re.search(r'href="/staff/setup/projects/new" id="set-up-stage"', home)

    year = datetime.now(WARSAW).year
    steps = [
        (
            "project",
            "/staff/setup/projects/new",
            {"title": "Aktywna integracja", "start_date": f"{year}-01-01"},
        ),
        ("stage", None, {"year": year, "start_date": f"{year}-01-01", "end_date": f"{year}-12-31"}),
        ("budget_lines", None, {"kind": "allowances", "funding_source": "esf", "planned": "100"}),
        ("villages", "/staff/setup/villages", {"name": "Zielona Górna", "area": "rural"}),
        ("courses", "/staff/setup/courses", {"name": "Operator wózka widłowego"}),
        ("tests", "/staff/setup/tests", {"name": "Multiselect"}),
        (
            "staff",
            "/staff/users",
            {
                "first_name": "Joanna",
                "last_name": "Kruk",
                "email": "pracownik@zielona.example.org",
                "roles": "social_worker",
            },
        ),
        ("contacts", "/staff/setup/details", CONTACTS),
        (
            "bank_account",
            "/staff/setup/bank-account",
            {"bank_account": "61109010140000071219812874"},
        ),
    ]
    done: set[str] = set()
    for key, url, data in steps:
        page = coordinator.get("/staff/setup/").get_data(as_text=True)
        # Each item links to where it is done: the stage and line forms of the records made.
        link = re.search(rf'id="setup-{key}" data-done="no">\s*<a href="([^"]+)"', page).group(1)
        if url is not None:
            assert link == url, (key, link)
        ok(coordinator.post(link, data=data))
        done.add(key)
        assert checklist(coordinator) == {item: item in done for item in ITEMS}, key

    assert "Everything is set up" in coordinator.get("/staff/setup/?lang=en").get_data(as_text=True)
    home = coordinator.get("/staff/").get_data(as_text=True)
    assert 'id="setup-progress"' not in home
    assert 'id="set-up-stage"' not in home


def test_contacts_half_given_are_not_done_and_a_retired_entry_does_not_count(
    app, coordinator, bare_centre
):
    ok(coordinator.post("/staff/setup/details", data={**CONTACTS, "building_accessibility": ""}))
    ok(coordinator.post("/staff/setup/villages", data={"name": "Zielona Dolna", "area": "rural"}))
    state = checklist(coordinator)
    assert not state["contacts"]
    assert state["villages"]
    with app.app_context():
        village = db.session.get(Centre, bare_centre).villages[0]
        village.is_active = False
        db.session.commit()
    assert not checklist(coordinator)["villages"]


def test_the_checklist_is_read_in_one_statement_whatever_the_centre_holds(
    app, ctx, bare_centre, make_centre, query_counter
):
    full = make_centre()
    for centre_id in (bare_centre, full):
        with query_counter() as statements:
            readiness.state(centre_id)
        assert len(statements) == 1, statements
    assert readiness.state(full).stage
    assert not readiness.state(bare_centre).stage


def test_a_bad_postcode_email_or_phone_is_refused_beside_its_field_keeping_what_was_typed(
    app, coordinator, bare_centre
):
    for field, typed in (("postcode", "23300"), ("email", "gops@"), ("phone", "tel. abc")):
        response = ok(
            coordinator.post("/staff/setup/details", data={**CONTACTS, field: typed}), 200
        )
        page = response.get_data(as_text=True)
        assert f'id="{field}-error"' in page, field
        assert f'value="{typed}"' in page, field
    with app.app_context():
        assert db.session.get(Centre, bare_centre).postcode == ""


def test_the_public_pages_of_a_new_centre_name_the_installation_contact_then_its_own(
    app, client, coordinator
):
    app.config["INSTALLATION_CONTACT"] = "pomoc@portal.example.gov.pl"
    for path in ("/privacy", "/accessibility"):
        for lang in ("pl", "en"):
            page = client.get(f"{path}?lang={lang}").get_data(as_text=True)
            assert not any(text in page.lower() for text in PLACEHOLDERS), (path, lang)
            assert 'class="ask-operator"' in page
            assert 'href="mailto:pomoc@portal.example.gov.pl"' in page

    ok(coordinator.post("/staff/setup/details", data=CONTACTS))
    for path in ("/privacy", "/accessibility"):
        page = client.get(f"{path}?lang=pl").get_data(as_text=True)
        assert not any(text in page.lower() for text in PLACEHOLDERS), path
        assert "ask-operator" not in page
        assert "pomoc@portal.example.gov.pl" not in page
        assert "ul. Lipowa 3, 23-300 Zielona" in page
        assert 'href="mailto:gops@zielona.example.gov.pl"' in page
        assert 'href="tel:+48158710000"' in page
    privacy = client.get("/privacy").get_data(as_text=True)
    assert 'Ewa Sowa, <a href="mailto:iod@zielona.example.gov.pl">' in privacy
    statement = client.get("/accessibility").get_data(as_text=True)
    assert "<p>Wejście z poziomu chodnika, bez progów.</p><p>Winda do 2. piętra.</p>" in statement


def test_an_installation_without_a_contact_sends_people_to_their_municipality(app, client):
    app.config["INSTALLATION_CONTACT"] = ""
    page = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "No social welfare centre has been opened" in page
    assert "the social welfare centre of your municipality" in page


# The menu, grouped by task.

GROUPS = re.compile(r'<details id="menu-(\w+)"><summary>')


def menu_of(client) -> tuple[list[str], list[str]]:
    page = client.get("/auth/security").get_data(as_text=True)
    menu = page.split('<ul class="menu">', 1)[1].split("</nav>", 1)[0]
    return GROUPS.findall(menu), re.findall(r'<a href="([^"]+)"', menu)


def test_the_menu_is_grouped_by_task_and_each_role_sees_only_its_own(
    app, bare_centre, make_user, login_as
):
    make_user(Role.COORDINATOR, centre_id=bare_centre, email="k@example.org")
    make_user(Role.SOCIAL_WORKER, centre_id=bare_centre, email="p@example.org")
    make_user(Role.ADVISOR, centre_id=bare_centre, email="d@example.org")
    make_user(Role.ADMIN, email="a@example.org")

    groups, links = menu_of(login_as("k@example.org", fresh=True))
    assert groups == ["people", "events", "money", "reports", "setup"]
    assert len(links) == 17, links
    for path in ("/staff/approvals", "/staff/setup/", "/staff/users", "/staff/caseload"):
        assert path in links

    groups, links = menu_of(login_as("p@example.org", fresh=True))
    assert groups == ["people", "events"]
    assert links[-1] == "/auth/security"  # alone: no set-up group for one link
    assert not {"/staff/approvals", "/staff/setup/", "/staff/users", "/staff/"} & set(links)

    groups, links = menu_of(login_as("d@example.org", fresh=True))
    assert groups == []  # two pages and account security: no group needed
    assert links == ["/staff/sessions", "/staff/caseload", "/auth/security"]

    groups, links = menu_of(login_as("a@example.org", fresh=True))
    assert groups == ["setup"]  # an installation admin outside any centre
    assert "/staff/centres" in links
    assert "/staff/approvals" not in links


# The favicon.


def test_the_favicon_is_there_and_every_page_links_it(app, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in page
    svg = re.search(r'<link rel="icon" href="([^"]+\.svg)"', page).group(1)
    response = client.get(svg)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<svg")


# The address of invitation links printed by create-user.


def _app_with(database_url: str, base: type, **settings):
    return create_app(type("Here", (base,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings}))


def _invite(app_here, email: str):
    result = app_here.test_cli_runner().invoke(args=["create-user", email, "--role", "admin"])
    assert result.exit_code == 0, result.output
    with app_here.app_context():
        db.session.remove()
        db.engine.dispose()
    return result


def test_create_user_prints_a_link_to_the_configured_server_name(app, database_url):
    served = _app_with(
        database_url,
        TestConfig,
        BASE_URL="",
        SERVER_NAME="portal.example.gov.pl",
        PREFERRED_URL_SCHEME="https",
    )
    assert served.config["BASE_URL"] == "https://portal.example.gov.pl"
    result = _invite(served, "a@example.org")
    assert "https://portal.example.gov.pl/auth/set-password/" in result.output
    assert "127.0.0.1:5000" not in result.output
    assert "Warning" not in result.stderr


def test_create_user_warns_when_production_would_print_the_development_address(app, database_url):
    from config import ProductionConfig

    production = _app_with(
        database_url,
        ProductionConfig,
        BASE_URL="",
        SERVER_NAME=None,
        SECRET_KEY="k" * 48,
        PSEUDONYM_KEY="h" * 48,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
    )
    assert production.config["BASE_URL"] == DEVELOPMENT_BASE_URL
    result = _invite(production, "b@example.org")
    assert f"{DEVELOPMENT_BASE_URL}/auth/set-password/" in result.stdout
    assert "Warning" in result.stderr
    assert "BASE_URL" in result.stderr
    # Not in development, where the development address is the right one.
    development = _invite(_app_with(database_url, TestConfig, BASE_URL=""), "c@example.org")
    assert "Warning" not in development.stderr
    with app.app_context():
        assert db.session.scalar(select(Centre.id)) is None
