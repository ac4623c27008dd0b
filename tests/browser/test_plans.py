"""Issue 4's "Done when", in a real browser: individual development plans (IPRZ).

doradca@example.org (Marta Sowińska) opens Tomasz Wierzbicki's plan from her caseload, starts
it, records a WIS test, writes a SWOT and an advisor-only note, adds two goals and a step,
proposes the forklift course and shares the plan; the PDF for signatures has the goals and not
the note. uczestnik@example.org (Tomasz) reads it in plain language on a phone, never sees the
note (plan page, home page, his data export) and acknowledges it. The advisor and the
coordinator edit the same section at once: the second save gets the conflict page (409) with
its text intact and saves again from there. The advisor compares versions and restores an
older one. Every page visited passes axe in Polish and in English; plan pages fit a 360 px
phone.

The Polish catalogue may still be incomplete, so wording is checked on the English pages and
everything else by URL, ids, classes and states.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    CourseAssignment,
    DiagnosisTest,
    IndividualPlan,
    Participant,
    PlanRevision,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import CourseStatus, PlanStatus
from portal.services.plans import plan_goals, plans
from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS
from tests.browser.pages import (
    check_both_languages,
    expect_lang,
    fits_phone,
    follow_menu,
    normalised,
    participant_id,
    path_is,
    pdf_text,
    sign_in,
)

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

WARSAW = ZoneInfo("Europe/Warsaw")
ADVISOR = "doradca@example.org"  # Marta Sowińska, Tomasz's career advisor
COORDINATOR = "koordynator@example.org"  # Bożena Lisiecka, sees every plan
UCZESTNIK = "uczestnik@example.org"  # Tomasz Wierzbicki
FORKLIFT = "Operator wózka widłowego"

WIS_SUMMARY = "Zainteresowania techniczne, preferowana praca w magazynie."
STRENGTHS = ["Prawo jazdy kat. B", "Sumienność", "Doświadczenie w magazynie"]
WEAKNESSES = ["Długa przerwa w pracy", "Brak uprawnień UDT"]
OPPORTUNITIES = ["Nowe centrum logistyczne w Janowie"]
THREATS = ["Słaby dojazd z Białej Pierwszej"]
NOTE = "Notatka tylko dla doradcy: sprawa alimentacyjna, rozmawiać ostrożnie."
NOTE_MARK = "alimentacyjna"  # a word of the note that appears nowhere else
GOALS = ["Uzyskać uprawnienia operatora wózka", "Podjąć pracę w magazynie"]
DRAFT_GOAL = "Szkic: praca w ochronie"
STEP = "Kurs operatora wózka widłowego w Janowie"

STATUS_NOTICE = "main .notice[role=status]"


# ---------------------------------------------------------------------------------------------
# Helpers


def submit(page, action_ends_with: str) -> None:
    page.locator(f"main form[action$='{action_ends_with}'] button[type=submit]").click()


def plan_of(app, person_id: int) -> dict:
    with app.app_context():
        plan = db.session.scalar(
            select(IndividualPlan).where(IndividualPlan.participant_id == person_id)
        )
        if plan is None:
            return {}
        return {
            "id": plan.id,
            "status": plan.status,
            "version": plan.version_id,
            "strengths": plan.strengths,
            "target_occupations": plan.target_occupations,
            "advisor_notes": plan.advisor_notes,
            "goals": [g.description for g in plan.goals],
            "shared": plan.shared_revision_number,
            "acknowledged_at": plan.acknowledged_at,
        }


def revisions(app, plan_id: int) -> list[PlanRevision]:
    with app.app_context():
        found = db.session.scalars(
            select(PlanRevision)
            .where(PlanRevision.plan_id == plan_id)
            .order_by(PlanRevision.number)
        ).all()
        db.session.expunge_all()
        return list(found)


@pytest.fixture
def open_as(browser, demo_site):
    """`open_as(email, phone=False)`: a signed-in page in a browser context of its own."""
    contexts = []

    def open_page(email: str, *, phone: bool = False):
        options = {"is_mobile": True, "has_touch": True} if phone else {}
        context = browser.new_context(
            base_url=demo_site.url,
            viewport=PHONE if phone else DESKTOP,
            locale="pl-PL",
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, email)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def started_plan(app, demo_site):
    """Tomasz's plan started by his advisor (revision 1), for the tests that do not build it."""

    def start() -> tuple[int, int]:
        person_id = participant_id(app, UCZESTNIK)
        with app.app_context():
            person = db.session.get(Participant, person_id)
            advisor = db.session.scalar(select(User).where(User.email == ADVISOR))
            plan = plans.start(person, advisor=advisor, now=utcnow())
            db.session.commit()
            return person_id, plan.id

    return start


