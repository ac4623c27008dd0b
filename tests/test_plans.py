"""Individual development plans: revisions that never lose an edit, sharing, lifecycle, access.

The advisor edits the plan a section at a time; every save is a revision and a save based on an
old version gets the conflict page with the typed text intact. The participant sees only the
shared revision, never later drafts nor the advisor's notes. Progress (events attended,
counselling held, courses completed) shows on the plan without anyone typing it twice.
"""

import html
import io
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.i18n import short_date
from portal.models import (
    AuditEntry,
    CounsellingSession,
    Course,
    CourseAssignment,
    DiagnosisTest,
    DiagnosisTestType,
    Event,
    IndividualPlan,
    Participant,
    PlanComment,
    PlanRevision,
    Registration,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import (
    ActionKind,
    ActionStatus,
    Audience,
    CourseStatus,
    EventStatus,
    EventType,
    GoalStatus,
    PlanStatus,
    RegistrationStatus,
    Role,
)
from portal.services import courses, dates, participants, plan_goals, plan_history, plans, progress
from portal.services.errors import PortalError
from tests.conftest import PASSWORD, user_of
from tests.helpers import input_tag, translated

ADVISOR = "doradca@example.org"
OTHER_ADVISOR = "doradca.druga@example.org"
COORDINATOR = "koordynator@example.org"
SOCIAL_WORKER = "pracownik@example.org"


@dataclass
class World:
    centre: int
    advisor: int
    other_advisor: int
    coordinator: int
    person: int  # assigned to ADVISOR, has an account
    person_email: str
    second: int  # also assigned to ADVISOR, has an account, no plan
    second_email: str
    unassigned: int
    test_type: int  # WIS
    course: int


@pytest.fixture
def world(app, make_centre, make_user, make_participant) -> World:
    centre = make_centre()
    advisor = make_user(
        Role.ADVISOR, centre_id=centre, email=ADVISOR, first_name="Dorota", last_name="Doradcza"
    )
    other = make_user(Role.ADVISOR, centre_id=centre, email=OTHER_ADVISOR, last_name="Innowska")
    coordinator = make_user(Role.COORDINATOR, centre_id=centre, email=COORDINATOR)
    make_user(Role.SOCIAL_WORKER, centre_id=centre, email=SOCIAL_WORKER)
    mine = SimpleNamespace(id=advisor)
    person = make_participant(centre, first_name="Janina", last_name="Kowalska", advisor=mine)
    second = make_participant(centre, first_name="Zenon", last_name="Drugi", advisor=mine)
    unassigned = make_participant(centre, first_name="Wolna", last_name="Nieprzypisana")
    with app.app_context():
        wis = DiagnosisTestType(centre_id=centre, name="WIS")
        course = Course(centre_id=centre, name="Operator wózka widłowego")
        db.session.add_all([DiagnosisTestType(centre_id=centre, name="Multiselect"), wis, course])
        db.session.commit()
        return World(
            centre=centre,
            advisor=advisor,
            other_advisor=other,
            coordinator=coordinator,
            person=person,
            person_email=user_of(person).email,
            second=second,
            second_email=user_of(second).email,
            unassigned=unassigned,
            test_type=wis.id,
            course=course.id,
        )


# Helpers: clients, pages and the plan as stored.


def _client(app, email: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, email
    return client


def _today():
    return dates.local_date(utcnow())


def _start(app, world: World, person: int | None = None) -> int:
    with app.app_context():
        plan = plans.start(
            db.session.get(Participant, person or world.person),
            advisor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()
        return plan.id


def _plan_page(client, person: int) -> str:
    response = client.get(f"/staff/participants/{person}/plan")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _version(page: str, prefix: str = "swot") -> int:
    return int(re.search(r'value="(\d+)"', input_tag(page, f"{prefix}-version")).group(1))


def _textarea(page: str, name: str) -> tuple[str, str]:
    """The <textarea> named `name`: its opening tag and its text as the browser shows it."""
    match = re.search(rf'(<textarea[^>]*\bname="{name}"[^>]*>)(.*?)</textarea>', page, re.S)
    assert match, f"no textarea named {name}"
    return match.group(1), html.unescape(match.group(2)).removeprefix("\r\n")


def _field_error(page: str, field_id: str) -> str:
    """The error message rendered next to a field (empty if there is none)."""
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page, re.S)
    return match.group(1) if match else ""


def _post_section(client, plan_id: int, section: str, version: int, **fields):
    data = {f"{section}-version": str(version)}
    data |= {f"{section}-{name}": value for name, value in fields.items()}
    return client.post(f"/staff/plans/{plan_id}/sections/{section}", data=data)


def _current_version(app, plan_id: int) -> int:
    with app.app_context():
        return db.session.get(IndividualPlan, plan_id).version_id


def _revisions(app, plan_id: int) -> list[PlanRevision]:
    """Oldest first, detached for assertions."""
    with app.app_context():
        rows = list(reversed(plan_history.history(plan_id)))
        db.session.expunge_all()
        return rows


def _audit(app, *, since: int = 0) -> list[tuple[str, int | None, dict]]:
    with app.app_context():
        return [
            (entry.action, entry.actor_id, entry.changes)
            for entry in db.session.scalars(
                select(AuditEntry).where(AuditEntry.id > since).order_by(AuditEntry.id)
            )
        ]


def _last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEntry.id))) or 0


