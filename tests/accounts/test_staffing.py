"""Staff accounts of a centre: roles, deactivation, caseload hand-over; allowance limits for the
coordinator; account requests to a town centre without villages."""

from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, select

from portal.extensions import db
from portal.models import AccountRequest, AuditEntry, Centre, Participant, User, Village
from portal.models.base import utcnow
from portal.models.enums import CentreKind, Role
from portal.services.accounts import staffing
from portal.services.common.errors import PortalError
from tests.helpers import PASSWORD, translated


def page(response) -> str:
    return response.get_data(as_text=True)


def roles_of(app, user_id: int) -> set[Role]:
    with app.app_context():
        return set(db.session.get(User, user_id).roles)


def is_active(app, user_id: int) -> bool:
    with app.app_context():
        return db.session.get(User, user_id).is_active


def audit_actions(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
        db.session.expunge_all()
        return list(entries)


@pytest.fixture
def office(app, make_centre, make_user, make_participant):
    centre = make_centre()
    other = make_centre()

    def user(role, email, centre_id=centre, **kw):
        return make_user(role, centre_id=centre_id, email=email, **kw)

    o = SimpleNamespace(
        centre=centre,
        other=other,
        boss=user(Role.COORDINATOR, "boss@example.org"),
        admin=user(Role.ADMIN, "admin@example.org"),
        leaving=user(Role.ADVISOR, "leaving@example.org", last_name="Odchodząca"),
        staying=user(Role.ADVISOR, "staying@example.org", last_name="Zostająca"),
        worker=user(Role.SOCIAL_WORKER, "worker@example.org", last_name="Socjalna"),
        stranger=user(Role.ADVISOR, "stranger@example.org", centre_id=other),
    )
    leaving = SimpleNamespace(id=o.leaving)
    o.people = [
        make_participant(centre, advisor=leaving, social_worker=SimpleNamespace(id=o.leaving))
        if n == 0
        else make_participant(centre, advisor=leaving)
        for n in range(3)
    ]
    o.kept = make_participant(centre, advisor=SimpleNamespace(id=o.staying))
    o.theirs = make_participant(other, advisor=SimpleNamespace(id=o.stranger))
    return o


@pytest.fixture
def boss(app, office, login_as):
    return login_as("boss@example.org", fresh=True)


# -- the list and the account page ---------------------------------------------------------------


def test_the_staff_page_shows_every_account_with_its_roles_and_state(app, office, boss):
    with app.app_context():
        db.session.get(User, office.worker).is_active = False
        db.session.commit()
    listing = page(boss.get("/staff/users"))
    assert "Odchodząca" in listing
    assert "Socjalna" in listing
    assert f'href="/staff/users/{office.leaving}"' in listing
    assert translated(app, "Deactivated") in listing
    assert "stranger@example.org" not in listing  # another centre's staff
    account = page(boss.get(f"/staff/users/{office.leaving}"))
    assert "leaving@example.org" in account
    assert translated(app, "Hand over the caseload") in account


def test_only_the_coordinator_and_the_admin_manage_staff_accounts(app, office, login_as):
    for email in ("leaving@example.org", "worker@example.org"):
        client = login_as(email, fresh=True)
        assert client.get("/staff/users").status_code == 403
        assert client.get(f"/staff/users/{office.staying}").status_code == 403
        for action in ("deactivate", "reactivate", "handover"):
            assert client.post(f"/staff/users/{office.staying}/{action}").status_code == 403
        assert (
            client.post(f"/staff/users/{office.staying}", data={"roles": "coordinator"}).status_code
            == 403
        )
    assert roles_of(app, office.staying) == {Role.ADVISOR}
    assert is_active(app, office.staying)
    admin = login_as("admin@example.org", fresh=True)
    assert admin.get(f"/staff/users/{office.leaving}").status_code == 200


def test_another_centres_account_or_a_participants_is_not_found(app, office, boss):
    with app.app_context():
        participant_user = db.session.get(Participant, office.people[1]).user_id
    for user_id in (office.stranger, participant_user):
        assert boss.get(f"/staff/users/{user_id}").status_code == 404
        assert boss.post(f"/staff/users/{user_id}", data={"roles": "advisor"}).status_code == 404
        for action in ("deactivate", "reactivate"):
            assert boss.post(f"/staff/users/{user_id}/{action}").status_code == 404
        handover = {"role": "advisor", "successor_id": str(office.staying)}
        assert boss.post(f"/staff/users/{user_id}/handover", data=handover).status_code == 404
    assert is_active(app, office.stranger)
    with app.app_context():
        assert db.session.get(Participant, office.theirs).advisor_id == office.stranger


# -- roles ---------------------------------------------------------------------------------------


def test_changing_roles_is_audited_and_signs_the_person_out(app, office, boss, login_as):
    theirs = login_as("worker@example.org", fresh=True)
    assert theirs.get("/staff/participants").status_code == 200
    response = boss.post(
        f"/staff/users/{office.worker}", data={"roles": ["social_worker", "advisor"]}
    )
    assert response.status_code == 302
    assert roles_of(app, office.worker) == {Role.SOCIAL_WORKER, Role.ADVISOR}
    [entry] = audit_actions(app, "user.roles")
    assert entry.changes["roles"] == {
        "old": ["social_worker"],
        "new": ["advisor", "social_worker"],
    }
    assert entry.actor_id == office.boss
    assert theirs.get("/staff/participants").headers["Location"].startswith("/auth/login")
    # The same roles again change nothing: no audit entry, nobody signed out.
    again = login_as("worker@example.org", fresh=True)
    boss.post(f"/staff/users/{office.worker}", data={"roles": ["advisor", "social_worker"]})
    assert len(audit_actions(app, "user.roles")) == 1
    assert again.get("/staff/participants").status_code == 200


@pytest.mark.parametrize("roles", [[], ["admin"], ["participant"], ["nonsense"], ["\x00"]])
def test_bad_roles_are_refused_beside_the_field_and_change_nothing(app, office, boss, roles):
    # A browser always sends the CSRF token, so a form with nothing ticked is never empty.
    data = {"roles": roles, "csrf_token": ""}
    response = boss.post(f"/staff/users/{office.worker}", data=data)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in page(response) or 'class="field field-error"' in page(response)
    assert roles_of(app, office.worker) == {Role.SOCIAL_WORKER}
    assert audit_actions(app, "user.roles") == []


def test_the_last_coordinator_cannot_give_up_the_role(app, office, boss):
    response = boss.post(f"/staff/users/{office.boss}", data={"roles": ["advisor"]})
    assert response.status_code == 200
    message = translated(
        app,
        "%(name)s is the centre's only coordinator. Give another person the coordinator "
        "role first.",
        name="Anna TestowaA",
    )
    assert message in page(response)
    assert roles_of(app, office.boss) == {Role.COORDINATOR}
    assert audit_actions(app, "user.roles") == []


def test_with_a_second_coordinator_one_may_step_down_and_stays_signed_in(app, office, boss):
    boss.post(f"/staff/users/{office.staying}", data={"roles": ["advisor", "coordinator"]})
    assert Role.COORDINATOR in roles_of(app, office.staying)
    response = boss.post(f"/staff/users/{office.boss}", data={"roles": ["advisor"]})
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/caseload"  # an advisor's home now
    assert roles_of(app, office.boss) == {Role.ADVISOR}
    assert boss.get("/staff/caseload").status_code == 200  # this browser is still signed in
    assert boss.get("/staff/users").status_code == 403


def test_a_coordinator_does_not_change_an_administrators_account(app, office, boss):
    account = page(boss.get(f"/staff/users/{office.admin}"))
    assert translated(app, "Only an administrator can change this account.") in account
    assert boss.post(f"/staff/users/{office.admin}", data={"roles": "advisor"}).status_code == 403
    assert boss.post(f"/staff/users/{office.admin}/deactivate").status_code == 403
    assert roles_of(app, office.admin) == {Role.ADMIN}
    assert is_active(app, office.admin)


def test_the_admin_keeps_their_role_when_given_a_centre_role(app, office, login_as):
    admin = login_as("admin@example.org", fresh=True)
    response = admin.post(f"/staff/users/{office.admin}", data={"roles": ["coordinator"]})
    assert response.status_code == 302
    assert roles_of(app, office.admin) == {Role.ADMIN, Role.COORDINATOR}
    assert admin.get("/staff/users").status_code == 200


# -- deactivation --------------------------------------------------------------------------------


def test_a_deactivated_account_is_signed_out_everywhere_at_once(app, office, boss, login_as):
    phone = login_as("staying@example.org", fresh=True)
    laptop = login_as("staying@example.org", fresh=True)
    for client in (phone, laptop):
        assert client.get("/staff/caseload").status_code == 200
    with app.app_context():
        token_before = db.session.get(User, office.staying).session_token

    response = boss.post(f"/staff/users/{office.staying}/deactivate")
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, office.staying)
        assert not user.is_active
        assert user.session_token != token_before
    for client in (phone, laptop):
        assert client.get("/staff/caseload").headers["Location"].startswith("/auth/login")
    refused = app.test_client().post(
        "/auth/login", data={"email": "staying@example.org", "password": PASSWORD}
    )
    assert refused.status_code == 200
    [entry] = audit_actions(app, "user.deactivate")
    assert (entry.actor_id, entry.entity_id) == (office.boss, office.staying)
    assert entry.changes == {"is_active": {"old": True, "new": False}}
    listing = page(boss.get("/staff/users"))
    assert translated(app, "Deactivated") in listing

    # A second click changes nothing twice; reactivation lets the person in again.
    boss.post(f"/staff/users/{office.staying}/deactivate")
    assert len(audit_actions(app, "user.deactivate")) == 1
    assert boss.post(f"/staff/users/{office.staying}/reactivate").status_code == 302
    assert is_active(app, office.staying)
    assert [e.changes for e in audit_actions(app, "user.reactivate")] == [
        {"is_active": {"old": False, "new": True}}
    ]
    assert login_as("staying@example.org", fresh=True).get("/staff/caseload").status_code == 200