# ---------------------------------------------------------------------------------------------
# 1: the advisor builds and shares the plan; the participant reads and acknowledges it


def test_advisor_builds_and_shares_the_plan_and_the_participant_acknowledges_it(
    app, open_as, axe, screenshot
):
    today = datetime.now(WARSAW).date()  # the centre's day
    person_id = participant_id(app, UCZESTNIK)
    person_path = f"/staff/participants/{person_id}"
    plan_path = f"{person_path}/plan"

    # --- The advisor lands on her caseload and finds Tomasz. ----------------------------------
    advisor = open_as(ADVISOR)
    expect(advisor).to_have_url(path_is("/staff/caseload"))
    expect(advisor.locator("main table tbody tr")).to_have_count(17)  # her 17 people
    advisor.fill("#q", "Wierzbicki")
    advisor.locator("main form[role=search] button[type=submit]").click()
    expect(advisor).to_have_url(re.compile(r"/staff/caseload\?q=Wierzbicki$"))
    rows = advisor.locator("main table tbody tr")
    expect(rows.filter(has_not_text="Wierzbick")).to_have_count(0)  # only the name searched for
    row = rows.filter(has=advisor.locator(f"a[href='{plan_path}']"))
    expect(row.locator("a")).to_have_text("Wierzbicki Tomasz")
    check_both_languages(advisor, axe, {"main h1": "My caseload", "main tbody tr": "no plan yet"})

    row.locator(f"a[href='{plan_path}']").click()
    expect(advisor).to_have_url(path_is(plan_path))
    assert plan_of(app, person_id) == {}
    check_both_languages(advisor, axe, {"main": "This person has no plan yet."})

    # --- The plan is started as a draft. ------------------------------------------------------
    submit(advisor, plan_path)
    expect(advisor).to_have_url(path_is(plan_path))
    expect(advisor.locator(STATUS_NOTICE)).to_be_visible()
    plan = plan_of(app, person_id)
    assert plan["status"] == PlanStatus.DRAFT
    plan_id = plan["id"]
    expect(advisor.locator(f"main form[action='{plan_path}']")).to_have_count(0)

    # The plan page is a task list: each part on a page of its own, none started yet.
    expect(advisor.locator("main table.task-list tbody tr")).to_have_count(9)
    expect(advisor.locator("main table.task-list [data-state=completed]")).to_have_count(0)

    # --- A WIS test, on the page of diagnosis tests. ------------------------------------------
    tests_path = f"{person_path}/diagnosis-tests"
    advisor.locator(f"#task-tests a[href='{tests_path}']").click()
    expect(advisor).to_have_url(path_is(tests_path))
    advisor.select_option("#test-test_type_id", label="WIS")
    advisor.fill("#test-taken_on", today.isoformat())
    advisor.fill("#test-result_summary", WIS_SUMMARY)
    submit(advisor, tests_path)
    expect(advisor).to_have_url(path_is(tests_path))
    expect(advisor.locator(STATUS_NOTICE)).to_be_visible()
    expect(advisor.locator("main ul.recorded")).to_contain_text("WIS")
    with app.app_context():
        test = db.session.scalar(
            select(DiagnosisTest).where(DiagnosisTest.participant_id == person_id)
        )
        assert (test.test_type.name, test.taken_on, test.result_summary) == (
            "WIS",
            today,
            WIS_SUMMARY,
        )

    # --- SWOT, one item per line, saved as a section from its own page. ----------------------
    advisor.goto(plan_path)
    advisor.locator("#task-swot a").click()
    expect(advisor).to_have_url(path_is(f"/staff/plans/{plan_id}/sections/swot"))
    for name, values in (
        ("strengths", STRENGTHS),
        ("weaknesses", WEAKNESSES),
        ("opportunities", OPPORTUNITIES),
        ("threats", THREATS),
    ):
        advisor.fill(f"#swot-{name}", "\n".join(values))
    submit(advisor, f"/plans/{plan_id}/sections/swot")
    expect(advisor).to_have_url(path_is(plan_path))  # back on the task list, told on top
    expect(advisor.locator(STATUS_NOTICE)).to_be_visible()
    expect(advisor.locator("#task-swot [data-state=completed]")).to_be_visible()
    assert plan_of(app, person_id)["strengths"] == STRENGTHS
    advisor.goto(f"/staff/plans/{plan_id}/sections/swot")
    expect(advisor.locator("#swot-strengths")).to_have_value("\n".join(STRENGTHS))

    # --- The advisor's own note. --------------------------------------------------------------
    advisor.goto(f"/staff/plans/{plan_id}/sections/notes")
    advisor.fill("#notes-advisor_notes", NOTE)
    submit(advisor, f"/plans/{plan_id}/sections/notes")
    expect(advisor).to_have_url(path_is(plan_path))
    expect(advisor.locator(STATUS_NOTICE)).to_be_visible()
    expect(advisor.locator("#task-notes [data-state=completed]")).to_be_visible()
    assert plan_of(app, person_id)["advisor_notes"] == NOTE

    # --- A goal dated in the past is refused next to the field, the text kept (both languages).
    yesterday = (today - timedelta(days=1)).isoformat()
    goals_path = f"/staff/plans/{plan_id}/goals"
    for lang in ("pl", "en"):
        advisor.goto(f"{goals_path}?lang={lang}")
        advisor.fill("#goal-description", GOALS[0])
        advisor.fill("#goal-target_date", yesterday)
        with advisor.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/goals")
        ) as posted:
            submit(advisor, f"/plans/{plan_id}/goals")
        assert posted.value.status == 400
        expect_lang(advisor, lang)
        expect(advisor.locator("#goal-target_date")).to_have_attribute("aria-invalid", "true")
        expect(advisor.locator("#goal-target_date-error")).to_be_visible()
        expect(advisor.locator("#goal-description")).to_have_value(GOALS[0])
        expect(advisor.locator("#goal-target_date")).to_have_value(yesterday)
        if lang == "en":
            expect(advisor.locator("#goal-target_date-error")).to_contain_text(
                "The target date cannot be in the past."
            )
        axe(advisor)
    advisor.goto(f"{goals_path}?lang=pl")
    assert plan_of(app, person_id)["goals"] == []

    # --- Two goals with future target dates, and a next step. ---------------------------------
    for number, goal in enumerate(GOALS, start=1):
        advisor.fill("#goal-description", goal)
        advisor.fill("#goal-target_date", (today + timedelta(days=60 * number)).isoformat())
        submit(advisor, f"/plans/{plan_id}/goals")
        expect(advisor).to_have_url(path_is(goals_path))  # to add another
        expect(advisor.locator(STATUS_NOTICE)).to_be_visible()
        expect(advisor.locator("main li.card")).to_have_count(number)
    assert plan_of(app, person_id)["goals"] == GOALS

    actions_path = f"/staff/plans/{plan_id}/actions"
    advisor.goto(actions_path)
    advisor.select_option("#action-kind", "course")
    advisor.fill("#action-description", STEP)
    advisor.fill("#action-due_date", (today + timedelta(days=30)).isoformat())
    advisor.fill("#action-responsible", "Marta Sowińska")
    submit(advisor, f"/plans/{plan_id}/actions")
    expect(advisor).to_have_url(path_is(actions_path))
    expect(advisor.locator("main li.card")).to_have_count(1)
    check_both_languages(advisor, axe, {"main h1": "Actions in the plan", "main li.card": STEP})
    advisor.goto(plan_path)
    check_both_languages(
        advisor,
        axe,
        {"main .details": "Draft", "#task-goals": "Completed", "#task-tests": "Completed"},
    )

    # --- The forklift course, proposed on the participant's page. -----------------------------
    advisor.locator(f"main a[href='{person_path}#courses']").click()
    expect(advisor).to_have_url(path_is(person_path))
    # Each course is offered with its catalogue price beside the name.
    forklift = advisor.locator("#course_id option", has_text=FORKLIFT)
    expect(forklift).to_contain_text("zł")
    advisor.select_option("#course_id", value=forklift.get_attribute("value"))
    advisor.fill("#planned_start", (today + timedelta(days=14)).isoformat())
    advisor.fill("#planned_end", (today + timedelta(days=44)).isoformat())
    # Another amount than the catalogue price, typed (a blank cost would charge the price).
    advisor.fill("#cost", "2 500,00")
    submit(advisor, f"{person_path}/courses")
    expect(advisor).to_have_url(path_is(person_path))
    expect(advisor.locator(STATUS_NOTICE)).to_be_visible()
    course_card = advisor.locator("main li.card", has_text=FORKLIFT)
    expect(course_card).to_have_count(1)
    with app.app_context():
        assignment = db.session.scalar(
            select(CourseAssignment)
            .where(CourseAssignment.participant_id == person_id)
            .order_by(CourseAssignment.id.desc())  # after the demo's 2013 course
        )
        assert (assignment.course.name, assignment.status) == (FORKLIFT, CourseStatus.PROPOSED)
    check_both_languages(advisor, axe, {"main li.card": "Proposed"})

    # --- Back to the plan, shared with Tomasz. ------------------------------------------------
    advisor.locator(f"main a[href='{plan_path}']").click()
    expect(advisor).to_have_url(path_is(plan_path))
    submit(advisor, f"/plans/{plan_id}/share")
    expect(advisor).to_have_url(path_is(plan_path))
    expect(advisor.locator(STATUS_NOTICE)).to_be_visible()
    plan = plan_of(app, person_id)
    assert plan["status"] == PlanStatus.SHARED
    assert plan["shared"] == revisions(app, plan_id)[-1].number
    check_both_languages(advisor, axe, {"main .details": "Shared with the participant"})

    # A goal added after sharing is a draft: Tomasz keeps seeing the version shared with him.
    advisor.goto(goals_path)
    advisor.fill("#goal-description", DRAFT_GOAL)
    submit(advisor, f"/plans/{plan_id}/goals")
    expect(advisor.locator("main li.card")).to_have_count(3)
    advisor.goto(plan_path)
    assert plan_of(app, person_id)["status"] == PlanStatus.SHARED

    # The plan for signatures: the goals, the step, the course; never the note.
    with advisor.expect_download() as info:
        advisor.locator(f"main a[href='/staff/plans/{plan_id}/plan.pdf']").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"iprz-{plan_id}.pdf"
    text = normalised(pdf_text(download.path()))
    for expected in (*GOALS, STEP, FORKLIFT, "Tomasz Wierzbicki", "Marta Sowińska"):
        assert expected in text, (expected, text)
    assert NOTE_MARK not in text, text

    # --- Tomasz, on his phone: the plan on his home page, without the note. -------------------
    tomasz = open_as(UCZESTNIK, phone=True)
    expect(tomasz).to_have_url(path_is("/me/"))
    plan_card = tomasz.locator("main section:has(#plan-title)")
    for goal in GOALS:
        expect(plan_card).to_contain_text(goal)
    expect(plan_card).to_contain_text(STEP)
    expect(tomasz.locator("body")).not_to_contain_text(NOTE_MARK)
    expect(tomasz.locator("body")).not_to_contain_text(DRAFT_GOAL)
    check_both_languages(
        tomasz, axe, {"#plan-title": "Your plan", "main section:has(#plan-title)": "Your goals"}
    )

    # "My plan": plain language, his goals, next steps and courses; not the note.
    follow_menu(tomasz, "/me/plan")  # folded under "Menu" on his phone
    expect(tomasz).to_have_url(path_is("/me/plan"))
    fits_phone(tomasz)
    screenshot(tomasz, "participant-plan-360")
    expect(tomasz.locator("body")).not_to_contain_text(NOTE_MARK)
    expect(tomasz.locator("body")).not_to_contain_text(DRAFT_GOAL)
    acknowledge = tomasz.locator("main form[action='/me/plan/acknowledge'] button[type=submit]")
    expect(acknowledge).to_be_visible()
    check_both_languages(tomasz, axe)
    tomasz.goto("/me/plan?lang=en")
    expect(tomasz.locator("main h2")).to_contain_text(
        ["Your goals", "Your next steps", "Your courses"]
    )
    goals_list = tomasz.locator("main h2:has-text('Your goals') + ul li")
    expect(goals_list).to_have_count(2)
    expect(goals_list).to_contain_text(GOALS)
    expect(tomasz.locator("main h2:has-text('Your next steps') + ul")).to_contain_text(STEP)
    expect(tomasz.locator("main h2:has-text('Your courses') + ul")).to_contain_text(
        f"{FORKLIFT} – Proposed"
    )
    expect(tomasz.locator("main h2:has-text('Your strong points') + ul li")).to_have_text(STRENGTHS)
    expect(tomasz.locator("body")).not_to_contain_text(NOTE_MARK)
    expect(tomasz.locator("body")).not_to_contain_text(DRAFT_GOAL)
    tomasz.goto("/me/plan?lang=pl")

    # Nor in the file of everything the centre holds about him.
    export = tomasz.request.get("/me/my-data.json")
    assert export.ok
    assert GOALS[0] in export.text()
    assert NOTE_MARK not in export.text()
    assert DRAFT_GOAL not in export.text()

    # --- He acknowledges it; both he and the advisor see that. --------------------------------
    acknowledge.click()
    expect(tomasz).to_have_url(path_is("/me/plan"))
    expect(tomasz.locator(STATUS_NOTICE)).to_be_visible()
    expect(acknowledge).to_have_count(0)
    expect(tomasz.locator("main p.notice-success")).to_be_visible()
    plan = plan_of(app, person_id)
    assert plan["status"] == PlanStatus.ACKNOWLEDGED
    assert plan["acknowledged_at"] is not None
    check_both_languages(tomasz, axe, {"main p.notice-success": "You confirmed that you read it"})

    advisor.goto(plan_path)
    check_both_languages(
        advisor,
        axe,
        {
            "main .details div:nth-child(1) dd": "Acknowledged",
            # the version he read, and when he said so
            "main .details div:nth-child(2) dd": f"version {plan['shared']}",
            "main .details div:nth-child(2)": "acknowledged",
        },
    )

    # Every step is in the audit trail; the note's text is not (it is private even there).
    revision_count = len(revisions(app, plan_id))
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "individual_plans", AuditEntry.entity_id == plan_id)
            .order_by(AuditEntry.id)
        ).all()
        actions = [entry.action for entry in entries if entry.action != "document.download"]
        assert actions[-3:] == ["plan.shared", "plan.revision", "plan.acknowledged"], actions
        # The advisor's PDF of the plan left the portal: that is on the trail too.
        assert any(entry.action == "document.download" for entry in entries)
        assert actions.count("plan.revision") == revision_count, actions
        assert all(NOTE_MARK not in str(entry.changes) for entry in entries)


