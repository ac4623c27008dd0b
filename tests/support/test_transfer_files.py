"""Transfer files from a payment list: Elixir-O and pain.001 read back to the list, the cash
list, the lock that exporting puts on the list, the same bytes at every download, and every
problem listed before any file is made."""

import csv
import hashlib
import io
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from importlib import resources
from types import SimpleNamespace

import pytest
import xmlschema
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Centre,
    Instalment,
    Participant,
    PaymentList,
    SocialContract,
    TransferFile,
    User,
)
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.people import bank_accounts
from portal.services.support import bank_formats, entitlements, payments, transfer_files
from portal.services.support.list_locks import ListSentToBank
from tests.factories import NOW
from tests.helpers import email, translated
from tests.support.allowances.steps import APRIL, MARCH, approve, followed, run

CENTRE_ACCOUNT = "PL61109010140000071219812874"
PIGWA_ACCOUNT = "PL27114020040000300201355387"
OWNER_ACCOUNT = "PL60102010260000042270201111"
NS = {"p": bank_formats.NAMESPACE}


def pain_schema():
    path = resources.files("sepaxml") / "schemas" / "pain.001.001.03.xsd"
    with resources.as_file(path) as xsd:
        return xmlschema.XMLSchema(str(xsd))


@pytest.fixture
def march(
    app,
    make_centre,
    make_user,
    make_participant,
    make_contract,
    make_budget_line,
    make_allowance,
    make_periodic_allowance,
    login_as,
):
    """March 2026's list: Genowefa's periodic allowance under her contract, to her own account;
    Zenon's purpose allowance, to his mother's account; Halina's, in cash."""
    centre = make_centre(address="ul. Ogrodowa 16, 23-300 Janów Lubelski")
    worker = make_user(Role.SOCIAL_WORKER, centre_id=centre)
    boss = make_user(Role.COORDINATOR, centre_id=centre, first_name="Karol", last_name="Szef")
    person = make_participant(centre, first_name="Genowefa", last_name="Pigwa")
    other = make_participant(centre, first_name="Zenon", last_name="Obcy")
    cash = make_participant(centre, first_name="Halina", last_name="Gotówka")
    contract = make_contract(person, worker)
    make_budget_line(centre, 10_000_00)
    periodic = make_periodic_allowance(person, worker, contract, date(2026, 2, 1), APRIL, 450_00)
    purpose = make_allowance(other, worker, amount=300_00, first_month=MARCH)
    in_cash = make_allowance(cash, worker, amount=120_00, first_month=MARCH)
    assert len(approve(app, [periodic, purpose, in_cash], boss)[0]) == 3
    with app.app_context():
        db.session.get(Centre, centre).bank_account = CENTRE_ACCOUNT
        pigwa = db.session.get(Participant, person)
        pigwa.bank_account = PIGWA_ACCOUNT
        pigwa.street, pigwa.building_number, pigwa.postcode, pigwa.town = (
            "Leśna",
            "2",
            "23-300",
            "Janów Lubelski",
        )
        obcy = db.session.get(Participant, other)
        obcy.bank_account, obcy.bank_account_owner = OWNER_ACCOUNT, "Zofia Obca"
        db.session.get(Participant, cash).paid_in_cash = True
        number = db.session.get(SocialContract, contract).number
        db.session.commit()
    client = login_as(email(app, boss), fresh=True)
    response = client.post("/staff/payments", data={"month": "2026-03"})
    list_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return SimpleNamespace(
        centre=centre,
        worker=worker,
        boss=boss,
        person=person,
        other=other,
        cash=cash,
        contract=contract,
        number=number,
        list=list_id,
        client=client,
        url=f"/staff/payments/{list_id}",
    )


def export(o):
    response = o.client.post(f"{o.url}/export")
    assert response.status_code == 302
    return response


