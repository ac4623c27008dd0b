"""Forms of merging two records of one person."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired

from portal.forms import PortalForm, id_from


def _chosen_id(value: int | str | None) -> int:
    """The id of the chosen option, within the database's range; 0 for anything else."""
    if isinstance(value, int):
        return value
    return id_from(value) or 0


class MergeChoiceForm(PortalForm):
    # The view offers the centre's other records; the chosen one is loaded again through the
    # centre's rule, so a forged option is refused there, not trusted here.
    other_id = SelectField(
        _l("The record to merge into this one"),
        description=_l(
            "The record you choose is removed: everything it holds moves to this record."
        ),
        coerce=_chosen_id,
        validate_choice=False,
        validators=[DataRequired(_l("Choose the record to merge into this one."))],
    )


class MergeConfirmForm(PortalForm):
    """The confirmation on the check page: the record to remove, as a hidden field."""

    removed_id = HiddenField()

    @property
    def chosen(self) -> int | None:
        return id_from(self.removed_id.data)
