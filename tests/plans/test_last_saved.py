"""The plan's task list says when each part was last saved, the tests and sessions too: a part
just saved never reads "Last saved: —"."""

import re
from datetime import timedelta

from portal.extensions import db
from portal.models import Participant, User
from portal.models.base import utcnow
from portal.services.plans import diagnosis
from tests.plans.steps import ADVISOR, _plan_page, _start


def _saved_cell(page: str, task: str) -> str:
    row = re.search(rf'<tr id="task-{task}">(.*?)</tr>', page, re.S)
    assert row, task
    return re.findall(r"<td>(.*?)</td>", row.group(1), re.S)[-1].strip()


def test_a_test_just_recorded_shows_when_it_was_saved(app, world, login_as):
    _start(app, world)
    client = login_as(ADVISOR, fresh=True)
    page = _plan_page(client, world.person)
    assert _saved_cell(page, "tests") == "—"  # nothing recorded yet
    with app.app_context():
        now = utcnow()
        diagnosis.record_test(
            db.session.get(Participant, world.person),
            test_type_id=world.test_type,
            taken_on=(now - timedelta(days=1)).date(),
            summary="Wynik w normie",
            advisor=db.session.get(User, world.advisor),
            now=now,
        )
        db.session.commit()
    for lang in ("pl", "en"):
        page = client.get(f"/staff/participants/{world.person}/plan?lang={lang}")
        cell = _saved_cell(page.get_data(as_text=True), "tests")
        assert cell != "—"
        assert re.search(r"\d{1,2}:\d{2}", cell), cell  # the time it was saved
