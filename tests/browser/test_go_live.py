"""A centre goes live from an empty database, in Chromium and in Polish (the walk of
tests/test_go_live.py, clicked through the real pages as people at a centre would).

The installation admin is made with the README's `create-user`; everything after that happens in
the browser: the admin opens a centre and invites its coordinator, who sets the centre up
(project, stage, budget lines, village, course, diagnosis test) and creates a social worker and
an advisor. The social worker records a participant with the ESF data; an event is published and
the participant signs up; a contract is signed; an allowance is prepared, approved by the
coordinator and put on the month's payment list. Everyone follows the invitation in their mail
(read from the outbox). Buttons and links are found by their Polish names, and the main pages
pass axe.
"""

import re
from datetime import datetime, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from portal.extensions import db
from portal.models import Allowance, OutboxMessage, PaymentList, Registration, SocialContract
from portal.models.enums import AllowanceStatus, ContractStatus, RegistrationStatus
from portal.services.common.dates import WARSAW
from tests.browser.conftest import DESKTOP, TIMEOUT_MS
from tests.browser.pages import LOGIN, expect_lang, normalised, open_menu_for, path_is, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

PASSWORD = "zielona łąka nad Sanem 2026"
ADMIN = "admin@example.gov.pl"
COORDINATOR = "koordynator@zielona.example.gov.pl"
WORKER = "pracownik@zielona.example.gov.pl"
ADVISOR = "doradca@zielona.example.gov.pl"
PARTICIPANT = "zofia@example.org"
INVITATION = re.compile(r"http://\S+/auth/set-password/[\w.\-]+")


@pytest.fixture
def open_page(browser, live_server):
    """`open_page()`: a fresh Polish desktop page in a browser context of its own (one person)."""
    contexts = []

    def new_page():
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="pl-PL")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def no_problem(page) -> None:
    """The last form was taken: no list of problems, no error notice."""
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.locator("main .notice-error")).to_have_count(0)


def menu(page, name: str) -> None:
    # By its text, not its role: a link inside a folded group is hidden, and roles skip it.
    link = page.locator("header nav .menu a").filter(has_text=re.compile(f"^{re.escape(name)}$"))
    open_menu_for(page, link)
    link.click()


def button(page, name: str) -> None:
    page.locator("main").get_by_role("button", name=name, exact=True).click()


def accept_invitation(app, page, axe, email: str) -> None:
    """Follow the link in the person's mail, choose a password, sign in."""
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.to_address == email)
        ).all()
    assert bodies, f"no invitation for {email} in the outbox"
    link = INVITATION.search(bodies[-1])
    assert link, bodies[-1]
    page.goto(link.group(0))
    expect_lang(page, "pl")
    expect(page.locator("main h1")).to_have_text("Ustaw hasło")
    axe(page)
    page.get_by_label("Nowe hasło", exact=True).fill(PASSWORD)
    page.get_by_label("Powtórz nowe hasło", exact=True).fill(PASSWORD)
    button(page, "Zapisz hasło")
    expect(page).to_have_url(path_is(LOGIN))
    no_problem(page)
    sign_in(page, email, PASSWORD)


