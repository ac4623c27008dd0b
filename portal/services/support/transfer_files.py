"""Transfer files from a payment list: what the bank pays, and the list of what is paid in cash.

Exporting checks every payment first and lists every problem (an invalid account, an amount of
0 or over the format's limit, a character the bank format cannot carry, the centre's own account
missing); with any problem no file is made and nothing changes. Otherwise, in one transaction,
it makes the Elixir-O file, the pain.001.001.03 file and the cash list, keeps each byte for byte
(`TransferFile`), and locks the list (services/support/list_locks): downloading again gives the
same bytes whatever changed since, and no instalment joins or leaves what the bank was sent.

Who is paid how is read from the person's confirmed account: `Participant.bank_account`, unless
`paid_in_cash`. A change the participant asked for waits for staff (services/people/
bank_accounts) and is not on the record until confirmed, so a list uses the old account.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import (
    Centre,
    Instalment,
    Participant,
    PaymentList,
    TransferFile,
    TransferFileFormat,
    User,
)
from portal.models.enums import AllowanceKind, InstalmentStatus
from portal.models.people import masked_account
from portal.services.audit import audit
from portal.services.common import dates, loading
from portal.services.common.errors import PortalError
from portal.services.support import bank_formats, list_locks, payments
from portal.services.support.bank_formats import ELIXIR, SEPA

# The title is the bank's, always in Polish, whatever language the page is in.
KIND_TITLES = {
    AllowanceKind.PERIODIC: "Zasiłek okresowy",
    AllowanceKind.PURPOSE: "Zasiłek celowy",
}
FORMATS = {ELIXIR: "Elixir-O", SEPA: "XML"}


class ExportRefused(PortalError):
    message = _l("The transfer files were not made: the list has problems to correct first.")


class AlreadyExported(PortalError):
    message = _l("This payment list has already been exported.")


@dataclass(frozen=True)
class Problem:
    """Something that keeps the files from being made, at the person it concerns (if one)."""

    message: LazyString
    participant_id: int | None = None


@dataclass(frozen=True)
class Payment:
    """One instalment as it is paid: to whom, to which account (None: in cash), for what."""

    instalment: Instalment
    person: Participant
    payee: str
    account: str | None
    title: str

    @property
    def amount_grosze(self) -> int:
        return self.instalment.amount_grosze

    @property
    def masked_account(self) -> str:
        return masked_account(self.account)


@dataclass(frozen=True)
class Plan:
    """A list's payments split into transfers and cash, with every problem found."""

    payment_list: PaymentList
    centre: Centre
    transfers: list[Payment] = field(default_factory=list)
    cash: list[Payment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def transfers_grosze(self) -> int:
        return sum(p.amount_grosze for p in self.transfers)

    @property
    def cash_grosze(self) -> int:
        return sum(p.amount_grosze for p in self.cash)


def account_of(person: Participant) -> str | None:
    """Where the person is paid: their confirmed account, or None (in cash or by postal order).

    Read from the record here: services/people imports this subject, so its bank_accounts
    module cannot be imported back."""
    return None if person.paid_in_cash else person.bank_account


def title(instalment: Instalment) -> str:
    """What a transfer pays: "Zasiłek okresowy 11/2026, kontrakt KS/2026/001"."""
    allowance = instalment.allowance
    text = f"{KIND_TITLES[allowance.kind]} {instalment.month:%m/%Y}"
    if allowance.contract is not None and allowance.contract.number:
        text += f", kontrakt {allowance.contract.number}"
    return bank_formats.fitted_title(text)


def plan(payment_list: PaymentList) -> Plan:
    """The list's money payments still due, and every problem that keeps them from a file."""
    centre = db.session.get_one(Centre, payment_list.centre_id)
    result = Plan(payment_list, centre)
    for instalment in payments.items(payment_list):
        allowance = instalment.allowance
        if allowance.kind not in KIND_TITLES or instalment.status != InstalmentStatus.DUE:
            continue  # in-kind help is given, not paid; a paid item is never paid twice
        person = allowance.participant
        account = account_of(person)
        payment = Payment(
            instalment,
            person,
            payee=(person.bank_account_owner or person.full_name) if account else person.full_name,
            account=account,
            title=title(instalment),
        )
        (result.transfers if account else result.cash).append(payment)
        if account:
            result.problems.extend(_problems_of(payment))
    result.problems[:0] = _centre_problems(centre, has_transfers=bool(result.transfers))
    if not result.transfers and not result.cash:
        result.problems.append(Problem(_l("Nothing on this list is due to be paid in money.")))
    return result


def _centre_problems(centre: Centre, *, has_transfers: bool) -> list[Problem]:
    if not has_transfers:
        return []
    if not centre.bank_account:
        return [
            Problem(
                _l(
                    "The centre's own bank account is not set: a coordinator enters it in the "
                    "centre's set-up."
                )
            )
        ]
    problems = []
    if not bank_formats.is_polish_iban(centre.bank_account):
        problems.append(Problem(_l("The centre's own bank account number is not valid.")))
    for name, file_format in FORMATS.items():
        unfit = bank_formats.unfit_characters(centre.name, name)
        if unfit:
            problems.append(
                Problem(
                    _l(
                        "The centre's name has characters the %(format)s file cannot carry: "
                        "%(characters)s",
                        format=file_format,
                        characters=unfit,
                    )
                )
            )
    return problems


def _problems_of(payment: Payment) -> list[Problem]:
    who = payment.person.full_name
    person_id = payment.person.id
    problems = []
    if not bank_formats.is_polish_iban(payment.account or ""):
        problems.append(
            Problem(_l("%(name)s: the account number is not valid.", name=who), person_id)
        )
    if payment.amount_grosze <= 0:
        problems.append(Problem(_l("%(name)s: the amount is 0.", name=who), person_id))
    elif payment.amount_grosze > bank_formats.MAX_GROSZE:
        problems.append(
            Problem(
                _l(
                    "%(name)s: the amount is over what one transfer in the file may carry "
                    "(under 1 000 000 zł).",
                    name=who,
                ),
                person_id,
            )
        )
    for name, file_format in FORMATS.items():
        for what, text in (
            (_l("the account holder's name"), payment.payee),
            (
                _l("the title"),
                payment.title,
            ),
        ):
            unfit = bank_formats.unfit_characters(text, name)
            if unfit:
                problems.append(
                    Problem(
                        _l(
                            "%(name)s: %(what)s has characters the %(format)s file cannot "
                            "carry: %(characters)s",
                            name=who,
                            what=what,
                            format=file_format,
                            characters=unfit,
                        ),
                        person_id,
                    )
                )
    return problems


def batch(result: Plan, *, now: datetime) -> bank_formats.Batch:
    """The plan's transfers as the bank files state them."""
    centre, payment_list = result.centre, result.payment_list
    if not centre.bank_account:
        raise ExportRefused()
    address = tuple(part.strip() for part in centre.postal_address.split(",") if part.strip())
    return bank_formats.Batch(
        message_id=f"LW-{centre.id}-{payment_list.id}",
        created_at=dates.to_local(now),
        execution_date=dates.local_date(now),
        payer=bank_formats.Party(centre.name, centre.bank_account, address[:2]),
        transfers=tuple(
            bank_formats.Transfer(
                reference=f"LW{payment_list.id}-{p.instalment.id}",
                payee=bank_formats.Party(p.payee, p.account or "", _address(p)),
                amount_grosze=p.amount_grosze,
                title=p.title,
            )
            for p in result.transfers
        ),
    )


def _address(payment: Payment) -> tuple[str, ...]:
    """The person's address, on their own account only (an owner's address is not known)."""
    person = payment.person
    if person.bank_account_owner or not person.town:
        return ()
    number = "/".join(n for n in (person.building_number, person.flat_number) if n)
    street = " ".join(part for part in (person.street or person.town, number) if part)
    return (street, " ".join(part for part in (person.postcode, person.town) if part))


def export(
    payment_list: PaymentList,
    *,
    actor: User,
    now: datetime,
    cash_list: Callable[[Plan], bytes],
) -> dict[TransferFileFormat, TransferFile]:
    """Make and keep the list's files and lock the list, or refuse and change nothing.
    `cash_list` renders the cash list's PDF from the plan (a service renders no documents)."""
    (payment_list,) = list_locks.locked([payment_list.id])
    if payment_list.is_locked:
        raise AlreadyExported()
    result = plan(payment_list)
    if result.problems:
        raise ExportRefused()
    bodies: dict[TransferFileFormat, tuple[bytes, list[Payment]]] = {}
    if result.transfers:
        made = batch(result, now=now)
        bodies[TransferFileFormat.ELIXIR] = (bank_formats.elixir(made), result.transfers)
        bodies[TransferFileFormat.SEPA] = (bank_formats.sepa(made), result.transfers)
    if result.cash:
        bodies[TransferFileFormat.CASH] = (cash_list(result), result.cash)
    files = {
        file_format: TransferFile(
            centre_id=payment_list.centre_id,
            payment_list_id=payment_list.id,
            file_format=file_format,
            body=body,
            sha256=hashlib.sha256(body).hexdigest(),
            items=len(paid),
            total_grosze=sum(p.amount_grosze for p in paid),
            made_at=now,
            made_by_id=actor.id,
        )
        for file_format, (body, paid) in bodies.items()
    }
    payment_list.exported_at = now
    payment_list.exported_by_id = actor.id
    try:
        with db.session.begin_nested():
            db.session.add_all(files.values())
            db.session.flush()
    except IntegrityError as error:  # exported by someone else just now
        raise AlreadyExported() from error
    audit.record(
        "payment_list.export",
        payment_list,
        actor=actor,
        at=now,
        changes={
            "exported_at": (None, now),
            "transfers": (None, len(result.transfers)),
            "transfers_grosze": (None, result.transfers_grosze),
            "cash": (None, len(result.cash)),
            "cash_grosze": (None, result.cash_grosze),
        }
        | {f"sha256_{f.file_format.value}": (None, f.sha256) for f in files.values()},
    )
    return files


def files_of(payment_list: PaymentList) -> dict[TransferFileFormat, TransferFile]:
    """The files kept when the list was exported."""
    return {
        f.file_format: f
        for f in db.session.scalars(
            select(TransferFile).where(TransferFile.payment_list_id == payment_list.id)
        )
    }


def stored(payment_list: PaymentList, file_format: TransferFileFormat) -> TransferFile:
    """The list's kept file of `file_format`, or NotFound (not exported, or nothing in it)."""
    return loading.found(files_of(payment_list).get(file_format))


def downloaded(payment_list: PaymentList, kept: TransferFile, *, actor: User) -> None:
    """The trail says who took which file, and its checksum: the one the bank was given."""
    document = "cash_list" if kept.file_format == TransferFileFormat.CASH else "transfer_file"
    audit.record(
        "document.download",
        payment_list,
        actor=actor,
        changes={
            "document": (None, document),
            "format": (None, kept.file_format.value),
            "sha256": (None, kept.sha256),
            "month": (None, f"{payment_list.month:%Y-%m}"),
        },
    )
