"""A resident without an account asks for one; the centre's staff accept or refuse.

A resident who is already recorded (staff recorded them on paper, or they asked before) is
never recorded twice by an acceptance: staff see the records that may be the person (the same
e-mail address, or the same first name and surname) and either link the account to one of them
or say, explicitly, that it is somebody else. Staff who decide requests see how many wait on
their home page, and those who asked for it get an e-mail when one arrives.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.models import AccountRequest, Centre, ConsentKind, Participant, User, UserRole, Village
from portal.models.enums import CentreKind, RequestStatus, Role
from portal.services.accounts import accounts
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import AlreadyExists, PortalError
from portal.services.common.links import external_url
from portal.services.lifecycle import transitions
from portal.services.mail import mail
from portal.services.people import consents, duplicates, participants

# The roles that decide residents' requests (the pages that decide them allow these).
DECIDERS = (Role.COORDINATOR, Role.SOCIAL_WORKER)


class ChooseRecord(PortalError):
    """The request may be an existing record's person: staff must choose before accepting."""

    message = _l(
        "This resident may already be recorded. Link the account to their record, or say that "
        "this is a different person and create a new record."
    )


def villages_by_centre() -> list[tuple[Centre, list[Village]]]:
    """Every centre with the villages it still serves, for the public request form."""
    centres = db.session.scalars(select(Centre).order_by(Centre.name)).all()
    villages = db.session.scalars(
        select(Village).where(Village.is_active.is_(True)).order_by(Village.name)
    ).all()
    return [(c, [v for v in villages if v.centre_id == c.id]) for c in centres]


def village_optional(centre: Centre) -> bool:
    """A town centre, or a centre with no village in use, takes requests naming no village."""
    if centre.kind == CentreKind.MOPS:
        return True
    return not db.session.scalar(
        select(Village.id).where(Village.centre_id == centre.id, Village.is_active.is_(True))
    )


def _centre_and_village(
    centre_id: int | None, village_id: int | None
) -> tuple[Centre, Village | None]:
    """The centre a request goes to: the village's (which must be the chosen centre's, if one
    was chosen too) or the chosen centre, when it takes requests without a village."""
    village = db.session.get(Village, village_id) if village_id else None
    if village_id and (village is None or not village.is_active):
        raise PortalError(_l("Choose your village from the list."), field="village_id")
    if village is not None:
        if centre_id and village.centre_id != centre_id:
            raise PortalError(
                _l("This village is not served by the centre you chose. Choose again."),
                field="village_id",
            )
        return village.centre, village
    centre = db.session.get(Centre, centre_id) if centre_id else None
    if centre is None:
        raise PortalError(
            _l("Choose your social welfare centre or your village."), field="centre_id"
        )
    if not village_optional(centre):
        raise PortalError(_l("Choose your village from the list."), field="village_id")
    return centre, None


