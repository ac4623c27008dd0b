"""Plain words for the audit trail: what an action, a kind of record and a field are called.

One table per thing named. An action missing from ACTIONS is still read as "<record>: <step>"
from its two parts, and an unknown part is shown as written, so a new action is never hidden.
"""

import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.formatting import money
from portal.models.base import Base, LabelledEnum
from portal.models.enums import Role
from portal.services.audit.audit import MASK

ACTIONS: dict[str, Any] = {
    "participant.create": _l("Participant recorded"),
    "participant.update": _l("Participant's details changed"),
    "participant.viewed": _l("Participant's record viewed"),
    "participant.pesel_viewed": _l("Full PESEL shown"),
    "participant.listed": _l("List of participants shown"),
    "participant.monitoring": _l("ESF monitoring data changed"),
    "participant.exit": _l("End of support recorded"),
    "participant.merge": _l("Duplicate records merged"),
    "participant.import": _l("Participant imported"),
    "participant.account": _l("Participant's account created"),
    "participant.invite": _l("Participant invited to the portal"),
    "participant.advisor": _l("Advisor assigned"),
    "participant.social_worker": _l("Social worker assigned"),
    "participant.contact": _l("Contact details changed"),
    "participant.data_confirmed": _l("Participant confirmed their data"),
    "participant.data_export": _l("Participant downloaded their data"),
    "payment_list.export": _l("Payment list exported to the bank (files made, list locked)"),
    "participant.calendar_feed": _l("Calendar link changed"),
    "user.create": _l("Staff account created"),
    "user.sign_in": _l("Signed in"),
    "user.sign_out": _l("Signed out"),
    "user.sign_in_confirmed": _l("Sign-in confirmed for a sensitive action"),
    "user.second_step_failed": _l("Wrong one-time code"),
    "user.two_factor_setup": _l("Two-factor set-up started"),
    "user.two_factor_setup_cancelled": _l("Two-factor set-up cancelled"),
    "user.two_factor_on": _l("Two-factor authentication turned on"),
    "user.two_factor_off": _l("Two-factor authentication turned off"),
    "user.two_factor_reset": _l("Two-factor authentication reset by an administrator"),
    "user.recovery_codes_regenerated": _l("New recovery codes made"),
    "user.password_changed": _l("Password changed"),
    "consent.give": _l("Consent given"),
    "consent.withdraw": _l("Consent withdrawn"),
    "participant.anonymise": _l("Personal data removed after the retention period"),
    "outbox.retry": _l("E-mail sent to be tried again"),
    "user.invite": _l("Invitation sent"),
    "user.invite_resent": _l("Invitation sent again"),
    "user.roles": _l("Roles changed"),
    "user.deactivate": _l("Account deactivated"),
    "user.reactivate": _l("Account reactivated"),
    "user.reset_requested": _l("Password reset requested"),
    "user.password_set.invite": _l("Password set from the invitation"),
    "user.password_set.reset": _l("Password reset"),
    "contract.create": _l("Contract drafted"),
    "contract.update": _l("Contract changed"),
    "contract.signed": _l("Contract signed"),
    "contract.active": _l("Contract in force"),
    "contract.completed": _l("Contract completed"),
    "contract.terminated": _l("Contract terminated"),
    "plan.revision": _l("Plan changed"),
    "plan.shared": _l("Plan shared with the participant"),
    "plan.acknowledged": _l("Plan acknowledged by the participant"),
    "plan.in_progress": _l("Plan started"),
    "plan.completed": _l("Plan completed"),
    "plan.comment": _l("Comment on the plan"),
    "plan.answer": _l("Answer on the plan"),
    "allowance.create": _l("Allowance request drafted"),
    "allowance.update": _l("Allowance request changed"),
    "allowance.submitted": _l("Allowance request submitted"),
    "allowance.withdrawn": _l("Allowance request withdrawn"),
    "allowance.approved": _l("Allowance approved"),
    "allowance.rejected": _l("Allowance rejected"),
    "allowance.paid": _l("Allowance paid"),
    "instalment.cancelled": _l("Allowance instalment cancelled"),
    "event.create": _l("Event created"),
    "event.update": _l("Event changed"),
    "event.published": _l("Event published"),
    "event.cancelled": _l("Event cancelled"),
    "event.capacity": _l("Event's places changed"),
    "event.attendance_recorded": _l("Attendance recorded"),
    "registration.sign_up": _l("Signed up for an event"),
    "registration.cancel": _l("Sign-up cancelled"),
    "registration.promote": _l("Moved from the waiting list"),
    "registration.admit": _l("Admitted over the limit"),
    "registration.attendance": _l("Attendance corrected"),
    "course.propose": _l("Course proposed"),
    "course.enrolled": _l("Enrolled on a course"),
    "course.completed": _l("Course completed"),
    "course.dropped": _l("Course dropped"),
    "esf.export": _l("ESF data exported"),
    "stage.export": _l("Stage list exported"),
    "document.download": _l("Document downloaded"),
    "centre.create": _l("Centre created"),
    "centre.details": _l("Centre's details changed"),
    "centre.allowance_limits": _l("Allowance limits changed"),
    "account_request.submit": _l("Account requested"),
    "account_request.accepted": _l("Account request accepted"),
    "account_request.refused": _l("Account request refused"),
    "account_request.linked": _l("Account request linked to an existing record"),
    "user.notify_account_requests": _l("E-mails about account requests turned on or off"),
    "account_request.listed": _l("List of account requests shown"),
    "participant.bank_account": _l("Payment details changed"),
    "centre.bank_account": _l("Centre's bank account changed"),
    "bank_account_change.requested": _l("Change of bank account asked for"),
    "bank_account_change.confirmed": _l("Change of bank account confirmed"),
    "bank_account_change.refused": _l("Change of bank account refused"),
    "bank_account_change.withdrawn": _l("Change of bank account replaced by a newer one"),
    "job.requested": _l("Document asked for (prepared in the background)"),
    "job.running": _l("Document being prepared by a worker"),
    "job.done": _l("Document prepared"),
    "job.failed": _l("Document could not be prepared"),
}

