"""A centre's staff accounts: roles, deactivation and reactivation, handing over a caseload;
the centre's accounts (staff and participants) whose invitation is still unused.

The centre always keeps one active coordinator: a change that would leave it without one is
refused. Such changes lock the centre's row first, so two coordinators removing each other at
the same moment cannot both succeed.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update

from portal import database
from portal.extensions import db
from portal.models import AuditEntry, Centre, Participant, User, UserRole
from portal.models.enums import STAFF_ROLES, Role
from portal.services.accounts import accounts
from portal.services.audit import audit
from portal.services.common import loading
from portal.services.common.errors import Forbidden, PortalError

# The roles a centre gives its own staff; an administrator's role is given by the installation.
CENTRE_ROLES = (Role.ADVISOR, Role.SOCIAL_WORKER, Role.COORDINATOR)
# Whose caseload a role keeps: the participant's column naming them.
CASELOAD_COLUMNS = {
    Role.ADVISOR: Participant.advisor_id,
    Role.SOCIAL_WORKER: Participant.social_worker_id,
}


class StaffChangeRefused(PortalError):
    pass


def _staff_ids() -> Select[int]:
    return select(UserRole.user_id).where(UserRole.role.in_(STAFF_ROLES))


def list_accounts(centre_id: int) -> list[User]:
    """Every staff account of the centre, active first, deactivated ones too."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.centre_id == centre_id, User.id.in_(_staff_ids()))
            .order_by(User.is_active.desc(), User.last_name, User.first_name, User.id)
        )
    )


def get_account(centre_id: int, user_id: int) -> User:
    """A staff account of this centre; a participant's or another centre's is as good as missing."""
    return loading.one(
        select(User).where(
            User.id == user_id, User.centre_id == centre_id, User.id.in_(_staff_ids())
        )
    )


@dataclass(frozen=True)
class Invitee:
    """An account whose invitation is unused, when the last one was sent and if its link died."""

    user: User
    sent_at: datetime | None
    expired: bool


def awaiting_password(centre_id: int, *, actor: User, now: datetime) -> list[Invitee]:
    """The centre's accounts, staff and participants, that can sign in but never set a password.

    An administrator's account is listed only to an administrator, who alone may change it.
    """
    sent = (
        select(AuditEntry.entity_id, func.max(AuditEntry.at).label("sent_at"))
        .where(
            AuditEntry.centre_id == centre_id,
            AuditEntry.entity_type == User.__tablename__,
            AuditEntry.action.in_(("user.invite", "user.invite_resent")),
        )
        .group_by(AuditEntry.entity_id)
        .subquery()
    )
    query = (
        select(User, sent.c.sent_at)
        .outerjoin(sent, sent.c.entity_id == User.id)
        .where(User.centre_id == centre_id, User.is_active.is_(True), User.password_hash.is_(None))
        .order_by(User.last_name, User.first_name, User.id)
    )
    if not actor.has_role(Role.ADMIN):
        query = query.where(
            User.id.not_in(select(UserRole.user_id).where(UserRole.role == Role.ADMIN))
        )
    max_age = current_app.config["INVITATION_MAX_AGE"]
    return [
        Invitee(user, sent_at, sent_at is not None and sent_at + max_age < now)
        for user, sent_at in db.session.execute(query)
    ]


def get_invitee(centre_id: int, user_id: int, *, actor: User) -> User:
    """An account of this centre, staff or participant, whose invitation `actor` may send again.

    Another centre's account is as good as missing; an administrator's is changed only by an
    administrator.
    """
    user = loading.one(select(User).where(User.id == user_id, User.centre_id == centre_id))
    _may_change(user, actor)
    return user


def caseload_counts(user: User) -> dict[Role, int]:
    """How many of the centre's participants the user keeps, per caseload role."""
    return {
        role: db.session.scalars(
            select(func.count(Participant.id)).where(
                Participant.centre_id == user.centre_id, column == user.id
            )
        ).one()
        for role, column in CASELOAD_COLUMNS.items()
    }


def successors(centre_id: int, role: Role, *, leaving: User) -> list[User]:
    """Active staff of the centre holding `role`, who can take over `leaving`'s caseload."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.centre_id == centre_id,
                User.is_active.is_(True),
                User.id != leaving.id,
                User.id.in_(select(UserRole.user_id).where(UserRole.role == role)),
            )
            .order_by(User.last_name, User.first_name, User.id)
        )
    )


def may_change(user: User, actor: User) -> bool:
    """An installation administrator's account is changed only by an administrator."""
    return actor.has_role(Role.ADMIN) or not user.has_role(Role.ADMIN)


def _may_change(user: User, actor: User) -> None:
    if not may_change(user, actor):
        raise Forbidden()


