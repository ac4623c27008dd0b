"""Who read whose data: every staff page that shows one participant's data, and every list of
people, leaves an entry in the audit trail (ASVS 8.3.5), one per page view."""

from collections.abc import Sequence

from flask import request
from flask_login import current_user

from portal.models import AccountRequest, Participant
from portal.services.audit import audit_trail


def viewed(person: Participant, page: str, record_id: int | None = None) -> None:
    """The page shows `person`'s data (one of their records, `record_id`, if it is one record's).

    Only a GET is a reading: a POST is a change, audited by its service, and the form it sends
    back was read, and recorded, when the page was opened.
    """
    if request.method == "GET":
        audit_trail.record_view(person, actor=current_user, page=page, record_id=record_id)


def listed(people: Sequence[Participant], page: str, *, searched: bool = False) -> None:
    """The page names `people`, in rows or as choices in a form: one entry for all of them.

    Only a GET, as for `viewed`, unless the list answers a posted search (`searched`: a search
    is posted so that a PESEL stays out of the address).
    """
    if searched or request.method == "GET":
        audit_trail.record_list_view(people, actor=current_user, page=page)


def requests_listed(requests: Sequence[AccountRequest]) -> None:
    """The page names residents asking for an account (a GET; a refusal sent back is a change)."""
    if request.method == "GET":
        audit_trail.record_request_list_view(requests, actor=current_user)
