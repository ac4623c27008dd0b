"""Participants: recording a person, their account, and who among the staff may see them."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, selectinload

from portal.extensions import db
from portal.models import Centre, ConsentKind, Participant, Project, User, Village
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.accounts import accounts
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import AlreadyExists, Forbidden, PortalError
from portal.services.people import consents, duplicates, labels, participant_record


def create_participant(
    *,
    centre: Centre,
    project: Project,
    first_name: str,
    last_name: str,
    actor: User | None,
    pesel_number: str | None = None,
    village: Village | None = None,
    email: str | None = None,
    on_contract_path: bool = False,
    on_pal_path: bool = False,
    advisor: User | None = None,
    social_worker: User | None = None,
    birth_date: date | None = None,
    no_pesel_country: str = "",
    warn_namesakes: bool = False,
    consent_kinds: tuple[ConsentKind, ...] = (),
    now: datetime | None = None,
) -> Participant:
    """Record a person; a PESEL must be valid and unique in the centre (birth date, sex follow).

    With `warn_namesakes`, a namesake (the same first name and surname) is refused as a
    possible duplicate until staff confirm it is a different person.
    `consent_kinds` are the consents the person signed on the paper form, taken by `actor`."""
    loading.same_centre(centre.id, project, village)
    person = Participant(
        centre_id=centre.id,
        project_id=project.id,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        village_id=village.id if village else None,
        email=accounts.normalise_email(email) if email else None,
        on_contract_path=on_contract_path,
        on_pal_path=on_pal_path,
        advisor_id=advisor.id if advisor else None,
        social_worker_id=social_worker.id if social_worker else None,
    )
    known = participant_record.identity(
        pesel_number or "", no_pesel_country, birth_date, None, country_required=False
    )
    if known["pesel"] and _pesel_taken(centre.id, known["pesel"]):  # without a failed insert
        raise _pesel_already_recorded(centre.id, known["pesel"])
    for name, value in known.items():
        setattr(person, name, value)
    if warn_namesakes:
        duplicates.warn_of_namesakes(
            centre.id,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            village_id=person.village_id,
            pesel=person.pesel,
        )
    try:
        # The unique index decides between two recordings of one PESEL sent at the same time.
        with db.session.begin_nested():
            db.session.add(person)
            db.session.flush()
    except IntegrityError:
        if person.pesel and _pesel_taken(centre.id, person.pesel):
            raise _pesel_already_recorded(centre.id, person.pesel) from None
        raise
    audit.record(
        "participant.create",
        person,
        actor=actor,
        changes={
            "name": (None, person.full_name),
            "pesel": (None, person.pesel),
            "village_id": (None, person.village_id),
        },
    )
    for kind in consent_kinds:
        consents.give(person, kind, at=now or utcnow(), recorded_by=actor)
    return person


def _pesel_taken(centre_id: int, number: str) -> bool:
    return duplicates.pesel_holder(centre_id, number) is not None


def _pesel_already_recorded(centre_id: int, number: str) -> duplicates.PeselTaken:
    return duplicates.PeselTaken(duplicates.pesel_holder(centre_id, number))


def create_account(
    person: Participant,
    *,
    email: str,
    actor: User | None,
    locale: str | None = None,
    password: str | None = None,
) -> User:
    """Give a recorded person an account (participant role) linked to their record."""
    if person.user_id is not None:
        raise AlreadyExists(_l("This participant already has an account."), field="email")
    centre = loading.centre(person.centre_id)
    user = accounts.create_user(
        email=email,
        first_name=person.first_name,
        last_name=person.last_name,
        roles={Role.PARTICIPANT},
        centre=centre,
        actor=actor,
        password=password,
        locale=locale,
    )
    db.session.flush()
    person.user_id = user.id
    person.email = user.email
    audit.record("participant.account", person, actor=actor, changes={"user_id": (None, user.id)})
    return user


def visible_to(staff: User) -> Select[Participant]:
    """The participants a staff member may see: advisors only those assigned to them."""
    query = select(Participant).where(Participant.centre_id == staff.centre_id)
    if staff.has_role(Role.COORDINATOR, Role.SOCIAL_WORKER, Role.ADMIN):
        return query
    if staff.has_role(Role.ADVISOR):
        return query.where(Participant.advisor_id == staff.id)
    return query.where(Participant.id.is_(None))


def list_for_staff(
    staff: User, *, search: str = "", pesel_number: str | None = None, limit: int = 200
) -> list[Participant]:
    """The people a staff member may see, by a part of the name or by a whole PESEL."""
    query = visible_to(staff)
    if pesel_number:
        query = query.where(Participant.pesel == pesel_number)
    elif search:
        like = f"%{search.strip()}%"
        query = query.where(
            or_(Participant.last_name.ilike(like), Participant.first_name.ilike(like))
        )
    query = (
        labels.with_village(query)  # the list tells namesakes apart by it
        .order_by(Participant.last_name, Participant.first_name)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def list_by_ids(centre_id: int, ids: list[int]) -> list[Participant]:
    """The centre's people among `ids`, with their villages (to tell namesakes apart)."""
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Participant)
            .options(selectinload(Participant.village))
            .where(Participant.centre_id == centre_id, Participant.id.in_(ids))
            .order_by(Participant.last_name, Participant.first_name, Participant.id)
        )
    )


