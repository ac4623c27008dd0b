from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from portal.forms import PortalForm, VersionField
from portal.services.reporting.yearly_report import TEXT_MAX


class ReportSectionForm(PortalForm):
    """The coordinator's text of one section, on the report version the form was opened on."""

    version = VersionField()
    text = TextAreaField(
        _l("Your text in this section"),
        description=_l(
            "Shown after the section's figures; a blank line starts a new paragraph. "
            "The figures themselves are computed from the data."
        ),
        validators=[Optional(), Length(max=TEXT_MAX)],
    )


class CloseReportForm(PortalForm):
    version = VersionField()