def test_a_new_centre_goes_live_in_polish_in_the_browser(app, runner, live_server, open_page, axe):
    result = runner.invoke(
        args=["create-user", ADMIN, "--role", "admin", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    app.config["BASE_URL"] = live_server.url  # links in the mail point at this server
    today = datetime.now(WARSAW).date()

    # --- The admin opens the centre and invites its coordinator. -----------------------------
    admin = open_page()
    sign_in(admin, ADMIN, PASSWORD)
    expect(admin).to_have_url(path_is("/staff/centres"))
    expect_lang(admin, "pl")
    expect(admin.locator("main h1")).to_have_text("Ośrodki w tej instalacji portalu")
    axe(admin)
    admin.fill("#name", "Gminny Ośrodek Pomocy Społecznej w Zielonej")
    admin.fill("#short_name", "gops-zielona")
    admin.select_option("#kind", "gops")
    admin.fill("#town", "Zielona")
    admin.fill("#coordinator_first_name", "Alicja")
    admin.fill("#coordinator_last_name", "Nowak")
    admin.fill("#coordinator_email", COORDINATOR)
    button(admin, "Utwórz ośrodek")
    expect(admin).to_have_url(path_is("/staff/centres"))
    no_problem(admin)
    expect(admin.locator("main ul").first).to_contain_text("gops-zielona")

    # --- The coordinator sets the centre up. -------------------------------------------------
    coordinator = open_page()
    accept_invitation(app, coordinator, axe, COORDINATOR)
    expect(coordinator).to_have_url(path_is("/staff/"))
    expect(coordinator.locator("header .who")).to_have_text("Alicja Nowak")

    menu(coordinator, "Ustawienia ośrodka")
    expect(coordinator.locator("main h1")).to_have_text("Ustawienia ośrodka")
    axe(coordinator)
    coordinator.get_by_role("link", name="Dodaj projekt").click()
    axe(coordinator)
    coordinator.fill("#title", "Aktywna integracja w Gminie Zielona")
    coordinator.fill("#programme", "Program Operacyjny Kapitał Ludzki")
    coordinator.fill("#start_date", f"{today.year}-01-01")
    coordinator.fill("#end_date", f"{today.year + 1}-12-31")
    button(coordinator, "Zapisz projekt")
    no_problem(coordinator)

    expect(coordinator.locator("main h1")).to_have_text("Dodaj etap")
    axe(coordinator)
    coordinator.fill("#year", str(today.year))
    coordinator.fill("#start_date", f"{today.year}-01-01")
    coordinator.fill("#end_date", f"{today.year}-12-31")
    button(coordinator, "Zapisz etap")
    no_problem(coordinator)

    expect(coordinator.locator("main h1")).to_have_text("Dodaj pozycję budżetu")
    axe(coordinator)
    for kind, shown, planned in (
        ("allowances", "Zasiłki", "50 000"),
        ("salaries", "Wynagrodzenia", "120 000"),
    ):
        coordinator.select_option("#kind", kind)
        coordinator.check("input[name=funding_source][value=esf]")
        coordinator.fill("#planned", planned)
        button(coordinator, "Zapisz pozycję")
        no_problem(coordinator)
        thousands = planned.replace(" ", r"\s")
        expect(coordinator.locator("main")).to_contain_text(
            re.compile(rf"{shown}.*?\({thousands},00\szł\)")
        )

    coordinator.get_by_role("link", name="Wróć do ustawień ośrodka").click()
    expect(coordinator.locator("main table")).to_have_count(1)
    lines = normalised(coordinator.locator("main table").inner_text())
    for planned in ("50 000,00 zł", "120 000,00 zł"):
        assert planned in lines, lines
    # A village, a course, a test: each list asks for the thing's name ("nazwa"), not a person's.
    for list_name, label, name in (
        ("Sołectwa", "Nazwa sołectwa", "Zielona Górna"),
        ("Katalog kursów", "Nazwa kursu", "Operator wózka widłowego"),
        ("Testy diagnostyczne", "Nazwa testu", "Multiselect"),
    ):
        menu(coordinator, "Ustawienia ośrodka")
        lists = coordinator.locator("main section[aria-labelledby=lists-title]")
        lists.get_by_role("link", name=list_name, exact=True).click()
        expect(coordinator.locator("main h1")).to_have_text(list_name)
        expect(coordinator.locator("main thead th").first).to_have_text(label)
        axe(coordinator)
        coordinator.get_by_label(label, exact=True).fill(name)
        button(coordinator, "Dodaj")
        no_problem(coordinator)
        expect(coordinator.locator("main tbody th").first).to_have_text(name)

    menu(coordinator, "Konta pracowników")
    expect(coordinator.locator("main h1")).to_have_text("Konta pracowników")
    axe(coordinator)
    for email, first, last, role in (
        (WORKER, "Joanna", "Kruk", "Pracownik socjalny"),
        (ADVISOR, "Marek", "Wiśniewski", "Doradca zawodowy"),
    ):
        coordinator.fill("#first_name", first)
        coordinator.fill("#last_name", last)
        coordinator.fill("#email", email)
        coordinator.locator("main form").get_by_label(role, exact=True).check()
        button(coordinator, "Utwórz konto i wyślij zaproszenie")
        expect(coordinator).to_have_url(path_is("/staff/users"))
        no_problem(coordinator)
        expect(coordinator.locator("main table").first).to_contain_text(email)

    advisor = open_page()
    accept_invitation(app, advisor, axe, ADVISOR)
    expect(advisor).to_have_url(path_is("/staff/caseload"))
    expect(advisor.locator("header .who")).to_have_text("Marek Wiśniewski")

    # --- The social worker records a participant with an account and the ESF data. -----------
    worker = open_page()
    accept_invitation(app, worker, axe, WORKER)
    expect(worker).to_have_url(path_is("/staff/participants"))
    worker.get_by_role("link", name="Dodaj uczestnika").click()
    expect(worker.locator("main h1")).to_have_text("Dodaj uczestnika")
    axe(worker)
    worker.fill("#first_name", "Zofia")
    worker.fill("#last_name", "Kwiatkowska")
    worker.fill("#pesel", "44051401342")  # a woman born on 14 May 1944
    worker.select_option("#village_id", label="Zielona Górna")
    worker.check("#on_contract_path")
    worker.check("#on_pal_path")
    worker.fill("#email", PARTICIPANT)
    button(worker, "Zapisz")
    no_problem(worker)
    expect(worker.locator("main h1")).to_have_text("Zofia Kwiatkowska")
    person_page = worker.url
    axe(worker)

    worker.get_by_role("link", name="Dane do monitorowania", exact=True).click()
    expect(worker.locator("main h1")).to_contain_text("Dane do monitorowania EFS")
    axe(worker)
    worker.select_option("#education", "primary")
    worker.fill("#town", "Zielona Górna")
    answers = {
        "area": "rural",
        "labour_market_status": "unemployed_registered",
        "minority": "no",
        "homeless": "no",
        "disability": "refused",
        "jobless_household": "yes",
        "jobless_household_with_children": "no",
        "single_adult_with_children": "no",
        "other_disadvantage": "no",
    }
    for name, value in answers.items():
        worker.check(f"input[name={name}][value={value}]")
    worker.check("#is_long_term_unemployed")
    button(worker, "Zapisz dane do monitorowania")
    no_problem(worker)
    expect(worker).to_have_url(path_is(re.sub(r"^http://[^/]+", "", person_page)))
    expect(worker.locator("main .details")).to_contain_text("kompletny")

    # --- The coordinator publishes an event; the participant signs up. -----------------------
    starts = today + timedelta(days=10)
    title = "Warsztaty „Aktywne poszukiwanie pracy”"
    menu(coordinator, "Wydarzenia")
    coordinator.get_by_role("link", name="Dodaj wydarzenie").click()
    expect(coordinator.locator("main h1")).to_have_text("Dodaj wydarzenie")
    axe(coordinator)
    coordinator.select_option("#event_type", "workshop")
    coordinator.fill("#title", title)
    coordinator.fill("#place", "Świetlica w Zielonej Górnej")
    coordinator.fill("#starts_at", f"{starts.isoformat()}T10:00")
    coordinator.fill("#ends_at", f"{starts.isoformat()}T13:00")
    coordinator.fill("#capacity", "15")
    coordinator.check("input[name=audience][value=project]")
    button(coordinator, "Zapisz")
    no_problem(coordinator)
    expect(coordinator.locator("main h1")).to_have_text(title)
    button(coordinator, "Opublikuj")
    no_problem(coordinator)
    expect(coordinator.locator("main .details")).to_contain_text("Opublikowano")
    axe(coordinator)

    participant = open_page()
    accept_invitation(app, participant, axe, PARTICIPANT)
    expect(participant).to_have_url(path_is("/me/"))
    menu(participant, "Wydarzenia")
    axe(participant)
    participant.get_by_role("link", name=title).click()
    expect(participant.locator("main h1")).to_have_text(title)
    axe(participant)
    button(participant, "Zapisz mnie")
    no_problem(participant)
    expect(participant.locator("main")).to_contain_text("Twój zapis")
    # Cancelling is a link to a page that says what will happen.
    expect(participant.get_by_role("link", name="Wypisz mnie")).to_be_visible()

    # --- A contract is signed; an allowance is prepared, approved and put on a payment list. --
    worker.goto(person_page)
    worker.get_by_role("link", name="Kontrakty i zasiłki").click()
    axe(worker)
    worker.get_by_role("link", name="Przygotuj kontrakt socjalny").click()
    axe(worker)
    worker.fill("#start_date", today.isoformat())
    worker.fill("#end_date", (today + timedelta(days=120)).isoformat())
    worker.fill("#problem", "Długotrwałe bezrobocie.")
    worker.fill("#goal", "Powrót na rynek pracy.")
    worker.fill("#participant_obligations", "Udział w doradztwie zawodowym.")
    worker.fill("#centre_obligations", "Zasiłek celowy na dojazdy.")
    worker.check("input[name=instruments][value=vocational_counselling]")
    worker.fill("#support", "Doradztwo zawodowe.")
    button(worker, "Zapisz wersję roboczą")
    no_problem(worker)
    expect(worker.locator("main h1")).to_contain_text("Kontrakt socjalny")
    axe(worker)
    worker.fill("#signed_on", today.isoformat())
    button(worker, "Zapisz datę podpisania")
    no_problem(worker)
    expect(worker.locator("main .details")).to_contain_text("Podpisano")

    worker.get_by_role("link", name="Przygotuj wniosek o zasiłek").click()
    expect(worker.locator("main h1")).to_have_text("Przygotuj wniosek o zasiłek")
    axe(worker)
    worker.select_option("#kind", "purpose")
    worker.select_option("#contract_id", index=1)
    worker.fill("#amount", "300,00")
    worker.fill("#first_month", today.strftime("%Y-%m"))
    worker.select_option("#category", "travel")
    worker.fill("#purpose", "Dojazdy na doradztwo")
    worker.fill("#justification", "Dojazdy z Zielonej Górnej do ośrodka, 8 razy.")
    button(worker, "Przekaż do zatwierdzenia")
    no_problem(worker)
    expect(worker.locator("main .details")).to_contain_text("Przekazano do zatwierdzenia")
    axe(worker)

    menu(coordinator, "Decyzje w sprawie zasiłków")
    expect(coordinator.locator("main h1")).to_have_text("Wnioski o zasiłki do rozpatrzenia")
    axe(coordinator)
    coordinator.get_by_label("Zatwierdź wniosek: Zofia Kwiatkowska").check()
    button(coordinator, "Zatwierdź wybrane wnioski")
    no_problem(coordinator)
    expect(coordinator.locator("main")).to_contain_text("Brak wniosków")

    menu(coordinator, "Listy wypłat")
    axe(coordinator)
    expect(coordinator.locator("#month")).to_have_value(today.strftime("%Y-%m"))
    button(coordinator, "Otwórz listę wypłat za wybrany miesiąc")
    no_problem(coordinator)
    month = format_date(today, "LLLL y", locale="pl")  # "listopad 2026": the month by name
    expect(coordinator.locator("main h1")).to_have_text(f"Lista wypłat {month}")
    rows = coordinator.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    row = normalised(rows.first.inner_text())
    for shown in ("Kwiatkowska Zofia", "Zasiłek celowy", "300,00 zł", "Do wypłaty"):
        assert shown in row, row
    axe(coordinator)

    with app.app_context():
        contract = db.session.scalars(select(SocialContract)).one()
        assert contract.status == ContractStatus.SIGNED
        allowance = db.session.scalars(select(Allowance)).one()
        assert allowance.status == AllowanceStatus.APPROVED
        assert allowance.contract_id == contract.id
        assert db.session.scalars(select(Registration)).one().status == (
            RegistrationStatus.CONFIRMED
        )
        payment_list = db.session.scalars(select(PaymentList)).one()
        assert [i.allowance_id for i in payment_list.instalments] == [allowance.id]
