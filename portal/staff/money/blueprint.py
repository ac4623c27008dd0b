"""The money pages' blueprint, nested under /staff: coordinators of a centre only.

Its view modules (`ledger`, `posts`) add their routes to `bp`; `portal.staff` imports each of
them by name and nests `bp` once.
"""

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

from portal.auth.access import me, require_roles
from portal.models.enums import Role

# Named "spending" since before the pages were split by subject: the endpoints
# (staff.spending.*) and the URLs stay as they were.
bp = Blueprint("spending", __name__)


@bp.before_request
def _coordinators_only() -> ResponseReturnValue | None:
    refusal = require_roles(Role.COORDINATOR)
    if refusal is None and me().centre_id is None:
        abort(403)
    return refusal


def centre_id() -> int:
    """The coordinator's centre; `_coordinators_only` has let no one without one in."""
    centre_id = me().centre_id
    if centre_id is None:
        abort(403)
    return centre_id
