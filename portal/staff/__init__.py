"""The staff pages, by subject (the same subjects as `portal.services`).

Every view module is named here: importing it adds its routes to the staff blueprint. A module
named like its subject is imported under another name (`event_pages`), so that `portal.staff.events`
stays the subject's package. Subjects
with a role rule of their own (set-up, the ESF data set, money, reports) are blueprints nested
under /staff.
"""

from flask import Blueprint

from portal.staff import kept_forms
from portal.staff.accounts import admin
from portal.staff.audit import audit_trail
from portal.staff.blueprint import bp
from portal.staff.centres import setup
from portal.staff.esf import esf as esf_pages
from portal.staff.events import events as event_pages
from portal.staff.events import sessions
from portal.staff.mail import outbox
from portal.staff.money import spending
from portal.staff.people import merge, participant_record, participants
from portal.staff.plans import plan_pages, plan_questions
from portal.staff.plans import plans as plan_changes
from portal.staff.reporting import dashboard, reports, stage_exports
from portal.staff.support import (
    allowances,
    casework,
    contracts,
    courses,
    decisions,
    placements,
)

VIEW_MODULES = (
    kept_forms,
    admin,
    audit_trail,
    setup,
    esf_pages,
    event_pages,
    sessions,
    outbox,
    spending,
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
    decisions,
    casework,
    placements,
)
NESTED: tuple[Blueprint, ...] = (setup.bp, esf_pages.bp, spending.bp, reports.bp)
for nested in NESTED:
    bp.register_blueprint(nested)

__all__ = ["VIEW_MODULES", "bp"]
