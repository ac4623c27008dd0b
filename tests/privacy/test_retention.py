"""Retention: after the period, `flask anonymise-expired` leaves no personal datum of an expired
person in any text or JSON column of any table (audit trail and outbox included), touches nobody
else, and changes no figure of the yearly report or of the ESF export; it runs again without
doing anything, and its dry run changes nothing."""

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import JSON, Enum, String, Text, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    OutboxMessage,
    Participant,
    Project,
    ProjectStage,
    User,
)
from portal.models.enums import Role
from portal.services.esf import esf_export
from portal.services.privacy import retention
from portal.services.reporting import yearly_facts, yearly_figures

# Far enough after the demo that every ended support is past its ten years.
LATER = "2045-03-01 03:00:00"
ARCHIVE_UNTIL = date(2030, 12, 31)
LATER_DAY = date(2045, 3, 1)
# The ESF export's columns that are categories, dates and flags, kept by the anonymisation.
KEPT_ESF_COLUMNS = (
    "project_number", "stage", "sex", "age", "education", "voivodeship", "county", "commune",
    "area", "child_under_7", "dependant", "support_start", "support_end", "contract_path",
    "pal_path", "labour_status", "long_term", "in_education", "employer_kind", "minority",
    "homeless", "disability", "jobless_household", "jobless_with_children", "single_adult",
    "other_disadvantage", "left_early", "completed_path", "exit_employed", "exit_job_seeking",
    "exit_in_education", "exit_qualification",
)  # fmt: skip
# Free text kept about a person in their own records: (table, participant column, text columns).
OWN_TEXT = (
    ("registrations", "participant_id", ("companion_names", "note")),
    (
        "social_contracts",
        "participant_id",
        (
            "problem",
            "goal",
            "participant_obligations",
            "centre_obligations",
            "support",
            "evaluation",
            "termination_reason",
        ),
    ),
    ("allowances", "participant_id", ("purpose", "justification", "rejection_reason")),
    ("diagnosis_tests", "participant_id", ("result_summary",)),
    ("counselling_sessions", "participant_id", ("notes",)),
    ("course_assignments", "participant_id", ("certificate_number", "drop_reason")),
    ("casework_entries", "participant_id", ("note",)),
    ("placements", "participant_id", ("employer", "supervisor")),
)


# Where a participant's data are (the rest of the schema is about events, money, the project).
PERSON_TABLES = {
    "participants", "users", "account_requests", "outbox_messages", "audit_entries",
    "import_batches", "individual_plans", "plan_goals", "plan_actions", "plan_revisions",
    "plan_comments", *(name for name, _key, _columns in OWN_TEXT),
}  # fmt: skip


def _scan(needles: dict[str, int]) -> list[tuple[Any, ...]]:
    """Every place any needle occurs as a whole word, in every text or JSON column."""
    hits = []
    patterns = {
        needle: re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)", re.IGNORECASE)
        for needle in needles
    }
    for table, column in _text_columns():
        key = next(iter(table.primary_key.columns))
        for pk, value in db.session.execute(select(key, column)):
            text = _as_text(value)
            for needle, pattern in patterns.items():
                if pattern.search(text):
                    hits.append((table.name, column.name, pk, needles[needle], needle))
    return hits


def _text_columns() -> list[tuple[Any, Any]]:
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type
            if isinstance(kind, Enum):
                continue
            if isinstance(kind, String | Text | JSON):
                found.append((table, column))
    return found


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _dump() -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as text, in primary-key order."""
    return {
        table.name: [
            tuple(str(v) for v in row)
            for row in db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        ]
        for table in db.metadata.sorted_tables
    }


def _own_texts(person_ids: set[int]) -> dict[int, set[str]]:
    texts: dict[int, set[str]] = {pid: set() for pid in person_ids}
    tables = db.metadata.tables
    for name, key, columns in OWN_TEXT:
        table = tables[name]
        rows = db.session.execute(select(table.c[key], *(table.c[c] for c in columns))).all()
        for owner, *values in rows:
            if owner in texts:
                texts[owner] |= {_as_text(v).strip() for v in values}
    plans, comments = tables["individual_plans"], tables["plan_comments"]
    for owner, *values in db.session.execute(
        select(
            plans.c.participant_id,
            plans.c.strengths,
            plans.c.weaknesses,
            plans.c.potential,
            plans.c.predispositions,
            plans.c.target_occupations,
            plans.c.advisor_notes,
        )
    ).all():
        if owner in texts:
            for value in values:
                items = value if isinstance(value, list) else [value]
                texts[owner] |= {str(item).strip() for item in items if item}
    for owner, body in db.session.execute(
        select(plans.c.participant_id, comments.c.body).join(
            comments, comments.c.plan_id == plans.c.id
        )
    ).all():
        if owner in texts:
            texts[owner].add(body.strip())
    # Long enough to be this person's text, not a word anybody might write.
    return {pid: {t for t in found if len(t) >= 12} for pid, found in texts.items()}


def _needles(people: list[Participant], texts: dict[int, set[str]]) -> dict[str, int]:
    """Each identifying string of the expired people, with whose it is."""
    found: dict[str, int] = {}
    for person in people:
        values = [
            person.first_name, person.last_name, person.full_name, person.pesel, person.email,
            person.phone, person.street, person.user.email if person.user else None,
        ]  # fmt: skip
        for value in [*values, *texts[person.id]]:
            if value and len(value.strip()) >= 3:
                found[value.strip()] = person.id
    return found


def _others_values(kept: list[Participant], expired_ids: set[int]) -> set[str]:
    """Names and texts that also belong to somebody kept or to staff: not the expired one's."""
    values: set[str] = set()
    for person in kept:
        values |= {person.first_name, person.last_name, person.full_name, person.street or ""}
    for user in db.session.scalars(select(User)):
        if user.participant is None or user.participant.id not in expired_ids:
            values |= {user.first_name, user.last_name, user.full_name}
    return values


