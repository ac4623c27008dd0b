"""A centre goes live from an empty database, through the pages only (issue: a real centre).

The installation admin is made with the README's `create-user`; everything after that is HTTP:
the admin opens a centre, its coordinator sets it up and creates staff, a social worker records a
participant with the ESF data, an event is published and the participant signs up, a contract is
signed, an allowance prepared, approved by the coordinator and put on the month's payment list.
Invitations are followed from the outbox, as a person follows the link in their mail.
"""

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Allowance,
    Event,
    OutboxMessage,
    Participant,
    PaymentList,
    Registration,
    SocialContract,
    User,
)
from portal.models.enums import AllowanceStatus, ContractStatus, RegistrationStatus
from portal.services.common.dates import WARSAW

PASSWORD = "a long enough passphrase 2026"
LINK = re.compile(r"/auth/set-password/[\w.\-]+")


def _ok(response, *expected: int):
    page = response.get_data(as_text=True)
    problems = re.findall(r"error-message[^>]*>(.*?)</p>|class=\"flash[^>]*>(.*?)<", page, re.S)
    assert response.status_code in (expected or (302,)), problems or page[-2000:]
    return response


def _invited(app, login_as, email: str) -> object:
    """Follow the invitation in the outbox, set a password, sign in: a client for that person."""
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.to_address == email)
        ).all()
    link = LINK.search(bodies[-1]).group(0)
    client = app.test_client()
    _ok(client.post(link, data={"password": PASSWORD, "confirm": PASSWORD}))
    return login_as(email, PASSWORD, test_client=client)


def _id(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(model.id).where(*where).order_by(model.id.desc()))