def get_for_staff(staff: User, participant_id: int, *, shown: bool = False) -> Participant:
    """A person this member of staff may see (else not found); `shown`: with what their page
    shows beside them (village, advisor, social worker), in the same statement."""
    query = visible_to(staff).where(Participant.id == participant_id)
    if shown:
        query = query.options(
            joinedload(Participant.village),
            *loading.names(Participant.advisor, Participant.social_worker),
        )
    return loading.one(query)


def own_record(user: User) -> Participant:
    """A participant's own record: the only one they can ever reach."""
    person = db.session.scalar(select(Participant).where(Participant.user_id == user.id))
    if person is None:
        raise Forbidden()
    return person


def own_record_as_shown(user: User) -> Participant:
    """The participant's own record with what their page shows of it (the project, the village,
    their social worker and advisor), in one statement."""
    person = db.session.scalar(
        select(Participant)
        .where(Participant.user_id == user.id)
        .options(
            joinedload(Participant.project),
            joinedload(Participant.village),
            # Their names only: the workers' roles are never shown to the participant.
            joinedload(Participant.social_worker).options(lazyload(User.role_rows)),
            joinedload(Participant.advisor).options(lazyload(User.role_rows)),
        )
    )
    if person is None:
        raise Forbidden()
    return person


def current_project(centre_id: int) -> Project | None:
    """The centre's project with the latest start: the one new participants join by default."""
    return db.session.scalar(
        select(Project)
        .where(Project.centre_id == centre_id)
        .order_by(Project.start_date.desc(), Project.id.desc())
        .limit(1)
    )


def require_project(centre_id: int) -> Project:
    """The project new records join; a centre without one cannot record people or events."""
    project = current_project(centre_id)
    if project is None:
        raise PortalError(_l("The centre has no project yet."))
    return project


def list_villages(centre_id: int) -> list[Village]:
    return list(
        db.session.scalars(
            select(Village).where(Village.centre_id == centre_id).order_by(Village.name)
        )
    )


def list_staff(centre_id: int, *roles: Role) -> list[User]:
    from portal.models import UserRole

    query = select(User).where(User.centre_id == centre_id, User.is_active.is_(True))
    if roles:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles))))
    return list(db.session.scalars(query.order_by(User.last_name, User.first_name)))


def get_staff_member(centre_id: int, user_id: int, role: Role) -> User:
    """A member of this centre's staff with `role`; anyone else is as good as missing."""
    from portal.models import UserRole

    return loading.one(
        select(User).where(
            User.id == user_id,
            User.centre_id == centre_id,
            User.id.in_(select(UserRole.user_id).where(UserRole.role == role)),
        )
    )


def assign_advisor(person: Participant, advisor: User | None, *, actor: User) -> None:
    """The coordinator decides which career advisor keeps a person's plan."""
    loading.same_centre(person.centre_id, advisor)
    new = advisor.id if advisor else None
    if person.advisor_id != new:
        audit.record(
            "participant.advisor",
            person,
            actor=actor,
            changes={"advisor_id": (person.advisor_id, new)},
        )
        person.advisor_id = new