def _advisor_edits(app, world: World, plan_id: int, **fields) -> None:
    """A section save through the service, as the assigned advisor (section from the fields)."""
    section = next(name for name, names in plans.SECTIONS.items() if set(fields) <= set(names))
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        values = {name: getattr(plan, name) for name in plans.SECTIONS[section]}
        values = {k: "\n".join(v) if isinstance(v, list) else v for k, v in values.items()}
        plans.save_section(
            plan,
            section,
            values | fields,
            version=plan.version_id,
            actor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()


def _add_goal(app, world: World, plan_id: int, description: str, days: int = 30) -> int:
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        goal = plan_goals.add_goal(
            plan,
            description=description,
            target_date=_today() + timedelta(days=days),
            version=plan.version_id,
            actor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()
        return goal.id


def _add_action(
    app,
    world: World,
    plan_id: int,
    description: str,
    kind: ActionKind = ActionKind.OTHER,
    days: int | None = 14,
) -> int:
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        action = plan_goals.add_action(
            plan,
            kind=kind,
            description=description,
            due_date=_today() + timedelta(days=days) if days is not None else None,
            responsible="Doradca",
            version=plan.version_id,
            actor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()
        return action.id


def _share(app, world: World, plan_id: int) -> None:
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        plans.share(plan, actor=db.session.get(User, world.advisor), now=utcnow())
        db.session.commit()


CONFLICT = (
    "Someone else saved this plan after you opened it. Your text is below, next to "
    "the current version: copy what you need and save again."
)


def _conflict_message(app) -> str:
    return translated(app, CONFLICT)


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


# Starting and saving.


def test_an_advisor_starts_a_plan_for_an_assigned_person_as_a_draft_with_revision_one(app, world):
    client = _client(app, ADVISOR)
    page = _plan_page(client, world.person)
    assert translated(app, "This person has no plan yet.") in page

    assert client.post(f"/staff/participants/{world.person}/plan").status_code == 302
    # Pressing the button twice does not start a second plan.
    assert client.post(f"/staff/participants/{world.person}/plan").status_code == 302

    with app.app_context():
        plan = plans.get_for(world.person)
        assert plan.status == PlanStatus.DRAFT
        assert plan.advisor_id == world.advisor
        assert plan.shared_revision_number is None
        assert db.session.scalar(select(func.count(IndividualPlan.id))) == 1
        plan_id = plan.id
    [first] = _revisions(app, plan_id)
    assert (first.number, first.author_id) == (1, world.advisor)
    assert first.changes == {"status": {"old": None, "new": "draft"}}
    assert first.snapshot["strengths"] == [] and first.snapshot["goals"] == []
    assert ("plan.revision", world.advisor) in [(a, who) for a, who, _ in _audit(app)]
    page = _plan_page(client, world.person)
    assert translated(app, "Draft") in page
    assert _version(page) == _current_version(app, plan_id)


def test_saving_a_section_records_who_when_old_new_and_a_snapshot(app, world):
    plan_id = _start(app, world)
    client = _client(app, ADVISOR)
    version = _version(_plan_page(client, world.person))
    before = utcnow()

    response = _post_section(
        client,
        plan_id,
        "swot",
        version,
        strengths="Punktualność\n\n- Prawo jazdy kat. B  \n",
        weaknesses="",
        opportunities="Nowy zakład w gminie",
        threats="",
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/staff/participants/{world.person}/plan#section-swot"
    )
    first, second = _revisions(app, plan_id)
    assert second.number == 2
    assert second.author_id == world.advisor
    assert before <= second.created_at <= utcnow()
    assert second.changes == {
        "strengths": {"old": [], "new": ["Punktualność", "Prawo jazdy kat. B"]},
        "opportunities": {"old": [], "new": ["Nowy zakład w gminie"]},
    }
    assert second.snapshot["strengths"] == ["Punktualność", "Prawo jazdy kat. B"]
    assert second.snapshot["opportunities"] == ["Nowy zakład w gminie"]
    assert second.snapshot["weaknesses"] == [] and second.snapshot["potential"] == ""
    assert first.snapshot["strengths"] == []  # an older revision is never rewritten
    page = _plan_page(client, world.person)
    assert _textarea(page, "swot-strengths")[1] == "Punktualność\nPrawo jazdy kat. B"
    assert _version(page) > version

    # Another section: only its own fields change; saving the same text again is no revision.
    response = _post_section(
        client,
        plan_id,
        "potential",
        _version(page, "potential"),
        potential="Dobra organizacja pracy",
        predispositions="",
    )
    assert response.status_code == 302
    version = _current_version(app, plan_id)
    response = _post_section(
        client, plan_id, "potential", version, potential="Dobra organizacja pracy"
    )
    assert response.status_code == 302
    revisions = _revisions(app, plan_id)
    assert [r.number for r in revisions] == [1, 2, 3]
    assert revisions[-1].changes == {"potential": {"old": "", "new": "Dobra organizacja pracy"}}
    assert revisions[-1].snapshot["strengths"] == ["Punktualność", "Prawo jazdy kat. B"]
    assert _current_version(app, plan_id) == version


def test_a_save_based_on_an_old_version_gets_the_conflict_page_with_both_texts(app, world):
    plan_id = _start(app, world)
    client = _client(app, ADVISOR)
    opened = _version(_plan_page(client, world.person))
    assert (
        _post_section(client, plan_id, "swot", opened, strengths="Zapisane wcześniej").status_code
        == 302
    )

    mine = "Mój tekst <pisany> długo & starannie\nDruga linia"
    response = _post_section(
        client, plan_id, "swot", opened, strengths=mine, threats="Moje zagrożenie"
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert translated(app, "Someone else saved this plan") in page
    # The typed text is in the form, ready to be saved again, on the current version.
    assert _textarea(page, "swot-strengths")[1] == mine
    assert _textarea(page, "swot-threats")[1] == "Moje zagrożenie"
    current = _current_version(app, plan_id)
    assert _version(page) == current
    # Beside it, what is saved now.
    assert re.search(r'id="theirs-strengths">\s*Zapisane wcześniej\s*<', page)
    assert str(html.escape(mine, quote=False)).split("\n")[0] in page
    # Nothing changed: no revision, the saved text stays.
    assert [r.number for r in _revisions(app, plan_id)] == [1, 2]
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).strengths == ["Zapisane wcześniej"]

    # Sending the conflict page's form (merged by the person) saves on the current version.
    response = _post_section(
        client,
        plan_id,
        "swot",
        current,
        strengths="Zapisane wcześniej\n" + mine,
        threats="Moje zagrożenie",
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(IndividualPlan, plan_id)
        assert saved.strengths == [
            "Zapisane wcześniej",
            "Mój tekst <pisany> długo & starannie",
            "Druga linia",
        ]
        assert saved.threats == ["Moje zagrożenie"]


def test_two_people_saving_the_same_version_one_gets_the_conflict(app, world):
    plan_id = _start(app, world)
    first, second = _client(app, ADVISOR), _client(app, ADVISOR)  # two browser sessions
    first_version = _version(_plan_page(first, world.person))
    second_version = _version(_plan_page(second, world.person))
    assert first_version == second_version

    won = _post_section(first, plan_id, "swot", first_version, strengths="Tekst pierwszej")
    lost = _post_section(second, plan_id, "swot", second_version, strengths="Tekst drugiej")

    assert won.status_code == 302
    assert lost.status_code == 409
    page = lost.get_data(as_text=True)
    assert _textarea(page, "swot-strengths")[1] == "Tekst drugiej"
    assert "Tekst pierwszej" in page
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).strengths == ["Tekst pierwszej"]
    assert len(_revisions(app, plan_id)) == 2


def test_the_service_refuses_a_second_save_on_the_same_version(app, world):
    plan_id = _start(app, world)
    with app.app_context():
        advisor = db.session.get(User, world.advisor)
        plan = db.session.get(IndividualPlan, plan_id)
        version = plan.version_id
        plans.save_section(
            plan, "swot", {"strengths": "Raz"}, version=version, actor=advisor, now=utcnow()
        )
        db.session.commit()
        with pytest.raises(plans.PlanConflict) as conflict:
            plans.save_section(
                plan, "swot", {"strengths": "Dwa"}, version=version, actor=advisor, now=utcnow()
            )
        assert conflict.value.current.strengths == ["Raz"]
        # Goals and actions carry the plan's version too.
        with pytest.raises(plans.PlanConflict):
            plan_goals.add_goal(
                plan,
                description="Cel",
                target_date=None,
                version=version,
                actor=advisor,
                now=utcnow(),
            )
        db.session.rollback()
    assert len(_revisions(app, plan_id)) == 2


def test_a_save_that_read_the_plan_before_a_parallel_commit_is_refused_at_write(app, world):
    """Both read version v; the other commits first; our locked re-read finds v + 1 and refuses."""
    plan_id = _start(app, world)
    with app.app_context():
        advisor = db.session.get(User, world.advisor)
        ours = db.session.get(IndividualPlan, plan_id)
        version = ours.version_id
        assert ours.goals == [] and ours.actions == []
        db.session.expunge(ours)
        db.session.rollback()  # our read is done; SQLite's write lock is released
        with app.app_context():  # the other person's request: a session of its own
            theirs = db.session.get(IndividualPlan, plan_id)
            plans.save_section(
                theirs,
                "swot",
                {"strengths": "Ich tekst"},
                version=version,
                actor=db.session.get(User, world.advisor),
                now=utcnow(),
            )
            db.session.commit()
        db.session.add(ours)
        assert ours.version_id == version  # what we read is stale, but we do not know yet
        with pytest.raises(plans.PlanConflict) as conflict:
            plans.save_section(
                ours,
                "swot",
                {"strengths": "Nasz tekst"},
                version=version,
                actor=advisor,
                now=utcnow(),
            )
        assert conflict.value.current.strengths == ["Ich tekst"]
        db.session.rollback()
    revisions = _revisions(app, plan_id)
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[-1].snapshot["strengths"] == ["Ich tekst"]


# Bad input: a message next to the field, the rest of the form kept.


def test_a_swot_item_without_words_is_refused_next_to_the_field_and_the_form_is_kept(app, world):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, potential="Potencjał zapisany")
    client = _client(app, ADVISOR)
    version = _version(_plan_page(client, world.person))
    typed = {
        "strengths": "Sumienność\n-\nUprzejmość",
        "weaknesses": "Brak doświadczenia",
        "opportunities": "Nowy zakład w gminie",
        "threats": "Dojazd",
    }

    response = _post_section(client, plan_id, "swot", version, **typed)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    message = translated(app, "An item cannot be empty: write a few words or remove the line.")
    assert message in _field_error(page, "swot-strengths")
    tag, text = _textarea(page, "swot-strengths")
    assert 'aria-invalid="true"' in tag and "swot-strengths-error" in tag
    assert text == typed["strengths"]
    for name in ("weaknesses", "opportunities", "threats"):
        tag, text = _textarea(page, f"swot-{name}")
        assert text == typed[name]
        assert "aria-invalid" not in tag
    assert _version(page) == version
    # The other sections still show what is saved.
    assert _textarea(page, "potential-potential")[1] == "Potencjał zapisany"
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).strengths == []
    assert len(_revisions(app, plan_id)) == 2


def test_text_over_the_limit_is_refused_next_to_the_field(app, world):
    plan_id = _start(app, world)
    client = _client(app, ADVISOR)
    version = _version(_plan_page(client, world.person))

    # A SWOT item longer than an item may be.
    long_item = "d" * (plans.ITEM_MAX + 1)
    response = _post_section(
        client, plan_id, "swot", version, strengths="Krótko", threats=f"Dojazd\n{long_item}"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "Each item may have at most %(n)d characters.", n=plans.ITEM_MAX) in (
        _field_error(page, "swot-threats")
    )
    assert 'aria-invalid="true"' in _textarea(page, "swot-threats")[0]
    assert _textarea(page, "swot-threats")[1] == f"Dojazd\n{long_item}"
    assert _textarea(page, "swot-strengths")[1] == "Krótko"

    # A text longer than a section's text may be.
    too_long = "p" * (plans.TEXT_MAX + 1)
    response = _post_section(
        client, plan_id, "potential", version, potential=too_long, predispositions="Cierpliwość"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert _field_error(page, "potential-potential")
    assert 'aria-invalid="true"' in _textarea(page, "potential-potential")[0]
    assert _textarea(page, "potential-potential")[1] == too_long
    assert _textarea(page, "potential-predispositions")[1] == "Cierpliwość"
    assert len(_revisions(app, plan_id)) == 1

    # The service holds the limit without the form, too.
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        with pytest.raises(plans.PlanRefused) as refused:
            plans.save_section(
                plan,
                "market",
                {"market_demand": too_long},
                version=plan.version_id,
                actor=db.session.get(User, world.advisor),
                now=utcnow(),
            )
        assert refused.value.field == "market_demand"
        db.session.rollback()


def test_a_goal_with_a_past_target_date_is_refused_next_to_the_field(app, world):
    plan_id = _start(app, world)
    client = _client(app, ADVISOR)
    version = _version(_plan_page(client, world.person), "goal")
    yesterday = _today() - timedelta(days=1)

    response = client.post(
        f"/staff/plans/{plan_id}/goals",
        data={
            "goal-version": str(version),
            "goal-description": "Zdobyć uprawnienia operatora wózka",
            "goal-target_date": yesterday.isoformat(),
        },
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "The target date cannot be in the past.") in _field_error(
        page, "goal-target_date"
    )
    assert 'aria-invalid="true"' in input_tag(page, "goal-target_date")
    assert f'value="{yesterday.isoformat()}"' in input_tag(page, "goal-target_date")
    assert 'value="Zdobyć uprawnienia operatora wózka"' in input_tag(page, "goal-description")
    # The same for an action's due date.
    response = client.post(
        f"/staff/plans/{plan_id}/actions",
        data={
            "action-version": str(version),
            "action-kind": "course",
            "action-description": "Zapis na kurs",
            "action-due_date": yesterday.isoformat(),
            "action-responsible": "Doradca",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "The due date cannot be in the past.") in _field_error(
        page, "action-due_date"
    )
    assert 'value="Zapis na kurs"' in input_tag(page, "action-description")
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        assert plan.goals == [] and plan.actions == []
    assert len(_revisions(app, plan_id)) == 1

    # Today is fine.
    response = client.post(
        f"/staff/plans/{plan_id}/goals",
        data={
            "goal-version": str(version),
            "goal-description": "Zdobyć uprawnienia operatora wózka",
            "goal-target_date": _today().isoformat(),
        },
    )
    assert response.status_code == 302


def test_an_unknown_course_is_refused(app, world, make_centre):
    elsewhere = make_centre()
    with app.app_context():
        foreign = Course(centre_id=elsewhere, name="Kurs z innego ośrodka")
        retired = Course(centre_id=world.centre, name="Kurs wycofany", is_active=False)
        db.session.add_all([foreign, retired])
        db.session.commit()
        person = db.session.get(Participant, world.person)
        advisor = db.session.get(User, world.advisor)
        for course_id in (999_999, foreign.id, retired.id):
            with pytest.raises(courses.CourseRefused) as refused:
                courses.propose(
                    person,
                    course_id,
                    planned_start=None,
                    planned_end=None,
                    cost_grosze=0,
                    actor=advisor,
                    now=utcnow(),
                )
            assert refused.value.field == "course_id"
            assert str(refused.value.message) == translated(
                app, "Choose a course from the catalogue.", html=False
            )
        db.session.rollback()
        assert db.session.scalar(select(func.count(CourseAssignment.id))) == 0
        # The catalogue's own course is accepted.
        courses.propose(
            person,
            world.course,
            planned_start=None,
            planned_end=None,
            cost_grosze=0,
            actor=advisor,
            now=utcnow(),
        )
        db.session.commit()


# Goals, actions, history and restore.


def test_a_goal_added_on_an_old_version_is_refused_with_the_typed_goal_kept(app, world):
    plan_id = _start(app, world)
    client = _client(app, ADVISOR)
    opened = _version(_plan_page(client, world.person), "goal")
    _advisor_edits(app, world, plan_id, strengths="Zapisane w międzyczasie")
    target = (_today() + timedelta(days=90)).isoformat()

    response = client.post(
        f"/staff/plans/{plan_id}/goals",
        data={
            "goal-version": str(opened),
            "goal-description": "Cel wpisany <długo>",
            "goal-target_date": target,
        },
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert _conflict_message(app) in page
    assert 'value="Cel wpisany &lt;długo&gt;"' in input_tag(page, "goal-description")
    assert f'value="{target}"' in input_tag(page, "goal-target_date")
    # The form now carries the current version: sending it again adds the goal.
    current = _current_version(app, plan_id)
    assert _version(page, "goal") == current
    assert "Zapisane w międzyczasie" in _textarea(page, "swot-strengths")[1]
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).goals == []
    response = client.post(
        f"/staff/plans/{plan_id}/goals",
        data={
            "goal-version": str(current),
            "goal-description": "Cel wpisany <długo>",
            "goal-target_date": target,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        [goal] = db.session.get(IndividualPlan, plan_id).goals
        assert goal.description == "Cel wpisany <długo>"


def test_goal_and_action_changes_are_revisions(app, world):
    plan_id = _start(app, world)
    client = _client(app, ADVISOR)
    target = _today() + timedelta(days=60)
    version = _version(_plan_page(client, world.person), "goal")

    response = client.post(
        f"/staff/plans/{plan_id}/goals",
        data={
            "goal-version": str(version),
            "goal-description": "Praca jako operator wózka",
            "goal-target_date": target.isoformat(),
        },
    )
    assert response.status_code == 302
    version = _version(_plan_page(client, world.person), "action")
    response = client.post(
        f"/staff/plans/{plan_id}/actions",
        data={
            "action-version": str(version),
            "action-kind": "course",
            "action-description": "Kurs operatora wózka",
            "action-due_date": (target - timedelta(days=30)).isoformat(),
            "action-responsible": "Doradca",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        goal_id, action_id, version = plan.goals[0].id, plan.actions[0].id, plan.version_id

    assert (
        client.post(
            f"/staff/plans/{plan_id}/goals/{goal_id}/status",
            data={"status": "achieved", "version": str(version)},
        ).status_code
        == 302
    )
    version = _current_version(app, plan_id)
    assert (
        client.post(
            f"/staff/plans/{plan_id}/actions/{action_id}/status",
            data={"status": "done", "version": str(version)},
        ).status_code
        == 302
    )
    # A state change on an old version is refused, not applied.
    response = client.post(
        f"/staff/plans/{plan_id}/actions/{action_id}/status",
        data={"status": "cancelled", "version": str(version)},
        follow_redirects=True,
    )
    assert _conflict_message(app) in response.get_data(as_text=True)

    revisions = _revisions(app, plan_id)
    assert [r.number for r in revisions] == [1, 2, 3, 4, 5]
    assert [list(r.changes) for r in revisions[1:]] == [
        ["goal"],
        ["action"],
        ["goal Praca jako operator wózka"],
        ["action Kurs operatora wózka"],
    ]
    assert revisions[3].changes["goal Praca jako operator wózka"] == {
        "old": "open",
        "new": "achieved",
    }
    assert revisions[1].snapshot["goals"] == [
        {
            "description": "Praca jako operator wózka",
            "target_date": target.isoformat(),
            "status": "open",
        }
    ]
    assert revisions[2].snapshot["actions"][0]["status"] == "planned"
    assert revisions[3].snapshot["goals"][0]["status"] == "achieved"
    assert revisions[4].snapshot["actions"][0]["status"] == "done"
    assert all(r.author_id == world.advisor for r in revisions)
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).actions[0].status == ActionStatus.DONE


def test_history_lists_revisions_and_shows_the_differences(app, world):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="Punktualność\nSumienność")
    _advisor_edits(app, world, plan_id, strengths="Sumienność\nKomunikatywność")
    client = _client(app, ADVISOR)

    page = client.get(f"/staff/plans/{plan_id}/history").get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", page)
    assert rows == [("3", "Dorota Doradcza"), ("2", "Dorota Doradcza"), ("1", "Dorota Doradcza")]

    response = client.get(f"/staff/plans/{plan_id}/history?a=2&b=3")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert translated(app, "Differences between version %(a)d and %(b)d", a=2, b=3) in page
    lines = re.findall(
        r'<li class="diff-(\w+)">(?:<span[^>]*>[^<]*</span>[−+] )?([^<]*)</li>', page
    )
    assert lines == [
        ("removed", "Punktualność"),
        ("kept", "Sumienność"),
        ("added", "Komunikatywność"),
    ]
    # The order of a and b does not matter; from the start everything is added.
    page = client.get(f"/staff/plans/{plan_id}/history?a=3&b=1").get_data(as_text=True)
    assert translated(app, "Differences between version %(a)d and %(b)d", a=1, b=3) in page
    assert re.findall(r'<li class="diff-(\w+)">', page) == ["added", "added"]
    assert client.get(f"/staff/plans/{plan_id}/history?a=1&b=9").status_code == 404


def test_restoring_an_older_revision_makes_a_new_revision_with_its_content(app, world):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="Stara mocna strona")
    goal = _add_goal(app, world, plan_id, "Cel do zachowania")
    _add_action(app, world, plan_id, "Krok do zachowania", ActionKind.JOB_SEARCH)
    _advisor_edits(app, world, plan_id, advisor_notes="Notatka z wersji 5")
    kept = _revisions(app, plan_id)[-1]
    assert kept.number == 5
    # Later: everything changes.
    _advisor_edits(app, world, plan_id, strengths="Nowa mocna strona")
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        plan_goals.set_goal_status(
            plan,
            goal,
            GoalStatus.ABANDONED,
            version=plan.version_id,
            actor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()
    _add_goal(app, world, plan_id, "Cel późniejszy")
    _advisor_edits(app, world, plan_id, advisor_notes="")
    client = _client(app, ADVISOR)
    version = _current_version(app, plan_id)

    # On an old version the restore is refused.
    response = client.post(
        f"/staff/plans/{plan_id}/restore/5",
        data={"version": str(version - 1)},
        follow_redirects=True,
    )
    assert _conflict_message(app) in response.get_data(as_text=True)
    assert len(_revisions(app, plan_id)) == 9

    response = client.post(f"/staff/plans/{plan_id}/restore/5", data={"version": str(version)})

    assert response.status_code == 302
    revisions = _revisions(app, plan_id)
    assert [r.number for r in revisions] == list(range(1, 11))
    restored = revisions[-1]
    assert restored.snapshot == kept.snapshot
    assert restored.changes["restored"] == {"old": None, "new": 5}
    assert restored.changes["strengths"] == {
        "old": ["Nowa mocna strona"],
        "new": ["Stara mocna strona"],
    }
    assert revisions[4].snapshot == kept.snapshot  # the old one is untouched
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        assert plans.snapshot(plan) == kept.snapshot
        assert [(g.description, g.status) for g in plan.goals] == [
            ("Cel do zachowania", GoalStatus.OPEN)
        ]
        assert plan.advisor_notes == "Notatka z wersji 5"
    assert (
        client.post(f"/staff/plans/{plan_id}/restore/99", data={"version": "1"}).status_code == 404
    )


def test_damaged_versions_states_and_revision_numbers_get_a_message_or_404_never_500(app, world):
    plan_id = _start(app, world)
    goal = _add_goal(app, world, plan_id, "Cel")
    action = _add_action(app, world, plan_id, "Krok")
    client = _client(app, ADVISOR)
    version = str(_current_version(app, plan_id))
    huge = "9" * 30
    damaged = translated(app, "The form is damaged. Reload the page.")
    choose = translated(app, "Choose a state.")
    goal_url = f"/staff/plans/{plan_id}/goals/{goal}/status"
    action_url = f"/staff/plans/{plan_id}/actions/{action}/status"
    before = len(_revisions(app, plan_id))

    for url, data, message in [
        (goal_url, {"status": "achieved", "version": "abc"}, damaged),
        (goal_url, {"status": "achieved", "version": huge}, damaged),
        (goal_url, {"status": "nonsense", "version": version}, choose),
        (goal_url, {"version": version}, choose),
        (action_url, {"status": "achieved", "version": version}, choose),  # a goal's state
        (f"/staff/plans/{plan_id}/restore/1", {"version": huge}, damaged),
        (f"/staff/plans/{plan_id}/restore/1", {"version": "1e3"}, damaged),
        (f"/staff/plans/{plan_id}/goals", {"goal-version": huge, "goal-description": "x"}, damaged),
    ]:
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code in (200, 400), (url, data, response.status_code)
        assert message in response.get_data(as_text=True), (url, data)
    response = _post_section(client, plan_id, "swot", huge, strengths="Nowa")
    assert response.status_code == 400
    assert damaged in response.get_data(as_text=True)
    assert len(_revisions(app, plan_id)) == before

    # Numbers in the address: a revision that cannot exist is not found.
    for query in ("a=abc&b=1", f"a=1&b={huge}", "a=1", "a=&b=", "a=-1&b=1"):
        assert client.get(f"/staff/plans/{plan_id}/history?{query}").status_code == 404, query
    response = client.post(f"/staff/plans/{plan_id}/restore/{huge}", data={"version": version})
    assert response.status_code == 404
    assert client.get(f"/staff/plans/{plan_id}/history?a=1&b=1").status_code == 200


# Sharing with the participant.


def test_sharing_shows_the_current_revision_to_the_participant(app, world):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="Sumienność")
    client = _client(app, ADVISOR)
    before = utcnow()

    assert client.post(f"/staff/plans/{plan_id}/share").status_code == 302

    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        assert plan.status == PlanStatus.SHARED
        assert plan.shared_revision_number == 2
        assert before <= plan.shared_at <= utcnow()
    _advisor_edits(app, world, plan_id, strengths="Sumienność\nDopisek")
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).shared_revision_number == 2
    assert client.post(f"/staff/plans/{plan_id}/share").status_code == 302
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).shared_revision_number == 3


def test_the_participant_sees_only_the_shared_version_never_drafts_or_notes(app, world):
    plan_id = _start(app, world)
    advisor = _client(app, ADVISOR)
    me = _client(app, world.person_email)
    assert translated(app, "Your career advisor has not shared a plan with you yet.") in (
        me.get("/me/plan").get_data(as_text=True)
    )
    version = _version(_plan_page(advisor, world.person), "notes")
    response = _post_section(
        advisor, plan_id, "notes", version, advisor_notes="NOTATKA-TAJNA-1 trudna sytuacja"
    )
    assert response.status_code == 302
    _advisor_edits(app, world, plan_id, strengths="Sumienność")
    _advisor_edits(app, world, plan_id, target_occupations="Magazynier")
    _add_goal(app, world, plan_id, "Praca w magazynie")
    _add_action(app, world, plan_id, "Kurs na wózek widłowy", ActionKind.COURSE)
    # A draft never shared: nothing of it reaches the participant, who cannot act on it either.
    for path in ("/me/plan", "/me/", "/me/my-data.json"):
        page = me.get(path).get_data(as_text=True)
        for text in ("Sumienność", "Magazynier", "Praca w magazynie", "NOTATKA-TAJNA"):
            assert text not in page, (path, text)
    assert translated(app, "Your career advisor has not shared a plan with you yet.") in (
        me.get("/me/plan").get_data(as_text=True)
    )
    assert me.post("/me/plan/acknowledge").status_code == 404
    assert me.post("/me/plan/comments", data={"body": "Pytanie"}).status_code == 404
    assert advisor.post(f"/staff/plans/{plan_id}/share").status_code == 302
    # After sharing: drafts the participant must not see yet, and a new note.
    _advisor_edits(app, world, plan_id, strengths="Sumienność\nDOPISEK-NIEUDOSTĘPNIONY")
    _add_goal(app, world, plan_id, "CEL-NIEUDOSTĘPNIONY")
    _advisor_edits(app, world, plan_id, advisor_notes="NOTATKA-TAJNA-2")
    hidden = ("NOTATKA-TAJNA", "NIEUDOSTĘPNION", "trudna sytuacja")

    plan_page = me.get("/me/plan").get_data(as_text=True)
    home = me.get("/me/").get_data(as_text=True)
    export = me.get("/me/my-data.json")
    exported = json.loads(export.data)
    pdf = _pdf_text(advisor.get(f"/staff/plans/{plan_id}/plan.pdf"))

    for shown in ("Sumienność", "Magazynier", "Praca w magazynie", "Kurs na wózek widłowy"):
        assert shown in plan_page, shown
    assert "Praca w magazynie" in home and "Kurs na wózek widłowy" in home
    assert translated(app, "Your goals") in plan_page
    assert translated(app, "Your next steps") in plan_page
    shared = exported["individual_plan_shared_with_you"]
    assert shared["strengths"] == ["Sumienność"]
    assert [g["description"] for g in shared["goals"]] == ["Praca w magazynie"]
    assert "advisor_notes" not in shared
    # The PDF is the advisor's print of the plan for signatures; the note is never on it.
    assert "Janina Kowalska" in pdf and "Sumienność" in pdf and "Praca w magazynie" in pdf
    for text in hidden:
        assert text not in plan_page, text
        assert text not in home, text
        assert text not in export.get_data(as_text=True), text
    for text in ("NOTATKA-TAJNA", "trudna sytuacja"):
        assert text not in pdf, text
    # The advisor's own page does show the note (it is theirs).
    assert "NOTATKA-TAJNA-2" in _plan_page(advisor, world.person)


def test_the_participant_acknowledges_and_asks_a_question_the_advisor_sees(app, world):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="Sumienność")
    _share(app, world, plan_id)
    me = _client(app, world.person_email)
    page = me.get("/me/plan").get_data(as_text=True)
    assert translated(app, "I have read my plan") in page
    before = utcnow()

    assert me.post("/me/plan/acknowledge").status_code == 302

    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        assert plan.status == PlanStatus.ACKNOWLEDGED
        assert before <= plan.acknowledged_at <= utcnow()
        participant_user = user_of(world.person).id
    entries = _audit(app)
    assert ("plan.acknowledged", participant_user) in [(a, who) for a, who, _ in entries]
    page = me.get("/me/plan").get_data(as_text=True)
    assert translated(app, "I have read my plan") not in page
    # Acknowledging twice changes nothing.
    me.post("/me/plan/acknowledge")
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).acknowledged_at == plan.acknowledged_at

    response = me.post("/me/plan/comments", data={"body": "   "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    response = me.post(
        "/me/plan/comments", data={"body": "Czy mogę zacząć kurs w marcu? <b>pilne</b>"}
    )
    assert response.status_code == 302

    advisor_page = _plan_page(_client(app, ADVISOR), world.person)
    assert "Czy mogę zacząć kurs w marcu? &lt;b&gt;pilne&lt;/b&gt;" in advisor_page
    with app.app_context():
        [entry] = db.session.scalars(select(PlanComment)).all()
        assert entry.author_id == participant_user
    assert ("plan.comment", participant_user) in [(a, who) for a, who, _ in _audit(app)]


# Lifecycle.


def test_a_completed_plan_is_read_only_until_reopened_with_a_reason(app, world):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="Sumienność")
    advisor = _client(app, ADVISOR)
    me = _client(app, world.person_email)

    def status():
        with app.app_context():
            return db.session.get(IndividualPlan, plan_id).status

    # Not yet acknowledged: it cannot start nor be completed.
    assert advisor.post(f"/staff/plans/{plan_id}/begin").status_code == 302
    assert advisor.post(f"/staff/plans/{plan_id}/complete").status_code == 302
    assert status() == PlanStatus.DRAFT
    advisor.post(f"/staff/plans/{plan_id}/share")
    assert status() == PlanStatus.SHARED
    me.post("/me/plan/acknowledge")
    assert status() == PlanStatus.ACKNOWLEDGED
    advisor.post(f"/staff/plans/{plan_id}/begin")
    assert status() == PlanStatus.IN_PROGRESS
    advisor.post(f"/staff/plans/{plan_id}/complete")
    assert status() == PlanStatus.COMPLETED
    revisions = len(_revisions(app, plan_id))

    # Read-only: sections, goals, actions, states and restore are all refused.
    version = _current_version(app, plan_id)
    response = _post_section(advisor, plan_id, "swot", version, strengths="Zmiana po końcu")
    assert response.status_code == 400
    read_only = translated(app, "The plan is completed and read-only. Reopen it to change it.")
    assert read_only in response.get_data(as_text=True)
    response = advisor.post(
        f"/staff/plans/{plan_id}/goals",
        data={"goal-version": str(version), "goal-description": "Nowy cel"},
    )
    assert response.status_code == 400
    response = advisor.post(
        f"/staff/plans/{plan_id}/restore/1", data={"version": str(version)}, follow_redirects=True
    )
    assert read_only in response.get_data(as_text=True)
    assert len(_revisions(app, plan_id)) == revisions
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        assert plan.strengths == ["Sumienność"] and plan.goals == []
        with pytest.raises(plans.PlanRefused):
            plans.share(plan, actor=db.session.get(User, world.advisor), now=utcnow())

    # Reopening needs a reason.
    response = advisor.post(
        f"/staff/plans/{plan_id}/reopen", data={"reason": "  "}, follow_redirects=True
    )
    assert translated(app, "Give the reason for reopening the plan.") in response.get_data(
        as_text=True
    )
    assert status() == PlanStatus.COMPLETED
    response = advisor.post(f"/staff/plans/{plan_id}/reopen", data={"reason": "Nowa oferta pracy"})
    assert response.status_code == 302
    assert status() == PlanStatus.IN_PROGRESS
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).reopened_reason == "Nowa oferta pracy"
    version = _current_version(app, plan_id)
    response = _post_section(advisor, plan_id, "swot", version, strengths="Zmiana po wznowieniu")
    assert response.status_code == 302
    actions = [a for a, _, _ in _audit(app) if a.startswith("plan.") and a != "plan.revision"]
    assert actions == [
        "plan.shared",
        "plan.acknowledged",
        "plan.in_progress",
        "plan.completed",
        "plan.in_progress",
    ]
    reopened = [c for a, _, c in _audit(app) if a == "plan.in_progress"][-1]
    assert reopened["reopened_reason"]["new"] == "Nowa oferta pracy"