# ---------------------------------------------------------------------------------------------
# 2: two people save the same section; the second keeps their text


def test_a_save_based_on_an_old_version_gets_the_conflict_page_with_the_text_kept(
    app, open_as, axe, screenshot, started_plan
):
    person_id, plan_id = started_plan()
    plan_path = f"/staff/participants/{person_id}/plan"
    section = f"/staff/plans/{plan_id}/sections/market"

    advisor = open_as(ADVISOR)
    advisor.goto(plan_path)

    # The coordinator sees every plan: she opens the same one from "Plans".
    coordinator = open_as(COORDINATOR)
    follow_menu(coordinator, "/staff/caseload")
    expect(coordinator).to_have_url(path_is("/staff/caseload"))
    expect(coordinator.locator("main table tbody tr")).to_have_count(37)  # the whole centre
    check_both_languages(coordinator, axe, {"main h1": "Plans of all participants"})
    coordinator.locator(f"main a[href='{plan_path}']").click()
    expect(coordinator).to_have_url(path_is(plan_path))
    coordinator.locator("#task-market a").click()
    expect(coordinator).to_have_url(path_is(section))

    def first_saves(text: str) -> None:
        advisor.goto(section)
        advisor.fill("#market-target_occupations", text)
        advisor.fill("#market-market_demand", "Magazynierzy z uprawnieniami UDT.")
        submit(advisor, "/sections/market")
        expect(advisor).to_have_url(path_is(plan_path))
        expect(advisor.locator(STATUS_NOTICE)).to_be_visible()
        assert plan_of(app, person_id)["target_occupations"] == text

    def second_saves_on_the_old_page(text: str) -> None:
        coordinator.fill("#market-target_occupations", text)
        with coordinator.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/sections/market")
        ) as posted:
            submit(coordinator, "/sections/market")
        assert posted.value.status == 409
        expect(coordinator).to_have_url(path_is(section))

    def conflict_page_keeps_both(mine: str, theirs: str) -> None:
        expect(coordinator.locator("main .notice[role=alert]")).to_be_visible()
        expect(coordinator.locator("#market-target_occupations")).to_have_value(mine)
        expect(coordinator.locator("#mine-target_occupations")).to_have_text(mine)
        expect(coordinator.locator("#theirs-target_occupations")).to_have_text(theirs)
        expect(coordinator.locator("#theirs-market_demand")).to_contain_text("UDT")
        assert plan_of(app, person_id)["target_occupations"] == theirs  # nothing overwritten

    # Round 1, in Polish.
    first_saves("Magazynier, operator wózka widłowego")
    second_saves_on_the_old_page("Kierowca kat. B")
    conflict_page_keeps_both("Kierowca kat. B", "Magazynier, operator wózka widłowego")
    expect_lang(coordinator, "pl")
    axe(coordinator)

    # Round 2, in English (the conflict page answers a POST: the language is her preference).
    coordinator.goto(f"{section}?lang=en")
    first_saves("Magazynier")
    second_saves_on_the_old_page("Kierowca kat. B, kurier")
    conflict_page_keeps_both("Kierowca kat. B, kurier", "Magazynier")
    expect_lang(coordinator, "en")
    axe(coordinator)
    screenshot(coordinator, "plan-conflict")
    expect(coordinator.locator("main h1")).to_have_text("Someone else saved this plan")
    headers = coordinator.locator("main table thead th")
    expect(headers).to_contain_text(["Your text (not saved)", "Saved now"])

    # She saves again from the conflict page: her text is saved on top of the current version.
    coordinator.locator(f"main form[action='{section}'] button[type=submit]").click()
    expect(coordinator).to_have_url(path_is(plan_path))
    expect(coordinator.locator(STATUS_NOTICE)).to_contain_text("Labour-market analysis")
    coordinator.goto(section)
    expect(coordinator.locator("#market-target_occupations")).to_have_value(
        "Kierowca kat. B, kurier"
    )
    coordinator.goto(f"{plan_path}?lang=pl")
    check_both_languages(coordinator, axe)  # the plan page, as the coordinator

    # Every save is a revision: nothing either of them saved is lost.
    saved = [
        r.snapshot["target_occupations"]
        for r in revisions(app, plan_id)
        if "target_occupations" in r.changes
    ]
    assert saved == [
        "Magazynier, operator wózka widłowego",
        "Magazynier",
        "Kierowca kat. B, kurier",
    ], saved


