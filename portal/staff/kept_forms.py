"""The staff pages whose typed text is kept over a sign-out, and the form each builds
(portal/auth/kept_forms.py explains why only these, and only their fields)."""

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from portal.auth.kept_forms import Keeps, fixed, keep
from portal.forms import CsrfForm
from portal.staff.accounts import staffing_forms as staffing
from portal.staff.centres import centre_forms as centre
from portal.staff.centres import setup_forms as setup
from portal.staff.centres.setup import LISTS
from portal.staff.esf import esf_forms as esf
from portal.staff.events import event_forms as event
from portal.staff.events import session_forms as session
from portal.staff.money import ledger_forms as ledger
from portal.staff.money import post_forms as post
from portal.staff.people import account_request_forms as account_request
from portal.staff.people import course_forms as course
from portal.staff.people import monitoring_forms as monitoring
from portal.staff.people import participant_forms as participant
from portal.staff.plans import plan_forms as plan
from portal.staff.plans.plan_questions import AnswerForm
from portal.staff.reporting import report_forms as report
from portal.staff.support import allowance_forms as allowance
from portal.staff.support import casework_forms as casework
from portal.staff.support import contract_forms as contract

plan_title = _l("Individual development plan")


def plan_section(args: Mapping[str, object]) -> Keeps | None:
    section = args.get("section")
    form = plan.SECTION_FORMS.get(section) if isinstance(section, str) else None
    return Keeps(form, plan_title, section) if form and isinstance(section, str) else None


def setup_list(args: Mapping[str, object]) -> Keeps | None:
    kind = args.get("kind")
    found = LISTS.get(kind) if isinstance(kind, str) else None
    return Keeps(found[1], found[2]) if found else None


keep(
    {
        "staff.users": fixed(staffing.StaffUserForm, _l("Create a staff account")),
        "staff.user_account": fixed(staffing.RolesForm, _l("Staff accounts")),
        "staff.centres": fixed(centre.CentreForm, _l("Centres")),
        "staff.account_request_refuse": fixed(account_request.RefusalForm, _l("Account requests")),
        "staff.participant_new": fixed(participant.ParticipantForm, _l("Record a participant")),
        "staff.participant_edit": fixed(
            participant.DetailsForm, _l("Change the participant's details")
        ),
        "staff.participant_monitoring": fixed(monitoring.MonitoringForm, _l("ESF monitoring data")),
        "staff.participant_exit": fixed(monitoring.ExitForm, _l("End of support")),
        "staff.contract_new": fixed(contract.ContractForm, _l("Social contract")),
        "staff.contract_edit": fixed(contract.ContractForm, _l("Social contract")),
        "staff.contract_sign": fixed(contract.SignForm, _l("Sign the contract")),
        "staff.contract_complete": fixed(contract.EvaluationForm, _l("Complete the contract")),
        "staff.contract_terminate": fixed(contract.TerminationForm, _l("End the contract early")),
        "staff.allowance_new": fixed(allowance.AllowanceForm, _l("Prepare an allowance request")),
        "staff.allowance_edit": fixed(allowance.AllowanceForm, _l("Prepare an allowance request")),
        "staff.allowance_limits": fixed(allowance.LimitsForm, _l("Allowance limits")),
        "staff.reject": fixed(event.ReasonForm, _l("Reject the request")),
        "staff.course_propose": fixed(course.CourseForm, _l("Propose a course")),
        "staff.course_complete": fixed(course.CourseCompletionForm, _l("Courses")),
        "staff.course_drop": fixed(course.DropForm, _l("Courses")),
        "staff.event_new": fixed(event.EventForm, _l("Create an event")),
        "staff.event_edit": fixed(event.EventForm, _l("Edit the event")),
        "staff.event_cancel": fixed(event.ReasonForm, _l("Cancel the event")),
        "staff.plan_section": plan_section,
        "staff.plan_goal_add": fixed(plan.GoalForm, plan_title, "goal"),
        "staff.plan_action_add": fixed(plan.ActionForm, plan_title, "action"),
        "staff.plan_answer": fixed(AnswerForm, plan_title),
        "staff.diagnosis_test_add": fixed(plan.DiagnosisTestForm, plan_title, "test"),
        "staff.counselling_session_add": fixed(
            plan.SessionForm, _l("Record a counselling session"), "session"
        ),
        "staff.contact_new": fixed(casework.ContactForm, _l("Record a contact")),
        "staff.contact_edit": fixed(casework.ContactForm, _l("Correct a contact")),
        "staff.placement_new": fixed(casework.PlacementForm, _l("Record a placement")),
        "staff.placement_edit": fixed(casework.PlacementForm, _l("Edit the placement")),
        "staff.session_new": fixed(session.SessionForm, _l("Plan a group session")),
        "staff.session_edit": fixed(session.SessionEditForm, _l("Edit the session")),
        "staff.session_cancel": fixed(session.CancelForm, _l("Cancel the session")),
        "staff.session_walk_in": fixed(
            session.WalkInForm, _l("Someone came without being enrolled")
        ),
        "staff.esf.export_stage": fixed(esf.ExportForm, _l("ESF monitoring export")),
        "staff.stage_export": fixed(CsrfForm, _l("Exports of the stage")),
        "staff.reports.report_section": fixed(report.ReportSectionForm, _l("Yearly report")),
        "staff.reports.report_close": fixed(report.CloseReportForm, _l("Close the report")),
        "staff.setup.details": fixed(setup.CentreDetailsForm, _l("The centre's details")),
        "staff.setup.project_new": fixed(setup.ProjectForm, _l("Centre set-up")),
        "staff.setup.project_edit": fixed(setup.ProjectForm, _l("Centre set-up")),
        "staff.setup.stage_new": fixed(setup.StageForm, _l("Add a stage")),
        "staff.setup.line_new": fixed(setup.BudgetLineForm, _l("Centre set-up")),
        "staff.setup.line_edit": fixed(setup.ReplanForm, _l("Centre set-up")),
        "staff.setup.entries": setup_list,
        "staff.setup.entry_edit": setup_list,
        "staff.spending.stage_money": fixed(ledger.ExpenseForm, _l("Spending")),
        "staff.spending.expense_correct": fixed(ledger.CorrectionForm, _l("Correct an entry")),
        "staff.spending.event_costs": fixed(ledger.EventCostForm, _l("Costs of the event")),
        "staff.spending.post_new": fixed(post.PostForm, _l("Project posts")),
        "staff.spending.post_edit": fixed(post.PostForm, _l("Project posts")),
        "staff.spending.post_salary": fixed(post.SalaryForm, _l("Project posts")),
    }
)
