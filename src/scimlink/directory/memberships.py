"""Group memberships as seen from a user."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scimlink.db.models import Group, GroupMember, User
from scimlink.sync import outbox


def groups_of_user(session: Session, user_id: str) -> list[str]:
    return list(
        session.scalars(
            select(GroupMember.group_id).where(GroupMember.user_id == user_id)
        )
    )


def leave_groups_of_directory(session: Session, user: User) -> None:
    """A user moving to another directory leaves its old directory's groups."""
    old_groups = list(
        session.scalars(
            select(GroupMember.group_id)
            .join(Group, Group.id == GroupMember.group_id)
            .where(GroupMember.user_id == user.id)
            .where(Group.directory_id == user.directory_id)
        )
    )
    if not old_groups:
        return
    session.execute(
        delete(GroupMember)
        .where(GroupMember.user_id == user.id)
        .where(GroupMember.group_id.in_(old_groups))
    )
    outbox.groups_changed(session, old_groups)
