from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import PortalForm, VersionField
from portal.services.reporting import discrepancies
from portal.services.reporting.figures_check import Discrepancy
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


def explanation_field(found: Discrepancy) -> str:
    return f"why_{discrepancies.key(found)}"


def close_form_for(found: list[Discrepancy]) -> type[CloseReportForm]:
    """The close form with one required explanation per discrepancy the check finds now: a
    finding that appeared after the page was opened is refused beside its own field."""

    class ExplainedCloseForm(CloseReportForm):
        pass

    for number, each in enumerate(found, start=1):
        setattr(
            ExplainedCloseForm,
            explanation_field(each),
            TextAreaField(
                _l("Explanation of discrepancy %(number)d", number=number),
                validators=[
                    DataRequired(message=_l("Explain this discrepancy before closing.")),
                    Length(max=discrepancies.EXPLANATION_MAX),
                ],
            ),
        )
    return ExplainedCloseForm
