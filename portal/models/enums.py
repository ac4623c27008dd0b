"""Every closed set of values in the domain, each with a translatable label."""

from flask_babel import lazy_gettext as _l

# The ESF monitoring answers live in their own module; importing them from here keeps one
# import point for every enum of the models.
from portal.models.base import LabelledEnum, Labels


class Role(LabelledEnum):
    PARTICIPANT = "participant"
    ADVISOR = "advisor"
    SOCIAL_WORKER = "social_worker"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.PARTICIPANT: _l("Participant"),
            cls.ADVISOR: _l("Career advisor"),
            cls.SOCIAL_WORKER: _l("Social worker"),
            cls.COORDINATOR: _l("Project coordinator"),
            cls.ADMIN: _l("Administrator"),
        }


STAFF_ROLES = frozenset({Role.ADVISOR, Role.SOCIAL_WORKER, Role.COORDINATOR, Role.ADMIN})


class CentreKind(LabelledEnum):
    OPS = "ops"
    GOPS = "gops"
    MOPS = "mops"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.OPS: _l("Social welfare centre (OPS)"),
            cls.GOPS: _l("Commune social welfare centre (GOPS)"),
            cls.MOPS: _l("Municipal social welfare centre (MOPS)"),
        }


class BudgetLineKind(LabelledEnum):
    SALARIES = "salaries"
    ALLOWANCES = "allowances"
    COURSES = "courses"
    PAL_EVENTS = "pal_events"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.SALARIES: _l("Salaries of project posts"),
            cls.ALLOWANCES: _l("Allowances"),
            cls.COURSES: _l("Courses and training"),
            cls.PAL_EVENTS: _l("Local Activity Programme events"),
            cls.OTHER: _l("Other costs"),
        }


class FundingSource(LabelledEnum):
    ESF = "esf"
    OWN = "own"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.ESF: _l("European Social Fund"),
            cls.OWN: _l("Own contribution"),
        }


class EventType(LabelledEnum):
    INTEGRATION_MEETING = "integration_meeting"
    WORKSHOP = "workshop"
    FAMILY_PICNIC = "family_picnic"
    EDUCATIONAL_TRIP = "educational_trip"
    SUMMARY_MEETING = "summary_meeting"
    CLUB_MEETING = "club_meeting"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.INTEGRATION_MEETING: _l("Integration meeting"),
            cls.WORKSHOP: _l("Workshop"),
            cls.FAMILY_PICNIC: _l("Family picnic"),
            cls.EDUCATIONAL_TRIP: _l("Educational trip"),
            cls.SUMMARY_MEETING: _l("Summary meeting"),
            cls.CLUB_MEETING: _l("Youth self-help club meeting"),
        }


class EventStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    HELD = "held"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.DRAFT: _l("Draft"),
            cls.PUBLISHED: _l("Published"),
            cls.HELD: _l("Held"),
            cls.CANCELLED: _l("Cancelled"),
        }


class Audience(LabelledEnum):
    PROJECT = "project"
    PAL = "pal"
    VILLAGES = "villages"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.PROJECT: _l("Everyone in the project"),
            cls.PAL: _l("Local Activity Programme participants"),
            cls.VILLAGES: _l("Residents of chosen villages"),
        }


class RegistrationStatus(LabelledEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    ABSENT = "absent"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.CONFIRMED: _l("Confirmed"),
            cls.WAITING: _l("Waiting list"),
            cls.CANCELLED: _l("Cancelled"),
            cls.ATTENDED: _l("Attended"),
            cls.ABSENT: _l("Absent"),
        }


class RequestStatus(LabelledEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.PENDING: _l("Waiting for a decision"),
            cls.ACCEPTED: _l("Accepted"),
            cls.REFUSED: _l("Refused"),
        }


class CounsellingKind(LabelledEnum):
    GROUP = "group"
    INDIVIDUAL = "individual"

    @classmethod
    def _labels(cls) -> "Labels":
        return {cls.GROUP: _l("Group counselling"), cls.INDIVIDUAL: _l("Individual counselling")}


class CourseStatus(LabelledEnum):
    PROPOSED = "proposed"
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    DROPPED = "dropped"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.PROPOSED: _l("Proposed"),
            cls.ENROLLED: _l("Enrolled"),
            cls.COMPLETED: _l("Completed"),
            cls.DROPPED: _l("Dropped"),
        }


class PlanStatus(LabelledEnum):
    DRAFT = "draft"
    SHARED = "shared"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.DRAFT: _l("Draft"),
            cls.SHARED: _l("Shared with the participant"),
            cls.ACKNOWLEDGED: _l("Acknowledged"),
            cls.IN_PROGRESS: _l("In progress"),
            cls.COMPLETED: _l("Completed"),
        }


