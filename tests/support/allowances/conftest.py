"""The office every allowance test works in."""

from types import SimpleNamespace

import pytest

from portal.models.enums import (
    Role,
)


@pytest.fixture
def office(app, make_centre, make_user, make_participant, make_contract):
    """One centre: its staff, two people, and a contract (Jan-Jun 2026) signed with the first."""
    centre = make_centre()
    staff = {
        "worker": make_user(
            Role.SOCIAL_WORKER, centre_id=centre, first_name="Ewa", last_name="Socjalna"
        ),
        "boss": make_user(
            Role.COORDINATOR, centre_id=centre, first_name="Karol", last_name="Pierwszy"
        ),
        "boss2": make_user(
            Role.COORDINATOR, centre_id=centre, first_name="Kinga", last_name="Druga"
        ),
        "admin": make_user(Role.ADMIN, centre_id=centre),
        "advisor": make_user(Role.ADVISOR, centre_id=centre),
    }
    person = make_participant(centre, first_name="Genowefa", last_name="Pigwa")
    other = make_participant(centre, first_name="Zenon", last_name="Obcy")
    contract = make_contract(person, staff["worker"])
    return SimpleNamespace(centre=centre, person=person, other=other, contract=contract, **staff)
