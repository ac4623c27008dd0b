"""A centre with one staff account per role and one record of every kind a URL can name.

The isolation tests build two such centres and use each one's ids on the other's routes; the
query-count walk builds one, reads every page, adds nine more units of records and reads them
again.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    AccountRequest,
    Allowance,
    BankAccountChange,
    BudgetLine,
    CaseworkEntry,
    Course,
    CourseAssignment,
    Event,
    Expense,
    ImportBatch,
    IndividualPlan,
    Job,
    JobStatus,
    OutboxMessage,
    Participant,
    PaymentList,
    Placement,
    PlanAction,
    PlanGoal,
    PlanRevision,
    ProjectPost,
    ProjectStage,
    ProjectTask,
    Registration,
    SocialContract,
    TransferFile,
    TransferFileFormat,
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
from portal.models.support import ContactKind, ExpenseKind, GroupInstrument, PlacementKind
from portal.services.jobs import kinds
from portal.services.lifecycle.transitions import recorded
from tests.helpers import user_of

STAFF_ROLES = ("coordinator", "social_worker", "advisor", "admin")
# Arguments beside the ids that name one of a fixed set (a stage's export and its format): a
# value every side can use, so that such routes are walked like those taking only ids.
WORDS = {
    "name": "participants",
    "fmt": "csv",
    "entity_type": "participants",
    "file_format": "pdf",  # the yearly report's document asked for as a job
}


@dataclass
class Side:
    centre_id: int
    tag: str = ""
    surname: str = ""
    emails: dict[str, str] = field(default_factory=dict)  # role -> staff e-mail
    participant_email: str = ""
    assigned: int = 0  # participant assigned to this side's advisor
    unassigned: int = 0
    ids: dict[str, int] = field(default_factory=dict)  # url argument -> this side's record
    advisor_id: int = 0
    worker_id: int = 0


def build_side(app, make_centre, make_user, make_participant, tag: str, surname: str) -> Side:
    """A centre with one staff account per role and one record of every kind (`Side.ids`)."""
    side = Side(
        centre_id=make_centre(name=f"Ośrodek {tag.upper()}", short_name=f"ops-{tag}"),
        tag=tag,
        surname=surname,
    )
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
        side.advisor_id = db.session.scalar(
            select(User.id).where(User.email == side.emails["advisor"])
        )
        side.worker_id = db.session.scalar(
            select(User.id).where(User.email == side.emails["social_worker"])
        )
    side.ids = {**add_records(app, side, make_participant, 0), "user_id": departing, **WORDS}
    with app.app_context():
        side.participant_email = user_of(side.assigned).email
    return side


def add_records(app, side: Side, make_participant, k: int) -> dict[str, int]:
    """One more record of every kind in the side's centre (the k-th), with its ids.

    Unit 0 is the side's own; later units make every list of the centre longer, and also hang
    children on unit 0's records (a registration on its event, a goal, a step and a contact on
    its plan and person), so that the record pages grow as well (tests/test_page_query_counts.py).
    """
    surname, tag = side.surname, side.tag
    assigned = make_participant(
        side.centre_id, first_name="Przypisana", last_name=f"{surname}owa",
        advisor=SimpleNamespace(id=side.advisor_id),
        **({"pesel_number": "44051401359"} if k == 0 else {}),
    )  # fmt: skip
    unassigned = make_participant(side.centre_id, first_name="Wolny", last_name=f"{surname}ski")
    if k == 0:
        side.assigned, side.unassigned = assigned, unassigned
    with app.app_context():
        person = db.session.get(Participant, assigned)
        now = utcnow()
        event = Event(
            centre_id=side.centre_id, project_id=person.project_id,
            event_type=EventType.WORKSHOP, title=f"Warsztaty {surname} {k}",
            place=f"Sala {surname}",
            starts_at=now + timedelta(days=10 + k), ends_at=now + timedelta(days=10 + k, hours=2),
            capacity=10, places_taken=1, last_queue_number=1, audience=Audience.PROJECT,
            status=EventStatus.PUBLISHED, registration_opens_at=now - timedelta(days=1),
        )  # fmt: skip
        db.session.add(event)
        db.session.flush()
        registration = Registration(
            centre_id=side.centre_id, event_id=event.id, participant_id=unassigned,
            status=RegistrationStatus.CONFIRMED, queue_number=1,
        )  # fmt: skip
        request = AccountRequest(
            centre_id=side.centre_id, first_name="Chętna", last_name=f"{surname}ówna",
            email=f"chetna.{tag}.{k}@example.org", consent_at=now,
        )  # fmt: skip
        contract = SocialContract(
            centre_id=side.centre_id, participant_id=assigned, project_id=person.project_id,
            number=f"KS/{tag}/{k + 1}", start_date=now.date(),
            end_date=now.date() + timedelta(days=90),
        )  # fmt: skip
        month = now.date().replace(day=1)
        for _ in range(k):  # one payment list per month: unit k's is k months back
            month = (month - timedelta(days=1)).replace(day=1)
        # Exported to the bank, so its kept files can be downloaded (their contents are tested
        # in tests/support/test_transfer_files.py).
        payment_list = PaymentList(
            centre_id=side.centre_id, month=month, exported_at=now,
            exported_by_id=side.worker_id,
        )  # fmt: skip
        db.session.add_all([registration, request, contract, payment_list])
        db.session.flush()
        db.session.add_all(
            TransferFile(
                centre_id=side.centre_id,
                payment_list_id=payment_list.id,
                file_format=kind,
                body=b"kept",
                sha256="0" * 64,
                items=1,
                total_grosze=100,
                made_at=now,
                made_by_id=side.worker_id,
            )
            for kind in TransferFileFormat
        )
        allowance = Allowance(
            centre_id=side.centre_id, participant_id=assigned, contract_id=contract.id,
            kind=AllowanceKind.PURPOSE, amount_grosze=10_000, purpose="Dojazd",
            prepared_by_id=side.worker_id, status=AllowanceStatus.SUBMITTED, submitted_at=now,
        )  # fmt: skip
        course = Course(centre_id=side.centre_id, name=f"Kurs {surname} {k}")
        stage = db.session.scalar(
            select(ProjectStage).where(ProjectStage.project_id == person.project_id)
        )
        if k == 0:  # one line of a kind per stage
            line = BudgetLine(
                centre_id=side.centre_id, stage_id=stage.id, kind=BudgetLineKind.OTHER,
                planned_grosze=100_000,
            )  # fmt: skip
            db.session.add(line)
        else:
            line = db.session.get(BudgetLine, side.ids["line_id"])
        batch = ImportBatch(
            centre_id=side.centre_id, created_by_id=side.worker_id, file_kind="csv", created_at=now
        )
        # A change of bank account the person asked for, waiting for staff.
        change = BankAccountChange(
            centre_id=side.centre_id, participant_id=unassigned,
            bank_account="PL61109010140000071219812874", requested_at=now,
        )  # fmt: skip
        # A task of the project's funding agreement (its number told apart per unit).
        task = ProjectTask(
            centre_id=side.centre_id, project_id=person.project_id, number=k + 1,
            name=f"Zadanie {surname} {k}",
        )  # fmt: skip
        db.session.add_all([allowance, course, batch, change, task])
        db.session.flush()
        assignment = CourseAssignment(
            centre_id=side.centre_id, participant_id=assigned, course_id=course.id,
        )  # fmt: skip
        plan = IndividualPlan(centre_id=side.centre_id, participant_id=assigned)
        db.session.add_all([assignment, plan])
        db.session.flush()
        session = Event(
            centre_id=side.centre_id, project_id=person.project_id,
            event_type=EventType.WORKSHOP, instrument=GroupInstrument.SOCIAL_SKILLS,
            title=f"Trening {surname} {k}", place=f"Sala {surname}",
            starts_at=now + timedelta(days=5 + k), ends_at=now + timedelta(days=5 + k, hours=3),
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
            centre_id=side.centre_id, worker_id=side.worker_id, participant_id=assigned,
            happened_on=now.date(), contact_kind=ContactKind.PHONE, minutes=15,
        )  # fmt: skip
        placement = Placement(
            centre_id=side.centre_id, participant_id=assigned,
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
        # A finished job: the yearly report's DOCX the coordinator asked for, ready to download.
        coordinator = db.session.scalar(
            select(User.id).where(User.email == side.emails["coordinator"])
        )
        job = recorded(
            Job(
                centre_id=side.centre_id, kind=kinds.YEARLY_DOCX, params={"stage_id": stage.id},
                requested_by_id=coordinator, locale="pl", request_key=f"records-{tag}-{k}",
                progress=100, attempts=1, result_filename="report.docx",
                result_mimetype="application/octet-stream", result_body=b"PK", result_size=2,
                finished_at=now,
            ),
            JobStatus.DONE,
        )  # fmt: skip
        db.session.add(job)
        goal = PlanGoal(plan_id=plan.id, description=f"Cel {surname}")
        action = PlanAction(plan_id=plan.id, kind=ActionKind.OTHER, description=f"Krok {surname}")
        revision = PlanRevision(plan_id=plan.id, number=1, created_at=now)
        db.session.add_all([goal, action, revision])
        if k:
            _grow_unit_zero(side, unassigned, k, now)
        db.session.commit()
        return {
            "contract_id": contract.id,
            "allowance_id": allowance.id,
            "list_id": payment_list.id,
            "assignment_id": assignment.id,
            "plan_id": plan.id,
            "goal_id": goal.id,
            "action_id": action.id,
            "number": 1,
            "participant_id": assigned,
            "entity_id": assigned,  # a record's history: the participant's
            "event_id": event.id,
            "registration_id": registration.id,
            "request_id": request.id,
            "change_id": change.id,
            "project_id": person.project_id,
            "stage_id": stage.id,
            "line_id": line.id,
            "task_id": task.id,
            "entry_id": course.id,
            "batch_id": batch.id,
            "session_id": session.id,
            "expense_id": expense.id,
            "post_id": post.id,
            "contact_id": contact.id,
            "placement_id": placement.id,
            "message_id": message.id,
            "job_id": job.id,
            "centre_id": side.centre_id,
        }


def _grow_unit_zero(side: Side, unassigned: int, k: int, now) -> None:
    """Children of unit 0's records: its event's waiting list, its plan's goals and steps, its
    person's contacts, so that their pages show more rows too."""
    ids = side.ids
    db.session.add_all(
        [
            Registration(
                centre_id=side.centre_id, event_id=ids["event_id"], participant_id=unassigned,
                status=RegistrationStatus.WAITING, queue_number=k + 1,
            ),
            PlanGoal(plan_id=ids["plan_id"], description=f"Cel {k}"),
            PlanAction(plan_id=ids["plan_id"], kind=ActionKind.OTHER, description=f"Krok {k}"),
            CaseworkEntry(
                centre_id=side.centre_id, worker_id=side.worker_id,
                participant_id=ids["participant_id"], happened_on=now.date(),
                contact_kind=ContactKind.PHONE, minutes=10 + k,
            ),
        ]
    )  # fmt: skip
    event = db.session.get(Event, ids["event_id"])
    event.last_queue_number = k + 1
