"""Work placements: recorded, edited with version protection, and their monthly hours sheets
(entered for a month at once, printed as a PDF, exported for the labour office)."""

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal import boundary
from portal.auth.access import role_required
from portal.models import Placement
from portal.models.base import utcnow
from portal.models.support import PlacementKind
from portal.pdf import frame_of, pdf_response
from portal.services.audit import audit_trail
from portal.services.common import dates, exports
from portal.services.money import money
from portal.services.people import participants
from portal.services.support import contracts, placements
from portal.staff.audit import reads
from portal.staff.blueprint import bp
from portal.staff.support.casework import WORKERS, month_arg, neighbours
from portal.staff.support.casework_forms import PlacementForm, hours_sheet_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _placement(placement_id: int) -> Placement:
    placement = placements.get(current_user.centre_id, placement_id)
    participants.get_for_staff(current_user, placement.participant_id)
    return placement


def _fields(form: PlacementForm) -> placements.PlacementFields:
    rate = form.hourly_rate.data
    return placements.PlacementFields(
        kind=PlacementKind(form.kind.data),
        employer=form.employer.data,
        supervisor=form.supervisor.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        hours_per_month=form.hours_per_month.data,
        hourly_rate_grosze=money.parse(rate, field="hourly_rate") if rate else None,
        contract_id=form.contract_id.data or None,
    )


@bp.get("/participants/<int:participant_id>/placements")
@role_required(*WORKERS)
def placement_list(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "placements")
    return render_template(
        "staff/support/placements.html",
        person=person,
        placements=placements.list_for_participant(person.id),
    )


@bp.route("/participants/<int:participant_id>/placements/new", methods=["GET", "POST"])
@role_required(*WORKERS)
def placement_new(participant_id: int) -> ResponseReturnValue:
    person = participants.get_for_staff(current_user, participant_id)
    reads.viewed(person, "placement_form")
    form = PlacementForm(contracts=contracts.list_for_participant(person.id))
    if form.validate_on_submit():
        with boundary.shown(form):
            fields = _fields(form)
            placement = placements.create(
                person.id, **vars(fields), actor=current_user, now=utcnow()
            )
            flash(_("The placement is saved."), "success")
            return redirect(url_for(".placement_detail", placement_id=placement.id))
    return render_template(
        "staff/support/placement_form.html", form=form, person=person, placement=None
    )


@bp.get("/placements/<int:placement_id>")
@role_required(*WORKERS)
def placement_detail(placement_id: int) -> ResponseReturnValue:
    placement = _placement(placement_id)
    reads.viewed(placement.participant, "placement", placement.id)
    return render_template(
        "staff/support/placement_detail.html",
        placement=placement,
        months=placements.months_of(placement),
    )


@bp.route("/placements/<int:placement_id>/edit", methods=["GET", "POST"])
@role_required(*WORKERS)
def placement_edit(placement_id: int) -> ResponseReturnValue:
    placement = _placement(placement_id)
    person = placement.participant
    reads.viewed(person, "placement_form", placement.id)
    form = PlacementForm(contracts=contracts.list_for_participant(person.id))
    if request.method == "GET":
        form.process(
            data={
                "kind": placement.kind.value,
                "employer": placement.employer,
                "supervisor": placement.supervisor,
                "starts_on": placement.starts_on,
                "ends_on": placement.ends_on,
                "hours_per_month": placement.hours_per_month,
                "hourly_rate": money.to_text(placement.hourly_rate_grosze)
                if placement.hourly_rate_grosze
                else "",
                "contract_id": placement.contract_id or 0,
                "version": placement.version_id,
            }
        )
    if form.validate_on_submit():
        conflict = False
        with boundary.shown(form):
            try:
                placements.update(
                    placement.id,
                    _fields(form),
                    version=form.version.data or 0,
                    actor=current_user,
                    now=utcnow(),
                )
            except placements.PlacementConflict:
                conflict = True
                raise
            flash(_("The changes are saved."), "success")
            return redirect(url_for(".placement_detail", placement_id=placement.id))
        if conflict:  # the typed values stay; the next save is based on the current version
            placement = _placement(placement_id)
            form.version.data = placement.version_id
            form.version.raw_data = [str(placement.version_id)]
    return render_template(
        "staff/support/placement_form.html", form=form, person=person, placement=placement
    )


def _month(placement: Placement) -> date:
    today = dates.local_date(utcnow())
    return month_arg(request.args.get("month"), placements.default_month(placement, today))