def _figures() -> dict[str, Any]:
    stages = db.session.scalars(select(ProjectStage).order_by(ProjectStage.id)).all()
    keys = [column.key for column in esf_export.COLUMNS]
    result: dict[str, Any] = {}
    for stage in stages:
        result[f"report-{stage.id}"] = yearly_facts.to_json(yearly_figures.figures(stage.id))
        people = esf_export.participants_of(stage)
        rows = [dict(zip(keys, row, strict=True)) for row in esf_export.rows(stage, people)]
        result[f"esf-{stage.id}"] = sorted(
            json.dumps([row[k] for k in KEPT_ESF_COLUMNS], default=str) for row in rows
        )
    return result


def _kept_rows(kept_ids: set[int]) -> dict[str, list[tuple[str, ...]]]:
    """Everything of the people who stay: their record, account and own records."""
    tables = db.metadata.tables
    found = {}
    for name, table in tables.items():
        column = "id" if name == "participants" else "participant_id"
        if column in table.c:
            query = select(table).where(table.c[column].in_(kept_ids)).order_by(table.c.id)
            found[name] = [tuple(map(str, row)) for row in db.session.execute(query)]
    users = select(User.__table__).join(Participant, Participant.user_id == User.id)
    found["users"] = [
        tuple(map(str, row))
        for row in db.session.execute(users.where(Participant.id.in_(kept_ids)).order_by(User.id))
    ]
    return found


@pytest.fixture
def expired_demo(app, demo):
    """The demo with every project's archiving duty recorded (ending in 2030)."""
    with app.app_context():
        for project in db.session.scalars(select(Project)):
            project.archive_until = ARCHIVE_UNTIL
        db.session.commit()


