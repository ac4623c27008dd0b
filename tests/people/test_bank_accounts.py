"""Where a participant is paid: the account checked by python-stdnum and refused beside its field,
masked everywhere but its editing page, and a participant's own change waiting for staff while
the old account stays in force."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    BankAccountChange,
    BankAccountChangeStatus,
    Centre,
    OutboxMessage,
    Participant,
)
from portal.models.enums import Role
from portal.services.common.errors import PortalError
from portal.services.people import bank_accounts
from tests.factories import NOW
from tests.helpers import EnglishClient, email_of, input_tag

ACCOUNT = "PL61109010140000071219812874"
ACCOUNT_TYPED = "61 1090 1014 0000 0712 1981 2874"  # the NRB as on a statement
ACCOUNT_MASKED = "PL61 **** **** **** **** **** 2874"
NEW_ACCOUNT = "PL40102053560000111122223333"
NEW_MASKED = "PL40 **** **** **** **** **** 3333"


@pytest.fixture(autouse=True)
def _english_pages(app):
    """These tests read the English wording; the portal speaks Polish by default."""
    app.test_client_class = EnglishClient


@pytest.fixture
def centre(make_centre):
    return make_centre()


@pytest.fixture
def worker_email(centre, make_user):
    make_user(Role.SOCIAL_WORKER, centre_id=centre, email="worker@example.org")
    return "worker@example.org"


@pytest.fixture
def person(app, centre, make_participant):
    """A participant with an account in force."""
    person_id = make_participant(centre, first_name="Zofia", last_name="Nowak")
    with app.app_context():
        db.session.get(Participant, person_id).bank_account = ACCOUNT
        db.session.commit()
    return person_id


def _record(app, person_id) -> Participant:
    with app.app_context():
        record = db.session.get(Participant, person_id)
        db.session.expunge(record)
        return record


def _changes(app, person_id) -> list[BankAccountChange]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(BankAccountChange)
                .where(BankAccountChange.participant_id == person_id)
                .order_by(BankAccountChange.id)
            )
        )
        db.session.expunge_all()
        return rows


def _audit(app, action) -> list[AuditEntry]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )
        db.session.expunge_all()
        return rows


def _mail_to(app, address) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(
            db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address))
        )
        db.session.expunge_all()
        return rows


def _staff_edit(client, app, person_id, **overrides):
    data = {
        "version": str(_record(app, person_id).version_id),
        "method": "account",
        "bank_account": ACCOUNT_TYPED,
        "bank_account_owner": "",
    } | overrides
    return client.post(f"/staff/participants/{person_id}/bank-account", data=data)


# -- the number itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        ACCOUNT,
        ACCOUNT_TYPED,
        "pl61 1090-1014-0000-0712-1981-2874",
        " PL61109010140000071219812874 ",
    ],
)
def test_an_nrb_or_a_pl_iban_in_any_grouping_is_kept_in_electronic_form(typed):
    assert bank_accounts.normalise(typed) == ACCOUNT


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("PL61109010140000071219812875", "check digits"),  # one digit wrong
        ("61109010140000071219812874".replace("4", "5", 1), "check digits"),
        ("6110901014000007121981287", "26 digits; this one has 25"),
        ("611090101400000712198128745", "26 digits; this one has 27"),
        ("61 1090 1014 0000 O712 1981 2874", "digits only"),  # a letter O for a zero
        ("DE89370400440532013000", "Polish account number"),
        ("PL61 1090 1014\x00 0000 0712 1981 2874", "control characters"),
        ("PL61 1090 1014\n0000 0712 1981 2874", "control characters"),
    ],
)
def test_a_wrong_number_is_refused_saying_what_is_wrong(app, typed, says):
    with app.test_request_context(), pytest.raises(PortalError) as refused:
        bank_accounts.normalise(typed)
    assert refused.value.field == "bank_account"
    assert says in str(refused.value.message)


def test_the_masked_form_shows_the_check_digits_and_the_last_four():
    assert bank_accounts.masked(ACCOUNT) == ACCOUNT_MASKED
    assert bank_accounts.masked(None) == ""


# -- staff ---------------------------------------------------------------------------------------


def test_staff_save_an_account_audited_without_its_digits_and_the_person_is_told(
    app, client, centre, worker_email, make_participant, login_as
):
    person_id = make_participant(centre)
    login_as(worker_email)
    response = _staff_edit(client, app, person_id, bank_account_owner="Maria Nowak")
    assert response.status_code == 302
    saved = _record(app, person_id)
    assert (saved.bank_account, saved.bank_account_owner) == (ACCOUNT, "Maria Nowak")
    assert not saved.paid_in_cash
    (entry,) = _audit(app, "participant.bank_account")
    assert entry.entity_id == person_id
    assert entry.changes["bank_account"] == {"old": None, "new": "***"}
    assert "0712" not in str(entry.changes)
    (message,) = _mail_to(app, email_of(app, person_id))
    assert ACCOUNT_MASKED in message.body
    assert "0712" not in message.body


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("PL61109010140000071219812875", "check digits"),
        ("6110901014000007121981287", "has 25"),
        ("61 1090 1014 0000 O712 1981 2874", "digits only"),
        ("61 1090 1014 \x01 0000 0712 1981 2874", "control"),
    ],
)
def test_a_wrong_account_is_refused_beside_the_field_keeping_the_text_and_changing_nothing(
    app, client, worker_email, person, login_as, typed, says
):
    login_as(worker_email)
    response = _staff_edit(client, app, person, bank_account=typed)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="bank_account-error"' in page
    assert says in page
    if "\x01" not in typed:
        assert f'value="{typed}"' in input_tag(page, "bank_account")
    assert _record(app, person).bank_account == ACCOUNT
    assert _audit(app, "participant.bank_account") == []


def test_cash_and_an_account_together_are_refused_and_cash_alone_clears_the_account(
    app, client, worker_email, person, login_as
):
    login_as(worker_email)
    both = _staff_edit(client, app, person, method="cash")
    assert both.status_code == 200
    assert "Either an account or cash" in both.get_data(as_text=True)
    assert _record(app, person).bank_account == ACCOUNT
    assert _staff_edit(client, app, person, method="cash", bank_account="").status_code == 302
    saved = _record(app, person)
    assert (saved.bank_account, saved.paid_in_cash) == (None, True)
    with app.app_context():
        assert bank_accounts.account_for_payment(db.session.get(Participant, person)) is None


def test_only_the_editing_page_shows_the_account_in_full_and_opening_it_is_audited(
    app, client, worker_email, person, login_as
):
    login_as(worker_email)
    detail = client.get(f"/staff/participants/{person}").get_data(as_text=True)
    assert ACCOUNT_MASKED in detail
    assert "0712" not in detail
    edit = client.get(f"/staff/participants/{person}/bank-account").get_data(as_text=True)
    assert "PL61 1090 1014 0000 0712 1981 2874" in edit
    (read,) = [
        entry
        for entry in _audit(app, "participant.viewed")
        if entry.changes["page"]["new"] == "bank_account"
    ]
    assert read.entity_id == person


def test_an_advisor_cannot_open_the_payment_details(
    app, client, centre, person, make_user, login_as
):
    make_user(Role.ADVISOR, centre_id=centre, email="advisor@example.org")
    login_as("advisor@example.org")
    assert client.get(f"/staff/participants/{person}/bank-account").status_code == 403
    assert client.get("/staff/bank-account-changes").status_code == 403


# -- the participant's change --------------------------------------------------------------------


def _ask(client, account=NEW_ACCOUNT, **overrides):
    data = {"method": "account", "bank_account": account, "bank_account_owner": ""} | overrides
    return client.post("/me/my-details/bank-account", data=data)


def test_a_participants_change_waits_and_the_old_account_stays_in_force(app, person, login_as):
    participant = login_as(email_of(app, person), fresh=True)
    assert _ask(participant).status_code == 302
    (change,) = _changes(app, person)
    assert change.status == BankAccountChangeStatus.PENDING
    assert change.bank_account == NEW_ACCOUNT
    assert _record(app, person).bank_account == ACCOUNT
    with app.app_context():
        record = db.session.get(Participant, person)
        assert bank_accounts.account_for_payment(record) == ACCOUNT
        assert bank_accounts.pending_changes([person])[person].id == change.id
    page = participant.get("/me/my-details").get_data(as_text=True)
    assert ACCOUNT_MASKED in page
    assert NEW_MASKED in page
    assert "0712" not in page
    assert "3333 " not in page.replace(NEW_MASKED, "")
    (requested,) = _audit(app, "bank_account_change.requested")
    assert requested.changes["bank_account"] == {"old": None, "new": "***"}
    assert _mail_to(app, email_of(app, person)) == []  # nothing changed yet


def test_a_participants_wrong_account_is_refused_beside_the_field(app, person, login_as):
    participant = login_as(email_of(app, person), fresh=True)
    response = _ask(participant, account="PL61109010140000071219812875")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="bank_account-error"' in page
    assert "check digits" in page
    assert _changes(app, person) == []


def test_a_new_request_replaces_the_waiting_one(app, person, login_as):
    participant = login_as(email_of(app, person), fresh=True)
    _ask(participant)
    _ask(participant, account="", method="cash")
    first, second = _changes(app, person)
    assert first.status == BankAccountChangeStatus.WITHDRAWN
    assert (second.status, second.paid_in_cash) == (BankAccountChangeStatus.PENDING, True)


def test_staff_confirm_the_change_audited_and_the_person_is_told(
    app, client, worker_email, person, login_as
):
    _ask(login_as(email_of(app, person), fresh=True))
    (change,) = _changes(app, person)
    staff = login_as(worker_email)
    listing = staff.get("/staff/bank-account-changes").get_data(as_text=True)
    assert "Zofia Nowak" in listing
    assert NEW_MASKED in listing
    assert ACCOUNT_MASKED in listing
    assert "0712" not in listing
    assert "2222" not in listing
    (listed,) = _audit(app, "participant.listed")
    assert listed.changes["shown"]["new"] == [person]
    assert staff.post(f"/staff/bank-account-changes/{change.id}/confirm").status_code == 302
    assert _record(app, person).bank_account == NEW_ACCOUNT
    (decided,) = _changes(app, person)
    assert decided.status == BankAccountChangeStatus.CONFIRMED
    assert decided.decided_by_id is not None
    assert decided.decided_at is not None
    assert len(_audit(app, "bank_account_change.confirmed")) == 1
    (changed,) = _audit(app, "participant.bank_account")
    assert changed.changes["change"] == {"old": None, "new": change.id}
    (message,) = _mail_to(app, email_of(app, person))
    assert NEW_MASKED in message.body
    # A second click finds it decided: nothing changes twice.
    again = staff.post(
        f"/staff/bank-account-changes/{change.id}/confirm",
        headers={"Referer": "http://localhost/staff/bank-account-changes"},
    )
    assert again.status_code == 302
    listing = staff.get("/staff/bank-account-changes").get_data(as_text=True)
    assert "already been decided" in listing
    assert len(_audit(app, "bank_account_change.confirmed")) == 1


def test_a_refused_change_keeps_the_old_account_and_the_person_is_told(
    app, client, worker_email, person, login_as
):
    _ask(login_as(email_of(app, person), fresh=True))
    (change,) = _changes(app, person)
    staff = login_as(worker_email)
    assert staff.post(f"/staff/bank-account-changes/{change.id}/refuse").status_code == 302
    assert _record(app, person).bank_account == ACCOUNT
    (decided,) = _changes(app, person)
    assert decided.status == BankAccountChangeStatus.REFUSED
    assert len(_audit(app, "bank_account_change.refused")) == 1
    assert _audit(app, "participant.bank_account") == []
    (message,) = _mail_to(app, email_of(app, person))
    assert "nie została przyjęta" in message.subject
    assert ACCOUNT_MASKED in message.body


def test_another_centres_change_is_not_found(app, client, person, make_centre, make_user, login_as):
    _ask(login_as(email_of(app, person), fresh=True))
    (change,) = _changes(app, person)
    other = make_centre()
    make_user(Role.COORDINATOR, centre_id=other, email="other@example.org")
    staff = login_as("other@example.org")
    assert staff.post(f"/staff/bank-account-changes/{change.id}/confirm").status_code == 404
    assert staff.post(f"/staff/bank-account-changes/{change.id}/refuse").status_code == 404
    assert staff.get(f"/staff/participants/{person}/bank-account").status_code == 404
    assert "Zofia" not in staff.get("/staff/bank-account-changes").get_data(as_text=True)
    assert _changes(app, person)[0].status == BankAccountChangeStatus.PENDING


def test_a_participant_sees_and_changes_only_their_own(
    app, centre, person, make_participant, login_as
):
    other_id = make_participant(centre, first_name="Adam", last_name="Kowal")
    with app.app_context():
        db.session.get(Participant, other_id).bank_account = NEW_ACCOUNT
        db.session.commit()
    participant = login_as(email_of(app, person), fresh=True)
    page = participant.get("/me/my-details").get_data(as_text=True)
    assert ACCOUNT_MASKED in page
    assert NEW_MASKED not in page
    _ask(participant, account="PL15124069600000444455556666")
    assert _changes(app, other_id) == []
    assert len(_changes(app, person)) == 1
    # Staff pages are not theirs.
    assert participant.get(f"/staff/participants/{other_id}/bank-account").status_code == 403


# -- the centre's own account --------------------------------------------------------------------


def test_the_coordinator_sets_the_centres_account_refused_when_wrong(
    app, client, centre, make_user, login_as
):
    make_user(Role.COORDINATOR, centre_id=centre, email="coordinator@example.org")
    login_as("coordinator@example.org")
    wrong = client.post("/staff/setup/bank-account", data={"bank_account": "PL61 1090 1014 1"})
    assert wrong.status_code == 200
    assert 'id="bank_account-error"' in wrong.get_data(as_text=True)
    saved = client.post("/staff/setup/bank-account", data={"bank_account": ACCOUNT_TYPED})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Centre, centre).bank_account == ACCOUNT
    (entry,) = _audit(app, "centre.bank_account")
    assert entry.changes["bank_account"] == {"old": None, "new": ACCOUNT}


def test_a_social_worker_cannot_set_the_centres_account(app, client, worker_email, login_as):
    login_as(worker_email)
    assert (
        client.post("/staff/setup/bank-account", data={"bank_account": ACCOUNT}).status_code == 403
    )


# -- the demo ------------------------------------------------------------------------------------


def test_the_demo_pays_most_people_to_an_account_one_in_cash_and_a_change_waits(
    app, demo, login_as
):
    with app.app_context():
        janow = db.session.scalar(select(Centre).where(Centre.short_name == "ops-janow"))
        assert bank_accounts.normalise(janow.bank_account) == janow.bank_account
        people = list(
            db.session.scalars(
                select(Participant).where(
                    Participant.centre_id == janow.id, Participant.on_contract_path.is_(True)
                )
            )
        )
        with_account = [p for p in people if p.bank_account]
        assert len(with_account) == len(people) - 1
        assert all(bank_accounts.normalise(p.bank_account) == p.bank_account for p in with_account)
        (in_cash,) = [p for p in people if p.paid_in_cash]
        assert bank_accounts.account_for_payment(in_cash) is None
        (waiting,) = bank_accounts.list_pending(janow.id)
        assert waiting.participant.user.email == "uczestnik@example.org"
        assert waiting.bank_account != waiting.participant.bank_account
        assert bank_accounts.account_for_payment(waiting.participant) == (
            waiting.participant.bank_account
        )
    staff = login_as("pracownik@example.org", "pierwszy-krok")
    assert "Wierzbicki" in staff.get("/staff/bank-account-changes").get_data(as_text=True)


def test_an_account_payment_without_an_account_is_refused(app, person, login_as):
    participant = login_as(email_of(app, person), fresh=True)
    response = _ask(participant, account="  ")
    assert response.status_code == 200
    assert "Enter the account number, or choose" in response.get_data(as_text=True)
    assert _changes(app, person) == []


def test_a_merge_moves_a_waiting_change_and_refuses_two(app, centre, person, make_participant):
    from portal.services.people import merging

    twin = make_participant(centre, first_name="Zofia", last_name="Nowak", with_account=False)
    with app.app_context():
        kept, removed = db.session.get(Participant, person), db.session.get(Participant, twin)
        user = kept.user
        bank_accounts.request_change(
            removed, account=NEW_ACCOUNT, owner="", paid_in_cash=False, actor=user, now=NOW
        )
        db.session.flush()
        assert merging.plan_merge(kept, removed).refusals == []
        bank_accounts.request_change(
            kept, account="", owner="", paid_in_cash=True, actor=user, now=NOW
        )
        assert any(
            "rachunku bankowego" in str(r) for r in merging.plan_merge(kept, removed).refusals
        )
        db.session.rollback()


def test_anonymisation_removes_the_account_and_the_requested_one(app, person):
    from portal.services.privacy import anonymisation

    with app.app_context():
        record = db.session.get(Participant, person)
        bank_accounts.request_change(
            record, account=NEW_ACCOUNT, owner="Jan Nowak", paid_in_cash=False,
            actor=record.user, now=NOW,
        )  # fmt: skip
        anonymisation.scrub(record, now=NOW)
        db.session.commit()
    assert _record(app, person).bank_account is None
    (change,) = _changes(app, person)
    assert (change.bank_account, change.bank_account_owner) == (None, None)
