"""Many rows moved by one decision: one conditional write, all or none, one audit entry each;
a record's first status and recorded history go through the same tables."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import AuditEntry, Event, Registration, User
from portal.models.enums import EventStatus, RegistrationStatus
from portal.services.common.errors import PortalError
from portal.services.lifecycle import transitions


class Lost(PortalError):
    pass


@pytest.fixture
def drafts(app, make_centre, make_user, make_event):
    centre_id = make_centre()
    user_id = make_user(centre_id=centre_id)
    ids = [make_event(centre_id, status=EventStatus.DRAFT, title=f"E{n}") for n in range(3)]
    return centre_id, user_id, ids


def _statuses(ids: list[int]) -> dict[int, EventStatus]:
    rows = db.session.execute(select(Event.id, Event.status).where(Event.id.in_(ids)))
    return {row_id: status for row_id, status in rows}


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.entity_id)
        )
    )


def test_many_rows_move_in_one_write_with_one_audit_entry_each(app, drafts):
    centre_id, user_id, ids = drafts
    with app.app_context():
        actor = db.session.get_one(User, user_id)
        copy = db.session.get_one(Event, ids[0])  # a copy read before the move
        transitions.move_many(
            Event,
            [*ids, ids[0]],  # a row named twice moves once
            "publish",
            actor=actor,
            centre_id=centre_id,
            lost=Lost(),
            audit_each={ids[0]: {"title": (None, "E0")}},
            unaudited={"place": "Sala nr 4"},
            capacity=9,
        )
        assert copy.status == EventStatus.PUBLISHED
        assert copy.place == "Sala nr 4"
        assert _statuses(ids) == dict.fromkeys(ids, EventStatus.PUBLISHED)
        entries = _entries("event.published")
        assert [e.entity_id for e in entries] == ids
        assert {e.actor_id for e in entries} == {user_id}
        assert {e.centre_id for e in entries} == {centre_id}
        common = {
            "status": {"old": "draft", "new": "published"},
            "capacity": {"old": None, "new": 9},
        }
        assert entries[0].changes == common | {"title": {"old": None, "new": "E0"}}
        assert entries[1].changes == entries[2].changes == common
        db.session.commit()


def test_one_row_changed_by_someone_else_meanwhile_refuses_all_and_changes_nothing(app, drafts):
    centre_id, user_id, ids = drafts
    with app.app_context():
        actor = db.session.get_one(User, user_id)
        assert set(_statuses(ids).values()) == {EventStatus.DRAFT}  # the list as it was shown
        db.session.commit()
        # Another process cancels one of them between that read and our write.
        with db.engine.begin() as other:
            other.execute(
                update(Event).where(Event.id == ids[1]).values(status=EventStatus.CANCELLED)
            )
        with pytest.raises(Lost):
            transitions.move_many(
                Event, ids, "publish", actor=actor, centre_id=centre_id, lost=Lost()
            )
        # Still inside the same transaction: the two rows that did match were not moved either.
        assert _statuses(ids) == {
            ids[0]: EventStatus.DRAFT,
            ids[1]: EventStatus.CANCELLED,
            ids[2]: EventStatus.DRAFT,
        }
        assert _entries("event.published") == []
        db.session.rollback()


def test_a_narrower_condition_that_one_row_fails_counts_as_lost(app, drafts):
    centre_id, user_id, ids = drafts
    with app.app_context():
        actor = db.session.get_one(User, user_id)
        with pytest.raises(Lost):
            transitions.move_many(
                Event,
                ids,
                "publish",
                actor=actor,
                centre_id=centre_id,
                lost=Lost(),
                where=Event.id != ids[2],
            )
        assert set(_statuses(ids).values()) == {EventStatus.DRAFT}
        db.session.rollback()


def test_a_move_of_many_rows_needs_one_source_status():
    with pytest.raises(ValueError, match="one source"):
        transitions.move_many(Event, [1], "cancel", actor=None, centre_id=1, lost=Lost())


def test_a_chosen_first_status_must_be_one_its_table_starts_in():
    assert (
        transitions.initial(Registration, RegistrationStatus.WAITING) is RegistrationStatus.WAITING
    )
    with pytest.raises(ValueError, match="cannot start as attended"):
        transitions.initial(Registration, RegistrationStatus.ATTENDED)
    with pytest.raises(ValueError, match="cannot start as draft"):
        transitions.initial(Event, EventStatus.DRAFT)  # a fixed start: the column's default


def test_recorded_history_takes_only_a_status_of_the_records_own_table():
    held = transitions.recorded(Event(), EventStatus.HELD)
    assert held.status == EventStatus.HELD
    with pytest.raises(ValueError, match="event has no status"):
        transitions.recorded(Event(), RegistrationStatus.ATTENDED)


# A status written outside the lifecycle module: assigned, passed to a constructor, or updated.
STATUS_WRITE = re.compile(r"\.status\s*=[^=]|status=\w+Status\.|values\(status=")


def test_no_status_is_written_outside_the_lifecycle_tables():
    portal = Path(__file__).parents[2] / "portal"
    lifecycle = portal / "services" / "lifecycle"
    found = [
        f"{path.relative_to(portal)}:{number}"
        for path in sorted(portal.rglob("*.py"))
        if lifecycle not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STATUS_WRITE.search(line)
    ]
    assert found == []
