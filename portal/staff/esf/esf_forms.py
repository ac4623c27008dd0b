"""Forms of the ESF export and of the spreadsheet import."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField

from portal.forms import PortalForm
from portal.staff.jobs.job_forms import JobRequestForm


class ExportForm(JobRequestForm):
    file_format = RadioField(_l("File format"), choices=[], default="xlsx")
    variant = RadioField(_l("Variant"), choices=[], default="full")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.file_format.choices = [
            ("xlsx", _l("XLSX (Excel, LibreOffice Calc)")),
            ("csv", _l("CSV (semicolon-separated, UTF-8)")),
        ]
        self.variant.choices = [
            ("full", _l("Full: names and PESEL, for the monitoring system")),
            (
                "pseudonymised",
                _l("Pseudonymised, for statistics: no names or contact details, PESEL replaced"),
            ),
        ]


class UploadForm(PortalForm):
    file = FileField(
        _l("Spreadsheet file"),
        validators=[FileRequired(_l("Choose the file to upload."))],
        description=_l("A CSV or XLSX file of at most 2 MB, laid out like the template."),
        render_kw={"accept": ".csv,.xlsx,text/csv"},
    )


class ConfirmForm(PortalForm):
    mode = RadioField(_l("What to import"), choices=[], default="all")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.mode.choices = [
            ("all", _l("Every row, or nothing if any row has a problem")),
            ("valid", _l("Only the rows without problems; skip the others")),
        ]