ENTITIES: dict[str, Any] = {
    "participants": _l("Participant"),
    "users": _l("User account"),
    "social_contracts": _l("Contract"),
    "individual_plans": _l("Plan"),
    "allowances": _l("Allowance"),
    "instalments": _l("Allowance instalment"),
    "events": _l("Event"),
    "registrations": _l("Sign-up for an event"),
    "course_assignments": _l("Course"),
    "project_stages": _l("Project stage"),
    "projects": _l("Project"),
    "centres": _l("Centre"),
    "payment_lists": _l("Payment list"),
    "budget_lines": _l("Budget line"),
    "project_tasks": _l("Project task"),
    "account_requests": _l("Account request"),
    "bank_account_changes": _l("Change of bank account"),
    "casework_entries": _l("Casework note"),
    "placements": _l("Work placement"),
    "expenses": _l("Expense"),
    "project_posts": _l("Project post"),
    "stage_reports": _l("Yearly report"),
    "import_batches": _l("Import"),
    "diagnosis_tests": _l("Diagnosis test"),
    "counselling_sessions": _l("Counselling session"),
    "villages": _l("Village"),
    "courses": _l("Catalogue course"),
    "diagnosis_test_types": _l("Kind of diagnosis test"),
    "jobs": _l("Document prepared in the background"),
}

# An action's first part, when it is not its table's name with an "s".
KINDS = {
    "contract": "social_contracts",
    "plan": "individual_plans",
    "course": "course_assignments",
    "stage": "project_stages",
    "import": "import_batches",
    "post": "project_posts",
    "session": "events",
    "casework": "casework_entries",
    "test_type": "diagnosis_test_types",
}

# The second part of an action missing from ACTIONS.
STEPS: dict[str, Any] = {
    "create": _l("created"),
    "update": _l("changed"),
    "correct": _l("corrected"),
    "viewed": _l("viewed"),
    "export": _l("exported"),
    "download": _l("downloaded"),
    "record": _l("recorded"),
    "close": _l("closed"),
    "section": _l("section written"),
    "hours": _l("hours recorded"),
    "replan": _l("re-planned"),
}