# Progress that records itself.


def _event(app, world: World, title: str, starts_at) -> int:
    with app.app_context():
        project = participants.current_project(world.centre)
        event = Event(
            centre_id=world.centre,
            project_id=project.id,
            event_type=EventType.INTEGRATION_MEETING,
            title=title,
            place="Świetlica",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            capacity=10,
            status=EventStatus.PUBLISHED,
            audience=Audience.PROJECT,
        )
        db.session.add(event)
        db.session.commit()
        return event.id


def _registration(app, world: World, event_id: int, status: RegistrationStatus) -> None:
    with app.app_context():
        db.session.add(
            Registration(
                centre_id=world.centre,
                event_id=event_id,
                participant_id=world.person,
                status=status,
                queue_number=1,
            )
        )
        db.session.commit()


def test_attendance_counselling_and_courses_show_on_the_plan_without_retyping(app, world):
    plan_id = _start(app, world)
    with app.app_context():  # the plan began a month ago
        db.session.execute(
            update(IndividualPlan)
            .where(IndividualPlan.id == plan_id)
            .values(created_at=utcnow() - timedelta(days=30))
        )
        db.session.commit()
    now = utcnow()
    attended = _event(app, world, "Spotkanie integracyjne PAL", now - timedelta(days=2))
    missed = _event(app, world, "Warsztaty, na których nie była", now - timedelta(days=3))
    _registration(app, world, attended, RegistrationStatus.ATTENDED)
    _registration(app, world, missed, RegistrationStatus.ABSENT)
    counselling = _add_action(app, world, plan_id, "Doradztwo indywidualne", ActionKind.COUNSELLING)
    course = _add_action(app, world, plan_id, "Kurs operatora", ActionKind.COURSE)
    other = _add_action(app, world, plan_id, "Udział w spotkaniach PAL", ActionKind.OTHER)
    job_search = _add_action(app, world, plan_id, "Szukanie pracy", ActionKind.JOB_SEARCH)
    advisor = _client(app, ADVISOR)

    response = advisor.post(
        f"/staff/participants/{world.person}/counselling-sessions",
        data={
            "session-kind": "individual",
            "session-held_on": _today().isoformat(),
            "session-duration_minutes": "60",
            "session-notes": "Rozmowa o kursie",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.get(Participant, world.person)
        user = db.session.get(User, world.advisor)
        assignment = courses.propose(
            person,
            world.course,
            planned_start=None,
            planned_end=None,
            cost_grosze=0,
            actor=user,
            now=utcnow(),
        )
        courses.enrol(assignment, actor=user, now=utcnow())
        courses.complete(
            assignment,
            certificate_number="UDT/2026/77",
            completed_on=_today(),
            actor=user,
            now=utcnow(),
        )
        db.session.commit()
        assert assignment.status == CourseStatus.COMPLETED

    page = _plan_page(advisor, world.person)
    assert "Spotkanie integracyjne PAL" in page
    assert "Warsztaty, na których nie była" not in page
    assert translated(app, "Individual counselling") in page
    assert "Operator wózka widłowego (UDT/2026/77)" in page
    recorded = translated(app, "Recorded so far: %(n)d", n=1)
    assert page.count(recorded) == 3
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        evidence = progress.action_evidence(plan, progress.get_for(world.person))
    assert evidence == {counselling: 1, course: 1, other: 1, job_search: 0}


def test_diagnosis_tests_are_recorded_with_a_type_from_the_list(app, world):
    advisor = _client(app, ADVISOR)
    tomorrow = _today() + timedelta(days=1)
    response = advisor.post(
        f"/staff/participants/{world.person}/diagnosis-tests",
        data={
            "test-test_type_id": str(world.test_type),
            "test-taken_on": tomorrow.isoformat(),
            "test-result_summary": "Zainteresowania techniczne",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "The date cannot be in the future.") in _field_error(
        page, "test-taken_on"
    )
    assert _textarea(page, "test-result_summary")[1] == "Zainteresowania techniczne"

    response = advisor.post(
        f"/staff/participants/{world.person}/diagnosis-tests",
        data={
            "test-test_type_id": str(world.test_type),
            "test-taken_on": _today().isoformat(),
            "test-result_summary": "Zainteresowania techniczne",
        },
    )
    assert response.status_code == 302
    page = _plan_page(advisor, world.person)
    assert "WIS" in page and "Zainteresowania techniczne" in page
    with app.app_context():
        [test] = db.session.scalars(select(DiagnosisTest)).all()
        assert (test.participant_id, test.advisor_id) == (world.person, world.advisor)


# Access: every route of the plan, every role.

EXTRA_ENDPOINTS = {
    "staff.diagnosis_test_add",
    "staff.counselling_session_add",
    "staff.assign_advisor",
}
ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


def _plan_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every route of this issue, from the app's url_map."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXTRA_ENDPOINTS or rule.endpoint.startswith(
            ("staff.plan_", "participant.plan")
        ):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, rule.rule, method))
    return sorted(routes)


