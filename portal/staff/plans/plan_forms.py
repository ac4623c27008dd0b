from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import PortalForm, VersionField
from portal.models.base import LabelledEnum
from portal.models.enums import ActionKind, ActionStatus, CounsellingKind, GoalStatus
from portal.services.plans.diagnosis import NOTES_MAX
from portal.services.plans.plans import TEXT_MAX

ONE_PER_LINE = _l("One item per line.")


def _text(label: object, description: object = None) -> TextAreaField:
    return TextAreaField(
        label, description=description, validators=[Optional(), Length(max=TEXT_MAX)]
    )


class VersionedForm(PortalForm):
    """Carries the plan version the form was opened on and its part's fingerprint then
    (optimistic locking of each part on its own)."""

    version = VersionField()
    base = HiddenField(validators=[Optional(), Length(max=64)])


class SwotForm(VersionedForm):
    strengths = _text(_l("Strengths"), ONE_PER_LINE)
    weaknesses = _text(_l("Weaknesses"), ONE_PER_LINE)
    opportunities = _text(_l("Opportunities"), ONE_PER_LINE)
    threats = _text(_l("Threats"), ONE_PER_LINE)


class PotentialForm(VersionedForm):
    potential = _text(_l("Vocational potential"))
    predispositions = _text(_l("Predispositions"))


class MarketForm(VersionedForm):
    target_occupations = _text(_l("Target occupations"))
    market_demand = _text(_l("What the local labour market asks for"))
    market_fit = _text(_l("How the person's resources meet it"))


class NotesForm(VersionedForm):
    advisor_notes = _text(_l("Advisor's notes (never shown to the participant)"))


SECTION_FORMS = {
    "swot": SwotForm,
    "potential": PotentialForm,
    "market": MarketForm,
    "notes": NotesForm,
}


class GoalForm(VersionedForm):
    description = StringField(
        _l("Goal"), validators=[DataRequired(_l("Describe the goal.")), Length(max=500)]
    )
    target_date = DateField(_l("Target date"), validators=[Optional()])


class ActionForm(VersionedForm):
    kind = SelectField(_l("Kind of action"), choices=[])
    description = StringField(
        _l("Action"), validators=[DataRequired(_l("Describe the action.")), Length(max=500)]
    )
    due_date = DateField(_l("Due date"), validators=[Optional()])
    responsible = StringField(_l("Who is responsible"), validators=[Optional(), Length(max=200)])
    # What the action stands for, if anything: completing the course or attending the session
    # marks it done. The person's own courses and sessions are offered (the page sets them);
    # the service refuses any other.
    course_assignment_id = SelectField(
        _l("The course it stands for"),
        description=_l("When the course is completed, the action is marked done."),
        coerce=int,
        validate_choice=False,
    )
    event_id = SelectField(
        _l("The group session it stands for"),
        description=_l("When the participant attends the session, the action is marked done."),
        coerce=int,
        validate_choice=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = ActionKind.choices()
        self.course_assignment_id.choices = [(0, "—")]
        self.event_id.choices = [(0, "—")]


def _state(states: Iterable[LabelledEnum]) -> SelectField:
    message = _l("Choose a state.")
    return SelectField(
        _l("State"),
        validate_choice=False,  # AnyOf says it in words a person understands
        validators=[InputRequired(message), AnyOf([s.value for s in states], message=message)],
    )


class GoalStatusForm(VersionedForm):
    """A goal's state, posted from its card on the plan page (fields without a prefix)."""

    status = _state(GoalStatus)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = GoalStatus.choices()


class ActionStatusForm(VersionedForm):
    status = _state(ActionStatus)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = ActionStatus.choices()


class RestoreForm(VersionedForm):
    """The restore button of a revision on the history page: only the plan's version."""


class ReopenForm(PortalForm):
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason for reopening the plan.")), Length(max=500)],
    )


class DiagnosisTestForm(PortalForm):
    test_type_id = SelectField(
        _l("Test"), coerce=int, validators=[DataRequired(_l("Choose a test from the list."))]
    )
    taken_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    result_summary = TextAreaField(
        _l("Result summary"), validators=[Optional(), Length(max=NOTES_MAX)]
    )


class SessionForm(PortalForm):
    kind = SelectField(_l("Kind of counselling"), choices=[])
    held_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        validators=[
            InputRequired(_l("Enter the duration.")),
            NumberRange(1, 600, _l("Enter a duration from 1 to 600 minutes.")),
        ],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=NOTES_MAX)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = CounsellingKind.choices()


class AdvisorForm(PortalForm):
    advisor_id = SelectField(_l("Career advisor"), coerce=int, validators=[Optional()])