def elixir_records(body: bytes) -> list[list[str]]:
    text = body.decode("cp1250")
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_files_read_back_to_the_people_accounts_amounts_and_titles_of_the_list(app, march):
    o = march
    assert o.number.startswith("KS/2026/")
    page = followed(o.client, export(o))
    assert translated(app, "The files are made and the list is locked.") in page

    wanted = {
        ("Genowefa Pigwa", PIGWA_ACCOUNT, 450_00, f"Zasiłek okresowy 03/2026, kontrakt {o.number}"),
        ("Zofia Obca", OWNER_ACCOUNT, 300_00, "Zasiłek celowy 03/2026"),
    }

    records = elixir_records(o.client.get(f"{o.url}/transfers.txt").data)
    assert len(records) == 2
    read = set()
    for record in records:
        assert len(record) == 16
        assert record[0] == "110"
        assert record[3] == "10901014"  # the centre's sort code: digits 3-10 of its NRB
        assert record[5] == CENTRE_ACCOUNT[2:]
        assert record[7].split("|")[0] == "Ośrodek Pomocy Społecznej nr 1"
        assert record[10] == record[6][2:10]
        assert record[14] == "51"
        for field in (7, 8, 11):
            assert len(record[field].split("|")) == 4
            assert all(len(line) <= 35 for line in record[field].split("|"))
        payee_lines = record[8].split("|")
        title = " ".join(line for line in record[11].split("|") if line)
        read.add((payee_lines[0], "PL" + record[6], int(record[2]), title))
        if payee_lines[0] == "Genowefa Pigwa":
            assert payee_lines[1:3] == ["Leśna 2", "23-300 Janów Lubelski"]
        else:  # an account holder's address is not known
            assert payee_lines[1:] == ["", "", ""]
    assert read == wanted

    body = o.client.get(f"{o.url}/transfers.xml").data
    pain_schema().validate(body.decode())
    document = ET.fromstring(body)  # noqa: S314 -- the file the test has just been given
    transactions = document.findall(".//p:CdtTrfTxInf", NS)
    assert len(transactions) == 2
    read = {
        (
            t.findtext("p:Cdtr/p:Nm", namespaces=NS),
            t.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
            int(t.findtext("p:Amt/p:InstdAmt", namespaces=NS).replace(".", "")),
            t.findtext("p:RmtInf/p:Ustrd", namespaces=NS),
        )
        for t in transactions
    }
    # The XML carries the banks' basic Latin set: Polish letters are transliterated.
    assert read == {
        (name, account, amount, title.replace("ł", "l")) for name, account, amount, title in wanted
    }
    assert {t.find("p:Amt/p:InstdAmt", NS).get("Ccy") for t in transactions} == {"PLN"}
    assert document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "750.00"
    assert document.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == CENTRE_ACCOUNT

    pdf = o.client.get(f"{o.url}/cash-list.pdf")
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Gotówka Halina" in text
    assert "Pigwa" not in text
    assert "Obcy" not in text


def test_a_change_still_waiting_for_staff_leaves_the_old_account_in_the_file(app, march):
    """The classic diversion: the participant's new account is not paid until staff confirm it."""
    o = march
    with app.app_context():
        pigwa = db.session.get(Participant, o.person)
        bank_accounts.request_change(
            pigwa,
            account=OWNER_ACCOUNT,
            owner="",
            paid_in_cash=False,
            actor=db.session.get(User, o.worker),
            now=utcnow(),
        )
        db.session.commit()
    page = o.client.get(f"{o.url}/export").get_data(as_text=True)
    assert (
        translated(
            app,
            "A change of account waits for confirmation: this account is used until it is "
            "confirmed.",
        )
        in page
    )
    export(o)
    accounts = {
        record[8].split("|")[0]: "PL" + record[6]
        for record in elixir_records(o.client.get(f"{o.url}/transfers.txt").data)
    }
    assert accounts["Genowefa Pigwa"] == PIGWA_ACCOUNT


