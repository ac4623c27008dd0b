"""Merging two records of one person: pick the duplicate, check what moves, confirm."""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.models import Participant
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.people import labels, merging, participants
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.people.merge_forms import MergeChoiceForm, MergeConfirmForm


def _choice_form(kept: Participant) -> MergeChoiceForm:
    form = MergeChoiceForm()
    form.other_id.choices = [(0, _("— choose —"))] + [
        (other.id, labels.label(other, surname_first=False, pesel=True))
        for other in merging.candidates(kept.centre_id, kept)
    ]
    return form


@bp.route("/participants/<int:participant_id>/merge", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def participant_merge(participant_id: int) -> ResponseReturnValue:
    kept = participants.get_for_staff(current_user, participant_id, shown=True)
    # The record kept is the one read; the others are offered by name, as the list shows them.
    reads.viewed(kept, "merge")
    form = _choice_form(kept)
    if form.validate_on_submit():
        with boundary.shown(form):
            kept, removed = merging.pair(kept.centre_id, kept.id, form.other_id.data)
            return render_template(
                "staff/people/participant_merge.html",
                kept=kept,
                plan=merging.plan_merge(kept, removed),
                confirm=MergeConfirmForm(removed_id=str(removed.id)),
            )
    return render_template("staff/people/participant_merge.html", kept=kept, form=form, plan=None)


@bp.post("/participants/<int:participant_id>/merge/confirm")
@role_required(Role.COORDINATOR)
def participant_merge_confirm(participant_id: int) -> ResponseReturnValue:
    kept = participants.get_for_staff(current_user, participant_id)
    form = MergeConfirmForm()
    removed_id = form.chosen if form.validate_on_submit() else None
    if removed_id is None:
        flash(_("The form is damaged. Reload the page."), "error")
        return redirect(url_for(".participant_merge", participant_id=kept.id))
    with boundary.shown():
        merging.merge(kept.centre_id, kept.id, removed_id, actor=current_user, now=utcnow())
        flash(_("The two records are merged into this one."), "success")
        return redirect(url_for(".participant_detail", participant_id=kept.id))
    return redirect(url_for(".participant_merge", participant_id=kept.id))
