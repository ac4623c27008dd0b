from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import MultiCheckboxField, PortalForm, VersionField
from portal.models.enums import Audience, EventType
from portal.services.signups import MAX_COMPANIONS

DATETIME = "%Y-%m-%dT%H:%M"


def _when(label, *, required: bool, description=None):
    message = _l("Enter the date and time.")
    return DateTimeLocalField(
        label,
        format=DATETIME,
        description=description,
        validators=[DataRequired(message) if required else Optional()],
    )


class EventForm(PortalForm):
    event_type = SelectField(_l("Type"), choices=[])
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5000)],
        description=_l("What happens, who it is for, what to bring. Plain words."),
    )
    place = StringField(
        _l("Place"), validators=[DataRequired(_l("Enter the place.")), Length(max=200)]
    )
    starts_at = _when(_l("Starts"), required=True)
    ends_at = _when(_l("Ends"), required=True)
    capacity = IntegerField(
        _l("Number of places"),
        validators=[
            InputRequired(_l("Enter the number of places.")),
            NumberRange(0, 10_000, _l("Enter a number from 0 to 10000.")),
        ],
    )
    audience = RadioField(_l("Who can sign up"), choices=[], default=Audience.PROJECT.value)
    village_ids = MultiCheckboxField(_l("Villages"), coerce=int, choices=[])
    registration_opens_at = _when(
        _l("Sign-up opens"),
        required=False,
        description=_l("Leave empty to open sign-up as soon as the event is published."),
    )
    registration_closes_at = _when(
        _l("Sign-up closes"),
        required=False,
        description=_l("Leave empty to allow sign-up until the event starts."),
    )
    cancellation_cutoff_at = _when(
        _l("Participants can cancel until"),
        required=False,
        description=_l("Leave empty to use the centre's default (hours before the start)."),
    )
    version = VersionField()

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.event_type.choices = EventType.choices()
        self.audience.choices = Audience.choices()
        self.village_ids.choices = [(village.id, village.name) for village in villages]


class ReasonForm(PortalForm):
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Enter the reason.")), Length(max=500)]
    )


class AddRegistrationForm(PortalForm):
    participant_id = SelectField(
        _l("Participant"),
        coerce=int,
        validators=[DataRequired(_l("Choose a participant."))],
    )
    companions = IntegerField(
        _l("Family members coming along"),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, MAX_COMPANIONS, _l("Enter a number from 0 to %(n)d.", n=MAX_COMPANIONS)),
        ],
    )