def test_a_new_centre_goes_live_through_its_pages(app, runner, login_as):
    result = runner.invoke(
        args=["create-user", "admin@example.gov.pl", "--role", "admin", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    admin = login_as("admin@example.gov.pl", PASSWORD, fresh=True)
    _ok(
        admin.post(
            "/staff/centres",
            data={
                "name": "Gminny Ośrodek Pomocy Społecznej w Zielonej",
                "short_name": "gops-zielona",
                "kind": "gops",
                "town": "Zielona",
                "coordinator_email": "koordynator@zielona.example.gov.pl",
                "coordinator_first_name": "Alicja",
                "coordinator_last_name": "Nowak",
            },
        )
    )

    # The coordinator sets the centre up.
    coordinator = _invited(app, login_as, "koordynator@zielona.example.gov.pl")
    today = datetime.now(WARSAW).date()
    stages = _ok(
        coordinator.post(
            "/staff/setup/projects/new",
            data={
                "title": "Aktywna integracja w Gminie Zielona",
                "programme": "Program Operacyjny Kapitał Ludzki",
                "start_date": f"{today.year}-01-01",
                "end_date": f"{today.year + 1}-12-31",
            },
        )
    ).headers["Location"]
    lines = _ok(
        coordinator.post(
            stages,
            data={
                "year": str(today.year),
                "start_date": f"{today.year}-01-01",
                "end_date": f"{today.year}-12-31",
            },
        )
    ).headers["Location"]
    for kind, planned in (("allowances", "50 000"), ("salaries", "120 000")):
        _ok(
            coordinator.post(
                lines, data={"kind": kind, "funding_source": "esf", "planned": planned}
            )
        )
    _ok(coordinator.post("/staff/setup/villages", data={"name": "Zielona Górna", "area": "rural"}))
    _ok(coordinator.post("/staff/setup/courses", data={"name": "Operator wózka widłowego"}))
    _ok(coordinator.post("/staff/setup/tests", data={"name": "Multiselect"}))
    for email, role in (
        ("pracownik@zielona.example.gov.pl", "social_worker"),
        ("doradca@zielona.example.gov.pl", "advisor"),
    ):
        _ok(
            coordinator.post(
                "/staff/users",
                data={"first_name": "Jan", "last_name": "Nowak", "email": email, "roles": role},
            )
        )

    # The social worker records a participant with an account and the ESF data.
    worker = _invited(app, login_as, "pracownik@zielona.example.gov.pl")
    form = worker.get("/staff/participants/new").get_data(as_text=True)
    village_id = re.search(r'<option value="(\d+)"[^>]*>Zielona Górna', form).group(1)
    _ok(
        worker.post(
            "/staff/participants/new",
            data={
                "first_name": "Zofia",
                "last_name": "Kwiatkowska",
                "pesel": "44051401359",
                "village_id": village_id,
                "on_contract_path": "y",
                "on_pal_path": "y",
                "email": "zofia@example.org",
            },
        )
    )
    person_id = _id(app, Participant, Participant.last_name == "Kwiatkowska")
    _ok(
        worker.post(
            f"/staff/participants/{person_id}/monitoring",
            # No start typed: it is the day of her first support, whatever comes first.
            data={
                "education": "primary",
                "town": "Zielona Górna",
                "area": "rural",
                "labour_market_status": "unemployed_registered",
                "is_long_term_unemployed": "y",
                "minority": "no",
                "homeless": "no",
                "disability": "refused",
                "jobless_household": "yes",
                "jobless_household_with_children": "no",
                "single_adult_with_children": "no",
                "other_disadvantage": "no",
            },
        )
    )

    # An event is published and the participant signs up.
    starts = today + timedelta(days=10)
    _ok(
        coordinator.post(
            "/staff/events/new",
            data={
                "event_type": "workshop",
                "title": "Warsztaty „Aktywne poszukiwanie pracy”",
                "place": "Świetlica w Zielonej Górnej",
                "starts_at": f"{starts.isoformat()}T10:00",
                "ends_at": f"{starts.isoformat()}T13:00",
                "capacity": "15",
                "audience": "project",
            },
        )
    )
    event_id = _id(app, Event)
    _ok(coordinator.post(f"/staff/events/{event_id}/publish"))
    participant = _invited(app, login_as, "zofia@example.org")
    _ok(participant.post(f"/me/events/{event_id}/sign-up", data={"companions": "0"}))

    # A contract is signed; an allowance is prepared, approved and put on a payment list.
    end = (today + timedelta(days=120)).isoformat()
    _ok(
        worker.post(
            f"/staff/participants/{person_id}/contracts/new",
            data={
                "start_date": today.isoformat(),
                "end_date": end,
                "problem": "Długotrwałe bezrobocie.",
                "goal": "Powrót na rynek pracy.",
                "participant_obligations": "Udział w doradztwie zawodowym.",
                "centre_obligations": "Zasiłek celowy na dojazdy.",
                "support": "Doradztwo zawodowe.",
                "instruments": "vocational_counselling",
            },
        )
    )
    contract_id = _id(app, SocialContract)
    _ok(worker.post(f"/staff/contracts/{contract_id}/sign", data={"signed_on": today.isoformat()}))
    _ok(
        worker.post(
            f"/staff/participants/{person_id}/allowances/new",
            data={
                "kind": "purpose",
                "amount": "300,00",
                "category": "travel",
                "purpose": "Dojazdy na doradztwo",
                "justification": "Dojazdy z Zielonej Górnej do ośrodka, 8 razy.",
                "contract_id": str(contract_id),
                "first_month": today.strftime("%Y-%m"),
                "submit_now": "y",
            },
        )
    )
    allowance_id = _id(app, Allowance)
    with app.app_context():
        if db.session.get(Allowance, allowance_id).status == AllowanceStatus.DRAFT:
            _ok(worker.post(f"/staff/allowances/{allowance_id}/submit"))
    _ok(coordinator.post("/staff/approvals/approve", data={"allowance_id": str(allowance_id)}))
    _ok(coordinator.post("/staff/payments", data={"month": today.strftime("%Y-%m")}))

    with app.app_context():
        assert db.session.get(SocialContract, contract_id).status == ContractStatus.SIGNED
        assert db.session.get(Allowance, allowance_id).status == AllowanceStatus.APPROVED
        registration = db.session.scalars(select(Registration)).one()
        assert registration.status == RegistrationStatus.CONFIRMED
        payment_list = db.session.scalars(select(PaymentList)).one()
        assert [i.allowance_id for i in payment_list.instalments] == [allowance_id]
        staff = db.session.scalars(select(User.email).where(User.centre_id.is_not(None))).all()
        assert len(staff) == 4  # coordinator, social worker, advisor, participant