def test_exporting_locks_the_list_and_a_correction_is_a_new_list(app, march, make_allowance):
    o = march
    export(o)
    with app.app_context():
        on_list = set(
            db.session.scalars(select(Instalment.id).where(Instalment.payment_list_id == o.list))
        )
    late = make_allowance(o.other, o.worker, amount=77_00, first_month=MARCH)
    assert approve(app, [late], o.boss)[0] == [late]

    # Opening March again leaves the exported list as it was: the late one goes on a correction.
    response = o.client.post("/staff/payments", data={"month": "2026-03"})
    correction = int(response.headers["Location"].rsplit("/", 1)[1])
    assert correction != o.list
    with app.app_context():
        assert (
            set(
                db.session.scalars(
                    select(Instalment.id).where(Instalment.payment_list_id == o.list)
                )
            )
            == on_list
        )
        second = db.session.get(PaymentList, correction)
        assert (second.month, second.sequence, second.is_locked) == (MARCH, 2, False)
        assert [i.allowance_id for i in second.instalments] == [late]
    page = o.client.get(f"/staff/payments/{correction}").get_data(as_text=True)
    assert translated(app, "correction %(n)d", n=1) in page

    # Nothing leaves it either: ending the contract would cancel March, which is on the list.
    def end_contract():
        contract = db.session.get(SocialContract, o.contract)
        end = date(2026, 2, 15)
        return entitlements.end_for_contract(
            contract,
            end,
            reason="Rezygnacja",
            confirmed=entitlements.preview_for_contract(contract, end).fingerprint,
            actor=db.session.get(User, o.worker),
            now=NOW,
        )

    refused = run(app, end_contract)
    assert isinstance(refused, ListSentToBank), refused
    with app.app_context():
        assert db.session.scalar(
            select(func.count(Instalment.id)).where(Instalment.payment_list_id == o.list)
        ) == len(on_list)

    # Exporting twice is refused: the kept files stay those first made.
    page = followed(o.client, o.client.post(f"{o.url}/export"))
    assert translated(app, "This payment list has already been exported.") in page
    with app.app_context():
        assert db.session.scalar(select(func.count(TransferFile.id))) == 3


def test_a_download_gives_the_same_bytes_and_the_trail_names_who_and_which(app, march):
    o = march
    export(o)
    first = o.client.get(f"{o.url}/transfers.txt").data
    xml = o.client.get(f"{o.url}/transfers.xml").data
    # The account changes after the export: the file is what the bank was given.
    with app.app_context():
        db.session.get(Participant, o.person).bank_account = OWNER_ACCOUNT
        db.session.commit()
    assert o.client.get(f"{o.url}/transfers.txt").data == first
    assert o.client.get(f"{o.url}/transfers.xml").data == xml
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "document.download", AuditEntry.entity_id == o.list)
            .order_by(AuditEntry.id)
        ).all()
        assert [(r.actor_id, r.changes["format"]["new"]) for r in rows] == [
            (o.boss, "elixir"),
            (o.boss, "sepa"),
            (o.boss, "elixir"),
            (o.boss, "sepa"),
        ]
        assert rows[0].changes["sha256"]["new"] == hashlib.sha256(first).hexdigest()
        assert rows[1].changes["sha256"]["new"] == hashlib.sha256(xml).hexdigest()
        export_entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "payment_list.export")
        )
        assert export_entry.changes["sha256_elixir"]["new"] == hashlib.sha256(first).hexdigest()
        assert export_entry.changes["transfers"]["new"] == 2
        assert export_entry.changes["cash"]["new"] == 1


def test_every_problem_is_listed_and_no_file_is_made(app, march):
    o = march
    with app.app_context():
        db.session.get(Centre, o.centre).bank_account = None
        pigwa = db.session.get(Participant, o.person)
        pigwa.bank_account = PIGWA_ACCOUNT[:-1] + "8"  # a wrong check digit
        obcy = db.session.get(Participant, o.other)
        obcy.bank_account_owner = "Zofia ☃ Obca"
        over = db.session.scalar(
            select(Instalment).where(
                Instalment.payment_list_id == o.list,
                Instalment.allowance.has(participant_id=o.other),
            )
        )
        over.amount_grosze = bank_formats.MAX_GROSZE + 1
        db.session.commit()
    page = o.client.get(f"{o.url}/export").get_data(as_text=True)
    for message, params in (
        (
            "The centre's own bank account is not set: a coordinator enters it in the "
            "centre's set-up.",
            {},
        ),
        ("%(name)s: the account number is not valid.", {"name": "Genowefa Pigwa"}),
        (
            "%(name)s: the amount is over what one transfer in the file may carry "
            "(under 1 000 000 zł).",
            {"name": "Zenon Obcy"},
        ),
    ):
        assert translated(app, message, **params) in page
    assert "☃" in page
    assert translated(app, "Make the files and lock the list") not in page

    # Posted anyway: refused, nothing kept, the list still open.
    page = followed(o.client, o.client.post(f"{o.url}/export"))
    assert (
        translated(app, "The transfer files were not made: the list has problems to correct first.")
        in page
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(TransferFile.id))) == 0
        assert not db.session.get(PaymentList, o.list).is_locked
    assert o.client.get(f"{o.url}/transfers.txt").status_code == 404