def _url(rule: str, ids: dict) -> str:
    def substitute(match):
        assert match.group(1) in ids, f"{rule}: no value for <{match.group(1)}>; add one"
        return str(ids[match.group(1)])

    return ARGUMENT.sub(substitute, rule)


# Sent with every POST: enough for the forms to get to the access check and beyond.
FORM = {
    "reason": "Sprawdzenie dostępu",
    "body": "Pytanie",
    "status": "achieved",
    "version": "1",
    "swot-version": "1",
    "swot-strengths": "Wpis z testu dostępu",
    "advisor_id": "0",
}


@pytest.fixture
def shared_plan(app, world):
    """The first person's plan: shared, with a goal, an action and a private note."""
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="PIERWSZA-OSOBA-MOCNA-STRONA")
    _advisor_edits(app, world, plan_id, advisor_notes="PIERWSZA-OSOBA-NOTATKA")
    goal = _add_goal(app, world, plan_id, "PIERWSZA-OSOBA-CEL")
    action = _add_action(app, world, plan_id, "PIERWSZA-OSOBA-KROK")
    _share(app, world, plan_id)
    return {
        "participant_id": world.person,
        "plan_id": plan_id,
        "goal_id": goal,
        "action_id": action,
        "number": 1,
        "section": "swot",
    }


