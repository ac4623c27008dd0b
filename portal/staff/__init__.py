"""The staff pages, by subject (the same subjects as `portal.services`).

Every view module is named here: importing it adds its routes to the staff blueprint. A module
named like its subject is imported under another name (`event_pages`), so that `portal.staff.events`
stays the subject's package. Subjects
with a role rule of their own (set-up, the ESF data set, money, reports) are blueprints nested
under /staff; money's two view modules share one (`portal.staff.money.blueprint`).
"""

from flask import Blueprint

from portal.staff import kept_forms
from portal.staff.accounts import staffing
from portal.staff.audit import audit_trail
from portal.staff.blueprint import bp
from portal.staff.centres import centres as centre_pages
from portal.staff.centres import setup, setup_tasks
from portal.staff.esf import central_system as central_system_pages
from portal.staff.esf import esf as esf_pages
from portal.staff.events import events as event_pages
from portal.staff.events import sessions
from portal.staff.jobs import jobs as job_pages
from portal.staff.mail import outbox
from portal.staff.money import blueprint as money
from portal.staff.money import ledger, posts
from portal.staff.people import (
    account_requests,
    bank_accounts,
    merge,
    participant_record,
    participants,
)
from portal.staff.plans import plan_pages, plan_questions
from portal.staff.plans import plans as plan_changes
from portal.staff.reporting import dashboard, reports, stage_exports
from portal.staff.support import (
    allowances,
    approvals,
    casework,
    contracts,
    courses,
    payments,
    placements,
    transfer_files,
)

VIEW_MODULES = (
    kept_forms,
    staffing,
    audit_trail,
    centre_pages,
    setup,
    setup_tasks,
    esf_pages,
    central_system_pages,
    event_pages,
    sessions,
    job_pages,
    outbox,
    ledger,
    posts,
    account_requests,
    bank_accounts,
    merge,
    participant_record,
    participants,
    plan_pages,
    plan_questions,
    plan_changes,
    reports,
    stage_exports,
    dashboard,
    allowances,
    contracts,
    courses,
    approvals,
    payments,
    transfer_files,
    casework,
    placements,
)
NESTED: tuple[Blueprint, ...] = (setup.bp, esf_pages.bp, money.bp, reports.bp)
for nested in NESTED:
    bp.register_blueprint(nested)

__all__ = ["VIEW_MODULES", "bp"]
