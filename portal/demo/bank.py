"""The demo's payment details: the centre's own account, an account for most people on a
contract (the current month's allowances are theirs), one of them paid in cash, and a change of
account the participant asked for, waiting for staff.

The accounts are synthetic: real banks' sort codes with random account digits, given valid
check digits by python-stdnum, so that every format that checks them accepts them.
"""

import random
from datetime import UTC, datetime, timedelta

from stdnum import iban

from portal.models import Centre, Participant
from portal.services.people import bank_accounts

# Sort codes (bank and branch) of Polish banks: PKO BP, Pekao, Santander, mBank, ING.
SORT_CODES = ("10205356", "12406960", "10901463", "11402004", "10501562")


def synthetic_account(rng: random.Random) -> str:
    """A valid PL account number nobody holds (random digits behind a real sort code)."""
    bban = rng.choice(SORT_CODES) + "".join(rng.choice("0123456789") for _ in range(16))
    return f"PL{iban.calc_check_digits(f'PL00{bban}')}{bban}"


def payment_details(
    *,
    centre: Centre,
    contract_people: list[Participant],
    uczestnik: Participant,
    with_work: bool,
) -> None:
    # Its own sequence: the rest of the demo stays as it was (synthetic data, not secrets).
    rng = random.Random(23)  # noqa: S311
    centre.bank_account = synthetic_account(rng)
    cash = contract_people[7]  # back on a contract this year (demo.year)
    for person in contract_people:
        if person is not cash:
            # History, not a change made now: no e-mail, as for every record the demo writes.
            person.bank_account = synthetic_account(rng)
    cash.paid_in_cash = True
    # One account is a relative's: the holder's name goes on the transfer.
    contract_people[5].bank_account_owner = f"Maria {contract_people[5].last_name}"
    if not with_work or uczestnik.user is None:
        return
    now = datetime.now(UTC)
    # The participant asked online to be paid to a new account: it waits for staff, and the
    # month's list still pays the account in force.
    bank_accounts.request_change(
        uczestnik,
        account=synthetic_account(rng),
        owner="",
        paid_in_cash=False,
        actor=uczestnik.user,
        now=now - timedelta(hours=2),
    )