def submit(
    *,
    first_name: str,
    last_name: str,
    email: str,
    village_id: int | None,
    consent: bool,
    now: datetime,
    centre_id: int | None = None,
) -> AccountRequest:
    """Record the request; a pending request for the same address is not duplicated."""
    if not consent:
        raise PortalError(
            _l("We can only process your request with your consent."), field="consent"
        )
    centre, village = _centre_and_village(centre_id, village_id)
    email = accounts.normalise_email(email)
    pending = db.session.scalar(
        select(AccountRequest).where(
            AccountRequest.centre_id == centre.id,
            AccountRequest.email == email,
            AccountRequest.status == RequestStatus.PENDING,
        )
    )
    if pending is not None:
        return pending
    request = AccountRequest(
        centre_id=centre.id,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        village_id=village.id if village else None,
        consent_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
            db.session.flush()
    except IntegrityError:  # the same request sent twice at once
        return db.session.scalars(
            select(AccountRequest).where(
                AccountRequest.centre_id == centre.id,
                AccountRequest.email == email,
                AccountRequest.status == RequestStatus.PENDING,
            )
        ).one()
    audit.record(
        "account_request.submit",
        request,
        actor=None,
        changes={
            "email": (None, email),
            "village_id": (None, village.id if village else None),
        },
    )
    _tell_staff(request)
    return request


def _tell_staff(request: AccountRequest) -> None:
    """E-mail the centre's active staff who decide requests and asked to hear of new ones.

    The message is queued in the request's transaction and leaves after commit, as all mail."""
    deciders = select(UserRole.user_id).where(UserRole.role.in_(DECIDERS))
    recipients = db.session.scalars(
        select(User)
        .where(
            User.centre_id == request.centre_id,
            User.is_active.is_(True),
            User.notify_account_requests.is_(True),
            User.id.in_(deciders),
        )
        .order_by(User.id)
    )
    url = external_url("staff.account_requests")
    for user in recipients:
        # Names only: the resident's address stays on the portal, behind a sign-in.
        mail.queue(
            user.email,
            "account_request_new",
            locale=user.locale,
            centre_id=request.centre_id,
            user=user,
            request=request,
            url=url,
        )


def pending_count(centre_id: int) -> int:
    """How many residents' requests of the centre wait for a decision."""
    return (
        db.session.scalar(
            select(func.count(AccountRequest.id)).where(
                AccountRequest.centre_id == centre_id,
                AccountRequest.status == RequestStatus.PENDING,
            )
        )
        or 0
    )


def set_notification(user: User, wanted: bool, *, actor: User) -> bool:
    """A decider's wish to be e-mailed about new requests; False when nothing changed."""
    if wanted and not user.has_role(*DECIDERS):
        raise PortalError(
            _l("Only staff who decide account requests can be e-mailed about them."),
            field="notify_account_requests",
        )
    if user.notify_account_requests == wanted:
        return False
    audit.record(
        "user.notify_account_requests",
        user,
        actor=actor,
        centre_id=user.centre_id,
        changes={"notify_account_requests": (user.notify_account_requests, wanted)},
    )
    user.notify_account_requests = wanted
    return True


@dataclass(frozen=True)
class Match:
    """A record that may be the resident's, and why: the same address or the same name."""

    person: Participant
    same_email: bool

    @property
    def linkable(self) -> bool:
        """A record with an account of its own cannot take another one."""
        return self.person.user_id is None


def matches(request: AccountRequest) -> list[Match]:
    """The centre's records that may be the resident: the same e-mail address (on the record
    or its account) first, then the same first name and surname (case and diacritics aside)."""
    return matches_of([request]).get(request.id, [])


def matches_of(requests: list[AccountRequest]) -> dict[int, list[Match]]:
    """Each request's possible records (requests of one centre), in a fixed number of
    statements however many requests wait: the page that decides them lists them all."""
    if not requests:
        return {}
    centre_id = requests[0].centre_id
    emails = {request.email for request in requests}
    by_email: dict[str, list[Participant]] = {}
    rows = db.session.execute(
        select(Participant, User.email)
        .options(joinedload(Participant.village))  # told apart on the page, in one statement
        .outerjoin(User, User.id == Participant.user_id)
        .where(
            Participant.centre_id == centre_id,
            or_(func.lower(Participant.email).in_(emails), User.email.in_(emails)),
        )
        .order_by(Participant.id)
    ).unique()
    for person, account_email in rows:
        for email in {(person.email or "").lower(), account_email} & emails:
            by_email.setdefault(email, []).append(person)
    keys = {
        request.id: (
            duplicates.name_key(request.first_name),
            duplicates.name_key(request.last_name),
        )
        for request in requests
    }
    by_name = duplicates.namesakes_by_name(centre_id, set(keys.values()))
    found: dict[int, list[Match]] = {}
    for request in requests:
        same_email = by_email.get(request.email, [])
        seen = {person.id for person in same_email}
        found[request.id] = [Match(person, True) for person in same_email] + [
            Match(person, False)
            for person in by_name.get(keys[request.id], [])
            if person.id not in seen
        ]
    return found


def list_pending(centre_id: int) -> list[AccountRequest]:
    return list(
        db.session.scalars(
            select(AccountRequest)
            .options(selectinload(AccountRequest.village))
            .where(
                AccountRequest.centre_id == centre_id,
                AccountRequest.status == RequestStatus.PENDING,
            )
            .order_by(AccountRequest.created_at)
        )
    )


def _decide(
    request_id: int,
    centre_id: int,
    new: RequestStatus,
    *,
    actor: User,
    now: datetime,
    reason: str | None = None,
) -> AccountRequest:
    request = loading.of_centre(AccountRequest, request_id, centre_id)
    transitions.move(
        request,
        "accept" if new == RequestStatus.ACCEPTED else "refuse",
        refusal=PortalError(_l("This request has already been decided.")),
        actor=actor,
        now=now,
        decided_by_id=actor.id,
        decided_at=now,
        refusal_reason=reason,
    )
    return request


def accept(
    request_id: int,
    centre_id: int,
    *,
    actor: User,
    now: datetime,
    link_to: int | None = None,
    new_record: bool = False,
) -> User:
    """Accept the request: the account goes to the record chosen (`link_to`, one of its
    matches), or to a new PAL participant's record; a request that matches a record is refused
    until staff choose one of the two. The resident is sent the invitation either way."""
    request = loading.of_centre(AccountRequest, request_id, centre_id)
    found = matches(request) if request.status == RequestStatus.PENDING else []
    if link_to is not None:
        chosen = next((m for m in found if m.person.id == link_to), None)
        if chosen is None:
            raise ChooseRecord(_l("Choose one of the records shown for this request."))
        return _link(request, chosen.person, actor=actor, now=now)
    if found and not new_record:
        raise ChooseRecord()
    request = _decide(request_id, centre_id, RequestStatus.ACCEPTED, actor=actor, now=now)
    if accounts.get_by_email(request.email) is not None:
        raise AlreadyExists(_l("An account with this e-mail address already exists."))
    centre = db.session.get_one(Centre, centre_id)
    project = participants.require_project(centre_id)
    person = participants.create_participant(
        centre=centre,
        project=project,
        first_name=request.first_name,
        last_name=request.last_name,
        village=request.village,
        email=request.email,
        on_pal_path=True,
        actor=actor,
    )
    # The request's box covers both: processing to run the project and contact about it.
    for kind in (ConsentKind.PROCESSING, ConsentKind.EMAIL_CONTACT):
        consents.give(person, kind, at=request.consent_at, recorded_by=None)
    user = participants.create_account(person, email=request.email, actor=actor)
    accounts.invite(user, actor=actor)
    return user


def _link(request: AccountRequest, person: Participant, *, actor: User, now: datetime) -> User:
    """The resident's account on the record staff chose; no second record is made."""
    if person.user_id is not None:
        raise ChooseRecord(
            _l(
                "%(name)s's record already has an account. Refuse this request and tell the "
                "person to sign in, or to set a new password if they forgot it.",
                name=person.full_name,
            )
        )
    _decide(request.id, request.centre_id, RequestStatus.ACCEPTED, actor=actor, now=now)
    if accounts.get_by_email(request.email) is not None:
        raise AlreadyExists(_l("An account with this e-mail address already exists."))
    if request.village_id is not None and person.village_id is None:
        audit.record(
            "participant.update",
            person,
            actor=actor,
            changes={"village_id": (None, request.village_id)},
            at=now,
        )
        person.village_id = request.village_id
    # The request's box covers both, as for a new record; what the record holds already stays.
    for kind in (ConsentKind.PROCESSING, ConsentKind.EMAIL_CONTACT):
        if not consents.has_consent(person.id, kind):
            consents.give(person, kind, at=request.consent_at, recorded_by=None)
    try:
        with db.session.begin_nested():
            user = participants.create_account(person, email=request.email, actor=actor)
            db.session.flush()
    except IntegrityError:  # a colleague gave the record its account at the same moment
        raise AlreadyExists(_l("This participant already has an account.")) from None
    audit.record(
        "account_request.linked",
        request,
        actor=actor,
        centre_id=request.centre_id,
        changes={"participant_id": (None, person.id)},
        at=now,
    )
    accounts.invite(user, actor=actor)
    return user


def refuse(
    request_id: int, centre_id: int, *, reason: str, actor: User, now: datetime
) -> AccountRequest:
    request = _decide(
        request_id, centre_id, RequestStatus.REFUSED, actor=actor, now=now, reason=reason
    )
    # The resident is told (they gave us an address for exactly this).
    mail.queue(
        request.email,
        "account_refused",
        locale=None,
        centre_id=centre_id,
        request=request,
        reason=reason,
    )
    return request
