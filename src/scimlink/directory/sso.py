"""SSO configurations and the users and groups assigned to them."""

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scimlink.db.models import (
    Group,
    GroupMember,
    SsoConfig,
    SsoGroupAssignment,
    SsoUserAssignment,
    User,
)
from scimlink.directory.names import clean_name, same_name
from scimlink.errors import Conflict, FieldError, InvalidInput, NotFound
from scimlink.sync import outbox

PROTOCOLS = ("saml", "oidc")


def get_sso_config(session: Session, sso_id: str) -> SsoConfig:
    config = session.get(SsoConfig, sso_id)
    if config is None:
        raise NotFound("SSO configuration", sso_id)
    return config


def _check(
    session: Session, name: str | None, protocol: str | None, current: SsoConfig | None
) -> tuple[str | None, str | None]:
    errors: list[FieldError] = []
    if name is not None:
        try:
            name = clean_name(name, "SSO configuration")
        except ValueError as error:
            errors.append(FieldError("name", str(error)))
        else:
            clash = session.scalar(
                select(SsoConfig).where(same_name(SsoConfig.name, name))
            )
            if clash is not None and clash is not current:
                raise Conflict.field(
                    "name", f"An SSO configuration named {name!r} already exists."
                )
    if protocol is not None:
        protocol = protocol.strip().lower()
        if protocol not in PROTOCOLS:
            errors.append(
                FieldError("protocol", "Unknown protocol; use 'saml' or 'oidc'.")
            )
    if errors:
        raise InvalidInput(errors[0].message, errors)
    return name, protocol


def create_sso_config(session: Session, name: str, protocol: str) -> SsoConfig:
    checked_name, checked_protocol = _check(session, name, protocol, None)
    config = SsoConfig(name=checked_name, protocol=checked_protocol)
    session.add(config)
    session.flush()
    return config


def update_sso_config(
    session: Session, config: SsoConfig, name: str | None, protocol: str | None
) -> SsoConfig:
    checked_name, checked_protocol = _check(session, name, protocol, config)
    if checked_name is not None:
        config.name = checked_name
    if checked_protocol is not None:
        config.protocol = checked_protocol
    session.flush()
    return config


def delete_sso_config(session: Session, config: SsoConfig) -> None:
    affected = assigned_user_ids(session, config.id)
    session.delete(config)
    session.flush()
    outbox.users_changed(session, affected)


def assigned_user_ids(session: Session, sso_id: str) -> set[str]:
    direct = session.scalars(
        select(SsoUserAssignment.user_id).where(
            SsoUserAssignment.sso_config_id == sso_id
        )
    )
    through_groups = session.scalars(
        select(GroupMember.user_id)
        .join(SsoGroupAssignment, SsoGroupAssignment.group_id == GroupMember.group_id)
        .where(SsoGroupAssignment.sso_config_id == sso_id)
    )
    return set(direct) | set(through_groups)


def _check_refs(
    session: Session, user_ids: Collection[str], group_ids: Collection[str]
) -> None:
    errors: list[FieldError] = []
    known_users = set(
        session.scalars(select(User.id).where(User.id.in_(list(user_ids))))
    )
    known_groups = set(
        session.scalars(select(Group.id).where(Group.id.in_(list(group_ids))))
    )
    for index, user_id in enumerate(user_ids):
        if user_id not in known_users:
            errors.append(
                FieldError(f"userIds[{index}]", f"No user with id {user_id!r} exists.")
            )
    for index, group_id in enumerate(group_ids):
        if group_id not in known_groups:
            errors.append(
                FieldError(
                    f"groupIds[{index}]", f"No group with id {group_id!r} exists."
                )
            )
    if errors:
        raise InvalidInput(errors[0].message, errors)


def assign(
    session: Session,
    config: SsoConfig,
    user_ids: Collection[str],
    group_ids: Collection[str],
) -> None:
    user_ids, group_ids = list(dict.fromkeys(user_ids)), list(dict.fromkeys(group_ids))
    _check_refs(session, user_ids, group_ids)
    users_there = set(
        session.scalars(
            select(SsoUserAssignment.user_id).where(
                SsoUserAssignment.sso_config_id == config.id
            )
        )
    )
    groups_there = set(
        session.scalars(
            select(SsoGroupAssignment.group_id).where(
                SsoGroupAssignment.sso_config_id == config.id
            )
        )
    )
    session.add_all(
        SsoUserAssignment(sso_config_id=config.id, user_id=u)
        for u in user_ids
        if u not in users_there
    )
    session.add_all(
        SsoGroupAssignment(sso_config_id=config.id, group_id=g)
        for g in group_ids
        if g not in groups_there
    )
    session.flush()
    outbox.users_changed(session, set(user_ids) | _members(session, group_ids))


def unassign(
    session: Session,
    config: SsoConfig,
    user_ids: Collection[str],
    group_ids: Collection[str],
) -> None:
    affected = set(user_ids) | _members(session, group_ids)
    session.execute(
        delete(SsoUserAssignment).where(
            SsoUserAssignment.sso_config_id == config.id,
            SsoUserAssignment.user_id.in_(list(user_ids)),
        )
    )
    session.execute(
        delete(SsoGroupAssignment).where(
            SsoGroupAssignment.sso_config_id == config.id,
            SsoGroupAssignment.group_id.in_(list(group_ids)),
        )
    )
    session.flush()
    outbox.users_changed(session, affected)


def _members(session: Session, group_ids: Collection[str]) -> set[str]:
    if not group_ids:
        return set()
    return set(
        session.scalars(
            select(GroupMember.user_id).where(GroupMember.group_id.in_(list(group_ids)))
        )
    )


def assignments(session: Session, sso_id: str) -> tuple[list[str], list[str]]:
    users = session.scalars(
        select(SsoUserAssignment.user_id).where(
            SsoUserAssignment.sso_config_id == sso_id
        )
    )
    groups = session.scalars(
        select(SsoGroupAssignment.group_id).where(
            SsoGroupAssignment.sso_config_id == sso_id
        )
    )
    return sorted(users), sorted(groups)
