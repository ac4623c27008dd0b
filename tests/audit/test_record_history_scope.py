"""A record's history stays in its centre, for every kind of record the trail can name.

Every mapped table is walked over the seeded demo (two centres, OPS Janów Lubelski and GOPS
Chrzanów): each centre's coordinator gets the history of each of their centre's records and a
404 for each of the other's, as for a record that does not exist. A record without a `centre_id`
of its own (a centre, a project stage, a plan's goal) belongs to the centre its parent belongs
to; the test finds that centre by its own join, written out below, not by the portal's."""

import pytest
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import User
from portal.models.base import Base

DEMO_PASSWORD = "pierwszy-krok"
COORDINATORS = ["koordynator@example.org", "chrzanow@example.org"]  # Janów, Chrzanów
ROWS_A_CENTRE = 2

# The centre of a row of a table without a centre_id column, by the row's parent.
PLAN = "SELECT p.centre_id FROM {t} r JOIN individual_plans p ON p.id = r.plan_id WHERE r.id = :id"
USER = "SELECT u.centre_id FROM {t} r JOIN users u ON u.id = r.user_id WHERE r.id = :id"
CENTRE_OF = {
    "centres": "SELECT id FROM centres WHERE id = :id",
    "project_stages": (
        "SELECT p.centre_id FROM project_stages s JOIN projects p ON p.id = s.project_id "
        "WHERE s.id = :id"
    ),
    "stage_report_revisions": (
        "SELECT r.centre_id FROM stage_report_revisions v "
        "JOIN stage_reports r ON r.id = v.report_id WHERE v.id = :id"
    ),
    "plan_goals": PLAN.format(t="plan_goals"),
    "plan_actions": PLAN.format(t="plan_actions"),
    "plan_comments": PLAN.format(t="plan_comments"),
    "plan_revisions": PLAN.format(t="plan_revisions"),
    "recovery_codes": USER.format(t="recovery_codes"),
}


def _centre_of(table, row_id: int) -> int | None:
    if "centre_id" in table.c:
        return db.session.scalar(select(table.c.centre_id).where(table.c.id == row_id))
    if table.name not in CENTRE_OF:
        pytest.fail(f"{table.name} has no centre_id: add the join to its centre to CENTRE_OF")
    return db.session.scalar(text(CENTRE_OF[table.name]), {"id": row_id})


def _records(own: int) -> tuple[list[str], list[str]]:
    """Paths of the histories of up to ROWS_A_CENTRE records a table of `own` centre and of
    others (another centre's, or no centre's: an installation administrator's account)."""
    mine: list[str] = []
    theirs: list[str] = []
    for mapper in Base.registry.mappers:
        table = mapper.class_.__table__
        if "id" not in table.c:  # a role: its entries are its account's, no number names it
            theirs.append(f"/staff/history/{table.name}/1")
            continue
        taken = {True: 0, False: 0}
        for row_id in db.session.scalars(select(table.c.id).order_by(table.c.id)):
            is_mine = _centre_of(table, row_id) == own
            if taken[is_mine] < ROWS_A_CENTRE:
                taken[is_mine] += 1
                (mine if is_mine else theirs).append(f"/staff/history/{table.name}/{row_id}")
            if all(count == ROWS_A_CENTRE for count in taken.values()):
                break
    return mine, theirs


@pytest.mark.parametrize("email", COORDINATORS)
def test_another_centres_record_of_every_kind_has_no_history_to_show(app, demo, login_as, email):
    with app.app_context():
        own = db.session.scalar(select(User.centre_id).where(User.email == email))
        mine, theirs = _records(own)
    client = login_as(email, DEMO_PASSWORD)
    # The two kinds that answered 200 "No entries" for another centre's record.
    assert any(path.startswith("/staff/history/centres/") for path in theirs)
    assert any(path.startswith("/staff/history/project_stages/") for path in theirs)
    assert len({path.split("/")[3] for path in theirs}) > 12
    answers = {path: client.get(path).status_code for path in mine + theirs}
    assert {path: answers[path] for path in theirs if answers[path] != 404} == {}
    assert {path: answers[path] for path in mine if answers[path] != 200} == {}