def _state(app, plan_id: int) -> tuple:
    """Everything a request could change about the plan and the person."""
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        person = db.session.get(Participant, plan.participant_id)
        return (
            plan.version_id,
            plan.status,
            plan.acknowledged_at,
            person.advisor_id,
            db.session.scalar(select(func.count(PlanRevision.id))),
            db.session.scalar(select(func.count(PlanComment.id))),
            db.session.scalar(select(func.count(DiagnosisTest.id))),
            db.session.scalar(select(func.count(CounsellingSession.id))),
            db.session.scalar(select(func.count(AuditEntry.id))),
        )


def test_every_plan_route_refuses_everyone_but_the_assigned_advisor_and_the_coordinator(
    app, world, shared_plan
):
    routes = _plan_routes(app)
    endpoints = {endpoint for endpoint, _, _ in routes}
    assert {"staff.plan_page", "staff.plan_section", "staff.plan_restore", "staff.plan_pdf"} <= (
        endpoints
    )
    assert {"participant.plan", "participant.plan_acknowledge", "participant.plan_comment"} <= (
        endpoints
    )
    assert len(routes) >= 20
    before = _state(app, shared_plan["plan_id"])
    problems = []

    def expect(who: str, client, allowed, hidden: str | None = "PIERWSZA-OSOBA") -> None:
        for endpoint, rule, method in routes:
            response = client.open(
                _url(rule, shared_plan), method=method, data=FORM if method == "POST" else None
            )
            want = allowed(endpoint)
            page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            if response.status_code not in want or (hidden and hidden in page):
                problems.append(f"{who} {method} {rule}: {response.status_code}, want {want}")

    def staff(endpoint):
        return endpoint.startswith("staff.")

    # An advisor the person is not assigned to: not found (the assignment is the coordinator's).
    expect(
        "other advisor",
        _client(app, OTHER_ADVISOR),
        lambda e: (403,) if not staff(e) or e == "staff.assign_advisor" else (404,),
    )
    expect("social worker", _client(app, SOCIAL_WORKER), lambda e: (403,))
    expect(
        "second participant",
        _client(app, world.second_email),
        lambda e: (403,) if staff(e) else (200,) if e == "participant.plan" else (404,),
    )
    assert problems == []
    assert _state(app, shared_plan["plan_id"]) == before  # nothing changed, no trace written
    expect(
        "participant",
        _client(app, world.person_email),
        lambda e: (403,) if staff(e) else (200, 302),
        hidden="PIERWSZA-OSOBA-NOTATKA",  # their own plan, but never the advisor's note
    )
    assert problems == []
    after = list(_state(app, shared_plan["plan_id"]))
    # The person's own acknowledgement and question are the only changes so far.
    assert after[1] == PlanStatus.ACKNOWLEDGED and after[5] == 1
    assert after[3:5] == list(before[3:5]) and after[6:8] == list(before[6:8])

    # The second participant's /me/plan shows no plan at all.
    page = _client(app, world.second_email).get("/me/plan").get_data(as_text=True)
    assert translated(app, "Your career advisor has not shared a plan with you yet.") in page

    # The assigned advisor and the coordinator may use every route (the coordinator assigns).
    problems.clear()
    expect(
        "advisor",
        _client(app, ADVISOR),
        lambda e: (403,) if not staff(e) or e == "staff.assign_advisor" else (200, 302, 400, 409),
        hidden=None,
    )
    expect(
        "coordinator",
        _client(app, COORDINATOR),
        lambda e: (403,) if not staff(e) else (200, 302, 400, 409),
        hidden=None,
    )
    assert problems == []

    # Signed out: every route asks to sign in.
    anonymous = app.test_client()
    for _endpoint, rule, method in routes:
        response = anonymous.open(_url(rule, shared_plan), method=method)
        assert response.status_code == 302, rule
        assert "/auth/login" in response.headers["Location"], rule