def test_an_amount_of_zero_and_characters_no_format_carries_are_problems(app, march):
    with app.app_context():
        person = db.session.get(Participant, march.person)
        instalment = Instalment(amount_grosze=0, month=MARCH)
        payment = transfer_files.Payment(
            instalment, person, payee="Genowefa 😀 Pigwa", account=PIGWA_ACCOUNT, title="x"
        )
        messages = [str(p.message) for p in transfer_files._problems_of(payment)]
        db.session.rollback()
    assert any("0" in m and "Genowefa Pigwa" in m for m in messages)
    assert sum("😀" in m for m in messages) == 2  # neither file carries it


def test_texts_are_transliterated_refused_or_cut_with_care():
    assert bank_formats.transliterated("Søren Żółć", bank_formats.ELIXIR) == "Soren Żółć"
    assert bank_formats.transliterated("Søren Żółć", bank_formats.SEPA) == "Soren Zolc"
    assert bank_formats.unfit_characters('Kowalski "Junior" | ☃', bank_formats.ELIXIR) == '"|☃'
    assert bank_formats.unfit_characters("Nowak & syn", bank_formats.SEPA) == "&"
    long_number = "KS/2026/" + "1234567890" * 6
    title = bank_formats.fitted_title(f"Zasiłek okresowy 11/2026, kontrakt {long_number} extra")
    assert title.startswith("Zasiłek okresowy 11/2026, kontrakt")
    assert len(title) <= 140
    assert len(bank_formats.lines(title)) <= 4
    assert " ".join(bank_formats.lines(title)).replace(" ", "") == title.replace(" ", "")
    assert bank_formats.cut("Ośrodek Pomocy Społecznej", 20) == "Ośrodek Pomocy"


def test_the_demos_current_month_makes_files_that_read_back_to_its_list(app, demo):
    """Each participant with an allowance due this month is paid by transfer or in cash, and the
    files read back to the list's transfers."""
    with app.app_context():
        centre = db.session.scalar(select(Centre).where(Centre.short_name == "ops-janow"))
        coordinator = db.session.scalar(select(User).where(User.email == "koordynator@example.org"))
        now = utcnow()
        month = transfer_files.dates.local_date(now).replace(day=1)
        payment_list = payments.get_or_create(centre.id, month, actor=coordinator, now=now)
        plan = transfer_files.plan(payment_list)
        assert plan.problems == []
        assert len(plan.transfers) >= 3
        assert len(plan.cash) == 1
        assert len({p.person.id for p in plan.transfers + plan.cash}) >= 4
        wanted = {
            (p.payee, p.account, p.amount_grosze, p.title, p.instalment.month)
            for p in plan.transfers
        }
        made = transfer_files.batch(plan, now=now)
        elixir, xml = bank_formats.elixir(made), bank_formats.sepa(made)
        db.session.rollback()
    assert {w[4] for w in wanted} == {month}
    # The payee's field is the name's lines, then the address: its first line starts the name.
    assert Counter(
        (
            r[8].split("|")[0],
            "PL" + r[6],
            int(r[2]),
            " ".join(line for line in r[11].split("|") if line),
        )
        for r in elixir_records(elixir)
    ) == Counter(
        (bank_formats.lines(payee)[0], account, amount, title)
        for payee, account, amount, title, _month in wanted
    )

    pain_schema().validate(xml.decode())
    transactions = ET.fromstring(xml).findall(".//p:CdtTrfTxInf", NS)  # noqa: S314
    assert Counter(
        (
            t.findtext("p:Cdtr/p:Nm", namespaces=NS),
            t.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
            int(t.findtext("p:Amt/p:InstdAmt", namespaces=NS).replace(".", "")),
            t.findtext("p:RmtInf/p:Ustrd", namespaces=NS),
        )
        for t in transactions
    ) == Counter(
        (
            bank_formats.transliterated(payee, bank_formats.SEPA),
            account,
            amount,
            bank_formats.transliterated(title, bank_formats.SEPA),
        )
        for payee, account, amount, title, _month in wanted
    )
