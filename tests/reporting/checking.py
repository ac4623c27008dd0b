"""The check of the figures as the command and the page list them, and ways to plant a
discrepancy the services would refuse to make."""

from datetime import UTC, date, datetime

from sqlalchemy import text, update

from portal.extensions import db
from portal.models import Event
from portal.models.base import utcnow
from portal.models.enums import EventStatus
from portal.services.reporting import figures_check

JANUARY, MARCH = date(2026, 1, 1), date(2026, 3, 1)
COORDINATOR = "checking.coordinator@example.org"
# Where the check page links each kind of record: its own page, or its history.
PAGES = {
    "participant": "/staff/participants/{}",
    "social_contract": "/staff/contracts/{}",
    "allowance": "/staff/allowances/{}",
    "event": "/staff/events/{}",
    "instalment": "/staff/history/instalments/{}",
    "registration": "/staff/history/registrations/{}",
    "course": "/staff/history/courses/{}",
    "course_assignment": "/staff/history/course_assignments/{}",
}
EVENT_START = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


def found(app, stage_id=None) -> list[tuple[str, tuple[str, ...]]]:
    with app.app_context():
        result = figures_check.check(now=utcnow(), stage_id=stage_id)
        db.session.rollback()
        return [(d.rule, tuple(str(r) for r in d.records)) for d in result]


def on_check_page(client, stage_id: int, findings) -> None:
    """Each finding is listed on the check page with a link to each of its records."""
    response = client.get(f"/staff/stages/{stage_id}/report/check")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    listed = html.split('data-rule="')[1:]
    assert [item.split('"', 1)[0] for item in listed] == [rule for rule, _records in findings]
    for item, (_rule, records) in zip(listed, findings, strict=True):
        for record in records:
            kind, record_id = record.split()
            page = (
                f"/staff/stages/{stage_id}/money"
                if kind == "budget_line"
                else PAGES[kind].format(record_id)
            )
            assert f'href="{page}"' in item.split("</li>")[0], (record, item)


def checked(app, login_as, centre):
    """The findings of the command's check, after making sure the page lists the same."""
    findings = found(app)
    on_check_page(login_as(COORDINATOR), centre["stage"], findings)
    return findings


def sql(app, statement: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def held(app, event_id: int, *, recorded_at: datetime) -> None:
    """Marked held with its attendance recorded at `recorded_at` (through the column's type)."""
    with app.app_context():
        db.session.execute(
            update(Event)
            .where(Event.id == event_id)
            .values(status=EventStatus.HELD, attendance_recorded_at=recorded_at)
        )
        db.session.commit()
