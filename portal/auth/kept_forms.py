"""The forms whose typed text may be kept over a sign-out (auth/kept.py), and only their fields.

A posted form travels only to a page listed here, and only with the fields its form declares:
anything else a request carries (`is_admin`, `centre_id`, whatever another site adds) is dropped
before the sign-in page. A page not listed keeps nothing; its form gets the plain "this form has
expired" answer. Each entry names the form as its view builds it (the same prefix) and the title
the send page shows as the form's destination.

The forms are imported when first asked for: the registry names forms of every blueprint, and
the blueprints import `portal.auth`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms import Form


@dataclass(frozen=True)
class Keeps:
    form: type[Form]
    title: object  # a lazy string
    prefix: str = ""


# An entry: the form, its prefix and title for the view's arguments; None where none is built.
Resolver = Callable[[Mapping[str, object]], Keeps | None]


def _fixed(form: type[Form], title, prefix: str = "") -> Resolver:
    keeps = Keeps(form, title, prefix)
    return lambda _args: keeps


@cache
def registry() -> dict[str, Resolver]:
    from portal.auth.security_forms import PasswordChangeForm
    from portal.forms import CsrfForm
    from portal.participant.forms import DisagreeForm, PlanCommentForm
    from portal.participant.my_details_forms import ContactForm as MyContactForm
    from portal.staff import admin_forms as admin
    from portal.staff import contract_forms as contract
    from portal.staff import esf_forms as esf
    from portal.staff import event_forms as event
    from portal.staff import money_forms as money
    from portal.staff import monitoring_forms as monitoring
    from portal.staff import participant_forms as participant
    from portal.staff import plan_forms as plan
    from portal.staff import report_forms as report
    from portal.staff import session_forms as session
    from portal.staff import setup_forms as setup
    from portal.staff import spending_forms as spending
    from portal.staff import support_forms as support
    from portal.staff.plan_questions import AnswerForm
    from portal.staff.setup import LISTS

    plan_title = _l("Individual development plan")

    def plan_section(args: Mapping[str, object]) -> Keeps | None:
        section = args.get("section")
        form = plan.SECTION_FORMS.get(section) if isinstance(section, str) else None
        return Keeps(form, plan_title, section) if form and isinstance(section, str) else None

    def setup_list(args: Mapping[str, object]) -> Keeps | None:
        found = LISTS.get(args.get("kind")) if isinstance(args.get("kind"), str) else None
        return Keeps(found[1], found[2]) if found else None

    return {
        "auth.password": _fixed(PasswordChangeForm, _l("Change your password")),
        "participant.my_details": _fixed(MyContactForm, _l("My details")),
        "participant.plan_comment": _fixed(PlanCommentForm, _l("Your plan")),
        "participant.plan_disagree": _fixed(DisagreeForm, _l("Your plan"), "disagree"),
        "staff.users": _fixed(admin.StaffUserForm, _l("Create a staff account")),
        "staff.user_account": _fixed(admin.RolesForm, _l("Staff accounts")),
        "staff.centres": _fixed(admin.CentreForm, _l("Centres")),
        "staff.account_request_refuse": _fixed(admin.RefusalForm, _l("Account requests")),
        "staff.participant_new": _fixed(participant.ParticipantForm, _l("Record a participant")),
        "staff.participant_edit": _fixed(
            participant.DetailsForm, _l("Change the participant's details")
        ),
        "staff.participant_monitoring": _fixed(
            monitoring.MonitoringForm, _l("ESF monitoring data")
        ),
        "staff.participant_exit": _fixed(monitoring.ExitForm, _l("End of support")),
        "staff.contract_new": _fixed(contract.ContractForm, _l("Social contract")),
        "staff.contract_edit": _fixed(contract.ContractForm, _l("Social contract")),
        "staff.contract_sign": _fixed(contract.SignForm, _l("Sign the contract")),
        "staff.contract_complete": _fixed(contract.EvaluationForm, _l("Complete the contract")),
        "staff.contract_terminate": _fixed(contract.TerminationForm, _l("End the contract early")),
        "staff.allowance_new": _fixed(money.AllowanceForm, _l("Prepare an allowance request")),
        "staff.allowance_edit": _fixed(money.AllowanceForm, _l("Prepare an allowance request")),
        "staff.allowance_limits": _fixed(money.LimitsForm, _l("Allowance limits")),
        "staff.reject": _fixed(event.ReasonForm, _l("Reject the request")),
        "staff.course_propose": _fixed(money.CourseForm, _l("Propose a course")),
        "staff.course_complete": _fixed(money.CourseCompletionForm, _l("Courses")),
        "staff.course_drop": _fixed(money.DropForm, _l("Courses")),
        "staff.event_new": _fixed(event.EventForm, _l("Create an event")),
        "staff.event_edit": _fixed(event.EventForm, _l("Edit the event")),
        "staff.event_cancel": _fixed(event.ReasonForm, _l("Cancel the event")),
        "staff.plan_section": plan_section,
        "staff.plan_goal_add": _fixed(plan.GoalForm, plan_title, "goal"),
        "staff.plan_action_add": _fixed(plan.ActionForm, plan_title, "action"),
        "staff.plan_answer": _fixed(AnswerForm, plan_title),
        "staff.diagnosis_test_add": _fixed(plan.DiagnosisTestForm, plan_title, "test"),
        "staff.counselling_session_add": _fixed(
            plan.SessionForm, _l("Record a counselling session"), "session"
        ),
        "staff.contact_new": _fixed(support.ContactForm, _l("Record a contact")),
        "staff.contact_edit": _fixed(support.ContactForm, _l("Correct a contact")),
        "staff.placement_new": _fixed(support.PlacementForm, _l("Record a placement")),
        "staff.placement_edit": _fixed(support.PlacementForm, _l("Edit the placement")),
        "staff.session_new": _fixed(session.SessionForm, _l("Plan a group session")),
        "staff.session_edit": _fixed(session.SessionEditForm, _l("Edit the session")),
        "staff.session_cancel": _fixed(session.CancelForm, _l("Cancel the session")),
        "staff.session_walk_in": _fixed(
            session.WalkInForm, _l("Someone came without being enrolled")
        ),
        "staff.esf.export_stage": _fixed(esf.ExportForm, _l("ESF monitoring export")),
        "staff.stage_export": _fixed(CsrfForm, _l("Exports of the stage")),
        "staff.reports.report_section": _fixed(report.ReportSectionForm, _l("Yearly report")),
        "staff.reports.report_close": _fixed(report.CloseReportForm, _l("Close the report")),
        "staff.setup.details": _fixed(setup.CentreDetailsForm, _l("The centre's details")),
        "staff.setup.project_new": _fixed(setup.ProjectForm, _l("Centre set-up")),
        "staff.setup.project_edit": _fixed(setup.ProjectForm, _l("Centre set-up")),
        "staff.setup.stage_new": _fixed(setup.StageForm, _l("Add a stage")),
        "staff.setup.line_new": _fixed(setup.BudgetLineForm, _l("Centre set-up")),
        "staff.setup.line_edit": _fixed(setup.ReplanForm, _l("Centre set-up")),
        "staff.setup.entries": setup_list,
        "staff.setup.entry_edit": setup_list,
        "staff.spending.stage_money": _fixed(spending.ExpenseForm, _l("Spending")),
        "staff.spending.expense_correct": _fixed(spending.CorrectionForm, _l("Correct an entry")),
        "staff.spending.event_costs": _fixed(spending.EventCostForm, _l("Costs of the event")),
        "staff.spending.post_new": _fixed(spending.PostForm, _l("Project posts")),
        "staff.spending.post_edit": _fixed(spending.PostForm, _l("Project posts")),
        "staff.spending.post_salary": _fixed(spending.SalaryForm, _l("Project posts")),
    }


def resolve(endpoint: str, args: Mapping[str, object]) -> Keeps | None:
    """The form a posted page builds, if its typed text may be kept."""
    resolver = registry().get(endpoint)
    return resolver(args) if resolver is not None else None
