"""Forms of the centre's set-up: projects, stages, budget lines and the centre's own lists."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from portal.forms import (
    PortalForm,
    amount_field,
    chosen_id,
    contact_email_field,
    phone_field,
    strip,
)
from portal.models.centres import Area
from portal.models.enums import BudgetLineKind, FundingSource


def _text(
    label: object, length: int, *, required: object = None, description: object = None
) -> StringField:
    return StringField(
        label,
        description=description,
        validators=[DataRequired(required) if required else Optional(), Length(max=length)],
    )


class ProjectForm(PortalForm):
    title = _text(_l("Title"), 300, required=_l("Enter the project's title."))
    number = _text(_l("Project number"), 60, description=_l("As in the funding agreement."))
    programme = _text(
        _l("Operational programme"),
        200,
        description=_l(
            "For example: FERS 2021–2027, or a regional programme such as Fundusze Europejskie"
            " dla Mazowsza 2021–2027."
        ),
    )
    priority = _text(_l("Priority"), 60)
    measure = _text(_l("Measure"), 60)
    submeasure = _text(_l("Sub-measure"), 60)
    funder = _text(
        _l("Funder"), 200, description=_l("For example: European Social Fund, the region.")
    )
    start_date = DateField(_l("Start"), validators=[DataRequired(_l("Enter the start date."))])
    end_date = DateField(
        _l("End"), validators=[Optional()], description=_l("Leave empty if not decided yet.")
    )
    archive_until = DateField(
        _l("Documents kept until"),
        validators=[Optional()],
        description=_l(
            "The archiving duty of the funding agreement. Participants' personal data are "
            "removed only after this day and after the years kept from the end of support."
        ),
    )


class StageForm(PortalForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(_l("Enter the year.")),
            NumberRange(2000, 2099, _l("Enter a year from 2000 to 2099.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    start_date = DateField(_l("Start"), validators=[DataRequired(_l("Enter the start date."))])
    end_date = DateField(_l("End"), validators=[DataRequired(_l("Enter the end date."))])


class BudgetLineForm(PortalForm):
    kind = SelectField(_l("Kind"), choices=[])
    # The project's tasks, filled by the view; the service checks the choice.
    task_id = SelectField(
        _l("Task of the funding agreement"), coerce=chosen_id, choices=[], validate_choice=False
    )
    funding_source = RadioField(_l("Funding source"), choices=[], default=FundingSource.ESF.value)
    planned = amount_field(_l("Planned amount (PLN)"))
    name = _text(_l("Note"), 200, description=_l("Optional: what the line covers."))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = BudgetLineKind.choices()
        self.funding_source.choices = FundingSource.choices()


class ReplanForm(BudgetLineForm):
    reason = _text(
        _l("Reason for the change"), 500, required=_l("Enter the reason for the change.")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        del self.kind  # a line keeps its kind; a new kind is a new line


class TaskForm(PortalForm):
    number = IntegerField(
        _l("Number"),
        description=_l("As in the funding agreement."),
        validators=[
            InputRequired(_l("Enter the task's number.")),
            NumberRange(1, 99, _l("Enter a number from 1 to 99.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    name = _text(_l("Task name"), 300, required=_l("Enter the task's name."))


class VillageForm(PortalForm):
    name = _text(_l("Village name"), 100, required=_l("Enter the name."))
    area = RadioField(_l("Area"), choices=[], default=Area.RURAL.value)
    is_active = BooleanField(_l("In use"), default=True)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.area.choices = Area.choices()


class CatalogueCourseForm(PortalForm):
    name = _text(_l("Course name"), 200, required=_l("Enter the name."))
    provider = _text(_l("Provider"), 200)
    hours = IntegerField(
        _l("Hours"),
        validators=[Optional(), NumberRange(1, 10_000, _l("Enter a number from 1 to 10000."))],
        render_kw={"inputmode": "numeric"},
    )
    price = amount_field(
        _l("Price per person (PLN)"),
        required=None,
        description=_l(
            "Charged when a course is proposed without another amount. Leave empty if the "
            "price differs from person to person; type 0 for a free course."
        ),
    )
    is_active = BooleanField(_l("In use"), default=True)


class TestTypeForm(PortalForm):
    name = _text(_l("Test name"), 100, required=_l("Enter the name."))
    is_active = BooleanField(_l("In use"), default=True)


class CentreAccountForm(PortalForm):
    bank_account = StringField(
        _l("The centre's account number"),
        description=_l("26 digits, as on the bank's statement; spaces and PL in front are fine."),
        validators=[Length(max=60)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class CentreDetailsForm(PortalForm):
    """The centre's official name and contact details (its coordinator, or the installation
    administrator for any centre)."""

    name = StringField(
        _l("Official name of the centre"),
        description=_l("As on the centre's letters and documents; the public pages show it."),
        filters=[strip],
        validators=[DataRequired(_l("Enter the centre's name.")), Length(max=200)],
    )
    address = StringField(
        _l("Address"),
        description=_l("Street and number; the postcode has a field of its own."),
        filters=[strip],
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    postcode = StringField(
        _l("Postcode"),
        description=_l("In the form 00-000; the town is the centre's own."),
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"^[0-9]{2}-[0-9]{3}$", message=_l("Enter the postcode in the form 00-000.")),
        ],
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    email = contact_email_field(
        description=_l("Where residents and participants can write to the centre.")
    )
    phone = phone_field(autocomplete="off")
    dpo_name = StringField(
        _l("Data protection officer's name"),
        filters=[strip],
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    dpo_contact = StringField(
        _l("Data protection officer's e-mail"),
        description=_l(
            "An e-mail address or a postal address; the privacy notice gives it. "
            "Leave empty to refer people to the centre's own address."
        ),
        filters=[strip],
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    building_accessibility = TextAreaField(
        _l("The building's accessibility"),
        description=_l(
            "For the accessibility statement: the way in (entrances, ramps, lift), the accessible "
            "toilet, parking for people with disabilities, whether an assistance dog may enter "
            "and whether a Polish Sign Language interpreter can be called."
        ),
        filters=[strip],
        validators=[Optional(), Length(max=4000)],
        render_kw={"rows": 6},
    )
