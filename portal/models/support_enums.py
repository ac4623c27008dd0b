"""Closed sets of values for support as delivered and money as spent."""

from flask_babel import lazy_gettext as _l

from portal.models.labelled import LabelledEnum, Labels


class GroupInstrument(LabelledEnum):
    """A group instrument whose sessions are held for enrolled participants (not a PAL event)."""

    SOCIAL_SKILLS = "social_skills"
    GROUP_COUNSELLING = "group_counselling"
    CLUB_MEETING = "club_meeting"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.SOCIAL_SKILLS: _l("Social skills training"),
            cls.GROUP_COUNSELLING: _l("Group vocational counselling"),
            cls.CLUB_MEETING: _l("Club meeting"),
        }


class ContactKind(LabelledEnum):
    """How a social worker met the person or family (casework log)."""

    HOME_VISIT = "home_visit"
    INTERVIEW = "interview"
    PHONE = "phone"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.HOME_VISIT: _l("Home visit"),
            cls.INTERVIEW: _l("Interview at the centre"),
            cls.PHONE: _l("Phone call"),
            cls.OTHER: _l("Other contact"),
        }


class PlacementKind(LabelledEnum):
    WORK_TRAINING = "work_training"
    SOCIALLY_USEFUL_WORK = "socially_useful_work"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.WORK_TRAINING: _l("Work training"),
            cls.SOCIALLY_USEFUL_WORK: _l("Socially useful work"),
        }


class ExpenseKind(LabelledEnum):
    """Where a ledger entry came from; a correction always points at the entry it corrects."""

    LEDGER = "ledger"
    EVENT_COST = "event_cost"
    SALARY = "salary"
    CORRECTION = "correction"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.LEDGER: _l("Expense"),
            cls.EVENT_COST: _l("Event cost"),
            cls.SALARY: _l("Salary"),
            cls.CORRECTION: _l("Correction"),
        }


class EventCostKind(LabelledEnum):
    BUS = "bus"
    CATERING = "catering"
    INSURANCE = "insurance"
    ROOM = "room"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> Labels:
        return {
            cls.BUS: _l("Bus hire"),
            cls.CATERING: _l("Catering"),
            cls.INSURANCE: _l("Insurance"),
            cls.ROOM: _l("Room hire"),
            cls.OTHER: _l("Other cost"),
        }