# ---------------------------------------------------------------------------------------------
# 3-4: history, a comparison, a restored version; the plan page on a phone


def test_history_compares_versions_and_restores_an_older_one(
    app, open_as, axe, screenshot, started_plan
):
    person_id, plan_id = started_plan()
    plan_path = f"/staff/participants/{person_id}/plan"
    history_path = f"/staff/plans/{plan_id}/history"
    today = datetime.now(WARSAW).date()
    with app.app_context():  # revisions 2-4: a SWOT, a market analysis, a goal
        plan = db.session.get(IndividualPlan, plan_id)
        advisor_user = db.session.scalar(select(User).where(User.email == ADVISOR))
        for section, values in (
            ("swot", {"strengths": "\n".join(STRENGTHS), "threats": "\n".join(THREATS)}),
            ("market", {"target_occupations": "Magazynier"}),
        ):
            plans.save_section(
                plan, section, values, version=plan.version_id, actor=advisor_user, now=utcnow()
            )
            db.session.commit()
        plan_goals.add_goal(
            plan,
            description=GOALS[0],
            target_date=today + timedelta(days=90),
            version=plan.version_id,
            actor=advisor_user,
            now=utcnow(),
        )
        db.session.commit()
    assert [r.number for r in revisions(app, plan_id)] == [1, 2, 3, 4]

    # --- The plan page fits a phone. ----------------------------------------------------------
    phone = open_as(ADVISOR, phone=True)
    phone.goto(f"/staff/plans/{plan_id}/sections/market")
    expect(phone.locator("#market-target_occupations")).to_have_value("Magazynier")
    fits_phone(phone)
    phone.goto(plan_path)  # the task list too
    fits_phone(phone)
    screenshot(phone, "staff-plan-360")

    # --- History: four versions, newest first. ------------------------------------------------
    advisor = open_as(ADVISOR)
    advisor.goto(plan_path)
    advisor.locator(f"main a[href='{history_path}']").click()
    expect(advisor).to_have_url(path_is(history_path))
    rows = advisor.locator("main table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first.locator("td").first).to_have_text("4")
    # The newest version cannot be "restored"; every older one can (through a confirmation).
    expect(advisor.locator("main a[href*='/restore/']")).to_have_count(3)
    check_both_languages(advisor, axe, {"main h1": "History of the plan"})

    # --- The first and the last compared. ----------------------------------------------------
    advisor.select_option("#a", "1")
    advisor.select_option("#b", "4")
    advisor.locator("main form.filters button[type=submit]").click()
    expect(advisor).to_have_url(re.compile(rf"{re.escape(history_path)}\?a=1&b=4$"))
    added = advisor.locator("main ul.diff li.diff-added")
    for text in (*STRENGTHS, *THREATS, "Magazynier", GOALS[0]):
        expect(added.filter(has_text=text)).to_have_count(1)
    expect(advisor.locator("main ul.diff li.diff-removed")).to_have_count(0)
    check_both_languages(
        advisor,
        axe,
        {
            "main h2": "Differences between version 1 and 4",
            "main ul.diff li.diff-added": "added:",
        },
    )

    # --- Version 2 (the SWOT only) restored, as a new version 5, after saying what happens. --
    advisor.locator(f"main a[href='/staff/plans/{plan_id}/restore/2']").click()
    check_both_languages(advisor, axe, {"main h1": "Restore version 2?"})
    advisor.locator(f"main form[action='/staff/plans/{plan_id}/restore/2'] button").click()
    expect(advisor).to_have_url(path_is(plan_path))
    expect(advisor.locator(STATUS_NOTICE)).to_be_visible()
    expect(advisor.locator("#task-market [data-state=not-started]")).to_be_visible()
    expect(advisor.locator("#task-swot [data-state=in-progress]")).to_be_visible()
    expect(advisor.locator("#task-goals [data-state=not-started]")).to_be_visible()
    plan = plan_of(app, person_id)
    assert (plan["target_occupations"], plan["goals"], plan["strengths"]) == ("", [], STRENGTHS)
    history = revisions(app, plan_id)
    assert [r.number for r in history] == [1, 2, 3, 4, 5]
    assert history[-1].changes["restored"]["new"] == 2
    check_both_languages(advisor, axe)

    # What the restore took away shows as removed between 4 and 5; 4 is still in the history.
    advisor.goto(f"{history_path}?a=4&b=5")
    expect(rows).to_have_count(5)
    removed = advisor.locator("main ul.diff li.diff-removed")
    expect(removed.filter(has_text="Magazynier")).to_have_count(1)
    expect(removed.filter(has_text=GOALS[0])).to_have_count(1)
    expect(advisor.locator("main ul.diff li.diff-added")).to_have_count(0)
    check_both_languages(advisor, axe)
