"""A payment list sent to the bank is locked: no instalment joins or leaves it afterwards.

Whoever adds instalments to a list or takes them off it locks the list's row first (FOR
UPDATE, read afresh) and checks it is still open; exporting locks the same row before it reads
the instalments. So an export and a change to the list are one after the other, never
interleaved: the file holds exactly what the list holds.
"""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import PaymentList
from portal.services.common.errors import PortalError


class ListSentToBank(PortalError):
    message = _l("The payment list has been exported to the bank: it cannot be changed.")


def locked(list_ids: Iterable[int | None]) -> list[PaymentList]:
    """The lists, their rows locked for this transaction and read afresh, in id order."""
    ids = sorted({i for i in list_ids if i is not None})
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(PaymentList)
            .where(PaymentList.id.in_(ids))
            .order_by(PaymentList.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def refuse_if_exported(list_ids: Iterable[int | None]) -> None:
    """Lock the lists; refuse when any of them has been exported."""
    for payment_list in locked(list_ids):
        if payment_list.is_locked:
            raise ListSentToBank(
                _l(
                    "The payment list of %(month)s has been exported to the bank: nothing can "
                    "be added to it or taken off it. Mark the instalment paid (and recover what "
                    "was overpaid), or make the correction on a new list.",
                    month=f"{payment_list.month:%m/%Y}",
                )
            )