def test_nobody_deactivates_their_own_account_or_the_last_coordinator(app, office, boss, login_as):
    url = f"/staff/users/{office.boss}"
    back = {"Referer": f"http://localhost{url}"}  # the refusal is flashed on the account page
    response = boss.post(f"{url}/deactivate", headers=back, follow_redirects=True)
    assert translated(app, "You cannot deactivate your own account.") in page(response)
    admin = login_as("admin@example.org", fresh=True)
    response = admin.post(f"{url}/deactivate", headers=back, follow_redirects=True)
    only = translated(
        app,
        "%(name)s is the centre's only coordinator. Give another person the coordinator "
        "role first.",
        name="Anna TestowaA",
    )
    assert only in page(response)
    assert is_active(app, office.boss)
    assert audit_actions(app, "user.deactivate") == []


# -- caseload hand-over --------------------------------------------------------------------------


def advisors_of(app, ids) -> list[int | None]:
    with app.app_context():
        return [db.session.get(Participant, i).advisor_id for i in ids]


def versions(app, ids) -> list[int]:
    with app.app_context():
        return [db.session.get(Participant, i).version_id for i in ids]


def test_a_caseload_moves_to_a_colleague_in_one_step(app, office, boss, query_counter, login_as):
    account = page(boss.get(f"/staff/users/{office.leaving}"))
    assert "Zostająca" in account
    assert "stranger@example.org" not in account
    *before, kept = versions(app, [*office.people, office.kept])
    with query_counter() as statements:
        response = boss.post(
            f"/staff/users/{office.leaving}/handover",
            data={"role": "advisor", "successor_id": str(office.staying)},
        )
    assert response.status_code == 302
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE PARTICIPANTS")]
    assert len(updates) == 1
    assert advisors_of(app, office.people) == [office.staying] * 3
    assert advisors_of(app, [office.kept, office.theirs]) == [office.staying, office.stranger]
    with app.app_context():  # the social-worker caseload is another one, left as it was
        assert db.session.get(Participant, office.people[0]).social_worker_id == office.leaving
    # An edit opened before the hand-over is a conflict, not a silent undo.
    assert versions(app, [*office.people, office.kept]) == [v + 1 for v in before] + [kept]
    entries = audit_actions(app, "participant.advisor")
    assert sorted(e.entity_id for e in entries) == sorted(office.people)
    assert {e.actor_id for e in entries} == {office.boss}
    assert all(
        e.changes == {"advisor_id": {"old": office.leaving, "new": office.staying}}
        and e.centre_id == office.centre
        for e in entries
    )
    assert (
        login_as("staying@example.org", fresh=True)
        .get(f"/staff/participants/{office.people[2]}")
        .status_code
        == 200
    )


