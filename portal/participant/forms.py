"""Forms of the participant's own pages."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import PersonName, PortalForm
from portal.services.events.signups import MAX_COMPANIONS


class SignUpForm(PortalForm):
    companions = IntegerField(
        _l("Family members coming with you"),
        description=_l("For example your children. Leave 0 if you come alone."),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, MAX_COMPANIONS, _l("Enter a number from 0 to %(n)d.", n=MAX_COMPANIONS)),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_COMPANIONS},
    )
    companion_names = StringField(
        _l("Their names (optional)"),
        description=_l("Put a comma between names."),
        validators=[Optional(), Length(max=300), PersonName(separators=",")],
    )


class PlanCommentForm(PortalForm):
    body = TextAreaField(
        _l("Your question or comment"),
        validators=[DataRequired(_l("Write your question or comment.")), Length(max=2000)],
    )


class DisagreeForm(PortalForm):
    """ "I don't agree with my plan": what the participant would change, sent to the advisor as
    a question on the plan (`plans.comment`), marked as a disagreement."""

    body = TextAreaField(
        _l("What do you not agree with?"),
        description=_l("Your advisor reads it and gets in touch with you."),
        validators=[DataRequired(_l("Write what you do not agree with.")), Length(max=1800)],
    )


class CalendarForm(PortalForm):
    """The calendar page's buttons: each sends its own `action`."""

    action = SelectField(choices=[], validators=[InputRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = [("renew", _l("Make a new address")), ("revoke", _l("Switch it off"))]