def _keep_a_coordinator(user: User, *, field: str | None) -> None:
    """Refuse when `user` is the centre's last active coordinator (the centre's row is locked)."""
    db.session.execute(
        select(Centre.id).where(Centre.id == user.centre_id).with_for_update()
    ).first()
    others = db.session.scalar(
        select(func.count(User.id)).where(
            User.centre_id == user.centre_id,
            User.is_active.is_(True),
            User.id != user.id,
            User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.COORDINATOR)),
        )
    )
    if not others:
        raise StaffChangeRefused(
            _l(
                "%(name)s is the centre's only coordinator. Give another person the "
                "coordinator role first.",
                name=user.full_name,
            ),
            field=field,
        )


def change_roles(user: User, roles: set[Role], *, actor: User) -> bool:
    """Give the user these of the centre's roles; roles the centre does not give are kept.

    Returns False when nothing changed. Every session of the user ends (through
    `accounts.set_roles`), so the new rights apply at once.
    """
    _may_change(user, actor)
    chosen = {role for role in roles if role in CENTRE_ROLES}
    if not chosen:
        raise StaffChangeRefused(_l("Choose at least one role."), field="roles")
    new = {role for role in user.roles if role not in CENTRE_ROLES} | chosen
    if new == set(user.roles):
        return False
    if user.has_role(Role.COORDINATOR) and Role.COORDINATOR not in new and user.is_active:
        _keep_a_coordinator(user, field="roles")
    accounts.set_roles(user, new, actor=actor)
    return True


def _set_active(user: User, active: bool, *, actor: User, now: datetime) -> None:
    # Conditional on the current state: a second click (or a second tab) changes nothing twice.
    values: dict[str, Any] = {"is_active": active}
    if not active:
        # Every session and every invitation or reset link sent before dies with the account.
        values |= {"session_token": accounts.new_token(), "link_nonce": accounts.new_token()}
    changed = database.rows_changed(
        update(User)
        .where(User.id == user.id, User.is_active.is_(not active))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed != 1:
        raise StaffChangeRefused(
            _l("The account is already active.")
            if active
            else _l("The account is already deactivated.")
        )
    db.session.refresh(user)
    audit.record(
        "user.reactivate" if active else "user.deactivate",
        user,
        actor=actor,
        centre_id=user.centre_id,
        changes={"is_active": (not active, active)},
        at=now,
    )


def deactivate(user: User, *, actor: User, now: datetime) -> None:
    """Close the account: it is signed out everywhere at once and cannot sign in again."""
    _may_change(user, actor)
    if user.id == actor.id:
        raise StaffChangeRefused(_l("You cannot deactivate your own account."))
    if user.has_role(Role.COORDINATOR) and user.is_active:
        _keep_a_coordinator(user, field=None)
    _set_active(user, False, actor=actor, now=now)


def reactivate(user: User, *, actor: User, now: datetime) -> None:
    """Open a deactivated account again, with the password it had."""
    _may_change(user, actor)
    _set_active(user, True, actor=actor, now=now)


def hand_over(leaving: User, successor: User, role: Role, *, actor: User, now: datetime) -> int:
    """Every participant `leaving` keeps in `role` becomes `successor`'s, in one UPDATE.

    The successor must be an active member of the same centre holding the role. Each moved
    participant gets its own audit entry (one INSERT), so the change shows in every person's
    history like any other change of their advisor or social worker. Returns how many moved.
    """
    if role not in CASELOAD_COLUMNS:
        raise StaffChangeRefused(_l("Choose whose caseload to hand over."), field="role")
    if (
        successor.centre_id != leaving.centre_id
        or successor.id == leaving.id
        or not successor.is_active
        or not successor.has_role(role)
    ):
        raise StaffChangeRefused(
            _l("Choose an active colleague with the %(role)s role.", role=role.label),
            field="successor_id",
        )
    column = CASELOAD_COLUMNS[role]
    moved = list(
        db.session.scalars(
            update(Participant)
            .where(Participant.centre_id == leaving.centre_id, column == leaving.id)
            # A form opened on a moved record before now meets a conflict instead of undoing it.
            .values({column.key: successor.id, "version_id": Participant.version_id + 1})
            .returning(Participant.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not moved:
        raise StaffChangeRefused(
            _l("%(name)s has nobody to hand over in this role.", name=leaving.full_name),
            field="role",
        )
    audit.record_many(
        f"participant.{'advisor' if role == Role.ADVISOR else 'social_worker'}",
        Participant.__tablename__,
        sorted(moved),
        actor=actor,
        centre_id=leaving.centre_id,
        changes={column.key: (leaving.id, successor.id)},
        at=now,
    )
    return len(moved)
