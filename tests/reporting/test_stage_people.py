"""Who had support in a stage: the demo's 2013 year gives the report's figures, and a contract
signed in that year counts at once (the definition in services/stage_people.py)."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Participant, User
from portal.services.reporting import stage_people
from portal.services.reporting.stage_people import StageCounts
from portal.services.support import contracts
from tests.helpers import demo_stage


def test_the_demo_years_count_as_their_reports_say(app, demo):
    with app.app_context():
        assert stage_people.counts(demo_stage("ops-janow", 2013)) == StageCounts(37, 17, 20)
        assert stage_people.counts(demo_stage("gops-chrzanow", 2009)) == StageCounts(2, 2, 0)


def test_a_contract_signed_in_the_stage_counts_and_a_draft_does_not(app, demo):
    with app.app_context():
        stage = demo_stage("ops-janow", 2013)
        person = db.session.scalars(
            select(Participant).where(
                Participant.project_id == stage.project_id,
                Participant.on_pal_path.is_(True),
                Participant.on_contract_path.is_(False),
            )
        ).first()
        worker = db.session.scalars(select(User).where(User.email == "pracownik@example.org")).one()
        now = datetime(2013, 6, 1, 10, tzinfo=UTC)
        contract = contracts.create(
            person,
            contracts.ContractFields(
                start_date=date(2013, 6, 1),
                end_date=date(2013, 11, 30),
                problem="Bezrobocie",
                goal="Praca",
                participant_obligations="Udział w zajęciach",
                centre_obligations="Wsparcie",
                instruments=[],
                support="Doradztwo",
            ),
            social_worker=worker,
            now=now,
        )
        db.session.flush()
        assert stage_people.counts(stage) == StageCounts(37, 17, 20)  # a draft is not support
        contracts.sign(contract, signed_on=date(2013, 6, 1), actor=worker, now=now)
        db.session.flush()
        # The same person, now on both paths: counted once among the activated.
        assert stage_people.counts(stage) == StageCounts(37, 18, 20)
