"""Every date, time, month and label a page shows is in the page's language.

The demo data (Janów Lubelski's 2013 stage and this year, Chrzanów 2009) is walked in Polish and
in English: a Polish page names no English month or weekday, an English page no Polish one; no
month is written the ISO way (2026-12) outside attributes and form fields; the plan comparison
shows labels, never the stored values ('open', 'planned', 'course')."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from portal import formatting
from portal.extensions import db
from portal.models import Allowance, Event, IndividualPlan, PaymentList, PlanRevision
from portal.models.enums import ActionKind, ActionStatus, EventStatus, GoalStatus, Instrument

PASSWORD = "pierwszy-krok"

# Names in a date's context only: "Jan" and "August" are also first names.
ENGLISH_NAMES = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec) \d{1,4}\b"
    r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri|Sat"
    r"|Sun), "
    r"|\d (?:AM|PM)\b"
)
POLISH_NAMES = re.compile(
    r"(?i:\b(?:stycze[nń]|stycznia|lut(?:y|ego)|marzec|marca|kwiecie[nń]|kwietnia|czerwiec"
    r"|czerwca|lipiec|lipca|sierpie[nń]|sierpnia|wrzesie[nń]|wrze[sś]nia|pa[zź]dziernik(?:a)?"
    r"|listopad(?:a)?|grudzie[nń]|grudnia|poniedzia[lł]ek|wtorek|[sś]roda|czwartek|pi[aą]tek"
    r"|sobota|niedziela)\b)"
    # Abbreviated forms, as Babel writes them: "3 gru 2026", "czw., 3 gru".
    r"|\b\d{1,2} (?:sty|lut|mar|kwi|maj|cze|lip|sie|wrz|pa[zź]|lis|gru) \d{4}\b"
    r"|\b(?:pon|wt|[sś]r|czw|pt|sob|niedz)\., \d"
)
ISO_MONTH = re.compile(r"\b20\d\d-\d\d\b")


class _Text(HTMLParser):
    """The text a reader sees: no attributes, no form fields, no scripts."""

    SKIPPED = {"script", "style", "textarea", "select", "option"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0
        self.foreign = 0  # inside an element marked lang="pl" on an English page
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "input", "img", "meta", "link", "hr", "wbr"}:
            return
        polish = tag != "html" and dict(attrs).get("lang") == "pl"
        self.stack.append((tag, polish))
        self.skipping += tag in self.SKIPPED
        self.foreign += polish

    def handle_endtag(self, tag):
        while self.stack:
            name, polish = self.stack.pop()
            self.skipping -= name in self.SKIPPED
            self.foreign -= polish
            if name == tag:
                break

    def handle_data(self, data):
        if not self.skipping and not self.foreign:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def demo(demo, app):
    """The shared demo, and the records these tests read in it."""
    with app.app_context():
        compared = db.session.execute(
            select(PlanRevision.plan_id, func.max(PlanRevision.number))
            .group_by(PlanRevision.plan_id)
            .having(func.count() > 1)
            .order_by(PlanRevision.plan_id)
        ).first()
        assert compared, "the demo has a plan with at least two revisions"
        plan = db.session.get(IndividualPlan, compared[0])
        event = db.session.scalar(
            select(Event).where(Event.status == EventStatus.PUBLISHED, Event.instrument.is_(None))
        )
        return {
            "plan_id": plan.id,
            "plan_participant": plan.participant_id,
            "last_revision": compared[1],
            "event_id": event.id,
            "allowance_id": db.session.scalar(select(Allowance.id).order_by(Allowance.id)),
            "list_id": db.session.scalar(select(PaymentList.id).order_by(PaymentList.id)),
        }


def _pages(demo):
    participant = [
        "/me/",
        "/me/events",
        "/me/events?tab=past",
        f"/me/events/{demo['event_id']}",
        "/me/my-events",
        "/me/plan",
        "/me/allowances",
    ]
    history = f"/staff/plans/{demo['plan_id']}/history"
    staff = [
        "/staff/",
        "/staff/caseload",
        f"/staff/participants/{demo['plan_participant']}/plan",
        history,
        f"{history}?a=1&b={demo['last_revision']}",
        "/staff/approvals",
        "/staff/allowance-limits",
        "/staff/payments",
        f"/staff/allowances/{demo['allowance_id']}",
        "/staff/events",
        f"/staff/events/{demo['event_id']}",
        "/staff/sessions",
    ]
    if demo["list_id"]:
        staff.append(f"/staff/payments/{demo['list_id']}")
    return [("uczestnik@example.org", participant), ("koordynator@example.org", staff)]


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_every_date_month_and_time_on_a_page_is_in_the_pages_language(app, demo, lang, login_as):
    wrong = ENGLISH_NAMES if lang == "pl" else POLISH_NAMES
    right = POLISH_NAMES if lang == "pl" else ENGLISH_NAMES
    for email, paths in _pages(demo):
        client = login_as(email, PASSWORD, fresh=True)
        for path in paths:
            response = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert response.status_code == 200, (path, response.status_code)
            text = visible_text(response.get_data(as_text=True))
            assert not ISO_MONTH.search(text), (path, ISO_MONTH.findall(text))
            found = [m.group(0) for m in wrong.finditer(text)]
            assert not found, (lang, path, found)
            if "/events/" in path:  # the check reads dates that are there
                assert right.search(text), (lang, path, text[:500])


# Stored values of goals and actions whose words a reader could take for a label: in the
# comparison each must appear as its label in the page's language.
RAW = {s.value for s in (*GoalStatus, *ActionStatus, *ActionKind)}


def test_equal_values_of_two_sets_keep_their_own_labels_in_each_language(app):
    # Labels are translated once per set, value and language; "course" is a value of both.
    with app.test_request_context():
        for lang, instrument, action in (
            ("en", "Vocational course", "Course"),
            ("pl", "Szkolenie zawodowe (kurs)", "Kurs"),
        ):
            with force_locale(lang):
                assert Instrument.COURSE.label == instrument
                assert ActionKind.COURSE.label == action
                assert Instrument.COURSE.label == instrument


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_plan_comparison_shows_labels_not_stored_values(app, demo, lang, login_as):
    client = login_as("doradca@example.org", PASSWORD)
    path = f"/staff/plans/{demo['plan_id']}/history?a=1&b={demo['last_revision']}&lang={lang}"
    html = client.get(path).get_data(as_text=True)
    diff = " ".join(re.findall(r'<ul class="diff">(.*?)</ul>', html, re.S))
    assert diff, "the compared versions differ"
    words = set(re.findall(r"[a-z_]+", visible_text(diff)))
    assert not words & RAW, words & RAW
    assert not ISO_MONTH.search(visible_text(diff))


@pytest.mark.parametrize(
    ("lang", "words", "foreign"),
    [
        ("pl", ["O Tobie", "Twoje zapisy na wydarzenia", "Data urodzenia"], ["Date of birth"]),
        ("en", ["About you", "Your sign-ups for events", "Date of birth"], ["Data urodzenia"]),
    ],
)
def test_my_data_reads_in_the_users_language_as_a_page_and_a_pdf_beside_the_file(
    app, demo, lang, words, foreign, login_as
):
    from io import BytesIO

    from pypdf import PdfReader

    client = login_as("uczestnik@example.org", PASSWORD)
    export = client.get("/me/my-data.json").get_json()
    html = client.get(f"/me/my-data?lang={lang}").get_data(as_text=True)
    text = visible_text(html)
    for word in words:
        assert word in text
    for word in foreign:
        assert word not in text
    # Labels, not stored values or database ids; dates and months in the page's language.
    assert not ISO_MONTH.search(text), re.findall(r".{80}\b20\d\d-\d\d\b.{20}", text)
    wrong = ENGLISH_NAMES if lang == "pl" else POLISH_NAMES
    assert not wrong.search(text), wrong.findall(text)
    assert export["participant"]["last_name"] in html
    assert '"participant_id"' not in html
    assert "participant_id" not in text
    # The JSON and the PDF are offered beside the page.
    assert 'href="/me/my-data.json"' in html
    assert 'href="/me/my-data?format=pdf"' in html
    pdf = client.get(f"/me/my-data?format=pdf&lang={lang}")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    pdf_words = " ".join((page.extract_text() or "") for page in PdfReader(BytesIO(pdf.data)).pages)
    for word in words:
        assert word in " ".join(pdf_words.split())
    for word in foreign:
        assert word not in pdf_words


def test_staff_see_who_has_no_email_and_print_them_a_letter_in_polish(
    app, make_centre, make_user, make_participant, make_event, make_registration, login_as
):
    from portal.models import Centre, Participant
    from portal.models.enums import Role

    centre = make_centre()
    make_user(Role.COORDINATOR, centre_id=centre, email="koordynator@example.org")
    with_mail = make_participant(centre, last_name="Mailowa")
    by_phone = make_participant(
        centre,
        with_account=False,
        last_name="Telefoniczna",
        first_name="Halina",
    )
    event_id = make_event(centre, title="Piknik rodzinny", capacity=1)
    make_registration(with_mail, event_id)
    waiting = make_registration(by_phone, event_id)  # the one place is taken: waiting, #1
    with app.app_context():
        db.session.get(Centre, centre).phone = "15 872 00 00"
        person = db.session.get(Participant, by_phone)
        assert person.email in (None, "")
        person.phone, person.street, person.building_number = "600100200", "Lipowa", "7"
        person.postcode, person.town = "23-300", "Janów Lubelski"
        db.session.commit()
    client = login_as("koordynator@example.org")

    page = client.get(f"/staff/events/{event_id}?lang=en").get_data(as_text=True)
    rows = {
        name: row
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
        for name in ("Mailowa", "Telefoniczna")
        if name in row
    }
    assert "no e-mail" not in rows["Mailowa"]
    assert "no e-mail" in rows["Telefoniczna"]
    assert "600100200" in rows["Telefoniczna"]
    letter_path = f"/staff/events/{event_id}/registrations/{waiting}/letter"
    assert f'href="{letter_path}"' in rows["Telefoniczna"]

    # The page in the staff member's English; the letter in Polish, marked as such.
    html = client.get(f"{letter_path}?lang=en").get_data(as_text=True)
    assert "Letter to print" in html
    letter = html[html.index('<article class="letter" lang="pl">') : html.index("</article>")]
    text = visible_text(letter.replace('lang="pl"', ""))
    for words in ("Halina Telefoniczna", "Lipowa 7", "23-300 Janów Lubelski", "Piknik rodzinny"):
        assert words in text
    assert "Jesteś nr 1 na liście rezerwowej" in text, text
    assert "15 872 00 00" in text
    assert POLISH_NAMES.search(text)
    assert not ENGLISH_NAMES.search(text)
    # Another centre's registration, or one of another event, is not found.
    other = make_event(centre, title="Inne")
    assert client.get(f"/staff/events/{other}/registrations/{waiting}/letter").status_code == 404


def test_remembered_formats_follow_the_language_asked_for(app):
    """Amounts, days and times are made once per value and language (portal/formatting.py):
    the same value asked for in the other language comes out in that language."""
    when = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 14:00 in Warsaw
    with app.test_request_context():
        with force_locale("pl"):
            polish = (formatting.money(123_456), formatting.date_time(when))
        with force_locale("en"):
            english = (formatting.money(123_456), formatting.date_time(when))
        with force_locale("pl"):
            assert (formatting.money(123_456), formatting.date_time(when)) == polish
    assert polish[0].replace("\xa0", " ") == "1 234,56 zł"
    assert english[0] == "PLN\xa01,234.56"
    assert "14:00" in polish[1]
    assert "gru" in polish[1]
    assert "2:00\u202fPM" in english[1] or "2:00 PM" in english[1]
    assert "Dec" in english[1]
