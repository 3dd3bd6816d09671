"""Reading the identity source the way a push needs it."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from scimlink.db.models import (
    Directory,
    GroupMember,
    Publication,
    SsoConfig,
    SsoGroupAssignment,
    SsoUserAssignment,
    User,
    UserLink,
)
from scimlink.mapping import SourceUser
from scimlink.sync.events import Source


def source_user(user: User) -> SourceUser:
    custom = {
        key: ("true" if value is True else "false" if value is False else str(value))
        for key, value in (user.attributes or {}).items()
        if value is not None
    }
    return SourceUser(
        id=user.id,
        email=user.email,
        first_name=user.first_name or None,
        last_name=user.last_name or None,
        phone_number=user.phone_number or None,
        status="suspended" if user.status == "suspended" else "active",
        custom=custom,
    )


def scope_source(session: Session, connector_id: str, user: User) -> Source | None:
    """The published directory or SSO configuration that brings the user in."""
    directory = session.execute(
        select(Directory.id, Directory.name)
        .join(Publication, Publication.directory_id == Directory.id)
        .where(Publication.connector_id == connector_id)
        .where(Directory.id == user.directory_id)
    ).first()
    if directory is not None:
        return Source("directory", directory[0], directory[1])
    direct = (
        select(SsoConfig.id, SsoConfig.name)
        .join(Publication, Publication.sso_config_id == SsoConfig.id)
        .join(SsoUserAssignment, SsoUserAssignment.sso_config_id == SsoConfig.id)
        .where(Publication.connector_id == connector_id)
        .where(SsoUserAssignment.user_id == user.id)
    )
    through_group = (
        select(SsoConfig.id, SsoConfig.name)
        .join(Publication, Publication.sso_config_id == SsoConfig.id)
        .join(SsoGroupAssignment, SsoGroupAssignment.sso_config_id == SsoConfig.id)
        .join(GroupMember, GroupMember.group_id == SsoGroupAssignment.group_id)
        .where(Publication.connector_id == connector_id)
        .where(GroupMember.user_id == user.id)
    )
    config = session.execute(direct.union(through_group).limit(1)).first()
    if config is not None:
        return Source("sso_config", config[0], config[1])
    return None


def directory_source(session: Session, user: User | None) -> Source | None:
    if user is None:
        return None
    directory = session.get(Directory, user.directory_id)
    return Source("directory", directory.id, directory.name) if directory else None


class ManagerLookup:
    """Resolve a manager given by email (or user id) to its id in the app,
    remembering the reference it could not resolve.

    A report pushed before its manager exists in the app goes without
    manager.value; the remembered reference lets the manager's own push
    queue the report again.
    """

    def __init__(self, session: Session, connector_id: str) -> None:
        self.session = session
        self.connector_id = connector_id
        self.unresolved: str | None = None

    def __call__(self, reference: str) -> str | None:
        key = reference.strip().lower()
        manager = self.session.scalar(
            select(User).where((User.email_key == key) | (User.id == reference))
        )
        link = (
            self.session.get(UserLink, (self.connector_id, manager.id))
            if manager is not None
            else None
        )
        if link is None or link.remote_id is None:
            self.unresolved = key[:320] or None
            return None
        return link.remote_id