def test_a_social_workers_caseload_goes_to_a_social_worker(app, office, boss):
    response = boss.post(
        f"/staff/users/{office.leaving}/handover",
        data={"role": "social_worker", "successor_id": str(office.worker)},
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.get(Participant, office.people[0])
        assert (person.social_worker_id, person.advisor_id) == (office.worker, office.leaving)


@pytest.mark.parametrize(
    "data",
    [
        {"role": "advisor", "successor_id": "0"},
        {"role": "advisor"},
        {"role": "coordinator", "successor_id": "STAYING"},
        {"role": "advisor", "successor_id": "STRANGER"},  # another centre's advisor
        {"role": "advisor", "successor_id": "LEAVING"},
        {"role": "advisor", "successor_id": "99999999999999999999"},
        {"role": "advisor", "successor_id": "abc"},
        {"role": "\x00", "successor_id": "STAYING"},
    ],
)
def test_a_bad_hand_over_is_refused_beside_the_form_and_moves_nobody(app, office, boss, data):
    ids = {"STAYING": office.staying, "STRANGER": office.stranger, "LEAVING": office.leaving}
    data = {k: str(ids.get(v, v)) for k, v in data.items()}
    response = boss.post(f"/staff/users/{office.leaving}/handover", data=data)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in page(response) or "field-error" in page(response)
    assert advisors_of(app, office.people) == [office.leaving] * 3
    assert audit_actions(app, "participant.advisor") == []


def test_the_successor_must_be_active_and_hold_the_role(app, office, ctx):
    leaving = db.session.get(User, office.leaving)
    boss = db.session.get(User, office.boss)
    worker = db.session.get(User, office.worker)
    staying = db.session.get(User, office.staying)
    stranger = db.session.get(User, office.stranger)
    for successor in (worker, stranger, leaving):
        with pytest.raises(PortalError) as refused:
            staffing.hand_over(leaving, successor, Role.ADVISOR, actor=boss, now=utcnow())
        assert refused.value.field == "successor_id"
    staying.is_active = False
    with pytest.raises(PortalError):
        staffing.hand_over(leaving, staying, Role.ADVISOR, actor=boss, now=utcnow())
    # A deactivated leaver's caseload can still be handed over; an empty one is refused.
    staying.is_active = True
    leaving.is_active = False
    assert staffing.hand_over(leaving, staying, Role.ADVISOR, actor=boss, now=utcnow()) == 3
    with pytest.raises(PortalError) as empty:
        staffing.hand_over(leaving, staying, Role.ADVISOR, actor=boss, now=utcnow())
    assert empty.value.field == "role"


def test_the_successor_list_offers_only_active_colleagues_with_the_role(app, office, boss):
    with app.app_context():
        db.session.get(User, office.staying).is_active = False
        db.session.commit()
    account = page(boss.get(f"/staff/users/{office.leaving}"))
    assert f'value="{office.staying}"' not in account
    assert f'value="{office.worker}"' in account  # a social worker, for the social-work caseload
    response = boss.post(
        f"/staff/users/{office.leaving}/handover",
        data={"role": "advisor", "successor_id": str(office.staying)},
    )
    assert response.status_code == 200
    assert advisors_of(app, office.people) == [office.leaving] * 3


# -- allowance limits ----------------------------------------------------------------------------


def test_the_coordinator_sets_the_allowance_limits(app, office, boss, login_as):
    assert 'href="/staff/allowance-limits"' in page(boss.get("/staff/users"))
    data = {
        "max_purpose": "300,00",
        "max_periodic": "",
        "max_in_kind": "",
        "decision_warning_days": "9",
    }
    assert boss.post("/staff/allowance-limits", data=data).status_code == 302
    with app.app_context():
        centre = db.session.get(Centre, office.centre)
        assert (centre.max_purpose_grosze, centre.decision_warning_days) == (300_00, 9)
    wrong = boss.post("/staff/allowance-limits", data=data | {"max_purpose": "abc"})
    assert wrong.status_code == 200
    assert 'aria-invalid="true"' in page(wrong)
    with app.app_context():
        assert db.session.get(Centre, office.centre).max_purpose_grosze == 300_00
    worker = login_as("worker@example.org", fresh=True)
    assert worker.get("/staff/allowance-limits").status_code == 403
    assert 'href="/staff/allowance-limits"' not in page(worker.get("/staff/participants"))


# -- account requests without a village ----------------------------------------------------------


@pytest.fixture
def town(app, make_centre):
    """A town centre (MOPS) with no village at all."""
    centre_id = make_centre(name="MOPS Miasto", short_name="mops-miasto", kind=CentreKind.MOPS)
    with app.app_context():
        db.session.execute(delete(Village).where(Village.centre_id == centre_id))
        db.session.commit()
    return centre_id


def ask(client, **fields):
    data = {
        "first_name": "Maria",
        "last_name": "Lis",
        "email": "maria.lis@example.org",
        "consent": "y",
    }
    return client.post("/request-account", data=data | fields)


def stored_requests(app) -> list[tuple[int, int | None]]:
    with app.app_context():
        return [
            (r.centre_id, r.village_id)
            for r in db.session.scalars(select(AccountRequest).order_by(AccountRequest.id))
        ]


def village_of(app, centre_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Village.id).where(Village.centre_id == centre_id))


