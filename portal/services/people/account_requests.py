"""A resident without an account asks for one; the centre's staff accept or refuse."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import AccountRequest, Centre, ConsentKind, User, Village
from portal.models.enums import CentreKind, RequestStatus
from portal.services.accounts import accounts
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import AlreadyExists, PortalError
from portal.services.lifecycle import transitions
from portal.services.mail import mail
from portal.services.people import consents, participants


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
    return request


def list_pending(centre_id: int) -> list[AccountRequest]:
    return list(
        db.session.scalars(
            select(AccountRequest)
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


def accept(request_id: int, centre_id: int, *, actor: User, now: datetime) -> User:
    """Record the resident as a PAL participant, create their account and send the invitation."""
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
