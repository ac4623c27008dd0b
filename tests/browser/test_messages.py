"""Messages that reach someone, in a real browser: uczestnik@example.org (Tomasz) asks a
question on his shared plan; his advisor (doradca@example.org) sees it counted in her caseload,
opens the plan and answers; Tomasz reads the answer under his question. The pages pass axe in
Polish and in English.
"""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import IndividualPlan, OutboxMessage, Participant, PlanComment, User
from portal.models.base import utcnow
from portal.services.plans import plans
from tests.browser.conftest import DESKTOP, TIMEOUT_MS
from tests.browser.pages import check_both_languages, participant_id, path_is, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the harness skips these tests (or fails them under REQUIRE_BROWSER=1)
    expect = None

ADVISOR = "doradca@example.org"
UCZESTNIK = "uczestnik@example.org"
QUESTION = "Czy kurs operatora wózka jest w soboty?"
ANSWER = "Tak, zajęcia są w soboty od 9:00."


@pytest.fixture
def open_as(browser, demo_site):
    contexts = []

    def open_page(email: str):
        context = browser.new_context(base_url=demo_site.url, viewport=DESKTOP, locale="pl-PL")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, email)
        return page

    yield open_page
    for context in contexts:
        context.close()


def shared_plan(app) -> tuple[int, int]:
    """Tomasz's plan, started and shared by his advisor if the demo has none shared."""
    person_id = participant_id(app, UCZESTNIK)
    with app.app_context():
        person = db.session.get(Participant, person_id)
        advisor = db.session.scalar(select(User).where(User.email == ADVISOR))
        plan = plans.get_for(person_id) or plans.start(person, advisor=advisor, now=utcnow())
        if plan.shared_revision_number is None:
            plans.share(plan, actor=advisor, now=utcnow())
        db.session.commit()
        return person_id, plan.id


def test_a_question_is_asked_seen_in_the_caseload_answered_and_read(app, open_as, axe):
    person_id, plan_id = shared_plan(app)
    plan_path = f"/staff/participants/{person_id}/plan"

    # Tomasz asks.
    tomasz = open_as(UCZESTNIK)
    tomasz.goto("/me/plan")
    tomasz.fill("textarea[name=body]", QUESTION)
    tomasz.locator("main form[action$='/me/plan/comments'] button[type=submit]").click()
    expect(tomasz).to_have_url(path_is("/me/plan"))
    expect(tomasz.locator("#questions")).to_be_visible()
    expect(tomasz.locator("main")).to_contain_text(QUESTION)
    with app.app_context():
        mailed = db.session.scalars(
            select(OutboxMessage.to_address).where(OutboxMessage.to_address == ADVISOR)
        ).all()
    assert mailed, "the advisor is mailed"

    # The advisor sees the question counted in her caseload.
    advisor = open_as(ADVISOR)
    advisor.goto("/staff/caseload?q=Wierzbicki")
    flag = advisor.locator(f"main table a[href='{plan_path}#questions']")
    expect(flag).to_have_count(1)
    check_both_languages(advisor, axe, {"main table": "1 unanswered question"})

    # She opens the plan from the flag and answers.
    advisor.locator(f"main table a[href='{plan_path}#questions']").click()
    expect(advisor).to_have_url(path_is(plan_path))
    section = advisor.locator("section.plan-questions")
    expect(section).to_contain_text(QUESTION)
    check_both_languages(advisor, axe, {"#questions": "Questions from the participant"})
    with app.app_context():
        question = db.session.scalar(
            select(PlanComment).where(PlanComment.plan_id == plan_id, PlanComment.body == QUESTION)
        )
        question_id = question.id
    advisor.fill(f"#answer-{question_id}", ANSWER)
    section.locator("form button[type=submit]").last.click()
    expect(advisor).to_have_url(path_is(plan_path))
    expect(advisor.locator("main .notice[role=status]")).to_be_visible()
    expect(advisor.locator("section.plan-questions")).to_contain_text(ANSWER)
    expect(advisor.locator(f"#answer-{question_id}")).to_have_count(0)
    advisor.goto("/staff/caseload?q=Wierzbicki")
    expect(advisor.locator(f"main table a[href='{plan_path}#questions']")).to_have_count(0)

    # Tomasz reads the answer under his question.
    tomasz.goto("/me/plan")
    expect(tomasz.locator("#questions").locator("xpath=..")).to_contain_text(ANSWER)
    check_both_languages(tomasz, axe, {"#questions": "Your questions and the answers"})
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        assert [a.body for q in plan.questions for a in q.answers if q.id == question_id] == [
            ANSWER
        ]
