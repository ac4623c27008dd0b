"""How far a centre's set-up has come: what it must enter before going live (project, stage,
budget lines, villages, courses, diagnosis tests, staff, contacts, bank account), each done or
not, read from the data in one statement whatever the centre holds."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Exists, and_, exists, func, select

from portal.extensions import db
from portal.models import (
    BudgetLine,
    Centre,
    Course,
    DiagnosisTestType,
    Project,
    ProjectStage,
    User,
    UserRole,
    Village,
)
from portal.models.enums import Role

# The people besides the coordinator whom a centre needs to work: someone who records
# participants and signs contracts, or someone who keeps plans.
_WORKING_ROLES = (Role.SOCIAL_WORKER, Role.ADVISOR)


ITEMS = (
    "project",
    "stage",
    "budget_lines",
    "villages",
    "courses",
    "tests",
    "staff",
    "contacts",
    "bank_account",
)


@dataclass(frozen=True)
class SetupState:
    """Each item of the set-up, done or not, with where its next step is."""

    project: bool
    stage: bool
    budget_lines: bool
    villages: bool
    courses: bool
    tests: bool
    staff: bool
    contacts: bool
    bank_account: bool
    # The centre's first project, and its latest stage: where a stage or a line is added.
    project_id: int | None
    stage_id: int | None

    @property
    def items(self) -> list[tuple[str, bool]]:
        """The items in the order they are best done, each with whether it is done."""
        return [(name, getattr(self, name)) for name in ITEMS]


def _any(*where: ColumnElement[bool]) -> Exists:
    return exists().where(*where)


def state(centre_id: int) -> SetupState:
    """The centre's set-up, read in one statement."""
    first_project = (
        select(func.min(Project.id)).where(Project.centre_id == centre_id).scalar_subquery()
    )
    latest_stage = (
        select(ProjectStage.id)
        .join(Project, Project.id == ProjectStage.project_id)
        .where(Project.centre_id == centre_id)
        .order_by(ProjectStage.year.desc(), ProjectStage.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    centre = Centre.__table__.c
    contacts = and_(
        centre.address != "",
        centre.email != "",
        centre.phone != "",
        func.coalesce(centre.dpo_contact, "") != "",
        centre.building_accessibility != "",
    )
    row = db.session.execute(
        select(
            first_project.label("project_id"),
            latest_stage.label("stage_id"),
            _any(BudgetLine.centre_id == centre_id).label("budget_lines"),
            _any(Village.centre_id == centre_id, Village.is_active.is_(True)).label("villages"),
            _any(Course.centre_id == centre_id, Course.is_active.is_(True)).label("courses"),
            _any(
                DiagnosisTestType.centre_id == centre_id, DiagnosisTestType.is_active.is_(True)
            ).label("tests"),
            _any(
                User.centre_id == centre_id,
                User.is_active.is_(True),
                UserRole.user_id == User.id,
                UserRole.role.in_(_WORKING_ROLES),
            ).label("staff"),
            _any(Centre.id == centre_id, contacts).label("contacts"),
            _any(Centre.id == centre_id, Centre.bank_account.is_not(None)).label("bank"),
        )
    ).one()
    return SetupState(
        project=row.project_id is not None,
        stage=row.stage_id is not None,
        budget_lines=bool(row.budget_lines),
        villages=bool(row.villages),
        courses=bool(row.courses),
        tests=bool(row.tests),
        staff=bool(row.staff),
        contacts=bool(row.contacts),
        bank_account=bool(row.bank),
        project_id=row.project_id,
        stage_id=row.stage_id,
    )
