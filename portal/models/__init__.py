"""The domain model, one module per aggregate; importing this registers every table."""

from portal.models.allowances import (
    Allowance,
    Instalment,
    PaymentList,
    TransferFile,
    TransferFileFormat,
)
from portal.models.audit import AuditEntry
from portal.models.centres import (
    BudgetLine,
    Centre,
    Project,
    ProjectStage,
    ProjectTask,
    Village,
)
from portal.models.contracts import SocialContract
from portal.models.events import Event, Registration, event_villages
from portal.models.figures import CentreFigures, StageFigures
from portal.models.imports import ImportBatch
from portal.models.jobs import Job, JobStatus
from portal.models.mail import OutboxMessage
from portal.models.people import (
    AccountRequest,
    BankAccountChange,
    BankAccountChangeStatus,
    Consent,
    ConsentKind,
    Participant,
    RecoveryCode,
    User,
    UserRole,
)
from portal.models.plans import (
    CounsellingSession,
    DiagnosisTest,
    DiagnosisTestType,
    IndividualPlan,
    PlanAction,
    PlanComment,
    PlanGoal,
    PlanRevision,
)
from portal.models.reports import StageReport, StageReportRevision
from portal.models.spending import Expense, ProjectPost
from portal.models.support import CaseworkEntry, Course, CourseAssignment, Placement, PlacementDay

__all__ = [
    "AccountRequest",
    "Allowance",
    "AuditEntry",
    "BankAccountChange",
    "BankAccountChangeStatus",
    "BudgetLine",
    "CaseworkEntry",
    "Centre",
    "CentreFigures",
    "Consent",
    "ConsentKind",
    "CounsellingSession",
    "Course",
    "CourseAssignment",
    "DiagnosisTest",
    "DiagnosisTestType",
    "Event",
    "Expense",
    "ImportBatch",
    "IndividualPlan",
    "Instalment",
    "Job",
    "JobStatus",
    "OutboxMessage",
    "Participant",
    "PaymentList",
    "Placement",
    "PlacementDay",
    "PlanAction",
    "PlanComment",
    "PlanGoal",
    "PlanRevision",
    "Project",
    "ProjectPost",
    "ProjectStage",
    "ProjectTask",
    "RecoveryCode",
    "Registration",
    "SocialContract",
    "StageFigures",
    "StageReport",
    "StageReportRevision",
    "TransferFile",
    "TransferFileFormat",
    "User",
    "UserRole",
    "Village",
    "event_villages",
]
