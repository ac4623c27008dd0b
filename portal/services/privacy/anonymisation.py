"""Where a participant's personal data live, column by column, and how each is cleaned.

Kept: ids, links between records, counts, amounts, dates, statuses and the ESF categories
(sex, education, labour-market status, social situation, results at exit, area, voivodeship,
county, commune, village, kind of employer), so every figure of the yearly report and of the ESF
export stays as it was. The birth date becomes a day that gives the same age at the start of
support (the only thing the figures read from it). Removed: names, PESEL, contact details,
the street address and every text typed about the person. Consent records stay: they hold no
personal data besides ids and dates and prove the processing was lawful.

The audit trail needs no cleaning: `audit.record` never writes a personal value.
"""

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, update

from portal.extensions import db
from portal.models import (
    AccountRequest,
    Allowance,
    BankAccountChange,
    CaseworkEntry,
    CounsellingSession,
    CourseAssignment,
    DiagnosisTest,
    ImportBatch,
    IndividualPlan,
    OutboxMessage,
    Participant,
    Placement,
    PlanAction,
    PlanComment,
    PlanGoal,
    PlanRevision,
    Registration,
    SocialContract,
    User,
)
from portal.services.accounts.accounts import new_token
from portal.services.audit.audit import MASK
from portal.services.people import monitoring, participation_start

# Free text in the person's own records, and what each column becomes.
FREE_TEXT: tuple[tuple[Any, dict[str, Any]], ...] = (
    (Registration, {"companion_names": "", "note": None}),
    (
        SocialContract,
        {
            "problem": "", "goal": "", "participant_obligations": "", "centre_obligations": "",
            "support": "", "evaluation": "", "termination_reason": None,
        },
    ),
    (Allowance, {"purpose": "", "justification": "", "rejection_reason": None}),
    (DiagnosisTest, {"result_summary": ""}),
    (CounsellingSession, {"notes": ""}),
    (CourseAssignment, {"certificate_number": None, "drop_reason": None}),
    (CaseworkEntry, {"note": ""}),
    (Placement, {"employer": "", "supervisor": ""}),
    (BankAccountChange, {"bank_account": None, "bank_account_owner": None}),
)  # fmt: skip
PLAN_TEXT: dict[str, Any] = {
    "strengths": [], "weaknesses": [], "opportunities": [], "threats": [], "potential": "",
    "predispositions": "", "target_occupations": "", "market_demand": "", "market_fit": "",
    "advisor_notes": "", "reopened_reason": None,
}  # fmt: skip
# The participant's own columns that identify or describe the person beyond the ESF categories.
PERSON_CLEARED = (
    "pesel", "no_pesel_country", "email", "phone", "town", "street", "building_number",
    "flat_number", "postcode", "occupation", "exit_reason", "calendar_token", "bank_account",
    "bank_account_owner",
)  # fmt: skip
NAME_SHOWN = "—"


def placeholder_email(kind: str, record_id: int) -> str:
    """A unique address that says nothing about anybody and can never receive mail."""
    return f"anonymised-{kind}-{record_id}@anonymised.invalid"


def same_age_birth_date(birth_date: date | None, start: date | None) -> date | None:
    """A birth date giving the same age at the start of participation, and nothing more."""
    age = monitoring.age_at_entry(birth_date, start)
    if age is None or start is None:
        return None
    try:
        return start.replace(year=start.year - age)
    except ValueError:  # 29 February
        return start.replace(year=start.year - age, day=28)


def _needles(person: Participant) -> list[str]:
    """The person's identifying strings, to find them inside texts written to others."""
    found = [person.full_name, person.pesel, person.email, person.phone]
    if person.user is not None:
        found.append(person.user.email)
    return [value for value in found if value and len(value.strip()) >= 5]


def scrub(person: Participant, *, now: datetime) -> dict[str, int]:
    needles = _needles(person)
    addresses = {a for a in (person.email, person.user.email if person.user else None) if a}
    identity = (person.pesel, person.first_name, person.last_name, person.birth_date, addresses)
    cleaned = {
        "outbox": _outbox(addresses, needles),
        "account_requests": _account_requests(person.centre_id, addresses),
        "imports": _imports(person.centre_id, *identity),
        "plan": _plan(person.id),
    }
    for model, values in FREE_TEXT:
        cleaned[model.__tablename__] = _update(
            update(model).where(model.participant_id == person.id).values(**values)
        )
    if person.user is not None:
        _account(person.user)
    # The same age at the start of participation the report and the exports state.
    start = participation_start.of(person, now=now)
    person.birth_date = same_age_birth_date(person.birth_date, start)
    for name in PERSON_CLEARED:
        setattr(person, name, None)
    person.first_name, person.last_name = NAME_SHOWN, f"#{person.id}"
    person.anonymised_at = now
    db.session.flush()
    return cleaned


