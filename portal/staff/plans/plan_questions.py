"""The advisor answers a participant's question on the plan page (`_plan_questions.html`)."""

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.auth.access import role_required
from portal.forms import PortalForm, id_from
from portal.models.base import utcnow
from portal.services.plans import plan_questions
from portal.staff.blueprint import bp
from portal.staff.plans.plan_pages import PLAN_STAFF, plan_for_staff


class AnswerForm(PortalForm):
    question_id = HiddenField(validators=[DataRequired()])
    body = TextAreaField(
        _l("Your answer"),
        validators=[
            DataRequired(_l("Write your answer.")),
            Length(max=plan_questions.BODY_MAX),
        ],
    )


@bp.post("/plans/<int:plan_id>/answer")
@role_required(*PLAN_STAFF)
def plan_answer(plan_id: int) -> ResponseReturnValue:
    plan, _person = plan_for_staff(plan_id)
    form = AnswerForm()
    back = url_for(".plan_page", participant_id=plan.participant_id) + "#questions"
    question_id = id_from(form.question_id.data)
    if not form.validate_on_submit() or question_id is None:
        errors = [error for field in form for error in field.errors]
        flash(str(errors[0]) if errors else _("The form is damaged. Reload the page."), "error")
        return redirect(back)
    plan_questions.answer(plan, question_id, actor=current_user, body=form.body.data, now=utcnow())
    flash(_("Your answer is saved. The participant is told by e-mail."), "success")
    return redirect(back)
