"""Questions on a plan reach someone: the advisor is mailed, the caseload counts the unanswered
ones, the advisor answers on the plan page and the participant is mailed that an answer waits.

A question is a `PlanComment` with no `reply_to_id`; an answer points at its question. The
e-mails carry a link, never the question or the answer: what is said about a person's plan
stays on the portal, behind a sign-in.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import aliased, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.models import IndividualPlan, PlanComment, User
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.common.links import external_url
from portal.services.mail import mail
from portal.services.people import consents

BODY_MAX = 2000


class AnswerRefused(PortalError):
    message = _l("This question cannot be answered.")


def advisor_of(plan: IndividualPlan) -> User | None:
    """Who answers: the person's advisor now (a handed-over caseload moves them), else the
    advisor who started the plan; an inactive account reads no mail."""
    for user in (plan.participant.advisor, plan.advisor):
        if user is not None and user.is_active:
            return user
    return None


def tell_advisor(plan: IndividualPlan) -> bool:
    """Mail the advisor that the participant asked something; False when nobody can be mailed
    (the question still shows in the caseload of whoever keeps the person)."""
    advisor = advisor_of(plan)
    if advisor is None or not advisor.email:
        return False
    mail.queue(
        advisor.email,
        "plan_question",
        locale=advisor.locale,
        centre_id=plan.centre_id,
        advisor=advisor,
        person=plan.participant,
        url=external_url(
            "staff.plan_page", participant_id=plan.participant_id, _anchor="questions"
        ),
    )
    return True


def _question(plan: IndividualPlan, question_id: int) -> PlanComment:
    # A reply is no question of its own: it is answered as missing.
    return loading.one(
        select(PlanComment).where(
            PlanComment.id == question_id,
            PlanComment.plan_id == plan.id,
            PlanComment.reply_to_id.is_(None),
        ),
        for_update=True,
    )


def answer(
    plan: IndividualPlan, question_id: int, *, actor: User, body: str, now: datetime
) -> PlanComment:
    """The advisor's answer to one question of this plan; the participant is told by mail.

    The question's row is locked first, so two answers pressed at once give one answer.
    """
    question = _question(plan, question_id)
    body = (body or "").strip()
    if not body:
        raise AnswerRefused(_l("Write your answer."), field="body")
    if len(body) > BODY_MAX:
        raise AnswerRefused(_l("At most %(n)d characters.", n=BODY_MAX), field="body")
    if db.session.scalar(select(exists().where(PlanComment.reply_to_id == question.id))):
        raise AnswerRefused(_l("This question has already been answered."))
    entry = PlanComment(
        plan_id=plan.id, author_id=actor.id, body=body, created_at=now, reply_to_id=question.id
    )
    db.session.add(entry)
    if question.read_at is None:
        question.read_at = now
    audit.record(
        "plan.answer",
        plan,
        actor=actor,
        at=now,
        changes={"question": (None, question.id), "answer": (None, body)},
    )
    _tell_participant(plan)
    return entry


def _tell_participant(plan: IndividualPlan) -> bool:
    # Only with the consent to e-mail contact; the answer is on their plan's page either way.
    person = plan.participant
    address = consents.email_for_project(person)
    if address is None:
        return False
    mail.queue(
        address,
        "plan_answer",
        locale=person.user.locale if person.user else None,
        centre_id=plan.centre_id,
        person=person,
        url=external_url("participant.plan", _anchor="questions"),
    )
    return True


def unanswered_count() -> ColumnElement[int]:
    """A column for a query over IndividualPlan: how many of its questions have no answer."""
    reply = aliased(PlanComment)
    return (
        select(func.count(PlanComment.id))
        .where(
            PlanComment.plan_id == IndividualPlan.id,
            PlanComment.reply_to_id.is_(None),
            ~exists().where(reply.reply_to_id == PlanComment.id),
        )
        .correlate(IndividualPlan)
        .scalar_subquery()
    )


def of_plan(plan_id: int | None) -> list[PlanComment]:
    """The participant's questions on a plan, oldest first, each with its answers and the
    names of who answered: one statement however many there are."""
    if plan_id is None:
        return []
    comments = db.session.scalars(
        select(PlanComment)
        .where(PlanComment.plan_id == plan_id)
        .order_by(PlanComment.id)
        # Questions and answers are rows of one table: read together, and each answer is put
        # under its question here instead of a second statement for the answers.
        .options(lazyload(PlanComment.answers), *loading.names(PlanComment.author))
    ).all()
    answers: dict[int, list[PlanComment]] = {}
    for comment in comments:
        if comment.reply_to_id is not None:
            answers.setdefault(comment.reply_to_id, []).append(comment)
    questions = [comment for comment in comments if comment.reply_to_id is None]
    for question in questions:
        set_committed_value(question, "answers", answers.get(question.id, []))
    return questions
