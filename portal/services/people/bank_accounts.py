"""Where a participant's allowances are paid: a Polish bank account, or cash / postal order.

The account is kept in electronic IBAN form ("PL" and 26 digits) and checked by python-stdnum.
Staff set it directly; a participant's own change is a request that waits for staff, because a
changed account is the classic route to divert benefits: until it is confirmed, payments go to
the account in force (`account_for_payment`). Every change is audited and the person is told by
e-mail, so that a change they did not make does not go unnoticed.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from stdnum import iban
from stdnum.exceptions import ValidationError

from portal.extensions import db
from portal.models import BankAccountChange, BankAccountChangeStatus, Centre, Participant, User
from portal.models.people import masked_account
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import PortalError
from portal.services.common.pages import Pages
from portal.services.lifecycle import transitions
from portal.services.mail import mail
from portal.services.people import participant_record

COUNTRY = "PL"
DIGITS = 26  # the NRB: two check digits, the bank's sort code, the account itself
OWNER_LENGTH = 140
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# What people type between the groups of digits: spaces (also non-breaking), hyphens, dots.
_SEPARATORS = re.compile(r"[\s\u00a0\u202f.-]+")

ACCOUNT = "bank_account"
OWNER = "bank_account_owner"
CASH = "paid_in_cash"


class InvalidAccount(PortalError):
    message = _l("Enter the account number: 26 digits, optionally with PL in front.")


@dataclass(frozen=True)
class Payee:
    """Where one payment goes: an account (with its holder, when not the participant), or
    cash / postal order (`account` None)."""

    account: str | None
    owner: str | None

    @property
    def in_cash(self) -> bool:
        return self.account is None


def normalise(text: str, *, field: str = ACCOUNT) -> str | None:
    """The account in electronic form ("PL" and 26 digits), or None for an empty entry.

    Accepts what people copy from a bank statement: the 26-digit NRB or the PL IBAN, in groups
    or not. Refuses, beside `field`, anything else, each with what is wrong.
    """
    if _CONTROL.search(text):
        raise InvalidAccount(
            _l("Write the account number on one line, without control characters."), field=field
        )
    compact = _SEPARATORS.sub("", text).upper()
    if not compact:
        return None
    if compact[:2].isalpha():
        if compact[:2] != COUNTRY:
            raise InvalidAccount(
                _l("Enter a Polish account number: PL and 26 digits, or the 26 digits alone."),
                field=field,
            )
        compact = compact[2:]
    if not compact.isdigit():
        raise InvalidAccount(
            _l("An account number has digits only (PL may stand in front). Check what you typed."),
            field=field,
        )
    if len(compact) != DIGITS:
        raise InvalidAccount(
            _l(
                "An account number has 26 digits; this one has %(num)d. Check what you typed.",
                num=len(compact),
            ),
            field=field,
        )
    number = COUNTRY + compact
    try:
        iban.validate(number)
    except ValidationError as error:
        raise InvalidAccount(
            _l(
                "This account number does not exist: its check digits do not match. "
                "Check every digit against the bank statement."
            ),
            field=field,
        ) from error
    return number


def grouped(account: str | None) -> str:
    """The account as printed on statements: "PL61 1090 1014 0000 0712 1981 2874"."""
    return iban.format(account) if account else ""


def masked(account: str | None) -> str:
    """The account as every page but its editing page shows it (the transfer file aside)."""
    return masked_account(account)


def _owner(text: str, *, field: str = OWNER) -> str | None:
    owner = " ".join(text.split())
    if _CONTROL.search(text):
        raise PortalError(
            _l("Write the name on one line, without control characters."), field=field
        )
    if len(owner) > OWNER_LENGTH:
        raise PortalError(
            _l("Shorten it: at most %(num)d characters.", num=OWNER_LENGTH), field=field
        )
    return owner or None


def checked(account_text: str, owner_text: str, paid_in_cash: bool) -> dict[str, Any]:
    """The payment details as the record keeps them: an account (with its holder when not
    the participant) or cash, never both; the first broken rule is refused beside its field."""
    account = normalise(account_text)
    owner = _owner(owner_text)
    if paid_in_cash:
        if account is not None:
            raise PortalError(
                _l("Either an account or cash: clear the account number to pay in cash."),
                field=ACCOUNT,
            )
        return {ACCOUNT: None, OWNER: None, CASH: True}
    if account is None:
        raise PortalError(
            _l("Enter the account number, or choose payment in cash or by postal order."),
            field=ACCOUNT,
        )
    return {ACCOUNT: account, OWNER: owner, CASH: False}


def account_for_payment(person: Participant) -> str | None:
    """The account a payment made now goes to: the one in force, never a change still waiting
    for confirmation; None pays in cash / by postal order (chosen so, or no account given)."""
    return None if person.paid_in_cash else person.bank_account


def payee(person: Participant) -> Payee:
    """Where a payment made now goes, with the holder's name when it is not the participant."""
    account = account_for_payment(person)
    return Payee(account, person.bank_account_owner if account else None)


def pending_changes(participant_ids: Sequence[int]) -> dict[int, BankAccountChange]:
    """The change waiting for confirmation of each of these people who has one (one query): a
    payment list says that it still uses the old account."""
    if not participant_ids:
        return {}
    rows = db.session.scalars(
        select(BankAccountChange).where(
            BankAccountChange.participant_id.in_(list(participant_ids)),
            BankAccountChange.status == BankAccountChangeStatus.PENDING,
        )
    )
    return {row.participant_id: row for row in rows}


