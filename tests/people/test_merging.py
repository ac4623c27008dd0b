"""A coordinator merges two records of one person: everything moves, nothing is doubled."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Allowance,
    AuditEntry,
    CaseworkEntry,
    IndividualPlan,
    Participant,
    Placement,
    Registration,
    SocialContract,
    User,
)
from portal.models.enums import RegistrationStatus, Role
from portal.models.people import LabourMarketStatus
from portal.models.support import ContactKind, PlacementKind
from portal.services.people import merging
from portal.services.support import casework, placements
from tests.helpers import translated


@pytest.fixture
def centre(make_centre):
    return make_centre()


@pytest.fixture
def worker(make_user, centre):
    return make_user(Role.SOCIAL_WORKER, centre_id=centre, email="worker@example.org")


@pytest.fixture
def coordinator(make_user, login_as, centre):
    make_user(Role.COORDINATOR, centre_id=centre, email="coordinator@example.org")
    login_as("coordinator@example.org")


@pytest.fixture
def twins(make_participant, centre):
    """The same person twice: once with a PESEL and an account, once with a phone only."""
    kept = make_participant(
        centre, first_name="Maria", last_name="Nowak", pesel_number="44051401359"
    )
    removed = make_participant(centre, first_name="Maria", last_name="Nowak", with_account=False)
    return kept, removed


def _merge_url(kept: int) -> str:
    return f"/staff/participants/{kept}/merge"


def _count(model, participant_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.participant_id == participant_id)
    )


def test_a_merge_moves_every_record_and_fills_the_gaps(
    app, client, coordinator, twins, worker, make_event, make_registration, make_contract,
    make_allowance, centre,
):  # fmt: skip
    kept, removed = twins
    with app.app_context():
        db.session.get(Participant, removed).phone = "600 100 200"
        db.session.add(IndividualPlan(centre_id=centre, participant_id=removed))
        db.session.commit()
    contract = make_contract(removed, worker)
    make_allowance(removed, worker, contract_id=contract)
    make_registration(removed, make_event(centre, title="Piknik"))
    make_registration(kept, make_event(centre, title="Warsztaty"))
    choice = client.get(_merge_url(kept) + "?lang=en").get_data(as_text=True)
    assert "Maria Nowak" in choice
    assert "year of birth unknown" in choice
    check = client.post(_merge_url(kept) + "?lang=en", data={"other_id": str(removed)})
    page = check.get_data(as_text=True)
    assert check.status_code == 200
    for kind in ("Event registrations", "Social contracts", "Allowances"):
        assert kind in page
    done = client.post(_merge_url(kept) + "/confirm", data={"removed_id": str(removed)})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Participant, removed) is None
        person = db.session.get(Participant, kept)
        assert person.phone == "600 100 200"
        assert person.pesel == "44051401359"
        assert person.user_id is not None
        assert _count(Registration, kept) == 2
        assert _count(SocialContract, kept) == 1
        assert _count(Allowance, kept) == 1
        assert _count(IndividualPlan, kept) == 1
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.merge")
        ).one()
        assert entry.entity_id == kept
        assert entry.changes["merged_from"]["new"] == removed
        assert entry.changes["moved"]["new"]["registrations"] == 1
        assert entry.changes["phone"] == {"old": None, "new": "***"}  # filled, not in clear


def _refused(app, client, kept, removed, message: str, **params) -> None:
    check = client.post(_merge_url(kept) + "?lang=en", data={"other_id": str(removed)})
    assert translated(app, message, locale="en", **params) in check.get_data(as_text=True)
    done = client.post(
        _merge_url(kept) + "/confirm?lang=en",
        data={"removed_id": str(removed)},
        follow_redirects=True,
    )
    assert translated(app, message, locale="en", **params) in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Participant, removed) is not None


def test_two_signed_contracts_in_one_project_are_refused(
    app, client, coordinator, twins, worker, make_contract
):
    kept, removed = twins
    first, second = make_contract(kept, worker), make_contract(removed, worker)
    with app.app_context():
        first, second = (db.session.get(SocialContract, c).number for c in (first, second))
    _refused(
        app, client, kept, removed,
        "Both records have a signed or active social contract in one project (%(first)s "
        "and %(second)s). End one of them first.",
        first=first, second=second,
    )  # fmt: skip


def test_two_live_registrations_for_one_event_are_refused(
    app, client, coordinator, twins, make_event, make_registration, centre
):
    kept, removed = twins
    event = make_event(centre, title="Piknik rodzinny")
    make_registration(kept, event)
    make_registration(removed, event)
    _refused(
        app, client, kept, removed,
        "Both records are registered for “%(event)s”. Cancel one of the two registrations first.",
        event="Piknik rodzinny",
    )  # fmt: skip


def test_a_cancelled_registration_beside_a_live_one_is_dropped(
    app, client, coordinator, twins, make_event, make_registration, centre
):
    kept, removed = twins
    event = make_event(centre)
    live = make_registration(removed, event)
    cancelled = make_registration(kept, event)
    with app.app_context():
        db.session.get(Registration, cancelled).status = RegistrationStatus.CANCELLED
        db.session.commit()
    done = client.post(_merge_url(kept) + "/confirm", data={"removed_id": str(removed)})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Registration, cancelled) is None
        assert db.session.get(Registration, live).participant_id == kept


def test_two_plans_are_refused(app, client, coordinator, twins, centre):
    kept, removed = twins
    with app.app_context():
        db.session.add_all(
            [IndividualPlan(centre_id=centre, participant_id=p) for p in (kept, removed)]
        )
        db.session.commit()
    _refused(
        app, client, kept, removed,
        "Both records have an individual development plan. A person can have only one plan: "
        "merge the plans by hand first.",
    )  # fmt: skip


def test_two_accounts_are_refused(app, client, coordinator, make_participant, centre):
    kept = make_participant(centre, first_name="Jan", last_name="Kowal")
    removed = make_participant(centre, first_name="Jan", last_name="Kowal")
    _refused(
        app, client, kept, removed,
        "Both records have a user account. A person can have only one account.",
    )  # fmt: skip


def test_two_pesel_numbers_are_two_people(app, client, coordinator, make_participant, centre):
    kept = make_participant(centre, pesel_number="44051401359", with_account=False)
    removed = make_participant(centre, pesel_number="02211307589", with_account=False)
    _refused(
        app, client, kept, removed,
        "The two records have different PESEL numbers: they are two different people.",
    )  # fmt: skip


def test_a_record_is_not_merged_with_itself(app, client, coordinator, twins):
    kept, _removed = twins
    page = client.post(_merge_url(kept) + "?lang=en", data={"other_id": str(kept)})
    assert page.status_code == 200
    assert "a record cannot be merged with itself" in page.get_data(as_text=True)
    done = client.post(_merge_url(kept) + "/confirm", data={"removed_id": str(kept)})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Participant, kept) is not None


def test_another_centres_record_is_not_found(
    app, client, coordinator, twins, make_participant, make_centre
):
    kept, _removed = twins
    stranger = make_participant(make_centre(), with_account=False)
    assert client.post(_merge_url(kept), data={"other_id": str(stranger)}).status_code == 404
    confirm = client.post(_merge_url(kept) + "/confirm", data={"removed_id": str(stranger)})
    assert confirm.status_code == 404
    assert client.get(_merge_url(stranger)).status_code == 404
    with app.app_context():
        assert db.session.get(Participant, stranger) is not None


@pytest.mark.parametrize("value", ["abc", "", "-1", "1e3", "99999999999", "٣"])
def test_hostile_ids_get_a_message_and_change_nothing(app, client, coordinator, twins, value):
    kept, _removed = twins
    page = client.post(_merge_url(kept) + "?lang=en", data={"other_id": value})
    assert page.status_code == 200
    assert "Choose the record to merge into this one." in page.get_data(as_text=True)
    done = client.post(
        _merge_url(kept) + "/confirm?lang=en", data={"removed_id": value}, follow_redirects=True
    )
    assert done.status_code == 200
    assert "The form is damaged. Reload the page." in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 2


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.ADVISOR])
def test_only_a_coordinator_merges(app, client, make_user, login_as, twins, centre, role):
    kept, removed = twins
    make_user(role, centre_id=centre, email="staff@example.org")
    login_as("staff@example.org")
    assert client.get(_merge_url(kept)).status_code == 403
    assert client.post(_merge_url(kept), data={"other_id": str(removed)}).status_code == 403
    done = client.post(_merge_url(kept) + "/confirm", data={"removed_id": str(removed)})
    assert done.status_code == 403
    page = client.get(f"/staff/participants/{kept}?lang=en").get_data(as_text=True)
    assert "Merge with a duplicate record" not in page


def test_the_participant_page_offers_the_merge_to_a_coordinator(client, coordinator, twins):
    kept, _removed = twins
    page = client.get(f"/staff/participants/{kept}?lang=en").get_data(as_text=True)
    assert _merge_url(kept) in page


def test_the_labour_market_status_moves_with_its_long_term_flag_and_date(
    app, client, coordinator, twins
):
    kept, removed = twins
    with app.app_context():
        person = db.session.get(Participant, removed)
        person.labour_market_status = LabourMarketStatus.UNEMPLOYED_REGISTERED
        person.is_long_term_unemployed = True
        person.unemployed_since = date(2020, 3, 1)
        db.session.commit()
    done = client.post(_merge_url(kept) + "/confirm", data={"removed_id": str(removed)})
    assert done.status_code == 302
    with app.app_context():
        person = db.session.get(Participant, kept)
        assert (
            person.labour_market_status,
            person.is_long_term_unemployed,
            person.unemployed_since,
        ) == (LabourMarketStatus.UNEMPLOYED_REGISTERED, True, date(2020, 3, 1))


def test_every_reference_to_a_participant_is_moved_by_a_merge():
    """Read from the schema: a table given a key to the participants must be handled by the
    merge, or deleting the removed record fails on it ("One of the records changed")."""
    references = {
        (table.name, key.parent.name)
        for table in db.metadata.tables.values()
        for key in table.foreign_keys
        if key.column.table.name == Participant.__tablename__
    }
    assert ("casework_entries", "participant_id") in references
    assert references - merging.moved_references() == set()
    assert merging.moved_references() <= references


def test_a_record_with_casework_and_a_placement_is_merged(app, client, coordinator, twins, worker):
    kept, removed = twins
    now = datetime(2026, 3, 10, 9, tzinfo=UTC)
    with app.app_context():
        actor = db.session.get(User, worker)
        records = [
            casework.record(
                removed, happened_on=date(2026, 3, 2), contact_kind=ContactKind.HOME_VISIT,
                minutes=45, note="Wizyta w domu", actor=actor, now=now,
            ),
            placements.create(
                removed, kind=PlacementKind.WORK_TRAINING, employer="Urząd Gminy",
                starts_on=date(2026, 3, 1), ends_on=date(2026, 5, 31), hours_per_month=40,
                actor=actor, now=now,
            ),
        ]  # fmt: skip
        db.session.commit()
        entry, placement = (record.id for record in records)
    check = client.post(_merge_url(kept) + "?lang=en", data={"other_id": str(removed)})
    page = check.get_data(as_text=True)
    assert check.status_code == 200
    assert "Nothing but the record itself." not in page
    for kind in ("Casework entries", "Placements"):
        assert kind in page
    done = client.post(
        _merge_url(kept) + "/confirm?lang=en",
        data={"removed_id": str(removed)},
        follow_redirects=True,
    )
    assert "The two records are merged into this one." in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Participant, removed) is None
        assert db.session.get(CaseworkEntry, entry).participant_id == kept
        assert db.session.get(Placement, placement).participant_id == kept
        moved = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "participant.merge")
        ).one()
        # The factory gives each person their e-mail consent, which moves too.
        assert moved.changes["moved"]["new"] == {
            "casework_entries": 1,
            "consents": 1,
            "placements": 1,
        }