def _update(statement: Any) -> int:
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def _account(user: User) -> None:
    """The account stays (it is linked from the trail) but can never sign in again."""
    user.email = placeholder_email("user", user.id)
    user.first_name, user.last_name = NAME_SHOWN, f"#{user.id}"
    user.password_hash = None
    user.is_active = False
    user.session_token, user.link_nonce = new_token(), new_token()


def _plan(participant_id: int) -> int:
    plan = db.session.scalar(
        select(IndividualPlan).where(IndividualPlan.participant_id == participant_id)
    )
    if plan is None:
        return 0
    for name, value in PLAN_TEXT.items():
        setattr(plan, name, value)
    _update(update(PlanGoal).where(PlanGoal.plan_id == plan.id).values(description=""))
    _update(
        update(PlanAction)
        .where(PlanAction.plan_id == plan.id)
        .values(description="", responsible="")
    )
    _update(update(PlanComment).where(PlanComment.plan_id == plan.id).values(body=""))
    db.session.flush()
    db.session.expire(plan)
    from portal.services.plans.plans import snapshot  # plans imports much; only needed here

    empty = snapshot(plan)
    revisions = list(
        db.session.scalars(select(PlanRevision).where(PlanRevision.plan_id == plan.id))
    )
    for revision in revisions:
        revision.snapshot = empty
        revision.changes = {
            field: {"old": MASK if _set(change, "old") else None,
                    "new": MASK if _set(change, "new") else None}
            for field, change in revision.changes.items()
        }  # fmt: skip
    return 1 + len(revisions)


def _set(change: Any, key: str) -> bool:
    return isinstance(change, dict) and change.get(key) not in (None, "", [], {})


def _outbox(addresses: set[str], needles: list[str]) -> int:
    """Mail to the person is emptied; mail to others that names the person loses the name."""
    if not needles and not addresses:
        return 0
    mentions = [OutboxMessage.subject.contains(n) for n in needles] + [
        OutboxMessage.body.contains(n) for n in needles
    ]
    query = select(OutboxMessage).where(or_(OutboxMessage.to_address.in_(addresses), *mentions))
    pattern = (
        re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE) if needles else None
    )
    count = 0
    for message in db.session.scalars(query):
        count += 1
        if message.to_address in addresses:
            message.to_address = placeholder_email("message", message.id)
            message.subject, message.body = "", ""
            message.attachment_name = message.attachment_body = None
        elif pattern is not None:
            message.subject = pattern.sub(MASK, message.subject)
            message.body = pattern.sub(MASK, message.body)
            if message.attachment_body:
                message.attachment_body = pattern.sub(MASK, message.attachment_body)
    return count


def _account_requests(centre_id: int, addresses: set[str]) -> int:
    requests = db.session.scalars(
        select(AccountRequest).where(
            AccountRequest.centre_id == centre_id, AccountRequest.email.in_(addresses)
        )
    )
    count = 0
    for request in requests:
        count += 1
        request.first_name, request.last_name = NAME_SHOWN, f"#{request.id}"
        request.email = placeholder_email("request", request.id)
        request.refusal_reason = None
    return count


def _imports(
    centre_id: int,
    pesel: str | None,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    addresses: set[str],
) -> int:
    """Rows of the person still waiting in an import are dropped (imported rows are not kept)."""
    name = (first_name.casefold(), last_name.casefold())
    born = birth_date.isoformat() if birth_date else None

    def theirs(row: dict[str, Any]) -> bool:
        row_name = (
            str(row.get("first_name", "")).casefold(),
            str(row.get("last_name", "")).casefold(),
        )
        return bool(
            (pesel and row.get("pesel") == pesel)
            or (row.get("email") and row.get("email") in addresses)
            or (row_name == name and born is not None and row.get("birth_date") == born)
        )

    count = 0
    batches = db.session.scalars(select(ImportBatch).where(ImportBatch.centre_id == centre_id))
    for batch in batches:
        kept = [row for row in batch.rows if not theirs(row)]
        if len(kept) != len(batch.rows):
            batch.rows = kept
            count += 1
    return count