def test_a_town_centre_without_villages_receives_account_requests(
    app, client, town, make_user, login_as
):
    form = page(client.get("/request-account"))
    assert "MOPS Miasto" in form
    response = ask(client, centre_id=str(town))
    assert response.status_code == 200
    assert translated(app, "Ask for an account") not in page(response)  # the "sent" page
    assert stored_requests(app) == [(town, None)]
    # Its staff accept it: the person is recorded without a village.
    make_user(Role.COORDINATOR, centre_id=town, email="mops@example.org")
    staff = login_as("mops@example.org", fresh=True)
    with app.app_context():
        request_id = db.session.scalar(select(AccountRequest.id))
    assert staff.post(f"/staff/account-requests/{request_id}/accept").status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Participant).where(Participant.last_name == "Lis"))
        assert (person.centre_id, person.village_id) == (town, None)


def test_a_town_centre_with_villages_still_takes_a_request_without_one(app, client, make_centre):
    centre = make_centre(kind=CentreKind.MOPS)
    assert ask(client, centre_id=str(centre)).status_code == 200
    assert stored_requests(app) == [(centre, None)]


def test_a_village_centre_still_needs_the_village(app, client, make_centre):
    centre = make_centre()
    response = ask(client, centre_id=str(centre))
    assert response.status_code == 200
    assert 'aria-invalid="true"' in page(response)
    assert translated(app, "Choose your village from the list.") in page(response)
    assert stored_requests(app) == []
    # Once every village is retired, the centre takes requests without one.
    with app.app_context():
        for village in db.session.scalars(select(Village).where(Village.centre_id == centre)):
            village.is_active = False
        db.session.commit()
    assert ask(client, centre_id=str(centre)).status_code == 200
    assert stored_requests(app) == [(centre, None)]


def test_a_village_of_another_centre_is_refused(app, client, town, make_centre):
    elsewhere = make_centre()
    response = ask(client, centre_id=str(town), village_id=str(village_of(app, elsewhere)))
    assert response.status_code == 200
    assert translated(
        app, "This village is not served by the centre you chose. Choose again."
    ) in page(response)
    assert "maria.lis@example.org" in page(response)  # what was typed is kept
    assert stored_requests(app) == []
    # The village alone decides the centre.
    assert ask(client, village_id=str(village_of(app, elsewhere))).status_code == 200
    assert stored_requests(app) == [(elsewhere, village_of(app, elsewhere))]


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"centre_id": "0", "village_id": "0"},
        {"centre_id": "abc"},
        {"centre_id": "99999999999999999999"},
        {"centre_id": "²"},
        {"village_id": "\x00"},
        {"centre_id": "987654"},
    ],
)
def test_a_request_naming_no_known_centre_or_village_is_refused(app, client, town, fields):
    response = ask(client, **fields)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in page(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(AccountRequest.id))) == 0
