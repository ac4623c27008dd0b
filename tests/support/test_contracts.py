"""Social contracts: numbers, periods, the lifecycle, one current contract, PDF, the participant.

Service tests pass a fixed `now` (tests.factories.NOW, 10 March 2026); pages run on
the real clock. Messages are compared with what the portal shows (tests.helpers.translated).
"""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Participant, SocialContract, User
from portal.models.enums import ContractStatus, Role
from portal.services.support import contracts
from portal.services.support.contracts import ContractRefused
from tests.factories import NOW, contract_fields, today
from tests.helpers import audit_rows, email, input_tag, translated, user_of

C = ContractStatus


@pytest.fixture
def team(app, make_centre, make_user, make_participant):
    """A centre with a social worker and two participants (the first with an account)."""
    centre = make_centre()
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre, first_name="Ewa", last_name="Socjalna")
    person = make_participant(centre, first_name="Genowefa", last_name="Pigwa")
    other = make_participant(centre, first_name="Zenon", last_name="Obcy")
    return centre, worker, person, other


def _get(contract_id: int) -> SocialContract:
    return db.session.get(SocialContract, contract_id)


def _refused(app, call, msgid: str, field: str | None = None, **params) -> ContractRefused:
    with pytest.raises(ContractRefused) as refused:
        call()
    assert str(refused.value.message) == translated(app, msgid, html=False, **params)
    assert refused.value.field == field
    db.session.rollback()
    return refused.value


# -- numbering ----------------------------------------------------------------------------------


def test_numbers_run_per_centre_and_year(
    app, make_centre, make_user, make_participant, make_contract
):
    first, second = make_centre(), make_centre()
    numbers = {}
    for centre in (first, second):
        worker = make_user(Role.SOCIAL_WORKER, centre_id=centre)
        people = [make_participant(centre) for _ in range(3)]
        ids = [make_contract(p, worker, sign=False) for p in people]
        ids.append(
            make_contract(
                people[0],
                worker,
                sign=False,
                start_date=date(2027, 1, 4),
                end_date=date(2027, 6, 30),
            )
        )
        with app.app_context():
            numbers[centre] = [_get(i).number for i in ids]
    # Each centre starts its own series at 001; a new year starts again.
    expected = ["KS/2026/001", "KS/2026/002", "KS/2026/003", "KS/2027/001"]
    assert numbers[first] == expected
    assert numbers[second] == expected


def test_the_database_refuses_a_number_twice_in_one_centre(app, ctx, team, make_contract):
    _centre, worker, person, other = team
    make_contract(person, worker, sign=False)
    duplicate = SocialContract(
        centre_id=db.session.get(Participant, other).centre_id,
        participant_id=other,
        project_id=db.session.get(Participant, other).project_id,
        number="KS/2026/001",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 2, 1),
    )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# -- the period ---------------------------------------------------------------------------------


