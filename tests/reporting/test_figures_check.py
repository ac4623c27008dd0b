"""The check of the figures: nothing in the demo nor in a centre built through the services;
every kind of discrepancy, planted on purpose (by the database when the services refuse to make
it), is found with the records behind it; the command exits with 1 and lists them."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import literal, select

from portal.extensions import db
from portal.models import (
    CourseAssignment,
    Participant,
    ProjectStage,
    User,
)
from portal.services.reporting import stage_people
from portal.services.support import courses
from tests.factories import NOW
from tests.reporting.checking import EVENT_START, checked, found, held, sql


def test_the_demo_is_clean(app, demo, runner):
    assert found(app) == []
    with app.app_context():  # not vacuously: the demo's stages count people, spend money
        stages = db.session.scalars(select(ProjectStage)).all()
        assert sum(stage_people.counts(stage).activated for stage in stages) >= 37
        assert sum(line.committed_grosze for s in stages for line in s.budget_lines) > 0
    result = runner.invoke(args=["check-figures"])
    assert result.exit_code == 0, result.output
    assert "No discrepancies found." in result.output


def test_a_centre_made_through_the_services_is_clean(app, centre):
    assert found(app) == []


def test_a_person_counted_without_support_and_support_not_counted(
    app, login_as, centre, make_participant, monkeypatch
):
    """The report's set made wrong both ways: one counted who had nothing, one left out."""
    idle = make_participant(centre["centre"])
    monkeypatch.setattr(
        stage_people, "activated", lambda stage, now: select(literal(idle)).where(literal(1) == 1)
    )
    person = centre["person"]
    assert checked(app, login_as, centre) == [
        ("counted-without-support", (f"participant {idle}",)),
        (
            "support-not-counted",
            (
                f"participant {person}",
                f"social_contract {centre['contract']}",
                f"course_assignment {centre['place']}",
            ),
        ),
    ]


def test_instalments_after_the_contract_ended(app, login_as, centre):
    """Terminated on 15 January by hand, its February and March instalments left due."""
    sql(
        app,
        "UPDATE social_contracts SET status = 'terminated', ended_on = :day WHERE id = :id",
        day=date(2026, 1, 15),
        id=centre["contract"],
    )
    _january, february, march = centre["instalments"]
    whose = (f"allowance {centre['allowance']}", f"social_contract {centre['contract']}")
    assert checked(app, login_as, centre) == [
        (
            "instalment-after-end",
            (f"instalment {february}", *whose, f"participant {centre['person']}"),
        ),
        (
            "instalment-after-end",
            (f"instalment {march}", *whose, f"participant {centre['person']}"),
        ),
    ]


def test_instalments_after_the_person_left(app, login_as, centre):
    """Left on 1 February: February is still theirs, March is not."""
    sql(
        app,
        "UPDATE participants SET support_end = :day WHERE id = :id",
        day=date(2026, 2, 1),
        id=centre["person"],
    )
    march = centre["instalments"][2]
    assert [rule_records[1][0] for rule_records in checked(app, login_as, centre)] == [
        f"instalment {march}"
    ]


def test_attendance_before_the_event_started(app, login_as, centre, make_event, make_registration):
    event = make_event(centre["centre"], starts_at=EVENT_START)
    registration = make_registration(
        centre["person"], event, now=datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    )
    sql(app, "UPDATE registrations SET status = 'attended' WHERE id = :id", id=registration)
    held(app, event, recorded_at=datetime(2026, 6, 9, 12, 0, tzinfo=UTC))
    assert checked(app, login_as, centre) == [
        ("attended-before-start", (f"registration {registration}", f"event {event}")),
        ("held-before-start", (f"event {event}",)),
    ]


def test_attendance_taken_after_the_start_is_fine(app, centre, make_event, make_registration):
    event = make_event(centre["centre"], starts_at=EVENT_START)
    registration = make_registration(
        centre["person"], event, now=datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    )
    sql(app, "UPDATE registrations SET status = 'attended' WHERE id = :id", id=registration)
    held(app, event, recorded_at=datetime(2026, 6, 10, 12, 30, tzinfo=UTC))
    assert found(app) == []


def test_a_course_place_at_zero_with_a_catalogue_price(app, login_as, centre):
    with app.app_context():
        free = CourseAssignment(
            centre_id=centre["centre"],
            participant_id=centre["person"],
            course_id=centre["course"],
            planned_start=date(2026, 9, 1),
            cost_grosze=0,
        )
        db.session.add(free)
        db.session.commit()
        free_id = free.id
    assert checked(app, login_as, centre) == [
        (
            "course-place-at-zero",
            (
                f"course_assignment {free_id}",
                f"course {centre['course']}",
                f"participant {centre['person']}",
            ),
        )
    ]


def test_a_dropped_enrolment_stays_bought_and_a_dropped_proposal_costs_nothing(app, centre):
    with app.app_context():
        worker = db.session.get(User, centre["worker"])
        bought = db.session.get(CourseAssignment, centre["place"])
        courses.drop(bought, reason="Podjął pracę", actor=worker, now=NOW)
        proposal = courses.propose(
            db.session.get(Participant, centre["person"]),
            centre["course"],
            planned_start=date(2026, 10, 1),
            planned_end=None,
            cost_grosze=None,
            actor=worker,
            now=NOW,
        )
        courses.drop(proposal, reason="Rezygnacja", actor=worker, now=NOW)
        db.session.commit()
    assert found(app) == []


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ("committed_grosze = committed_grosze + 100", "line-committed"),
        # Paid stays within committed (a CHECK constraint): 1 zł more, or less when some is paid.
        (
            "paid_grosze = CASE WHEN paid_grosze > 0 THEN paid_grosze - 100 ELSE 100 END",
            "line-paid",
        ),
    ],
)
@pytest.mark.parametrize("line", ["allowance_line", "course_line"])
def test_a_line_that_differs_from_its_charges(app, login_as, centre, change, rule, line):
    sql(app, f"UPDATE budget_lines SET {change} WHERE id = :id", id=centre[line])  # noqa: S608 - the test's own text
    assert checked(app, login_as, centre) == [(rule, (f"budget_line {centre[line]}",))]


def test_a_cancelled_instalment_whose_money_stayed_committed(app, login_as, centre):
    """Cancelled without giving its money back to the line."""
    sql(
        app,
        "UPDATE instalments SET status = 'cancelled', cancelled_because = 'contract_ended' "
        "WHERE id = :id",
        id=centre["instalments"][2],
    )
    assert checked(app, login_as, centre) == [
        ("line-committed", (f"budget_line {centre['allowance_line']}",))
    ]


def test_the_command_lists_the_discrepancies_and_exits_with_1(app, centre, runner):
    assert runner.invoke(args=["check-figures", "--stage", str(centre["stage"])]).exit_code == 0
    sql(
        app,
        "UPDATE budget_lines SET committed_grosze = committed_grosze + 100 WHERE id = :id",
        id=centre["allowance_line"],
    )
    result = runner.invoke(args=["check-figures", "--stage", str(centre["stage"])])
    assert result.exit_code == 1, result.output
    assert (
        f"stage {centre['stage']}: line-committed: budget_line {centre['allowance_line']} "
        "(stated 90100 grosze, charges 90000 grosze)"
    ) in result.output.splitlines()
    with app.app_context():
        name = db.session.get(Participant, centre["person"]).last_name
    assert name not in result.output


def test_the_command_refuses_an_unknown_stage(runner, app):
    result = runner.invoke(args=["check-figures", "--stage", "999999"])
    assert result.exit_code == 2
    assert "No stage 999999." in result.output