def test_anonymise_expired_leaves_no_personal_datum_and_the_same_figures(app, runner, expired_demo):
    with freeze_time(LATER), app.app_context():
        policy = retention.Policy.from_config(app.config)
        today = datetime.now(UTC).date()
        expired = retention.expired(policy, today)
        everybody = db.session.scalars(select(Participant).order_by(Participant.id)).all()
        expired_ids = {p.id for p in expired}
        kept = [p for p in everybody if p.id not in expired_ids]
        assert expired, "the demo has people whose period ended"
        assert kept, "and people whose period has not"
        assert any(p.user_id for p in expired), "an expired person with an account"
        texts = _own_texts(expired_ids)
        assert any(texts.values()), "free text written about an expired person"
        others = _others_values(kept, expired_ids)
        # A text the demo wrote for several people is also the kept people's own.
        others |= set().union(*_own_texts({p.id for p in kept}).values())
        needles = {n: pid for n, pid in _needles(expired, texts).items() if n not in others}
        # A first name alone that a trainer or a course also bears is theirs, not the person's.
        namesakes = {hit[4] for hit in _scan(needles) if hit[0] not in PERSON_TABLES}
        needles = {n: pid for n, pid in needles.items() if n not in namesakes}
        assert needles, "something to look for"
        figures_before = _figures()
        kept_before = _kept_rows({p.id for p in kept})
        dump_before = _dump()
        db.session.rollback()

        dry = runner.invoke(args=["anonymise-expired", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert f"{len(expired)} participant(s) would be anonymised" in dry.output
        assert _dump() == dump_before, "the dry run changed nothing"
        db.session.rollback()

        result = runner.invoke(args=["anonymise-expired"])
        assert result.exit_code == 0, result.output
        assert f"{len(expired)} participant(s) anonymised." in result.output
        db.session.rollback()

        hits = _scan(needles)
        assert hits == [], "\n".join(map(str, hits))

        assert _figures() == figures_before
        assert _kept_rows({p.id for p in kept}) == kept_before

        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.anonymise")
        ).all()
        assert sorted(e.entity_id for e in entries) == sorted(expired_ids)
        for person in db.session.scalars(
            select(Participant).where(Participant.id.in_(expired_ids))
        ):
            assert person.anonymised_at is not None
            assert person.pesel is None
            assert person.email is None
            assert person.phone is None
            if person.user is not None:
                assert not person.user.is_active
                assert person.user.password_hash is None
                assert person.user.email.endswith(".invalid")
        db.session.rollback()

        after = _dump()
        again = runner.invoke(args=["anonymise-expired"])
        assert again.exit_code == 0, again.output
        assert "0 participant(s) anonymised." in again.output
        assert _dump() == after, "a second run changes nothing"


def test_the_period_runs_from_the_later_of_support_and_archiving(app, make_participant, ctx):
    policy = retention.Policy(years_after_support=10, archive_years_after_project_end=5)
    person = db.session.get(Participant, make_participant())
    project = person.project
    person.support_start, person.support_end = date(2013, 1, 1), date(2013, 12, 31)
    project.start_date = date(2013, 1, 1)  # the constraints hold once the session flushes
    project.end_date, project.archive_until = date(2014, 12, 31), None
    # Ten years after support (2023) is later than five after the project's end (2019).
    assert retention.keep_until(person, policy, LATER_DAY) == date(2023, 12, 31)
    project.archive_until = date(2028, 12, 31)  # the agreement's archiving day is later
    assert retention.keep_until(person, policy, LATER_DAY) == date(2028, 12, 31)
    assert not retention.is_expired(person, policy, date(2028, 12, 31))
    assert retention.is_expired(person, policy, date(2029, 1, 1))
    # A project with neither an end nor an archiving day: nobody can know, nothing expires.
    project.end_date = project.archive_until = None
    assert retention.keep_until(person, policy, LATER_DAY) is None
    # Support started and not ended: kept, whatever the dates.
    project.archive_until = date(2014, 1, 1)
    person.support_end = None
    assert retention.keep_until(person, policy, LATER_DAY) is None
    with pytest.raises(retention.NotExpired):
        retention.anonymise(person, policy=policy, now=datetime(2045, 1, 1, tzinfo=UTC))


def test_the_outbox_keeps_no_mail_to_an_anonymised_person(app, make_participant, ctx):
    person_id = make_participant(
        first_name="Ewa", last_name="Zielińska", email="ewa.zielinska@example.org"
    )
    person = db.session.get(Participant, person_id)
    person.email = "ewa.zielinska@example.org"
    person.support_start, person.support_end = date(2013, 1, 1), date(2013, 12, 31)
    person.project.archive_until = date(2014, 1, 1)
    db.session.add_all(
        [
            OutboxMessage(to_address=person.email, subject="Dzień dobry", body="Pani Ewo, …"),
            OutboxMessage(
                to_address="koordynator@example.org",
                subject="Nowe pytanie",
                body=f"{person.full_name} zadała pytanie do planu.",
            ),
        ]
    )
    db.session.flush()
    retention.anonymise(person, policy=retention.Policy(), now=datetime(2045, 1, 1, tzinfo=UTC))
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert messages[0].to_address.endswith(".invalid")
    assert messages[0].body == ""
    assert messages[1].to_address == "koordynator@example.org"
    assert "Zielińska" not in messages[1].body
    assert "Ewa" not in messages[1].body
    # An account: mail to its address goes too, and the account can never sign in again.
    assert all("participant" not in m.to_address for m in messages)


def test_the_archiving_day_is_kept_with_the_project_and_not_before_its_end(
    app, make_user, make_centre, ctx
):
    from portal.services.centres import projects

    centre_id = make_centre()
    actor = db.session.get(User, make_user(Role.COORDINATOR, centre_id=centre_id))
    project = db.session.scalar(select(Project).where(Project.centre_id == centre_id))
    fields = projects.ProjectFields(
        title=project.title, number="", programme="", priority="", measure="", submeasure="",
        funder="", start_date=project.start_date, end_date=date(2027, 12, 31),
        archive_until=date(2027, 6, 30),
    )  # fmt: skip
    with pytest.raises(projects.SetupRefused) as refused:
        projects.update_project(project, fields, actor=actor)
    assert refused.value.field == "archive_until"
    projects.update_project(project, replace(fields, archive_until=date(2032, 12, 31)), actor=actor)
    assert project.archive_until == date(2032, 12, 31)
