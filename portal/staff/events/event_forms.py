"""Forms of the event pages: the event itself, reasons, signing someone up, attendance."""

from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import CsrfForm, MultiCheckboxField, PortalForm, VersionField, id_from
from portal.models import Registration, Village
from portal.models.enums import Audience, EventType, RegistrationStatus
from portal.services.events.signups import MAX_COMPANIONS

DATETIME = "%Y-%m-%dT%H:%M"


def _when(label: object, *, required: bool, description: object = None) -> DateTimeLocalField:
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
    # Shown on a new event only: an event already held is entered once, with its reason.
    recorded_afterwards_reason = StringField(
        _l("Reason it is recorded afterwards"),
        validators=[Optional(), Length(max=500)],
        description=_l(
            "Only for an event that has already taken place, e.g. the centre started using the "
            "portal in the middle of the year. It is published at once and nobody is told; then "
            "put down who came and take the attendance."
        ),
    )
    version = VersionField()

    def __init__(self, *args: object, villages: Iterable[Village] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.event_type.choices = EventType.choices()
        self.audience.choices = Audience.choices()
        self.village_ids.choices = [(village.id, village.name) for village in villages]


class ReasonForm(PortalForm):
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Enter the reason.")), Length(max=500)]
    )


class NoteForm(PortalForm):
    """An optional note kept with a change (why staff removed someone, for example)."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


def _chosen_id(value: int | str | None) -> int:
    """The id of the chosen option, within the database's range; 0 when none is chosen."""
    if isinstance(value, int):
        return value
    return id_from(value) or 0


class AddRegistrationForm(PortalForm):
    # Only people the staff member may see are offered; the view loads the chosen one through
    # the same rule, so the choice list does not need to be rebuilt to validate a post.
    participant_id = SelectField(
        _l("Participant"),
        coerce=_chosen_id,
        validate_choice=False,
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


class MarkField(RadioField):
    """Present or absent; a row left unmarked is allowed and keeps its state."""

    def pre_validate(self, form: Form) -> None:
        if self.data is not None:
            super().pre_validate(form)


class AttendanceForm(CsrfForm):
    """Built per event by `attendance_form`: one MarkField per registration."""

    rows: dict[int, str] = {}

    def marks(self) -> dict[int, bool]:
        """Registration id -> present, for the rows that were marked."""
        marked = {rid: self[name].data for rid, name in self.rows.items()}
        return {rid: mark == "yes" for rid, mark in marked.items() if mark}


def attendance_form(registrations: Sequence[Registration]) -> AttendanceForm:
    marks = {RegistrationStatus.ATTENDED: "yes", RegistrationStatus.ABSENT: "no"}
    rows = {r.id: f"present-{r.id}" for r in registrations}
    fields = {
        rows[r.id]: MarkField(
            f"{r.participant.last_name} {r.participant.first_name}",
            choices=[],
            default=marks.get(r.status),
        )
        for r in registrations
    }
    form_class: type[AttendanceForm] = type(
        "EventAttendanceForm", (AttendanceForm,), {**fields, "rows": rows}
    )
    form = form_class()
    for name in rows.values():
        form[name].choices = [("yes", _l("Present")), ("no", _l("Absent"))]
    return form
