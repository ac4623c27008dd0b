"""Forms of residents' account requests: the reason a request is refused."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.forms import PortalForm


class RefusalForm(PortalForm):
    reason = StringField(
        _l("Reason for refusing"),
        validators=[DataRequired(_l("Enter the reason for refusing.")), Length(max=500)],
    )
