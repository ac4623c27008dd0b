"""The audit trail's filters: a GET form, so that a filtered page can be bookmarked."""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from portal.forms import PortalForm
from portal.models import Centre, User
from portal.services.audit import audit_labels
from portal.services.common.limits import MAX_ID

EVERY = ""


class TrailFilterForm(PortalForm):
    centre = SelectField(_l("Centre"), choices=[], validators=[Optional()])
    actor = SelectField(_l("Who"), choices=[], validators=[Optional()])
    action = SelectField(_l("What"), choices=[], validators=[Optional()])
    record_type = SelectField(_l("Kind of record"), choices=[], validators=[Optional()])
    record_id = IntegerField(
        _l("Record number"),
        validators=[Optional(), NumberRange(1, MAX_ID, _l("Enter a record number, e.g. 12."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def fill(
        self, *, centres: Iterable[Centre], actors: Iterable[User], every_centre: bool
    ) -> None:
        """The choices: centres for an administrator, the staff, the actions and the records."""
        self.centre.choices = [(EVERY, _l("All centres"))] + [(str(c.id), c.name) for c in centres]
        if not every_centre:
            del self.centre
        self.actor.choices = [(EVERY, _l("Everyone"))] + [
            (str(u.id), f"{u.last_name} {u.first_name}") for u in actors
        ]
        actions = sorted(audit_labels.ACTIONS, key=audit_labels.action_label)
        self.action.choices = [(EVERY, _l("Every action"))] + [
            (name, audit_labels.action_label(name)) for name in actions
        ]
        types = sorted(audit_labels.ENTITIES, key=audit_labels.entity_label)
        self.record_type.choices = [(EVERY, _l("Every kind"))] + [
            (name, audit_labels.entity_label(name)) for name in types
        ]

    def validate_record_id(self, field: Field) -> None:
        if field.data and not self.record_type.data:
            raise ValidationError(_l("Choose the kind of record the number belongs to."))

    def validate_until(self, field: Field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date cannot be before the start date."))

    def chosen_id(self, name: str) -> int | None:
        field = getattr(self, name, None)
        return int(field.data) if field is not None and field.data else None
