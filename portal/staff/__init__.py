"""The staff blueprint: one URL prefix, one role check, views split by subject."""

from flask import Blueprint

from portal.auth.access import require_roles
from portal.models.enums import STAFF_ROLES

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
def _staff_only():
    return require_roles(*STAFF_ROLES)


# The view modules register their routes on `bp`.
from portal.staff import (  # noqa: E402, F401
    allowances,
    audit_trail,
    contracts,
    courses,
    decisions,
    esf,
    events,
    merge,
    outbox,
    participant_record,
    plan_pages,
    plan_questions,
    plans,
    sessions,
    setup,
    spending,
    stage_exports,
    support,
    views,
)

# Subjects with a role rule of their own are blueprints nested under /staff.
bp.register_blueprint(setup.bp)
bp.register_blueprint(esf.bp)
bp.register_blueprint(spending.bp)
from portal.staff import reports  # noqa: E402

bp.register_blueprint(reports.bp)
