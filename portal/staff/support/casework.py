"""Individual support as records: the casework log of social work and its hours a month.

Work placements and their monthly hours sheets are in `placements`. Only social workers and
coordinators reach these pages; every record is of their centre.
"""

import re
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.models.support import ContactKind
from portal.services.common import dates
from portal.services.people import participants
from portal.services.support import casework, contracts
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.support.casework_forms import ContactForm

WORKERS = (Role.SOCIAL_WORKER, Role.COORDINATOR)
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def month_arg(value: str | None, default: date) -> date:
    """A month typed in the address (?month=2026-03); one that is no month is said and replaced
    by `default`."""
    if not value:
        return default
    match = _MONTH.fullmatch(value)
    if match is not None and 1 <= int(match[2]) <= 12:
        month = date(int(match[1]), int(match[2]), 1)
        if dates.EARLIEST <= month <= dates.LATEST:
            return month
    flash(_("The month was not understood; showing %(month)s.", month=f"{default:%Y-%m}"), "error")
    return default


def month_label(month: date) -> str:
    """A month as the reader's language names it: "marzec 2026"."""
    return str(format_date(month, "LLLL y"))


def this_month() -> date:
    return dates.local_date(utcnow()).replace(day=1)


def neighbours(month: date) -> tuple[date | None, date | None]:
    """The months before and after `month` that a page may link to."""
    before = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    after = casework.month_bounds(month)[1]
    return (
        before if before >= dates.EARLIEST else None,
        after if after <= dates.LATEST else None,
    )


def _fields(form: ContactForm) -> casework.ContactFields:
    return casework.ContactFields(
        happened_on=form.happened_on.data,
        contact_kind=ContactKind(form.contact_kind.data),
        minutes=form.minutes.data,
        with_family=form.with_whom.data == "family",
        note=form.note.data,
        contract_id=form.contract_id.data or None,
    )


@bp.get("/participants/<int:participant_id>/contacts")
@role_required(*WORKERS)
def contact_log(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "contacts")
    return render_template(
        "staff/support/contacts.html",
        person=person,
        entries=casework.list_for_participant(person.id),
    )


@bp.route("/participants/<int:participant_id>/contacts/new", methods=["GET", "POST"])
@role_required(*WORKERS)
def contact_new(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "contact_form")
    form = ContactForm(contracts=contracts.list_for_participant(person.id))
    if request.method == "GET":
        form.happened_on.data = dates.local_date(utcnow())
    if form.validate_on_submit():
        with boundary.shown(form):
            fields = _fields(form)
            casework.record(person.id, **vars(fields), actor=current_user, now=utcnow())
            flash(_("The contact is recorded."), "success")
            return redirect(url_for(".contact_log", participant_id=person.id))
    return render_template("staff/support/contact_form.html", form=form, person=person, entry=None)


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@role_required(*WORKERS)
def contact_edit(contact_id: int) -> ResponseReturnValue:
    entry = casework.get(current_user.centre_id, contact_id)
    person = participants.get_for_staff(current_user, entry.participant_id)
    reads.viewed(person, "contact_form", entry.id)
    form = ContactForm(contracts=contracts.list_for_participant(person.id))
    if request.method == "GET":
        form.process(
            data={
                "happened_on": entry.happened_on,
                "contact_kind": entry.contact_kind.value,
                "minutes": entry.minutes,
                "with_whom": "family" if entry.with_family else "person",
                "contract_id": entry.contract_id or 0,
                "note": entry.note,
                "seen": casework.fingerprint(entry),
            }
        )
    if form.validate_on_submit():
        conflict = False
        with boundary.shown(form):
            try:
                casework.correct(
                    entry.id,
                    _fields(form),
                    seen=form.seen.data,
                    actor=current_user,
                    now=utcnow(),
                )
            except casework.CaseworkConflict:
                conflict = True
                raise
            flash(_("The correction is saved."), "success")
            return redirect(url_for(".contact_log", participant_id=person.id))
        if conflict:  # the typed values stay; the next save is based on the entry as it is now
            entry = casework.get(current_user.centre_id, contact_id)
            form.seen.data = casework.fingerprint(entry)
    return render_template("staff/support/contact_form.html", form=form, person=person, entry=entry)


@bp.get("/casework")
@role_required(*WORKERS)
def my_casework() -> ResponseReturnValue:
    month = month_arg(request.args.get("month"), this_month())
    entries = casework.own_log(current_user.id, current_user.centre_id, month)
    reads.listed([e.participant for e in entries], "my_casework")
    return render_template(
        "staff/support/my_casework.html",
        month=month,
        month_label=month_label,
        around=neighbours(month),
        entries=entries,
        minutes=sum(e.minutes for e in entries),
    )


@bp.get("/casework/hours")
@role_required(*WORKERS)
def casework_hours() -> ResponseReturnValue:
    month = month_arg(request.args.get("month"), this_month())
    everyone = current_user.has_role(Role.COORDINATOR)
    rows = casework.monthly_hours(
        current_user.centre_id, month, worker_id=None if everyone else current_user.id
    )
    return render_template(
        "staff/support/hours.html",
        month=month,
        month_label=month_label,
        around=neighbours(month),
        rows=rows,
        everyone=everyone,
        minutes=sum(r.minutes for r in rows),
    )