def test_a_contract_ending_before_it_starts_is_refused_next_to_the_end_date(
    app, client, login_as, team
):
    _centre, worker, person, _other = team
    login_as(email(app, worker))
    response = client.post(
        f"/staff/participants/{person}/contracts/new",
        data={
            "start_date": "2026-05-01",
            "end_date": "2026-04-30",
            "problem": "Bezrobocie",
            "goal": "Praca",
            "participant_obligations": "Kurs",
            "centre_obligations": "Opłata kursu",
            "instruments": ["course"],
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error = re.search(r'<p class="error-message" id="end_date-error">(.*?)</p>', page, re.S)
    assert error, "the message is not next to the end date"
    assert translated(app, "The contract cannot end before it starts.") in error.group(1)
    assert 'aria-invalid="true"' in input_tag(page, "end_date")
    assert 'aria-invalid="true"' not in input_tag(page, "start_date")
    with app.app_context():
        assert db.session.scalars(select(SocialContract)).all() == []


def test_a_contract_of_one_day_is_allowed_and_the_database_backs_the_rule(
    app, ctx, team, make_contract
):
    _centre, worker, person, _other = team
    one_day = make_contract(
        person, worker, sign=False, start_date=date(2026, 2, 1), end_date=date(2026, 2, 1)
    )
    assert _get(one_day).start_date == _get(one_day).end_date
    _refused(
        app,
        lambda: contracts.create(
            db.session.get(Participant, person),
            contract_fields(start_date=date(2026, 2, 2), end_date=date(2026, 2, 1)),
            social_worker=db.session.get(User, worker),
            now=NOW,
        ),
        "The contract cannot end before it starts.",
        "end_date",
    )
    with pytest.raises(IntegrityError):
        db.session.execute(
            update(SocialContract)
            .where(SocialContract.id == one_day)
            .values(end_date=date(2026, 1, 31))
        )
    db.session.rollback()


# -- lifecycle ----------------------------------------------------------------------------------


def test_draft_signed_active_completed(app, ctx, team, make_contract):
    _centre, worker_id, person, _other = team
    contract = _get(make_contract(person, worker_id, sign=False))
    worker = db.session.get(User, worker_id)
    assert contract.status == C.DRAFT

    # Not started or completed before it is signed.
    _refused(
        app,
        lambda: contracts.activate(contract, actor=worker, now=NOW),
        "The contract cannot be changed this way.",
    )
    _refused(
        app,
        lambda: contracts.complete(contract, evaluation="Dobrze", actor=worker, now=NOW),
        "The contract cannot be changed this way.",
    )
    _refused(
        app,
        lambda: contracts.sign(contract, signed_on=date(2026, 3, 11), actor=worker, now=NOW),
        "The signing date cannot be in the future.",
        "signed_on",
    )
    contracts.sign(contract, signed_on=date(2026, 3, 10), actor=worker, now=NOW)
    db.session.commit()
    assert (contract.status, contract.signed_on) == (C.SIGNED, date(2026, 3, 10))
    _refused(
        app,
        lambda: contracts.sign(contract, signed_on=date(2026, 3, 10), actor=worker, now=NOW),
        "The contract cannot be changed this way.",
    )

    contracts.activate(contract, actor=worker, now=NOW)
    db.session.commit()
    assert contract.status == C.ACTIVE

    for blank in ("", "   \n"):
        _refused(
            app,
            lambda blank=blank: contracts.complete(
                contract, evaluation=blank, actor=worker, now=NOW
            ),
            "Write the evaluation of the contract.",
            "evaluation",
        )
    later = NOW + timedelta(days=100)
    contracts.complete(contract, evaluation="  Cel osiągnięty: praca.  ", actor=worker, now=later)
    db.session.commit()
    contract = _get(contract.id)
    assert contract.status == C.COMPLETED
    assert contract.evaluation == "Cel osiągnięty: praca."
    assert contract.ended_on == date(2026, 6, 18)
    # Completed is final.
    _refused(
        app,
        lambda: contracts.terminate(contract, reason="Pomyłka", actor=worker, now=later),
        "The contract cannot be changed this way.",
    )


def test_terminated_early_needs_a_reason(app, ctx, team, make_contract):
    _centre, worker_id, person, _other = team
    contract = _get(make_contract(person, worker_id))
    worker = db.session.get(User, worker_id)
    assert contract.status == C.SIGNED
    _refused(
        app,
        lambda: contracts.terminate(contract, reason=" ", actor=worker, now=NOW),
        "Give the reason for ending the contract early.",
        "reason",
    )
    assert _get(contract.id).status == C.SIGNED
    contracts.terminate(contract, reason="Wyjazd za granicę", actor=worker, now=NOW)
    db.session.commit()
    contract = _get(contract.id)
    assert (contract.status, contract.termination_reason) == (C.TERMINATED, "Wyjazd za granicę")
    assert contract.ended_on == date(2026, 3, 10)


def test_the_signing_date_is_judged_in_polish_time(app, ctx, team, make_contract):
    """At 00:30 in Warsaw it is still yesterday in UTC: today's date must not be 'the future'."""
    _centre, worker_id, person, _other = team
    contract = _get(make_contract(person, worker_id, sign=False))
    worker = db.session.get(User, worker_id)
    just_after_midnight = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # 10 March, 00:30 in Warsaw
    contracts.sign(contract, signed_on=date(2026, 3, 10), actor=worker, now=just_after_midnight)
    db.session.commit()
    assert _get(contract.id).signed_on == date(2026, 3, 10)


def test_the_lifecycle_through_the_pages(app, client, login_as, team, make_contract):
    _centre, worker, person, _other = team
    contract = make_contract(person, worker, sign=False)
    login_as(email(app, worker))
    signing_day = today()

    def page_after(path: str, data=None):
        response = client.post(f"/staff/contracts/{contract}/{path}", data=data or {})
        assert response.status_code == 302
        return client.get(response.headers["Location"]).get_data(as_text=True)

    future = (signing_day + timedelta(days=2)).isoformat()
    assert translated(app, "The signing date cannot be in the future.") in page_after(
        "sign", {"signed_on": future}
    )
    assert translated(app, "The contract is signed.") in page_after(
        "sign", {"signed_on": signing_day.isoformat()}
    )
    assert translated(app, "The contract is active.") in page_after("activate")
    assert translated(app, "Write the evaluation of the contract.") in page_after(
        "complete", {"evaluation": ""}
    )
    assert translated(app, "The contract is completed.") in page_after(
        "complete", {"evaluation": "Cel osiągnięty"}
    )
    with app.app_context():
        assert _get(contract).status == C.COMPLETED


# -- one current contract per person and project ------------------------------------------------


def test_a_second_contract_cannot_be_signed_while_one_is_current(app, ctx, team, make_contract):
    _centre, worker_id, person, _other = team
    first_id = make_contract(person, worker_id)
    second_id = make_contract(
        person, worker_id, sign=False, start_date=date(2026, 7, 1), end_date=date(2026, 12, 31)
    )
    first, second = _get(first_id), _get(second_id)
    worker = db.session.get(User, worker_id)
    message = (
        "This person already has a signed or active contract in this project. "
        "Complete or terminate it first."
    )
    _refused(
        app,
        lambda: contracts.sign(second, signed_on=date(2026, 3, 1), actor=worker, now=NOW),
        message,
    )
    contracts.activate(first, actor=worker, now=NOW)
    db.session.commit()
    _refused(
        app,
        lambda: contracts.sign(second, signed_on=date(2026, 3, 1), actor=worker, now=NOW),
        message,
    )
    assert _get(second.id).status == C.DRAFT

    contracts.complete(first, evaluation="Zrealizowany", actor=worker, now=NOW)
    contracts.sign(second, signed_on=date(2026, 3, 10), actor=worker, now=NOW)
    db.session.commit()
    assert (_get(first.id).status, _get(second.id).status) == (C.COMPLETED, C.SIGNED)


def test_the_database_index_backs_the_one_current_contract_rule(app, ctx, team, make_contract):
    _centre, worker, person, other = team
    first = make_contract(person, worker)
    second = make_contract(person, worker, sign=False)
    make_contract(other, worker)  # someone else's signed contract is no obstacle
    db.session.execute(
        text("UPDATE social_contracts SET status = 'active' WHERE id = :id"), {"id": first}
    )
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE social_contracts SET status = 'signed', signed_on = :day WHERE id = :id"),
            {"id": second, "day": date(2026, 3, 1)},
        )
    db.session.rollback()


def test_the_page_says_why_a_second_contract_cannot_be_signed(
    app, client, login_as, team, make_contract
):
    _centre, worker, person, _other = team
    make_contract(person, worker)
    second = make_contract(person, worker, sign=False)
    login_as(email(app, worker))
    response = client.post(
        f"/staff/contracts/{second}/sign", data={"signed_on": today().isoformat()}
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        translated(
            app,
            "This person already has a signed or active contract in this project. "
            "Complete or terminate it first.",
        )
        in page
    )
    with app.app_context():
        assert _get(second).status == C.DRAFT


# -- editing ------------------------------------------------------------------------------------


def test_only_a_current_draft_can_be_edited(app, ctx, team, make_contract):
    _centre, worker_id, person, _other = team
    contract = _get(make_contract(person, worker_id, sign=False))
    worker = db.session.get(User, worker_id)
    version = contract.version_id
    contracts.update_draft(
        contract, contract_fields(goal="Nowy cel"), actor=worker, version=version, now=NOW
    )
    db.session.commit()
    contract = _get(contract.id)
    assert contract.goal == "Nowy cel"
    assert contract.version_id == version + 1
    # A form opened before that save is stale.
    _refused(
        app,
        lambda: contracts.update_draft(
            contract,
            contract_fields(goal="Stary formularz"),
            actor=worker,
            version=version,
            now=NOW,
        ),
        "Someone else changed this contract meanwhile. Reload the page and try again.",
    )
    assert _get(contract.id).goal == "Nowy cel"
    _refused(
        app,
        lambda: contracts.update_draft(
            contract,
            contract_fields(start_date=date(2026, 5, 1), end_date=date(2026, 4, 1)),
            actor=worker,
            version=contract.version_id,
            now=NOW,
        ),
        "The contract cannot end before it starts.",
        "end_date",
    )
    contracts.sign(contract, signed_on=date(2026, 3, 1), actor=worker, now=NOW)
    db.session.commit()
    _refused(
        app,
        lambda: contracts.update_draft(
            contract,
            contract_fields(goal="Po podpisaniu"),
            actor=worker,
            version=contract.version_id,
            now=NOW,
        ),
        "Only a draft can be edited.",
    )
    assert _get(contract.id).goal == "Nowy cel"


def test_a_save_racing_a_parallel_save_or_signing_is_a_conflict_not_an_error(
    app, ctx, team, make_contract
):
    _centre, worker_id, person, _other = team
    contract_id = make_contract(person, worker_id, sign=False)
    worker = db.session.get(User, worker_id)
    for parallel in (
        {"goal": "Zapis równoległy"},
        {"status": C.SIGNED, "signed_on": date(2026, 3, 1)},
    ):
        contract = _get(contract_id)
        version = contract.version_id  # the form was read ...
        db.session.execute(  # ... then another request saved (or signed) the contract
            update(SocialContract)
            .where(SocialContract.id == contract_id)
            .values(version_id=SocialContract.version_id + 1, **parallel)
            .execution_options(synchronize_session=False)
        )
        _refused(
            app,
            lambda contract=contract, version=version: contracts.update_draft(
                contract, contract_fields(goal="Mój zapis"), actor=worker, version=version, now=NOW
            ),
            "Someone else changed this contract meanwhile. Reload the page and try again.",
        )
        assert _get(contract_id).goal != "Mój zapis"


def test_the_edit_page_refuses_a_stale_form(app, client, login_as, team, make_contract):
    _centre, worker, person, _other = team
    contract = make_contract(person, worker, sign=False)
    login_as(email(app, worker))
    form = {
        "start_date": "2026-01-01",
        "end_date": "2026-06-30",
        "problem": "Bezrobocie",
        "goal": "Pierwsza zmiana",
        "participant_obligations": "Kurs",
        "centre_obligations": "Opłata",
        "instruments": ["course"],
        "version": "1",
    }
    assert client.post(f"/staff/contracts/{contract}/edit", data=form).status_code == 302
    stale = client.post(f"/staff/contracts/{contract}/edit", data=form | {"goal": "Druga"})
    assert stale.status_code == 200
    assert translated(
        app, "Someone else changed this contract meanwhile. Reload the page and try again."
    ) in stale.get_data(as_text=True)
    with app.app_context():
        assert _get(contract).goal == "Pierwsza zmiana"


# -- the PDF and the participant's page -----------------------------------------------------------


def test_the_pdf_for_signatures_has_the_number_and_the_name(
    app, client, login_as, team, make_contract
):
    _centre, worker, person, _other = team
    contract = make_contract(person, worker)
    login_as(email(app, worker))
    response = client.get(f"/staff/contracts/{contract}/contract.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="kontrakt-KS-2026-001.pdf"' in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    content = " ".join(page.extract_text() for page in reader.pages)
    assert "KS/2026/001" in content
    assert "Genowefa Pigwa" in content
    assert "Ewa Socjalna" in content


def test_the_participant_sees_their_contract_in_plain_words(app, login_as, team, make_contract):
    _centre, worker, person, other = team
    with app.app_context():
        mine, theirs = user_of(person).email, user_of(other).email
    client = app.test_client()
    login_as(mine, test_client=client)
    page = client.get("/me/contract").get_data(as_text=True)
    assert (
        translated(
            app, "You have no social contract. Your social worker will tell you if one is planned."
        )
        in page
    )

    draft = make_contract(person, worker, sign=False, goal="Szkic celu")
    page = client.get("/me/contract").get_data(as_text=True)
    assert "Szkic celu" not in page  # a draft is not an agreement yet

    with app.app_context():
        db.session.execute(
            update(SocialContract)
            .where(SocialContract.id == draft)
            .values(status=C.SIGNED, signed_on=date(2026, 1, 2))
        )
        db.session.commit()
    make_contract(other, worker, goal="Cel Zenona")
    response = client.get("/me/contract")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for words in (
        "This is the agreement you made with your social worker.",
        "What you want to achieve",
        "What you promised to do",
        "What the centre promised",
        "Support you get",
        "Vocational course",
    ):
        assert translated(app, words) in page
    assert "KS/2026/001" in page
    assert "Szkic celu" in page
    assert "Udział w kursie i doradztwie" in page  # the participant's obligations
    assert "Ewa Socjalna" in page
    assert "Cel Zenona" not in page
    assert "Zenon" not in page

    theirs_client = app.test_client()
    login_as(theirs, test_client=theirs_client)
    page = theirs_client.get("/me/contract").get_data(as_text=True)
    assert "Cel Zenona" in page
    assert "Szkic celu" not in page


# -- the audit trail ----------------------------------------------------------------------------


def test_every_step_is_in_the_audit_trail_with_who_and_when(app, ctx, team, make_contract):
    _centre, worker_id, person, other = team
    completed_id = make_contract(person, worker_id)
    terminated_id = make_contract(other, worker_id)
    completed, terminated = _get(completed_id), _get(terminated_id)
    worker = db.session.get(User, worker_id)
    contracts.activate(completed, actor=worker, now=NOW + timedelta(hours=1))
    contracts.complete(completed, evaluation="Dobrze", actor=worker, now=NOW + timedelta(hours=2))
    contracts.terminate(terminated, reason="Rezygnacja", actor=worker, now=NOW)
    db.session.commit()

    assert audit_rows(app, completed_id, "social_contracts") == [
        ("contract.create", worker_id, NOW),
        ("contract.signed", worker_id, NOW),
        ("contract.active", worker_id, NOW + timedelta(hours=1)),
        ("contract.completed", worker_id, NOW + timedelta(hours=2)),
    ]
    assert [row[0] for row in audit_rows(app, terminated_id, "social_contracts")] == [
        "contract.create",
        "contract.signed",
        "contract.terminated",
    ]


def test_a_step_typed_wrong_is_shown_beside_its_field_on_the_contracts_page(
    app, client, login_as, team, make_contract
):
    _centre, worker, person, _other = team
    contract = make_contract(person, worker, sign=False)
    login_as(email(app, worker))
    response = client.post(f"/staff/contracts/{contract}/sign", data={"signed_on": "9999-12-31"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'<p class="error-message" id="signed_on-error">', page)
    assert 'aria-invalid="true"' in input_tag(page, "signed_on")
    with app.app_context():
        assert _get(contract).status == C.DRAFT
        contracts.sign(
            _get(contract), signed_on=date(2026, 1, 1), actor=db.session.get(User, worker), now=NOW
        )
        db.session.commit()
    response = client.post(f"/staff/contracts/{contract}/terminate", data={"reason": "x\x00y"})
    assert response.status_code == 400
    assert 'id="reason-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert _get(contract).status == C.SIGNED
