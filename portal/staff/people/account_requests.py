"""Residents' requests for an account, answered by the centre's staff: accepted (the person is
recorded, or linked to the record that is already theirs, and invited) or refused with a reason
the person is told."""

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.forms import id_from
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.people import account_requests
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.people.account_request_forms import RefusalForm


@bp.get("/account-requests", endpoint="account_requests")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def account_requests_list() -> ResponseReturnValue:
    return _requests_page()


def _requests_page(*, refused: tuple[int, RefusalForm] | None = None) -> ResponseReturnValue:
    """The pending requests; `refused` is (request id, form) when a refusal came back with
    its errors, shown on that request's card."""
    pending = account_requests.list_pending(current_user.centre_id)
    reads.requests_listed(pending)
    matches = account_requests.matches_of(pending)
    shown = {m.person.id: m.person for found in matches.values() for m in found}
    if shown:
        reads.listed(list(shown.values()), "account_requests")
    return render_template(
        "staff/people/account_requests.html", requests=pending, refused=refused, matches=matches
    )


@bp.post("/account-requests/<int:request_id>/accept")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def account_request_accept(request_id: int) -> ResponseReturnValue:
    # The button pressed says which: "link to this record" carries the record's id, "create a
    # new record" says so; a plain accept of a request with matches is refused and shown.
    link_to = id_from(request.form.get("participant_id"))
    user = account_requests.accept(
        request_id,
        current_user.centre_id,
        actor=current_user,
        now=utcnow(),
        link_to=link_to,
        new_record=request.form.get("new_record") == "1",
    )
    if link_to is not None:
        flash(
            _(
                "%(name)s's account is linked to their record and an invitation has been sent.",
                name=user.full_name,
            ),
            "success",
        )
    else:
        flash(
            _("%(name)s is recorded and has been sent an invitation.", name=user.full_name),
            "success",
        )
    return redirect(url_for("staff.account_requests"))


@bp.post("/account-requests/<int:request_id>/refuse")
@role_required(Role.COORDINATOR, Role.SOCIAL_WORKER)
def account_request_refuse(request_id: int) -> ResponseReturnValue:
    form = RefusalForm()
    if form.validate_on_submit():
        with boundary.shown(form):
            account_requests.refuse(
                request_id,
                current_user.centre_id,
                reason=form.reason.data,
                actor=current_user,
                now=utcnow(),
            )
            flash(_("The request is refused and the person has been told."), "success")
            return redirect(url_for("staff.account_requests"))
    return _requests_page(refused=(request_id, form))
