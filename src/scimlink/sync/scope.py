"""Which users and groups each connector must keep in its app.

A user is in scope of a connector when the user is in a directory the
connector is published to, or is assigned to a published SSO configuration,
directly or through a group.
"""

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, select, union
from sqlalchemy.orm import Session

from scimlink.db.models import (
    Connector,
    GroupAssignment,
    GroupLink,
    GroupMember,
    Publication,
    SsoGroupAssignment,
    SsoUserAssignment,
    User,
    UserLink,
)


def _scope_pairs() -> list[Select[str, str]]:
    """(connector_id, user_id) for every user in scope of every connector."""
    by_directory = select(Publication.connector_id, User.id).join(
        User, User.directory_id == Publication.directory_id
    )
    by_assignment = select(Publication.connector_id, SsoUserAssignment.user_id).join(
        SsoUserAssignment,
        SsoUserAssignment.sso_config_id == Publication.sso_config_id,
    )
    by_group = (
        select(Publication.connector_id, GroupMember.user_id)
        .join(
            SsoGroupAssignment,
            SsoGroupAssignment.sso_config_id == Publication.sso_config_id,
        )
        .join(GroupMember, GroupMember.group_id == SsoGroupAssignment.group_id)
    )
    return [by_directory, by_assignment, by_group]


def users_in_scope(session: Session, connector_id: str) -> set[str]:
    """Every user id the connector must have in its app."""
    queries = [
        q.where(Publication.connector_id == connector_id) for q in _scope_pairs()
    ]
    rows = session.execute(union(*queries)).all()
    return {user_id for _, user_id in rows}


def is_in_scope(session: Session, connector_id: str, user_id: str) -> bool:
    # One indexed lookup per way into scope, cheapest first; a filter on a
    # union of all of them would read every user in scope on some databases.
    for query in _scope_pairs():
        found = session.execute(
            query.where(Publication.connector_id == connector_id)
            .where(_user_column(query) == user_id)
            .limit(1)
        ).first()
        if found is not None:
            return True
    return False


def connectors_touching_users(
    session: Session, user_ids: Collection[str]
) -> set[tuple[str, str]]:
    """(connector, user) pairs for users in scope now or known to the app."""
    if not user_ids or not _any_connector_reaches_users(session):
        return set()
    pairs: set[tuple[str, str]] = set()
    for chunk in _chunks(list(user_ids)):
        scoped = [q.where(_user_column(q).in_(chunk)) for q in _scope_pairs()]
        linked = select(UserLink.connector_id, UserLink.user_id).where(
            UserLink.user_id.in_(chunk)
        )
        rows = session.execute(union(*scoped, linked)).all()
        pairs.update((c, u) for c, u in rows)
    return pairs


def connectors_touching_groups(
    session: Session, group_ids: Collection[str]
) -> set[tuple[str, str]]:
    """(connector, group) pairs for groups exported now or known to the app."""
    if not group_ids:
        return set()
    pairs: set[tuple[str, str]] = set()
    for chunk in _chunks(list(group_ids)):
        assigned = (
            select(GroupAssignment.connector_id, GroupAssignment.group_id)
            .join(Connector, Connector.id == GroupAssignment.connector_id)
            .where(Connector.group_export.is_(True))
            .where(GroupAssignment.group_id.in_(chunk))
        )
        linked = select(GroupLink.connector_id, GroupLink.group_id).where(
            GroupLink.group_id.in_(chunk)
        )
        rows = session.execute(union(assigned, linked)).all()
        pairs.update((c, g) for c, g in rows)
    return pairs


def exported_groups_of_user(
    session: Session, connector_id: str, user_id: str
) -> list[str]:
    """Groups of this user that the connector exports to its app."""
    rows = session.execute(
        select(GroupMember.group_id)
        .join(GroupAssignment, GroupAssignment.group_id == GroupMember.group_id)
        .where(GroupAssignment.connector_id == connector_id)
        .where(GroupMember.user_id == user_id)
    ).scalars()
    return sorted(set(rows))


def _any_connector_reaches_users(session: Session) -> bool:
    """Cheap check that lets bulk changes skip scope queries on a new install."""
    published = session.scalar(select(Publication.id).limit(1))
    linked = session.scalar(select(UserLink.user_id).limit(1))
    return published is not None or linked is not None


def _user_column(query: Select[str, str]) -> Any:
    return query.selected_columns[1]


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
