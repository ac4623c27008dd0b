"""Two records of one person become one: a coordinator keeps one record and removes the other.

Everything that points at the removed record (registrations, plans with their comments,
contracts, allowances, course assignments, diagnosis tests, counselling sessions, consents,
casework entries, placements, the account) moves to the kept one in the request's transaction,
fields missing on the kept record are filled from the removed one, the removed record is deleted,
and one audit entry on the kept record says what moved and from which id. `MOVED` names every
table with a foreign key to the participants (a test reads them from the schema, so a new one
cannot be forgotten). The audit trail has no such key and is not moved: its entries about the
removed id stay as the history of that record, and the merge entry says where it went.

A merge never creates what one person cannot have twice: two signed or active contracts in one
project, two registrations for one event, two individual plans, two accounts. Both rows are
locked (`FOR UPDATE` on PostgreSQL; on SQLite every write transaction begins IMMEDIATE) and the
rules are checked again under the lock, so a merge and a change made meanwhile cannot both win.

Two registrations for one event: when one of them is cancelled, the live one is kept and the
cancelled one dropped (it holds no place); when both hold or wait for a place the merge is
refused, so that a place is given back through the ordinary cancellation, which also moves the
waiting list on.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    BankAccountChange,
    BankAccountChangeStatus,
    CaseworkEntry,
    Consent,
    CounsellingSession,
    CourseAssignment,
    DiagnosisTest,
    Event,
    IndividualPlan,
    Participant,
    Placement,
    PlanComment,
    Registration,
    SocialContract,
    User,
)
from portal.models.enums import ContractStatus, RegistrationStatus
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import PageRefused, PortalError
from portal.services.people import labels
from portal.services.support import entitlements

# What moves, in the order the check page lists it.
MOVED: dict[str, tuple[Any, Any]] = {
    "registrations": (Registration, _l("Event registrations")),
    "plans": (IndividualPlan, _l("Individual development plans")),
    "contracts": (SocialContract, _l("Social contracts")),
    "allowances": (Allowance, _l("Allowances")),
    "course_assignments": (CourseAssignment, _l("Course assignments")),
    "diagnosis_tests": (DiagnosisTest, _l("Diagnosis tests")),
    "counselling_sessions": (CounsellingSession, _l("Counselling sessions")),
    "consents": (Consent, _l("Consent records")),
    "casework_entries": (CaseworkEntry, _l("Casework entries")),
    "placements": (Placement, _l("Placements")),
    "bank_account_changes": (BankAccountChange, _l("Changes of bank account")),
}
KIND_LABELS = {
    **{kind: label for kind, (_model, label) in MOVED.items()},
    "plan_comments": _l("Comments on the plan"),
    "account": _l("User account"),
    "registrations_dropped": _l("Cancelled registrations dropped as duplicates"),
}

# Filled only together, when the kept record has none of them: parts of two addresses or two
# periods of support would describe nobody.
GROUPS = (
    ("pesel", "birth_date", "sex"),
    ("voivodeship", "county", "commune", "town", "street", "building_number", "flat_number",
     "postcode", "area"),
    ("support_start", "support_start_reason", "support_end", "left_early"),
    # The long-term flag is checked against the date the person became unemployed.
    ("labour_market_status", "is_long_term_unemployed", "unemployed_since"),
    # An account goes with its holder.
    ("bank_account", "bank_account_owner"),
)  # fmt: skip
SINGLE = (
    "birth_date", "sex", "no_pesel_country", "email", "phone", "village_id", "advisor_id",
    "social_worker_id", "education", "cares_for_child_under_7", "cares_for_dependant",
    "is_in_education", "occupation",
    "employer_kind", "minority", "national_minority", "foreign_origin",
    "third_country_national", "homeless", "disability", "jobless_household",
    "jobless_household_with_children", "single_adult_with_children", "other_disadvantage",
    "exit_employed", "exit_job_seeking", "exit_in_education", "exit_qualification",
    "exit_completed_path", "exit_reason", "exit_result_on", "calendar_token",
    "user_id",
)  # fmt: skip
# Unique columns: cleared on the removed record before the kept one takes them.
UNIQUE = ("pesel", "calendar_token", "user_id")
LIVE_CONTRACT = (ContractStatus.SIGNED, ContractStatus.ACTIVE)
MERGE_ACTION = "participant.merge"


def moved_references() -> frozenset[tuple[str, str]]:
    """Each (table, column) pointing at a participant whose rows a merge moves."""
    return frozenset(
        (model.__tablename__, model.participant_id.key) for model, _label in MOVED.values()
    )


class MergeRefused(PortalError):
    message = _l("The two records cannot be merged.")


class MergedAway(PageRefused):
    """One of the two records is gone: a merge of this centre removed it a moment ago.

    It replaces the page (flashed on the page the form came from), for the page's own record
    may be the one removed and nothing of the form is left to show.
    """


@dataclass
class MergePlan:
    """What a merge would do: counts per kind, fields filled, and the reasons it cannot."""

    kept: Participant
    removed: Participant
    counts: dict[str, int] = field(default_factory=dict)
    filled: dict[str, Any] = field(default_factory=dict)
    refusals: list[str | LazyString] = field(default_factory=list)
    dropped_registrations: list[int] = field(default_factory=list)

    @property
    def listed(self) -> list[tuple[LazyString, int]]:
        return [(KIND_LABELS[kind], n) for kind, n in self.counts.items() if n]


def _empty(value: Any) -> bool:
    return value is None or value == ""


def candidates(centre_id: int, kept: Participant) -> list[Participant]:
    """Everybody else of the centre, namesakes first, to pick the duplicate from."""
    same_name = (func.lower(Participant.last_name) == kept.last_name.lower()) & (
        func.lower(Participant.first_name) == kept.first_name.lower()
    )
    query = labels.with_village(
        select(Participant)
        .where(Participant.centre_id == centre_id, Participant.id != kept.id)
        .order_by(same_name.desc(), Participant.last_name, Participant.first_name, Participant.id)
    )
    return list(db.session.scalars(query))


def pair(
    centre_id: int, kept_id: int, removed_id: int, *, lock: bool = False
) -> tuple[Participant, Participant]:
    """The two records of the centre (locked, in id order, when `lock`); NotFound otherwise."""
    if kept_id == removed_id:
        raise MergeRefused(
            _l("Choose another record: a record cannot be merged with itself."), field="other_id"
        )
    query = (
        select(Participant)
        .where(Participant.centre_id == centre_id, Participant.id.in_((kept_id, removed_id)))
        .order_by(Participant.id)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = {person.id: person for person in db.session.scalars(query)}
    if len(found) != 2:
        _refuse_if_merged(centre_id, kept_id, removed_id, found)
    return loading.found(found.get(kept_id)), loading.found(found.get(removed_id))


def _merged_into(centre_id: int, participant_id: int) -> int | None:
    """The record of the centre that `participant_id` was merged into, if that is where it went."""
    return db.session.scalar(
        select(AuditEntry.entity_id)
        .where(
            AuditEntry.centre_id == centre_id,
            AuditEntry.action == MERGE_ACTION,
            AuditEntry.entity_type == Participant.__tablename__,
            AuditEntry.changes[("merged_from", "new")].as_integer() == participant_id,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def _refuse_if_merged(
    centre_id: int, kept_id: int, removed_id: int, found: dict[int, Participant]
) -> None:
    """A record missing because a merge of this centre removed it is refused in words, not 404.

    Two coordinators pressing "merge" on the same two records at once: the second finds one of
    them gone under the lock, and is told so. Only this centre's own merges are looked up, so
    an id of another centre stays as missing as before.
    """
    for missing in (removed_id, kept_id):
        if missing in found:
            continue
        into = _merged_into(centre_id, missing)
        if into is None:
            continue
        if missing == removed_id and into == kept_id:
            raise MergedAway(_l("These two records have already been merged into this one."))
        raise MergedAway(
            _l(
                "One of the two records has already been merged into another record. Open the "
                "participant again to see the record that remains."
            )
        )


def _fills(kept: Participant, removed: Participant) -> dict[str, Any]:
    fills: dict[str, Any] = {}
    for group in GROUPS:
        if all(_empty(getattr(kept, name)) for name in group) and not all(
            _empty(getattr(removed, name)) for name in group
        ):
            fills |= {name: getattr(removed, name) for name in group}
    for name in SINGLE:
        if name not in fills and _empty(getattr(kept, name)):
            value = getattr(removed, name)
            if not _empty(value):
                fills[name] = value
    if kept.pesel or fills.get("pesel"):
        fills.pop("no_pesel_country", None)  # a PESEL says the person has one
    if fills.get("pesel"):
        fills["no_pesel_country"] = None
    if kept.paid_in_cash:  # the kept record's choice of cash stands: never an account too
        fills.pop("bank_account", None)
        fills.pop("bank_account_owner", None)
    return fills


def _change_waiting(participant_id: int) -> bool:
    """One change of bank account waits per person: two cannot become one person's."""
    return bool(
        db.session.scalar(
            select(BankAccountChange.id).where(
                BankAccountChange.participant_id == participant_id,
                BankAccountChange.status == BankAccountChangeStatus.PENDING,
            )
        )
    )


