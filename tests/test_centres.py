"""Isolation between centres, advisors' caseloads, and participants kept out of staff pages.

The URLs come from the app's url_map, so a new route is checked the day it is added: a route
taking an id this module cannot supply for centre B fails loudly instead of going unchecked.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from portal import database
from portal.extensions import db
from portal.models import (
    AccountRequest,
    Allowance,
    AuditEntry,
    BudgetLine,
    CaseworkEntry,
    Course,
    CourseAssignment,
    Event,
    Expense,
    ImportBatch,
    IndividualPlan,
    OutboxMessage,
    Participant,
    PaymentList,
    Placement,
    PlanAction,
    PlanGoal,
    PlanRevision,
    ProjectPost,
    ProjectStage,
    Registration,
    SocialContract,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import (
    ActionKind,
    AllowanceKind,
    AllowanceStatus,
    Audience,
    BudgetLineKind,
    EventStatus,
    EventType,
    RegistrationStatus,
    Role,
)
from portal.models.support_enums import ContactKind, ExpenseKind, GroupInstrument, PlacementKind
from tests import urlmap
from tests.helpers import user_of

ID = re.compile(r"<int:(\w+)>")
STAFF_ROLES = ("coordinator", "social_worker", "advisor", "admin")
# Every name and title of centre B contains this, so a leak shows on any page.
B_MARK = "Zbych"
A_PEOPLE = re.compile("Andrzejewsk(owa|ski)")
# Sent with every POST, so that a form's own validation does not answer before the id check.
FORM = {"reason": "Sprawdzenie izolacji ośrodków"}
# Arguments beside the ids that name one of a fixed set (a stage's export and its format): a
# value every side can use, so that such routes are walked like those taking only ids.
WORDS = {"name": "participants", "fmt": "csv", "entity_type": "participants"}
# Routes on which the installation administrator reaches every centre by design (a centre's
# own details, from the centres page); every other role is still refused them.
INSTALLATION_WIDE = {"/staff/centres/<int:centre_id>", "/staff/outbox/<int:message_id>/retry"}


@dataclass
class Side:
    centre_id: int
    emails: dict[str, str] = field(default_factory=dict)  # role -> staff e-mail
    participant_email: str = ""
    assigned: int = 0  # participant assigned to this side's advisor
    unassigned: int = 0
    ids: dict[str, int] = field(default_factory=dict)  # url argument -> this side's record


def _build_side(app, make_centre, make_user, make_participant, tag: str, surname: str) -> Side:
    side = Side(centre_id=make_centre(name=f"Ośrodek {tag.upper()}", short_name=f"ops-{tag}"))
    for role in STAFF_ROLES:
        email = f"{role}.{tag}@example.org"
        make_user(Role(role), centre_id=side.centre_id, email=email, last_name=f"{surname}-{role}")
        side.emails[role] = email
    # A staff account nobody signs in with, for the account pages (deactivated on the walk).
    departing = make_user(
        Role.ADVISOR, centre_id=side.centre_id, email=f"departing.{tag}@example.org",
        last_name=f"{surname}-departing",
    )  # fmt: skip
    with app.app_context():
        advisor_id = db.session.scalar(select(User.id).where(User.email == side.emails["advisor"]))
    side.assigned = make_participant(
        side.centre_id, first_name="Przypisana", last_name=f"{surname}owa",
        advisor=SimpleNamespace(id=advisor_id), pesel_number="44051401359",
    )  # fmt: skip
    side.unassigned = make_participant(
        side.centre_id, first_name="Wolny", last_name=f"{surname}ski"
    )
    with app.app_context():
        side.participant_email = user_of(side.assigned).email
        person = db.session.get(Participant, side.assigned)
        now = utcnow()
        event = Event(
            centre_id=side.centre_id, project_id=person.project_id,
            event_type=EventType.WORKSHOP, title=f"Warsztaty {surname}", place=f"Sala {surname}",
            starts_at=now + timedelta(days=10), ends_at=now + timedelta(days=10, hours=2),
            capacity=10, places_taken=1, last_queue_number=1, audience=Audience.PROJECT,
            status=EventStatus.PUBLISHED, registration_opens_at=now - timedelta(days=1),
        )  # fmt: skip
        db.session.add(event)
        db.session.flush()
        registration = Registration(
            centre_id=side.centre_id, event_id=event.id, participant_id=side.unassigned,
            status=RegistrationStatus.CONFIRMED, queue_number=1,
        )  # fmt: skip
        request = AccountRequest(
            centre_id=side.centre_id, first_name="Chętna", last_name=f"{surname}ówna",
            email=f"chetna.{tag}@example.org", consent_at=now,
        )  # fmt: skip
        contract = SocialContract(
            centre_id=side.centre_id, participant_id=side.assigned, project_id=person.project_id,
            number=f"KS/{tag}/1", start_date=now.date(), end_date=now.date() + timedelta(days=90),
        )  # fmt: skip
        payment_list = PaymentList(centre_id=side.centre_id, month=now.date().replace(day=1))
        db.session.add_all([registration, request, contract, payment_list])
        db.session.flush()
        preparer = db.session.scalar(
            select(User.id).where(User.email == side.emails["social_worker"])
        )
        allowance = Allowance(
            centre_id=side.centre_id, participant_id=side.assigned, contract_id=contract.id,
            kind=AllowanceKind.PURPOSE, amount_grosze=10_000, purpose="Dojazd",
            prepared_by_id=preparer, status=AllowanceStatus.SUBMITTED, submitted_at=now,
        )  # fmt: skip
        course = Course(centre_id=side.centre_id, name=f"Kurs {surname}")
        stage = db.session.scalar(
            select(ProjectStage).where(ProjectStage.project_id == person.project_id)
        )
        line = BudgetLine(
            centre_id=side.centre_id, stage_id=stage.id, kind=BudgetLineKind.OTHER,
            planned_grosze=100_000,
        )  # fmt: skip
        batch = ImportBatch(
            centre_id=side.centre_id, created_by_id=preparer, file_kind="csv", created_at=now
        )
        db.session.add_all([allowance, course, line, batch])
        db.session.flush()
        assignment = CourseAssignment(
            centre_id=side.centre_id, participant_id=side.assigned, course_id=course.id,
        )  # fmt: skip
        plan = IndividualPlan(centre_id=side.centre_id, participant_id=side.assigned)
        db.session.add_all([assignment, plan])
        db.session.flush()
        session = Event(
            centre_id=side.centre_id, project_id=person.project_id,
            event_type=EventType.WORKSHOP, instrument=GroupInstrument.SOCIAL_SKILLS,
            title=f"Trening {surname}", place=f"Sala {surname}",
            starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=3),
            capacity=10, audience=Audience.PROJECT, status=EventStatus.PUBLISHED,
        )  # fmt: skip
        expense = Expense(
            centre_id=side.centre_id, budget_line_id=line.id, kind=ExpenseKind.LEDGER,
            spent_on=stage.start_date, description=f"Materiały {surname}", amount_grosze=1_000,
        )  # fmt: skip
        post = ProjectPost(
            centre_id=side.centre_id, project_id=person.project_id,
            person_name=f"Anna {surname}", title="Pracownik socjalny", fte_percent=100,
            starts_on=stage.start_date, monthly_cost_grosze=300_000,
        )  # fmt: skip
        contact = CaseworkEntry(
            centre_id=side.centre_id, worker_id=preparer, participant_id=side.assigned,
            happened_on=now.date(), contact_kind=ContactKind.PHONE, minutes=15,
        )  # fmt: skip
        placement = Placement(
            centre_id=side.centre_id, participant_id=side.assigned,
            kind=PlacementKind.WORK_TRAINING, employer=f"Gospodarstwo {surname}",
            starts_on=now.date(), ends_on=now.date() + timedelta(days=60), hours_per_month=40,
        )  # fmt: skip
        # Waiting in the outbox, never tried: a retry by the installation administrator
        # (installation-wide, like the mail server) changes nothing.
        message = OutboxMessage(
            centre_id=side.centre_id, to_address=f"chetna.{tag}@example.org",
            subject=f"Temat {surname}", body="Treść\n",
        )  # fmt: skip
        db.session.add_all([session, expense, post, contact, placement, message])
        goal = PlanGoal(plan_id=plan.id, description=f"Cel {surname}")
        action = PlanAction(plan_id=plan.id, kind=ActionKind.OTHER, description=f"Krok {surname}")
        revision = PlanRevision(plan_id=plan.id, number=1, created_at=now)
        db.session.add_all([goal, action, revision])
        db.session.commit()
        side.ids = {
            "contract_id": contract.id,
            "allowance_id": allowance.id,
            "list_id": payment_list.id,
            "assignment_id": assignment.id,
            "plan_id": plan.id,
            "goal_id": goal.id,
            "action_id": action.id,
            "number": 1,
            "participant_id": side.assigned,
            "entity_id": side.assigned,  # a record's history: the participant's
            "event_id": event.id,
            "registration_id": registration.id,
            "request_id": request.id,
            "project_id": person.project_id,
            "stage_id": stage.id,
            "line_id": line.id,
            "entry_id": course.id,
            "batch_id": batch.id,
            "user_id": departing,
            "session_id": session.id,
            "expense_id": expense.id,
            "post_id": post.id,
            "contact_id": contact.id,
            "placement_id": placement.id,
            "message_id": message.id,
            "centre_id": side.centre_id,
            **WORDS,
        }
    return side


@pytest.fixture
def sides(app, make_centre, make_user, make_participant):
    a = _build_side(app, make_centre, make_user, make_participant, "a", "Andrzejewsk")
    b = _build_side(app, make_centre, make_user, make_participant, "b", B_MARK + "owsk")
    return a, b


def _routes(app, prefix: str):
    """(rule, method) for every route under `prefix` whose only arguments are integer ids
    (and the fixed-set WORDS)."""
    return [
        (route.rule, route.method)
        for route in urlmap.routes(
            app,
            lambda route: (
                route.rule.startswith(prefix) and route.arguments <= route.ids | WORDS.keys()
            ),
        )
    ]


def _state_of(centre_id: int):
    """Everything a request could change about one centre."""
    return [
        [
            tuple(row)
            for row in db.session.execute(
                select(*columns).where(model.centre_id == centre_id).order_by(*columns)
            )
        ]
        for model, columns in (
            (AuditEntry, (AuditEntry.id,)),
            (User, (User.id, User.session_token, User.password_hash)),
            (Participant, (Participant.id, Participant.user_id)),
            (Event, (Event.id, Event.status, Event.places_taken, Event.version_id)),
            (Registration, (Registration.id, Registration.status)),
            (AccountRequest, (AccountRequest.id, AccountRequest.status)),
        )
    ]


def _id_routes(app, prefix):
    return [(rule, method) for rule, method in _routes(app, prefix) if ID.search(rule)]


def _people(a: Side):
    return [(role, a.emails[role], "/staff") for role in STAFF_ROLES] + [
        ("participant", a.participant_email, "/me")
    ]


def test_someone_elses_ids_are_not_found_for_every_role_and_route(app, sides, login_as):
    a, b = sides
    with app.app_context():
        b_before = _state_of(b.centre_id)
    problems, checked = [], 0
    for role, email, prefix in _people(a):
        client = login_as(email, fresh=True)
        for rule, method in _id_routes(app, prefix):
            data = FORM if method == "POST" else None
            theirs = client.open(urlmap.fill(rule, b.ids), method=method, data=data)
            ours = client.open(urlmap.fill(rule, a.ids), method=method, data=data)
            checked += 1
            # A role refused the route on its own centre's ids may be refused on B's too;
            # any role that may use it must find B's id missing. Nobody ever gets a 500.
            allowed = (404,) if ours.status_code != 403 else (403, 404)
            if role == "admin" and rule in INSTALLATION_WIDE:
                allowed = (200, 302)  # shown, or saved unchanged: FORM holds no detail
            if (
                theirs.status_code not in allowed
                or ours.status_code == 500
                or B_MARK in theirs.get_data(as_text=True)
            ):
                problems.append(
                    f"{role} {method} {rule}: B {theirs.status_code}, A {ours.status_code}"
                )
    assert checked >= 10  # the url_map really was walked
    assert problems == []
    with app.app_context():
        assert _state_of(b.centre_id) == b_before


def test_pages_without_ids_never_show_another_centres_people(app, sides, login_as):
    a, _b = sides
    problems = []
    for role, email, prefix in _people(a):
        client = login_as(email, fresh=True)
        for rule, method in _routes(app, prefix):
            if method != "GET" or ID.search(rule):
                continue
            for query in ("", "?q=sk"):  # a search that matches both centres' people
                response = client.get(rule + query)
                page = response.get_data(as_text=True)
                if response.status_code not in (200, 403) or B_MARK in page:
                    problems.append(f"{role} GET {rule}{query}: {response.status_code}")
    assert problems == []


def test_participant_lists_show_only_the_centres_own_people(app, sides, login_as):
    a, _b = sides
    for role in ("coordinator", "social_worker", "admin"):
        page = (
            login_as(a.emails[role], fresh=True).get("/staff/participants").get_data(as_text=True)
        )
        assert "Andrzejewskowa" in page, role
        assert "Andrzejewskski" in page, role
        assert B_MARK not in page, role


def test_advisor_sees_only_assigned_participants(app, sides, login_as):
    a, _b = sides
    client = login_as(a.emails["advisor"], fresh=True)
    page = client.get("/staff/caseload").get_data(as_text=True)
    assert "Andrzejewskowa" in page
    assert "Andrzejewskski" not in page
    assert client.get(f"/staff/participants/{a.assigned}").status_code == 200
    assert client.get(f"/staff/participants/{a.unassigned}").status_code == 404


def test_participant_is_refused_every_staff_url(app, sides, login_as):
    a, _b = sides
    client = login_as(a.participant_email, fresh=True)
    rules = [
        (route.rule, route.method)
        for route in urlmap.routes(app, lambda route: route.rule.startswith("/staff"))
    ]
    assert rules
    for rule, method in rules:
        url = urlmap.fill(rule, a.ids, ids_only=True)
        assert client.open(url, method=method).status_code == 403, rule


def test_session_scope_limits_every_query_to_one_centre(app, sides):
    a, b = sides
    with app.app_context():
        everyone = set(db.session.scalars(select(Participant.id)))
        assert {a.assigned, b.assigned} <= everyone
        database.scope_session(db.session, a.centre_id)
        seen = db.session.scalars(select(Participant)).all()
        assert {person.centre_id for person in seen} == {a.centre_id}
        assert {person.id for person in seen} == {a.assigned, a.unassigned}
        assert db.session.scalar(select(func.count(Event.id))) == 2  # its event and its session
        assert db.session.get(Participant, b.assigned) is None
        database.scope_session(db.session, None)
        assert set(db.session.scalars(select(Participant.id))) == everyone


def test_an_administrator_without_a_centre_never_meets_an_error(app, sides, make_user, login_as):
    a, _b = sides
    make_user(Role.ADMIN, email="instalacja@example.org")  # installation-wide, no centre
    client = login_as("instalacja@example.org", fresh=True)
    problems = []
    for rule, method in _routes(app, "/staff"):
        if method == "GET":
            response = client.get(urlmap.fill(rule, a.ids))
            page = response.get_data(as_text=True)
            # The participants' names (staff names are the administrator's to see).
            if response.status_code not in (200, 403, 404) or A_PEOPLE.search(page):
                problems.append(f"GET {rule}: {response.status_code}")
    assert problems == []
