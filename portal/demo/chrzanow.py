"""Chrzanów's 2009 contracts as its report tells them: each person diagnosed with Multiselect,
then WIS, an individual plan each, work training, and the nail-styling course."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Course, CourseAssignment, Participant, User
from portal.models.enums import BudgetLineKind, CourseStatus, PlanStatus
from portal.models.support import PlacementKind
from portal.services.lifecycle import transitions
from portal.services.money import budget
from portal.services.plans import diagnosis, plans
from portal.services.support import placements

# The catalogue price of the 2009 course, which each of its places cost.
COURSE_PRICE = 3_000_00


def contracts_2009(people: list[Participant], worker: User) -> None:
    """Each person diagnosed with Multiselect, then WIS; an individual plan each, carried out;
    the nail-styling course, bought from the 2009 course line."""
    centre_id = people[0].centre_id
    tests = {t.name: t.id for t in diagnosis.test_types(centre_id)}
    course = db.session.scalars(
        select(Course).where(Course.centre_id == centre_id, Course.name == "Stylizacja paznokci")
    ).one()
    line = budget.line_ids([people[0].project_id], BudgetLineKind.COURSES)[
        (people[0].project_id, 2009)
    ]
    for index, person in enumerate(people):
        when = datetime(2009, 5, 11 + index, 10, tzinfo=UTC)
        for offset, (name, summary) in enumerate(
            [
                ("Multiselect", "Predyspozycje do pracy z ludźmi i w usługach."),
                ("WIS", "Zainteresowania: usługi kosmetyczne, praca manualna."),
            ]
        ):
            diagnosis.record_test(
                person,
                test_type_id=tests[name],
                taken_on=when.date() + timedelta(days=7 * offset),
                summary=summary,
                advisor=worker,
                now=when + timedelta(days=7 * offset),
            )
        plan = plans.start(person, advisor=worker, now=when + timedelta(days=14))
        plans.save_section(
            plan,
            "swot",
            {
                "strengths": "Zdolności manualne\nChęć zmiany",
                "weaknesses": "Brak kwalifikacji zawodowych",
            },
            version=plan.version_id,
            actor=worker,
            now=when + timedelta(days=14),
        )
        plans.share(plan, actor=worker, now=when + timedelta(days=14))
        # Acknowledged on paper in 2009 and carried out by the end of the contract.
        transitions.recorded(plan, PlanStatus.COMPLETED)
        place = CourseAssignment(
            centre_id=centre_id,
            participant_id=person.id,
            course_id=course.id,
            plan_id=plan.id,
            planned_start=date(2009, 9, 1),
            planned_end=date(2009, 10, 30),
            certificate_number=f"{index + 1}/2009/SP",
            completed_on=date(2009, 10, 30),
            cost_grosze=COURSE_PRICE,
        )
        db.session.add(transitions.recorded(place, CourseStatus.COMPLETED))
        if not budget.spend(line, COURSE_PRICE):
            raise ValueError("the demo's course places do not fit the 2009 course line")
        # Work training before the course, as the report orders the instruments.
        placements.create(
            person.id,
            kind=PlacementKind.WORK_TRAINING,
            employer="Salon kosmetyczny w Chrzanowie",
            supervisor="Beata Kowal",
            starts_on=date(2009, 7, 1),
            ends_on=date(2009, 8, 31),
            hours_per_month=80,
            actor=worker,
            now=when,
        )