class GoalStatus(LabelledEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    ABANDONED = "abandoned"

    @classmethod
    def _labels(cls) -> "Labels":
        return {cls.OPEN: _l("Open"), cls.ACHIEVED: _l("Achieved"), cls.ABANDONED: _l("Abandoned")}


class ActionKind(LabelledEnum):
    COUNSELLING = "counselling"
    COURSE = "course"
    WORK_TRAINING = "work_training"
    JOB_SEARCH = "job_search"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.COUNSELLING: _l("Counselling"),
            cls.COURSE: _l("Course"),
            cls.WORK_TRAINING: _l("Work training"),
            cls.JOB_SEARCH: _l("Job search"),
            cls.OTHER: _l("Other"),
        }


class ActionStatus(LabelledEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.PLANNED: _l("Planned"),
            cls.IN_PROGRESS: _l("In progress"),
            cls.DONE: _l("Done"),
            cls.CANCELLED: _l("Cancelled"),
        }


class ContractStatus(LabelledEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    ACTIVE = "active"
    COMPLETED = "completed"
    TERMINATED = "terminated"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.DRAFT: _l("Draft"),
            cls.SIGNED: _l("Signed"),
            cls.ACTIVE: _l("Active"),
            cls.COMPLETED: _l("Completed"),
            cls.TERMINATED: _l("Terminated early"),
        }


class AllowanceKind(LabelledEnum):
    PERIODIC = "periodic"
    PURPOSE = "purpose"
    IN_KIND = "in_kind"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.PERIODIC: _l("Periodic allowance"),
            cls.PURPOSE: _l("Purpose allowance"),
            cls.IN_KIND: _l("In-kind help"),
        }


class AllowanceStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.DRAFT: _l("Draft"),
            cls.SUBMITTED: _l("Submitted"),
            cls.APPROVED: _l("Approved"),
            cls.REJECTED: _l("Rejected"),
            cls.PAID: _l("Paid"),
            cls.WITHDRAWN: _l("Withdrawn"),
        }


class InstalmentStatus(LabelledEnum):
    DUE = "due"
    PAID = "paid"
    # Never to be paid: the entitlement ended before its month (or the allowance was withdrawn).
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls) -> "Labels":
        return {cls.DUE: _l("Due"), cls.PAID: _l("Paid"), cls.CANCELLED: _l("Cancelled")}


class InstalmentCancellation(LabelledEnum):
    """Why an instalment will not be paid."""

    CONTRACT_ENDED = "contract_ended"
    PERSON_LEFT = "person_left"
    ALLOWANCE_WITHDRAWN = "allowance_withdrawn"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.CONTRACT_ENDED: _l("the contract ended"),
            cls.PERSON_LEFT: _l("the person left the project"),
            cls.ALLOWANCE_WITHDRAWN: _l("the allowance was withdrawn"),
        }


class PurposeCategory(LabelledEnum):
    FOOD = "food"
    MEDICINE = "medicine"
    FUEL = "fuel"
    CLOTHING = "clothing"
    HOUSEHOLD = "household"
    REPAIRS = "repairs"
    TRAVEL = "travel"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.FOOD: _l("Food"),
            cls.MEDICINE: _l("Medicine"),
            cls.FUEL: _l("Fuel"),
            cls.CLOTHING: _l("Clothing"),
            cls.HOUSEHOLD: _l("Household items"),
            cls.REPAIRS: _l("Small repairs"),
            cls.TRAVEL: _l("Travel to a course or counselling"),
            cls.OTHER: _l("Other need"),
        }


class Instrument(LabelledEnum):
    """Active integration instruments a social contract can plan."""

    SOCIAL_SKILLS = "social_skills"
    VOCATIONAL_COUNSELLING = "vocational_counselling"
    COURSE = "course"
    WORK_TRAINING = "work_training"
    SOCIALLY_USEFUL_WORK = "socially_useful_work"
    SOCIAL_WORK = "social_work"

    @classmethod
    def _labels(cls) -> "Labels":
        return {
            cls.SOCIAL_SKILLS: _l("Social skills training"),
            cls.VOCATIONAL_COUNSELLING: _l("Vocational counselling"),
            cls.COURSE: _l("Vocational course"),
            cls.WORK_TRAINING: _l("Work training"),
            cls.SOCIALLY_USEFUL_WORK: _l("Socially useful work"),
            cls.SOCIAL_WORK: _l("Social work"),
        }


__all__ = ["LabelledEnum", "Labels"]