def _count(model: Any, participant_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(model).where(model.participant_id == participant_id)
        )
        or 0
    )


def _contract_refusals(kept: Participant, removed: Participant) -> list[Any]:
    live = select(SocialContract).where(SocialContract.status.in_(LIVE_CONTRACT))
    mine = {
        c.project_id: c
        for c in db.session.scalars(live.where(SocialContract.participant_id == kept.id))
    }
    return [
        _l(
            "Both records have a signed or active social contract in one project (%(first)s "
            "and %(second)s). End one of them first.",
            first=mine[other.project_id].number or mine[other.project_id].id,
            second=other.number or other.id,
        )
        for other in db.session.scalars(live.where(SocialContract.participant_id == removed.id))
        if other.project_id in mine
    ]


def _entitlement_refusals(plan: MergePlan) -> list[Any]:
    """The merged record's exit (the kept record's own, or the removed one's filled in) ends
    the allowances of both records: no periodic instalment may be left to pay after it.
    Recording that exit on both records first cancels them, with the confirmation an exit
    asks for."""
    end = plan.filled.get("support_end", plan.kept.support_end)
    if end is None or not any(
        entitlements.preview_for_person(person, end).count for person in (plan.kept, plan.removed)
    ):
        return []
    return [
        _l(
            "After the merge the person's support ends on %(date)s, and instalments of a "
            "periodic allowance dated after that are still to pay. Record that exit on both "
            "records first: it cancels them.",
            date=end.isoformat(),
        )
    ]