def test_a_second_participant_with_a_plan_of_their_own_sees_only_theirs(app, world, shared_plan):
    plan_id = _start(app, world, world.second)
    _advisor_edits(app, world, plan_id, strengths="DRUGA-OSOBA")
    _share(app, world, plan_id)
    second = _client(app, world.second_email)

    page = second.get("/me/plan").get_data(as_text=True)
    assert "DRUGA-OSOBA" in page and "PIERWSZA-OSOBA" not in page
    assert "PIERWSZA-OSOBA" not in second.get("/me/").get_data(as_text=True)
    assert "PIERWSZA-OSOBA" not in second.get("/me/my-data.json").get_data(as_text=True)
    assert second.post("/me/plan/comments", data={"body": "Moje pytanie"}).status_code == 302
    assert second.post("/me/plan/acknowledge").status_code == 302
    with app.app_context():
        [comment] = db.session.scalars(select(PlanComment)).all()
        assert comment.plan_id == plan_id
        first = db.session.get(IndividualPlan, shared_plan["plan_id"])
        assert first.status == PlanStatus.SHARED and first.acknowledged_at is None


def test_the_coordinator_opens_any_plan_and_assigns_advisors(app, world):
    coordinator = _client(app, COORDINATOR)
    other = _client(app, OTHER_ADVISOR)
    advisor = _client(app, ADVISOR)
    assert other.get(f"/staff/participants/{world.unassigned}/plan").status_code == 404
    assert _plan_page(coordinator, world.unassigned)
    assert _plan_page(coordinator, world.person)
    assert coordinator.post(f"/staff/participants/{world.unassigned}/plan").status_code == 302
    page = coordinator.get("/staff/caseload").get_data(as_text=True)
    assert "Kowalska" in page and "Drugi" in page and "Nieprzypisana" in page
    since = _last_audit_id(app)

    # An advisor may not assign; the coordinator may.
    response = advisor.post(
        f"/staff/participants/{world.unassigned}/advisor", data={"advisor_id": str(world.advisor)}
    )
    assert response.status_code == 403
    response = coordinator.post(
        f"/staff/participants/{world.unassigned}/advisor",
        data={"advisor_id": str(world.other_advisor)},
    )
    assert response.status_code == 302
    response = coordinator.post(
        f"/staff/participants/{world.person}/advisor",
        data={"advisor_id": str(world.other_advisor)},
    )
    assert response.status_code == 302

    with app.app_context():
        assert db.session.get(Participant, world.unassigned).advisor_id == world.other_advisor
        assert db.session.get(Participant, world.person).advisor_id == world.other_advisor
    assert _audit(app, since=since) == [
        (
            "participant.advisor",
            world.coordinator,
            {"advisor_id": {"old": None, "new": world.other_advisor}},
        ),
        (
            "participant.advisor",
            world.coordinator,
            {"advisor_id": {"old": world.advisor, "new": world.other_advisor}},
        ),
    ]
    # The new advisor has them now; the previous one no longer does.
    assert _plan_page(other, world.unassigned)
    assert _plan_page(other, world.person)
    assert advisor.get(f"/staff/participants/{world.person}/plan").status_code == 404
    page = other.get("/staff/caseload").get_data(as_text=True)
    assert "Kowalska" in page and "Nieprzypisana" in page and "Drugi" not in page

    # Someone who is not an advisor of the centre cannot be assigned.
    with app.app_context():
        social_worker = db.session.scalar(select(User.id).where(User.email == SOCIAL_WORKER))
    coordinator.post(
        f"/staff/participants/{world.person}/advisor", data={"advisor_id": str(social_worker)}
    )
    with app.app_context():
        assert db.session.get(Participant, world.person).advisor_id == world.other_advisor