@bp.route("/placements/<int:placement_id>/hours", methods=["GET", "POST"])
@role_required(*WORKERS)
def placement_hours(placement_id: int) -> ResponseReturnValue:
    placement = _placement(placement_id)
    reads.viewed(placement.participant, "placement_hours", placement.id)
    month = _month(placement)
    sheet = placements.month_sheet(placement, month)
    days = [line.day for line in sheet.days]
    if request.method == "GET":
        form = hours_sheet_form(
            days,
            data={placements.day_field(d.day): d.hours for d in sheet.days}
            | {"version": placement.version_id},
        )
    else:
        form = hours_sheet_form(days)
    status = 200
    if form.validate_on_submit():
        with boundary.shown(form):
            placements.save_month(
                placement.id,
                month,
                form.hours(),
                version=form.version.data or 0,
                actor=current_user,
                now=utcnow(),
            )
            flash(_("The hours are saved."), "success")
            return redirect(
                url_for(".placement_hours", placement_id=placement.id, month=f"{month:%Y-%m}")
            )
        placement = _placement(placement_id)  # read again after the refusal's rollback
        sheet = placements.month_sheet(placement, month)
        form.version.data = placement.version_id
        form.version.raw_data = [str(placement.version_id)]
    if request.method == "POST":
        status = 400
    return render_template(
        "staff/support/hours_sheet.html",
        placement=placement,
        sheet=sheet,
        form=form,
        month=month,
        around=neighbours(month),
        hours_end=placements.hours_end(placement),
        typed_total=sum(v or 0 for v in form.hours().values() if isinstance(v, int)),
    ), status


def _sheet(placement_id: int) -> placements.MonthSheet:
    placement = _placement(placement_id)
    return placements.month_sheet(placement, _month(placement))


def _export_rows(sheet: placements.MonthSheet) -> list[list[object]]:
    """The worked days of a month for the labour office: one row a day, money in grosze."""
    placement = sheet.placement
    person = placement.participant
    rate = placement.hourly_rate_grosze
    return [
        [
            person.last_name,
            person.first_name,
            placement.kind.label,
            placement.employer,
            placement.supervisor,
            line.day.isoformat(),
            line.hours,
            rate,
            None if rate is None or line.hours is None else line.hours * rate,
        ]
        for line in sheet.worked
    ]


def _header() -> list[str]:
    return [
        _("Last name"),
        _("First name"),
        _("Kind of placement"),
        _("Employer or institution"),
        _("Supervisor"),
        _("Date"),
        _("Hours"),
        _("Hourly rate"),
        _("Amount"),
    ]


def _attachment(sheet: placements.MonthSheet, extension: str) -> dict[str, str]:
    name = f"godziny-{sheet.placement.id}-{sheet.month:%Y-%m}.{extension}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _downloaded(sheet: placements.MonthSheet, file_format: str) -> None:
    audit_trail.record_download(
        sheet.placement,
        actor=current_user,
        document="hours_sheet",
        file_format=file_format,
        month=sheet.month,
    )


def _total_row(sheet: placements.MonthSheet) -> list[object]:
    return ["", "", "", "", "", _("Total"), sheet.total_hours, "", sheet.pay_grosze]


@bp.get("/placements/<int:placement_id>/hours.csv")
@role_required(*WORKERS)
def placement_hours_csv(placement_id: int) -> ResponseReturnValue:
    sheet = _sheet(placement_id)
    _downloaded(sheet, "csv")
    rows = [*_export_rows(sheet), _total_row(sheet)]
    text = [
        [money.to_text(c) if i in (7, 8) and isinstance(c, int) else c for i, c in enumerate(row)]
        for row in rows
    ]
    return Response(
        exports.to_csv(_header(), text), mimetype="text/csv", headers=_attachment(sheet, "csv")
    )


@bp.get("/placements/<int:placement_id>/hours.xlsx")
@role_required(*WORKERS)
def placement_hours_xlsx(placement_id: int) -> ResponseReturnValue:
    sheet = _sheet(placement_id)
    _downloaded(sheet, "xlsx")
    rows = [*_export_rows(sheet), _total_row(sheet)]
    body = exports.to_xlsx(f"{sheet.month:%Y-%m}", _header(), rows, money_columns=(7, 8))
    return Response(body, mimetype=XLSX, headers=_attachment(sheet, "xlsx"))


@bp.get("/placements/<int:placement_id>/hours.pdf")
@role_required(*WORKERS)
def placement_hours_pdf(placement_id: int) -> ResponseReturnValue:
    sheet = _sheet(placement_id)
    _downloaded(sheet, "pdf")
    return pdf_response(
        "staff/support/hours_pdf.html",
        f"godziny-{sheet.placement.id}-{sheet.month:%Y-%m}.pdf",
        frame=frame_of(
            sheet.placement.centre_id,
            [(sheet.placement.contract or sheet.placement.participant).project],
            version=sheet.placement.version_id,
        ),
        sheet=sheet,
    )
