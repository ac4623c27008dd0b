"""The approval queue's filter: a GET form, so that a filtered page can be bookmarked, and the
same fields carried by the "approve all that match" confirmation."""

from collections.abc import Iterable, Mapping, Sequence

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, SelectField
from wtforms.fields import MonthField
from wtforms.validators import Optional, ValidationError

from portal.forms import PortalForm, Validator
from portal.models import User
from portal.models.enums import AllowanceKind

EVERY = ""


class QueueFilterForm(PortalForm):
    # The choices are checked by the methods below, with a message that says what to do.
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)
    month = MonthField(_l("Month"), validators=[Optional()])
    worker = SelectField(_l("Social worker"), choices=[], validate_choice=False)
    overdue = BooleanField(_l("Only those waiting long"), render_kw={"value": "1"})

    def fill(self, workers: Iterable[User]) -> None:
        self.kind.choices = [(EVERY, _l("All kinds"))] + [(k.value, k.label) for k in AllowanceKind]
        self.worker.choices = [(EVERY, _l("Everyone"))] + [
            (str(w.id), w.full_name) for w in workers
        ]

    def validate(self, extra_validators: Mapping[str, Sequence[Validator]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.month.process_errors:  # "2026-13" read as no month: say what one looks like
            self.month.errors = [_l("Enter a month as the year and the month, e.g. 2026-03.")]
        return valid

    def validate_kind(self, field: Field) -> None:
        if field.data and field.data not in {value for value, _label in self.kind.choices}:
            raise ValidationError(_l("Choose a kind from the list."))

    def validate_worker(self, field: Field) -> None:
        if field.data and field.data not in {value for value, _label in self.worker.choices}:
            raise ValidationError(_l("Choose a social worker from the list."))

    def chosen_kind(self) -> AllowanceKind | None:
        return AllowanceKind(self.kind.data) if self.kind.data else None

    def chosen_worker(self) -> int | None:
        return int(self.worker.data) if self.worker.data else None