def _formatted(app, day: date) -> str:
    with app.test_request_context(), force_locale("pl"):
        return short_date(day)


def _caseload_rows(page: str) -> dict[str, tuple[str, str]]:
    """Name -> (plan state, next deadline) from the caseload table."""
    rows = re.findall(
        r"<tr>\s*<td><a [^>]*>([^<]*)</a></td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", page
    )
    return {name.strip(): (state.strip(), due.strip()) for name, state, due in rows}


def test_the_caseload_lists_only_the_advisors_people_with_state_and_next_deadline(
    app, world, make_participant
):
    make_participant(
        world.centre,
        first_name="Obca",
        last_name="Cudza",
        advisor=SimpleNamespace(id=world.other_advisor),
    )
    plan_id = _start(app, world)
    _add_action(app, world, plan_id, "Bez terminu", days=None)
    _add_action(app, world, plan_id, "Za dwadzieścia dni", days=20)
    soon = _add_action(app, world, plan_id, "Jutro, ale już zrobione", days=1)
    _add_action(app, world, plan_id, "Za dziesięć dni", days=10)
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        plan_goals.set_action_status(
            plan,
            soon,
            ActionStatus.DONE,
            version=plan.version_id,
            actor=db.session.get(User, world.advisor),
            now=utcnow(),
        )
        db.session.commit()
    _share(app, world, plan_id)
    client = _client(app, ADVISOR)

    rows = _caseload_rows(client.get("/staff/caseload").get_data(as_text=True))

    assert rows == {
        "Drugi Zenon": (translated(app, "no plan yet"), "—"),
        "Kowalska Janina": (
            translated(app, "Shared with the participant"),
            _formatted(app, _today() + timedelta(days=10)),
        ),
    }
    rows = _caseload_rows(client.get("/staff/caseload?q=kowal").get_data(as_text=True))
    assert list(rows) == ["Kowalska Janina"]
    rows = _caseload_rows(_client(app, OTHER_ADVISOR).get("/staff/caseload").get_data(as_text=True))
    assert list(rows) == ["Cudza Obca"]