def pending_change(person: Participant) -> BankAccountChange | None:
    return pending_changes([person.id]).get(person.id)


def set_account(
    person: Participant,
    *,
    account: str,
    owner: str,
    paid_in_cash: bool,
    version: int,
    actor: User,
    now: datetime,
) -> dict[str, tuple[Any, Any]]:
    """Staff record where the person is paid; a form opened on an older version of the record
    is refused. The person is told by e-mail when the account or the choice of cash changed."""
    participant_record.check_version(person, version)
    values = checked(account, owner, paid_in_cash)
    changes = audit.diff(person, values)
    if changes:
        participant_record.save(person)
        audit.record("participant.bank_account", person, actor=actor, changes=changes, at=now)
        _tell(person, "bank_account_changed", now=now)
    return changes


def request_change(
    person: Participant, *, account: str, owner: str, paid_in_cash: bool, actor: User, now: datetime
) -> BankAccountChange:
    """The participant asks to be paid elsewhere: the request waits for staff, and the account
    in force stays until then. A newer request replaces one still waiting."""
    values = checked(account, owner, paid_in_cash)
    in_force = {ACCOUNT: person.bank_account, OWNER: person.bank_account_owner}
    if values == in_force | {CASH: person.paid_in_cash}:
        raise PortalError(_l("These are the payment details in force already."), field=ACCOUNT)
    waiting = pending_change(person)
    if waiting is not None:
        transitions.move(
            waiting,
            "withdraw",
            refusal=PortalError(_l("This change has already been decided.")),
            actor=actor,
            now=now,
        )
    change = BankAccountChange(
        centre_id=person.centre_id,
        participant_id=person.id,
        requested_at=now,
        requested_by_id=actor.id,
        **values,
    )
    try:
        with db.session.begin_nested():
            db.session.add(change)
            db.session.flush()
    except IntegrityError as error:  # the same form sent twice at once
        raise PortalError(
            _l("Your change has just been sent from another window. Reload the page.")
        ) from error
    audit.record(
        "bank_account_change.requested",
        change,
        actor=actor,
        at=now,
        changes={name: (None, value) for name, value in values.items()},
    )
    return change


def _pending_of(centre_id: int) -> list[ColumnElement[bool]]:
    return [
        BankAccountChange.centre_id == centre_id,
        BankAccountChange.status == BankAccountChangeStatus.PENDING,
    ]


def list_pending(centre_id: int, pages: Pages | None = None) -> list[BankAccountChange]:
    """The centre's changes waiting for staff, oldest first (one page of them if asked)."""
    query = (
        select(BankAccountChange)
        .where(*_pending_of(centre_id))
        .options(joinedload(BankAccountChange.participant))
        .order_by(BankAccountChange.requested_at, BankAccountChange.id)
    )
    return list(db.session.scalars(pages.of(query) if pages else query))


def count_pending(centre_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                BankAccountChange.centre_id == centre_id,
                BankAccountChange.status == BankAccountChangeStatus.PENDING,
            )
        )
        or 0
    )


def get_change(change_id: int, centre_id: int, *, for_update: bool = False) -> BankAccountChange:
    return loading.of_centre(BankAccountChange, change_id, centre_id, for_update=for_update)


def confirm(change_id: int, centre_id: int, *, actor: User, now: datetime) -> BankAccountChange:
    """Staff confirm a participant's change: from now on payments go to the new account."""
    change = get_change(change_id, centre_id, for_update=True)
    transitions.move(
        change,
        "confirm",
        refusal=PortalError(_l("This change has already been decided.")),
        actor=actor,
        now=now,
        decided_by_id=actor.id,
        decided_at=now,
    )
    person = change.participant
    values = {
        ACCOUNT: change.bank_account,
        OWNER: change.bank_account_owner,
        CASH: change.paid_in_cash,
    }
    changes = audit.diff(person, values)
    if changes:
        participant_record.save(person)
        audit.record(
            "participant.bank_account",
            person,
            actor=actor,
            at=now,
            changes=changes | {"change": (None, change.id)},
        )
    _tell(person, "bank_account_changed", now=now)
    return change


def refuse(change_id: int, centre_id: int, *, actor: User, now: datetime) -> BankAccountChange:
    """Staff refuse a participant's change: the account in force stays; the person is told."""
    change = get_change(change_id, centre_id, for_update=True)
    transitions.move(
        change,
        "refuse",
        refusal=PortalError(_l("This change has already been decided.")),
        actor=actor,
        now=now,
        decided_by_id=actor.id,
        decided_at=now,
    )
    _tell(change.participant, "bank_account_refused", now=now)
    return change


def _tell(person: Participant, template: str, *, now: datetime) -> None:
    # Like the notice of a changed password, this asks for no consent to e-mail contact: it is
    # how a person learns that someone else redirected their money.
    address = (person.user.email if person.user else person.email) or None
    if address is None:
        return
    mail.queue(
        address,
        template,
        locale=person.user.locale if person.user else None,
        centre_id=person.centre_id,
        person=person,
        when=now,
        in_cash=account_for_payment(person) is None,
        account=masked(person.bank_account),
    )


def set_centre_account(centre_id: int, text: str, *, actor: User) -> dict[str, tuple[Any, Any]]:
    """The coordinator records the account the centre pays transfers from (audited in clear:
    an organisation's account, not a person's)."""
    centre: Centre = loading.centre(centre_id)
    changes = audit.diff(centre, {ACCOUNT: normalise(text)})
    if changes:
        audit.record(
            "centre.bank_account", centre, actor=actor, centre_id=centre.id, changes=changes
        )
    return changes