def _registration_clashes(plan: MergePlan) -> list[Any]:
    """Drop a cancelled registration beside a live one; refuse two live ones for one event."""
    kept_by_event = {
        r.event_id: r
        for r in db.session.scalars(
            select(Registration).where(Registration.participant_id == plan.kept.id)
        )
    }
    refusals = []
    theirs = select(Registration).where(Registration.participant_id == plan.removed.id)
    for other in db.session.scalars(theirs):
        mine = kept_by_event.get(other.event_id)
        if mine is None:
            continue
        if other.status == RegistrationStatus.CANCELLED:
            plan.dropped_registrations.append(other.id)
            plan.counts["registrations"] -= 1  # dropped, not moved
        elif mine.status == RegistrationStatus.CANCELLED:
            plan.dropped_registrations.append(mine.id)
        else:
            title = db.session.scalar(select(Event.title).where(Event.id == other.event_id))
            refusals.append(
                _l(
                    "Both records are registered for “%(event)s”. Cancel one of the two "
                    "registrations first.",
                    event=title,
                )
            )
    return refusals


def plan_merge(kept: Participant, removed: Participant) -> MergePlan:
    """What merging `removed` into `kept` would move and fill, and why it cannot be done."""
    plan = MergePlan(kept=kept, removed=removed)
    plan.counts = {kind: _count(model, removed.id) for kind, (model, _label) in MOVED.items()}
    plan.counts["plan_comments"] = (
        db.session.scalar(
            select(func.count())
            .select_from(PlanComment)
            .join(IndividualPlan, PlanComment.plan_id == IndividualPlan.id)
            .where(IndividualPlan.participant_id == removed.id)
        )
        or 0
    )
    plan.counts["account"] = 1 if removed.user_id else 0
    plan.filled = _fills(kept, removed)
    if kept.pesel and removed.pesel and kept.pesel != removed.pesel:
        plan.refusals.append(
            _l("The two records have different PESEL numbers: they are two different people.")
        )
    if kept.user_id and removed.user_id:
        plan.refusals.append(
            _l("Both records have a user account. A person can have only one account.")
        )
    if plan.counts["plans"] and _count(IndividualPlan, kept.id):
        plan.refusals.append(
            _l(
                "Both records have an individual development plan. A person can have only one "
                "plan: merge the plans by hand first."
            )
        )
    if _change_waiting(kept.id) and _change_waiting(removed.id):
        plan.refusals.append(
            _l(
                "Both records have a change of bank account waiting. Confirm or refuse one of "
                "them first."
            )
        )
    plan.refusals += _contract_refusals(kept, removed)
    plan.refusals += _entitlement_refusals(plan)
    plan.refusals += _registration_clashes(plan)
    plan.counts["registrations_dropped"] = len(plan.dropped_registrations)
    return plan


def merge(
    centre_id: int, kept_id: int, removed_id: int, *, actor: User, now: datetime
) -> MergePlan:
    """Merge the record `removed_id` into `kept_id` (both of `centre_id`), or refuse."""
    kept, removed = pair(centre_id, kept_id, removed_id, lock=True)
    plan = plan_merge(kept, removed)  # again, under the lock
    if plan.refusals:
        raise MergeRefused(plan.refusals[0])
    try:
        with db.session.begin_nested():
            if plan.dropped_registrations:
                db.session.execute(
                    delete(Registration).where(Registration.id.in_(plan.dropped_registrations))
                )
            for model, _label in MOVED.values():
                db.session.execute(
                    update(model)
                    .where(model.participant_id == removed.id)
                    .values(participant_id=kept.id)
                )
            for name in UNIQUE:
                setattr(removed, name, None)
            db.session.flush()
            db.session.delete(removed)
            db.session.flush()
            changes = audit.diff(kept, plan.filled)
            db.session.flush()
    except IntegrityError:
        # A contract signed or a registration made for one of them meanwhile.
        raise MergeRefused(
            _l("One of the records changed while merging. Check them again and retry.")
        ) from None
    moved = {kind: n for kind, n in plan.counts.items() if n}
    audit.record(
        MERGE_ACTION,
        kept,
        actor=actor,
        at=now,
        changes={"merged_from": (None, removed_id), "moved": (None, moved), **changes},
    )
    return plan
