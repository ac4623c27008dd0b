"""The staff blueprint: one URL prefix and one role check for every staff page.

The subjects' view modules add their routes to `bp`; `portal.staff` imports each of them by
name, so that a view module nobody imports is a failing test, not a page that silently is not
there (tests/test_routes_registered.py).
"""

from flask import Blueprint
from flask.typing import ResponseReturnValue

from portal.auth.access import require_roles
from portal.models.enums import STAFF_ROLES

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
def _staff_only() -> ResponseReturnValue | None:
    return require_roles(*STAFF_ROLES)
