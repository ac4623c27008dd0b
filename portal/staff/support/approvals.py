"""Coordinators decide allowance requests: the queue a page at a time, approving the chosen rows
or all that match the filter, and rejecting one."""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal import boundary
from portal.auth.access import role_required
from portal.forms import CsrfForm, id_from, ids_from
from portal.models import Allowance, Centre
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.people import participants
from portal.services.support import allowances, approval_queue
from portal.services.support import approvals as approval_service
from portal.staff import paging
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.events.event_forms import ReasonForm
from portal.staff.support.approval_forms import QueueFilterForm

DECIDERS = (Role.COORDINATOR,)
# More than a page can show: a longer list of ids is someone's script, not a coordinator.
MAX_CHOSEN = 5000
# A short queue also lists a reason field per request below the table; a longer one leaves
# rejecting to each row's own page (its Reject button), so the page stays one table.
QUICK_REJECT_UP_TO = 20
# A link's query arguments, typed as url_for takes them (a dict of str would also be offered
# to its `_external` flag, which mypy refuses).
Link = dict[str, Any]
FILTER_FIELDS = ("kind", "month", "worker", "overdue")


def _centre() -> Centre:
    return loading.centre(loading.centre_id_of(current_user))


def _filter(
    values: Mapping[str, str], centre: Centre
) -> tuple[QueueFilterForm, approval_queue.Filter | None, Link]:
    """The queue's filter from the address (or the confirmation's hidden fields): the form
    (with a message beside a value that is none), the filter when every value is good, and the
    same filter as arguments for a link."""
    form = QueueFilterForm(MultiDict(values), meta={"csrf": False})
    form.fill(participants.list_staff(centre.id, Role.SOCIAL_WORKER))
    if not form.validate():
        return form, None, {}
    month: date | None = form.month.data
    chosen = approval_queue.Filter(
        kind=form.chosen_kind(),
        month=month,
        prepared_by_id=form.chosen_worker(),
        submitted_before=_overdue_before(centre) if form.overdue.data else None,
    )
    args = {
        "kind": form.kind.data,
        "month": month.strftime("%Y-%m") if month else "",
        "worker": form.worker.data,
        "overdue": "1" if form.overdue.data else "",
    }
    return form, chosen, {name: value for name, value in args.items() if value}


def _kept(values: Mapping[str, str]) -> Link:
    """The filter's values as typed, for the queue to show them with what is wrong."""
    return {name: values[name] for name in FILTER_FIELDS if values.get(name)}


def _overdue_before(centre: Centre) -> datetime:
    return utcnow() - timedelta(days=centre.decision_warning_days)


def _figure(value: str | None) -> int:
    """A figure of the confirmation (a hidden field); a damaged one matches no list (-1)."""
    text = value or ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else -1


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
    """One page of the waiting requests the filter matches; the number and the amounts of all
    of them from the database."""
    centre = _centre()
    form, chosen, args = _filter(request.args, centre)
    summary, pages, waiting, own = None, None, [], set()
    if chosen is not None:
        summary = approval_queue.summary(centre.id, chosen, current_user)
        pages = paging.page(summary.count)
        waiting = approval_queue.page(centre.id, chosen, pages)
        own = approval_queue.own_of(current_user, waiting)
    reads.listed([a.participant for a in waiting], "approvals")
    return render_template(
        "staff/support/approvals.html",
        filter_form=form,
        waiting=waiting,
        summary=summary,
        pages=pages,
        args=args,
        overdue_before=_overdue_before(centre),
        totals={a.id: allowances.total(a) for a in waiting},
        own=own,
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
    # Back to the filter and the page the rows were chosen on (the queue checks them again).
    back = _kept(request.form) | (
        {"page": page} if (page := id_from(request.form.get("page"))) else {}
    )
    if not ids:
        flash(_("Choose at least one request."), "error")
        return redirect(url_for(".approvals", **back))
    with boundary.shown():
        _report(
            *approval_service.approve_many(
                ids, centre_id=current_user.centre_id, approver=current_user, now=utcnow()
            )
        )
    return redirect(url_for(".approvals", **back))


@bp.route("/approvals/all", methods=["GET", "POST"])
@role_required(*DECIDERS)
def approve_all() -> ResponseReturnValue:
    """Approve every request the filter matches: asked once with the number and the amount,
    then decided by the filter on the server (no list of ids travels); refused, with nothing
    changed, when the requests that match are no longer the ones confirmed."""
    centre = _centre()
    form = CsrfForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        _form, chosen, args = _filter(request.form, centre)
        if chosen is None:  # a damaged confirmation: the queue says what is wrong
            return redirect(url_for(".approvals", **_kept(request.form)))
        confirmed = approval_queue.Confirmed(
            _figure(request.form.get("count")),
            _figure(request.form.get("total")),
            _figure(request.form.get("check")),
        )
        outcome = None
        with boundary.shown():
            outcome = approval_queue.approve_all(
                centre.id, chosen, confirmed=confirmed, approver=current_user, now=utcnow()
            )
        if outcome is None:  # the list changed: ask again with the new number
            return redirect(url_for(".approve_all", **args))
        _report(*outcome)
        return redirect(url_for(".approvals", **args))
    filter_form, chosen, args = _filter(request.args, centre)
    if chosen is None:
        return redirect(url_for(".approvals", **_kept(request.args)))
    worker = dict(filter_form.worker.choices).get(filter_form.worker.data)
    return render_template(
        "staff/support/approve_all.html",
        summary=approval_queue.summary(centre.id, chosen, current_user),
        chosen=chosen,
        args=args,
        worker=worker if chosen.prepared_by_id else None,
        form=form,
        centre=centre,
    )


@bp.route("/allowances/<int:allowance_id>/reject", methods=["GET", "POST"])
@role_required(*DECIDERS)
def reject(allowance_id: int) -> ResponseReturnValue:
    """The reject page of one request (reached from its row): the reason is required."""
    allowance = loading.of_centre(
        Allowance, allowance_id, current_user.centre_id, options=allowances.shown()
    )
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
