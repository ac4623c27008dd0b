"""Coordinators decide allowance requests: the queue, approving many at once, and rejecting one."""

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.extensions import db
from portal.forms import CsrfForm, id_from, ids_from
from portal.models import Allowance, Centre, User
from portal.models.base import utcnow
from portal.models.enums import AllowanceKind, Role
from portal.services.common import dates, loading
from portal.services.common.errors import PortalError
from portal.services.people import participants
from portal.services.support import allowances
from portal.services.support import approvals as approval_service
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.events.event_forms import ReasonForm

DECIDERS = (Role.COORDINATOR,)
# More than a page can show: a longer list of ids is someone's script, not a coordinator.
MAX_CHOSEN = 5000
# A short queue also lists a reason field per request below the table; a longer one leaves
# rejecting to each row's own page (its Reject button), so the page stays one table.
QUICK_REJECT_UP_TO = 20
# A link's query arguments, typed as url_for takes them (a dict of str would also be offered
# to its `_external` flag, which mypy refuses).
Link = dict[str, Any]


def _centre() -> Centre:
    return loading.centre(loading.centre_id_of(current_user))


def _month_arg(value: str | None) -> date | None:
    """A month typed in the address (?month=2026-03), within the years every form accepts."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", value or "")
    if match is None or not 1 <= int(match[2]) <= 12:
        return None
    month = date(int(match[1]), int(match[2]), 1)
    return month if dates.EARLIEST <= month <= dates.LATEST else None


def _kind_arg(value: str | None) -> AllowanceKind | None:
    try:
        return AllowanceKind(value) if value else None
    except ValueError:
        return None


def _filter(values: Mapping[str, str], centre: Centre) -> tuple[approval_service.Filter, Link]:
    """The queue's filter from the address (or the confirmation's hidden fields), and the same
    filter as arguments for a link."""
    kind = _kind_arg(values.get("kind"))
    month = _month_arg(values.get("month"))
    worker = id_from(values.get("worker"))
    overdue = values.get("overdue") == "1"
    chosen = approval_service.Filter(
        kind=kind,
        month=month,
        prepared_by_id=worker,
        submitted_before=utcnow() - timedelta(days=centre.decision_warning_days)
        if overdue
        else None,
    )
    args = {
        "kind": kind.value if kind else "",
        "month": month.strftime("%Y-%m") if month else "",
        "worker": str(worker) if worker else "",
        "overdue": "1" if overdue else "",
    }
    return chosen, {name: value for name, value in args.items() if value}


def _report(approved: list[int], refused: dict[int, PortalError]) -> None:
    """How many were approved, and how many were not with each reason."""
    if approved:
        flash(
            ngettext("%(num)d request approved.", "%(num)d requests approved.", len(approved)),
            "success",
        )
    for message in sorted({str(error.message) for error in refused.values()}):
        count = sum(1 for error in refused.values() if str(error.message) == message)
        flash(_("Not approved (%(n)d): %(reason)s", n=count, reason=message), "error")


@bp.get("/approvals")
@role_required(*DECIDERS)
def approvals() -> ResponseReturnValue:
    centre = _centre()
    chosen, args = _filter(request.args, centre)
    waiting = approval_service.queue(centre.id, chosen)
    reads.listed([a.participant for a in waiting], "approvals")
    totals = {a.id: allowances.total(a) for a in waiting}
    return render_template(
        "staff/support/approvals.html",
        waiting=waiting,
        chosen=chosen,
        args=args,
        kinds=AllowanceKind,
        workers=participants.list_staff(centre.id, Role.SOCIAL_WORKER),
        overdue_before=utcnow() - timedelta(days=centre.decision_warning_days),
        totals=totals,
        total=sum(totals.values()),
        own=approval_service.not_for(current_user, waiting),
        quick_reject_up_to=QUICK_REJECT_UP_TO,
        form=CsrfForm(),
        centre=centre,
    )


@bp.post("/approvals/approve")
@role_required(*DECIDERS)
def approve() -> ResponseReturnValue:
    if not CsrfForm().validate_on_submit():
        abort(400)
    ids = ids_from(request.form.getlist("allowance_id"), limit=MAX_CHOSEN)
    if not ids:
        flash(_("Choose at least one request."), "error")
        return redirect(url_for(".approvals"))
    with boundary.shown():
        _report(
            *approval_service.approve_many(
                ids, centre_id=current_user.centre_id, approver=current_user, now=utcnow()
            )
        )
    return redirect(url_for(".approvals"))


@bp.route("/approvals/all", methods=["GET", "POST"])
@role_required(*DECIDERS)
def approve_all() -> ResponseReturnValue:
    """Approve every request the filter shows: asked once with the number and the amount, then
    decided by the filter on the server (no list of ids travels)."""
    centre = _centre()
    form = CsrfForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        chosen, args = _filter(request.form, centre)
        outcome = None
        with boundary.shown():
            outcome = approval_service.approve_all(
                centre.id,
                chosen,
                fingerprint=request.form.get("fingerprint", ""),
                approver=current_user,
                now=utcnow(),
            )
        if outcome is None:  # the list changed: ask again with the new number
            return redirect(url_for(".approve_all", **args))
        _report(*outcome)
        return redirect(url_for(".approvals", **args))
    chosen, args = _filter(request.args, centre)
    worker = db.session.get(User, chosen.prepared_by_id) if chosen.prepared_by_id else None
    return render_template(
        "staff/support/approve_all.html",
        batch=approval_service.batch(centre.id, chosen, current_user),
        chosen=chosen,
        args=args,
        worker=worker if worker is not None and worker.centre_id == centre.id else None,
        form=form,
        centre=centre,
    )


@bp.route("/allowances/<int:allowance_id>/reject", methods=["GET", "POST"])
@role_required(*DECIDERS)
def reject(allowance_id: int) -> ResponseReturnValue:
    """The reject page of one request (reached from its row): the reason is required."""
    allowance = loading.of_centre(Allowance, allowance_id, current_user.centre_id)
    reads.viewed(allowance.participant, "allowance_rejection", allowance.id)
    form = ReasonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            if "csrf_token" in form.errors:
                abort(400)
            form.reason.errors = [_("Give the reason for rejecting.")]
        else:
            with boundary.shown(form):
                approval_service.reject(
                    allowance, reason=form.reason.data, approver=current_user, now=utcnow()
                )
                flash(_("The request is rejected."), "success")
                return redirect(url_for(".approvals"))
            if not form.reason.errors:  # refused as a whole: their own, or decided meanwhile
                return redirect(url_for(".approvals"))
    return render_template(
        "staff/support/reject.html",
        allowance=allowance,
        total=allowances.total(allowance),
        form=form,
    )
