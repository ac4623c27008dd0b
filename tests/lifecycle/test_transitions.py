"""The lifecycle tables: each move is one conditional write, audited; a stale read loses."""

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import AuditEntry, Event, User
from portal.models.enums import EventStatus
from portal.services.common.errors import PortalError
from portal.services.lifecycle import transitions


class Refused(PortalError):
    pass


@pytest.fixture
def draft(app, make_centre, make_user, make_event):
    centre_id = make_centre()
    user_id = make_user(centre_id=centre_id)
    return make_event(centre_id, status=EventStatus.DRAFT), user_id


def test_every_lifecycle_moves_between_the_statuses_of_its_own_model():
    for model, lifecycle in transitions.LIFECYCLES.items():
        statuses = set(model.__table__.c.status.type.enum_class)
        for action, step in lifecycle.moves.items():
            assert step.sources <= statuses, action
            assert step.target in statuses, action


def test_a_move_is_written_audited_and_offered_only_where_the_table_allows(app, draft):
    event_id, user_id = draft
    with app.app_context():
        event, actor = db.session.get(Event, event_id), db.session.get(User, user_id)
        assert transitions.allowed(event) == {"publish", "cancel"}
        transitions.move(event, "publish", refusal=Refused(), actor=actor)
        assert event.status == EventStatus.PUBLISHED
        assert not transitions.can(event, "publish")
        with pytest.raises(Refused):
            transitions.move(event, "publish", refusal=Refused(), actor=actor)
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.published"))
        assert entry.one().changes["status"] == {"old": "draft", "new": "published"}
        db.session.commit()


def test_a_move_from_a_stale_read_loses_with_the_lifecycles_message(app, draft):
    event_id, user_id = draft
    with app.app_context():
        event, actor = db.session.get(Event, event_id), db.session.get(User, user_id)
        # Someone else cancels it between our read and our write.
        db.session.execute(
            update(Event)
            .where(Event.id == event_id)
            .values(status=EventStatus.CANCELLED)
            .execution_options(synchronize_session=False)
        )
        with pytest.raises(Refused) as lost:
            transitions.move(event, "publish", refusal=Refused(), actor=actor)
        assert lost.value.message == transitions.LIFECYCLES[Event].lost_race
        audited = select(AuditEntry.id).where(AuditEntry.action.startswith("event."))
        assert db.session.scalar(audited) is None
        db.session.rollback()