# The audit trail.


def test_every_change_is_in_the_audit_trail(app, world):
    advisor, coordinator = _client(app, ADVISOR), _client(app, COORDINATOR)
    me = _client(app, world.person_email)
    with app.app_context():
        me_id = user_of(world.person).id
    today = _today().isoformat()
    person = world.person
    plan_id = None

    def plan_url(path: str) -> str:
        return f"/staff/plans/{plan_id}{path}"

    def version() -> str:
        return str(_current_version(app, plan_id))

    steps = [
        (advisor, lambda: f"/staff/participants/{person}/plan", dict, "plan.revision"),
        (
            advisor,
            lambda: plan_url("/sections/swot"),
            lambda: {"swot-version": version(), "swot-strengths": "Sumienność"},
            "plan.revision",
        ),
        (
            advisor,
            lambda: plan_url("/sections/notes"),
            lambda: {"notes-version": version(), "notes-advisor_notes": "Poufne"},
            "plan.revision",
        ),
        (
            advisor,
            lambda: plan_url("/goals"),
            lambda: {"goal-version": version(), "goal-description": "Praca"},
            "plan.revision",
        ),
        (
            advisor,
            lambda: plan_url("/actions"),
            lambda: {
                "action-version": version(),
                "action-kind": "counselling",
                "action-description": "Rozmowa",
            },
            "plan.revision",
        ),
        (
            advisor,
            lambda: plan_url(f"/goals/{_ids(app, plan_id)[0]}/status"),
            lambda: {"version": version(), "status": "achieved"},
            "plan.revision",
        ),
        (
            advisor,
            lambda: plan_url(f"/actions/{_ids(app, plan_id)[1]}/status"),
            lambda: {"version": version(), "status": "in_progress"},
            "plan.revision",
        ),
        (advisor, lambda: plan_url("/restore/2"), lambda: {"version": version()}, "plan.revision"),
        (
            advisor,
            lambda: f"/staff/participants/{person}/diagnosis-tests",
            lambda: {"test-test_type_id": str(world.test_type), "test-taken_on": today},
            "diagnosis_test.create",
        ),
        (
            advisor,
            lambda: f"/staff/participants/{person}/counselling-sessions",
            lambda: {
                "session-kind": "group",
                "session-held_on": today,
                "session-duration_minutes": "90",
            },
            "counselling_session.create",
        ),
        (advisor, lambda: plan_url("/share"), dict, "plan.shared"),
        (me, lambda: "/me/plan/acknowledge", dict, "plan.acknowledged"),
        (me, lambda: "/me/plan/comments", lambda: {"body": "Pytanie"}, "plan.comment"),
        (advisor, lambda: plan_url("/begin"), dict, "plan.in_progress"),
        (advisor, lambda: plan_url("/complete"), dict, "plan.completed"),
        (advisor, lambda: plan_url("/reopen"), lambda: {"reason": "Powrót"}, "plan.in_progress"),
        (
            coordinator,
            lambda: f"/staff/participants/{person}/advisor",
            lambda: {"advisor_id": str(world.other_advisor)},
            "participant.advisor",
        ),
    ]
    actors = {id(advisor): world.advisor, id(coordinator): world.coordinator, id(me): me_id}
    for client, url, data, expected in steps:
        since = _last_audit_id(app)
        response = client.post(url(), data=data())
        assert response.status_code == 302, (url(), response.status_code)
        with app.app_context():
            plan_id = plan_id or plans.get_for(person).id
        written = _audit(app, since=since)
        assert [(a, who) for a, who, _ in written] == [(expected, actors[id(client)])], url()

    notes = [c for a, _, c in _audit(app) if a == "plan.revision" and "advisor_notes" in c]
    assert notes and all(c["advisor_notes"] == {"old": "***", "new": "***"} for c in notes)


def _ids(app, plan_id: int) -> tuple[int, int]:
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        return plan.goals[0].id, plan.actions[0].id


def test_the_service_refuses_bad_input_with_the_field_it_concerns(app, world):
    plan_id = _start(app, world)
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        advisor = db.session.get(User, world.advisor)
        cases = [
            (lambda: plans.items("a\n  *  \nb", field="threats"), "threats"),
            (
                lambda: plan_goals.add_goal(
                    plan,
                    description=" - ",
                    target_date=None,
                    version=plan.version_id,
                    actor=advisor,
                    now=utcnow(),
                ),
                "description",
            ),
            (
                lambda: plans.reopen(plan, reason=" ", actor=advisor, now=utcnow()),
                "reason",
            ),
            (
                lambda: plans.comment(plan, author=advisor, body="x" * 2001, now=utcnow()),
                "body",
            ),
        ]
        for call, field in cases:
            with pytest.raises(PortalError) as refused:
                call()
            assert refused.value.field == field
        assert plans.items("- jeden\n\n• dwa\n* trzy", field="strengths") == [
            "jeden",
            "dwa",
            "trzy",
        ]
        db.session.rollback()


def test_acknowledging_a_version_older_than_the_shared_one_is_refused(app, world):
    plan_id = _start(app, world)
    _advisor_edits(app, world, plan_id, strengths="Sumienność")
    _share(app, world, plan_id)
    me = _client(app, world.person_email)
    with app.app_context():
        seen = db.session.get(IndividualPlan, plan_id).shared_revision_number
    # The advisor shares a newer version while the participant still reads the old page.
    _advisor_edits(app, world, plan_id, strengths="Sumienność\nPunktualność")
    _share(app, world, plan_id)

    me.post("/me/plan/acknowledge", data={"seen_revision": seen})
    with app.app_context():
        plan = db.session.get(IndividualPlan, plan_id)
        assert plan.status == PlanStatus.SHARED
        assert plan.acknowledged_at is None
        current = plan.shared_revision_number

    assert me.post("/me/plan/acknowledge", data={"seen_revision": current}).status_code == 302
    with app.app_context():
        assert db.session.get(IndividualPlan, plan_id).status == PlanStatus.ACKNOWLEDGED