FIELDS: dict[str, Any] = {
    "method": _l("How"),
    "name": _l("Name"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "pesel": _l("PESEL"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "status": _l("Status"),
    "title": _l("Title"),
    "amount": _l("Amount"),
    "advisor_id": _l("Advisor"),
    "social_worker_id": _l("Social worker"),
    "roles": _l("Roles"),
    "notify_account_requests": _l("E-mails about account requests"),
    "capacity": _l("Places"),
    "recorded_afterwards_reason": _l("Reason it is recorded afterwards"),
    "support_start": _l("Start of participation as corrected by staff"),
    "support_start_reason": _l("Reason for the corrected start"),
    "note": _l("Note"),
    "page": _l("Page"),
    "record": _l("Record no."),
    "shown": _l("People shown (record numbers)"),
    "document": _l("Document"),
    "format": _l("Format"),
    "export": _l("Export"),
    "rows": _l("Rows"),
    "month": _l("Month"),
    "reason": _l("Reason"),
    "cancelled_because": _l("Why cancelled"),
    "bank_account": _l("Bank account"),
    "bank_account_owner": _l("Account holder"),
    "paid_in_cash": _l("Paid in cash or by postal order"),
    "change": _l("Change no."),
    "amount_grosze": _l("Amount"),
    "approved_amount_grosze": _l("Amount approved"),
    "cash_grosze": _l("Paid in cash"),
    "cost_grosze": _l("Cost"),
    "gross_grosze": _l("Gross amount"),
    "net_grosze": _l("Net amount"),
    "vat_grosze": _l("VAT"),
    "hourly_rate_grosze": _l("Hourly rate"),
    "max_in_kind_grosze": _l("Highest value of in-kind help"),
    "max_periodic_grosze": _l("Highest periodic allowance per month"),
    "max_purpose_grosze": _l("Highest purpose allowance"),
    "planned_grosze": _l("Planned amount"),
    "transfers_grosze": _l("Paid by transfer"),
    "kind": _l("Kind"),
    "budget_line_id": _l("Budget line"),
    "document_number": _l("Document number"),
}

# Fields holding one of these closed sets whatever the record (the others are read from the
# record's own column: a contract's "status" is a contract status).
ENUM_FIELDS: dict[str, type[LabelledEnum]] = {"roles": Role, "role": Role}

# The values of "page" (a record viewed) and "document" (a file downloaded), in words.
NAMED_VALUES: dict[str, dict[str, Any]] = {
    "cancelled_because": {
        "contract_ended": _l("the contract ended"),
        "person_left": _l("the person left the project"),
        "allowance_withdrawn": _l("the allowance was withdrawn"),
    },
    "method": {
        "password": _l("with the password"),
        "two_factor": _l("with the password and a one-time code"),
        "recovery_code": _l("with the password and a recovery code"),
    },
    "page": {
        "detail": _l("the participant's page"),
        "edit": _l("the form of their details"),
        "monitoring": _l("ESF monitoring data"),
        "exit": _l("end of support"),
        "casework": _l("contracts and allowances"),
        "contract": _l("social contract"),
        "contract_form": _l("the form of a social contract"),
        "contract_termination": _l("ending a contract early"),
        "allowance": _l("allowance request"),
        "allowance_form": _l("the form of an allowance request"),
        "allowance_rejection": _l("rejecting an allowance request"),
        "plan": _l("individual plan"),
        "plan_part": _l("a part of the individual plan"),
        "plan_history": _l("the history of the individual plan"),
        "plan_restore": _l("restoring an earlier version of the plan"),
        "diagnosis": _l("diagnosis tests"),
        "counselling": _l("counselling sessions"),
        "contacts": _l("casework log"),
        "contact_form": _l("the form of a casework contact"),
        "placements": _l("work placements"),
        "placement": _l("work placement"),
        "placement_form": _l("the form of a work placement"),
        "placement_hours": _l("hours sheet"),
        "merge": _l("merging duplicate records"),
        "letter": _l("letter about an event"),
        "list": _l("list of participants"),
        "caseload": _l("caseload"),
        "approvals": _l("allowance requests to decide"),
        "payment_list": _l("payment list"),
        "event": _l("an event and its sign-ups"),
        "attendance": _l("attendance list"),
        "session": _l("a group session and who is enrolled"),
        "walk_in": _l("someone who came without being enrolled"),
        "session_cancel": _l("cancelling a group session"),
        "esf_incomplete": _l("people with incomplete ESF data"),
        "central_system": _l("faults found by the central system's checks"),
        "results_due": _l("results at exit still due"),
        "my_casework": _l("a worker's own casework log"),
        "account_requests": _l("account requests"),
        "bank_account": _l("payment details (account shown in full)"),
        "bank_account_changes": _l("changes of bank account to confirm"),
    },
    "document": {
        "contract": _l("social contract"),
        "plan": _l("individual plan"),
        "payment_list": _l("payment list"),
        "transfer_file": _l("bank transfer file"),
        "cash_list": _l("cash and postal-order list"),
        "attendance_list": _l("attendance list"),
        "registrations": _l("list of sign-ups"),
        "hours_sheet": _l("hours sheet"),
        "ledger": _l("ledger of expenses"),
        "claim_documents": _l("list of documents of a payment claim"),
        "yearly_report": _l("yearly report"),
    },
}


# A personal value changed: the trail says so, never from what to what (services/audit.py).
PERSONAL_VALUE = _l("changed (personal data: the values are not kept in the trail)")


def action_label(action: str) -> str:
    known = ACTIONS.get(action)
    if known is not None:
        return str(known)
    kind, _dot, step = action.partition(".")
    if not step:
        return action
    record = ENTITIES.get(KINDS.get(kind, kind + "s"))
    what = STEPS.get(step)
    return f"{record or kind}: {what or step}"


def entity_label(entity_type: str) -> str:
    known = ENTITIES.get(entity_type)
    return str(known) if known is not None else entity_type


def field_label(field: str) -> str:
    known = FIELDS.get(field)
    if known is not None:
        return str(known)
    # An amount is shown as money, so its unit is no part of its name ("cost", not "cost grosze").
    return field.removesuffix("_grosze").replace("_", " ")


def _enum_of(entity_type: str | None, field: str) -> type[LabelledEnum] | None:
    """The closed set a field's value belongs to: the record's column's, or a field's own."""
    if field in ENUM_FIELDS:
        return ENUM_FIELDS[field]
    if entity_type is None:
        return None
    return _column_enums().get((entity_type, field))


_COLUMN_ENUMS: dict[tuple[str, str], type[LabelledEnum]] = {}


def _column_enums() -> dict[tuple[str, str], type[LabelledEnum]]:
    """(table, column) -> the LabelledEnum the column holds, read once from the models."""
    if not _COLUMN_ENUMS:
        for table in Base.metadata.tables.values():
            for column in table.columns:
                kind = getattr(column.type, "enum_class", None)
                if isinstance(kind, type) and issubclass(kind, LabelledEnum):
                    _COLUMN_ENUMS[(table.name, column.name)] = kind
    return _COLUMN_ENUMS


def _in_words(field: str, value: Any, entity_type: str | None) -> str:
    """One old or new value as the reader says it: a named value, a state's label, money."""
    if isinstance(value, list):
        return ", ".join(_in_words(field, item, entity_type) for item in value) or "—"
    if isinstance(value, str):
        named = NAMED_VALUES.get(field, {})
        if value in named:
            return str(named[value])
        kind = _enum_of(entity_type, field)
        if kind is not None and value in kind._value2member_map_:
            return kind(value).label
    if field.endswith("_grosze") and isinstance(value, int) and not isinstance(value, bool):
        return money(value)
    return value_text(value)


def value_text(value: Any) -> str:
    """A value as the entry holds it, in words: nothing, yes/no, a list, or the value itself."""
    if value is None or value == "":
        return "—"
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def changes_of(changes: Any, entity_type: str | None = None) -> list[tuple[str, str | None, str]]:
    """Each field of an entry as (field, old, new); old is None for a value set the first time.
    `entity_type` (the entry's table) tells which closed set a state or a kind belongs to, so
    that it is shown by its label, never as the value stored ("submitted")."""
    lines: list[tuple[str, str | None, str]] = []
    for field, change in (changes or {}).items():
        if isinstance(change, dict) and set(change) <= {"old", "new"}:
            old = change.get("old")
            if MASK in (old, change.get("new")):
                lines.append((field_label(field), None, str(PERSONAL_VALUE)))
                continue
            new = _in_words(field, change.get("new"), entity_type)
            was = None if old is None else _in_words(field, old, entity_type)
            lines.append((field_label(field), was, new))
        else:  # written by hand in another shape: shown as it is
            lines.append((field_label(field), None, value_text(change)))
    return lines
