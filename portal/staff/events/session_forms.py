"""Forms of the session pages: a session of a group instrument, its edit and cancelling,
enrolment, a walk-in."""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import MultiCheckboxField, PortalForm, VersionField
from portal.models import Project
from portal.models.support import GroupInstrument
from portal.staff.events.event_forms import _chosen_id

# A training group is small: the place counter is how many people may be enrolled.
DEFAULT_GROUP_SIZE = 12
MAX_GROUP_SIZE = 200


class _SessionFields(PortalForm):
    """What a session is: typed when it is planned (or recorded afterwards) and when edited."""

    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty to use the instrument's name."),
    )
    day = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    starts = TimeField(_l("Starts at"), validators=[DataRequired(_l("Enter the time."))])
    ends = TimeField(_l("Ends at"), validators=[DataRequired(_l("Enter the time."))])
    place = StringField(
        _l("Place"), validators=[DataRequired(_l("Enter the place.")), Length(max=200)]
    )
    trainer = StringField(
        _l("Trainer"),
        validators=[DataRequired(_l("Enter who runs the session.")), Length(max=200)],
        description=_l("The trainer, advisor or club leader who runs the session."),
    )
    topics = TextAreaField(
        _l("Topics"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One topic per line, e.g. assertiveness, conflict resolution."),
    )
    capacity = IntegerField(
        _l("Places in the group"),
        default=DEFAULT_GROUP_SIZE,
        validators=[
            InputRequired(_l("Enter the number of places.")),
            NumberRange(1, MAX_GROUP_SIZE, _l("Enter a number from 1 to %(n)d.", n=MAX_GROUP_SIZE)),
        ],
        description=_l("How many people may be enrolled. Walk-ins on the day may exceed it."),
    )


class SessionForm(_SessionFields):
    instrument = SelectField(_l("Instrument"), choices=[])
    project_id = SelectField(
        _l("Project"),
        coerce=_chosen_id,
        choices=[],
        validators=[DataRequired(_l("Choose the project."))],
    )

    def __init__(self, *args: object, projects: Iterable[Project] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.instrument.choices = GroupInstrument.choices()
        self.project_id.choices = [(project.id, project.title) for project in projects]


class SessionEditForm(_SessionFields):
    version = VersionField()


class CancelForm(PortalForm):
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(_l("Enter the reason.")), Length(max=500)],
        description=_l("Kept with the session and written in the e-mail, e.g. the trainer is ill."),
    )


class EnrolForm(PortalForm):
    participant_ids = MultiCheckboxField(
        _l("Participants"),
        coerce=_chosen_id,
        choices=[],
        validators=[DataRequired(_l("Choose at least one participant."))],
    )


class WalkInForm(PortalForm):
    participant_id = SelectField(
        _l("Participant"),
        coerce=_chosen_id,
        choices=[],
        validators=[DataRequired(_l("Choose a participant."))],
    )
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(_l("Enter the reason.")), Length(max=500)],
        description=_l("Why the person was not enrolled, e.g. came in place of someone ill."),
    )
