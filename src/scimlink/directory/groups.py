"""Groups: named sets of users of one directory."""

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scimlink.db.models import Group, GroupMember, User
from scimlink.directory.directories import require_directory
from scimlink.directory.names import clean_name, same_name
from scimlink.errors import Conflict, FieldError, InvalidInput, NotFound
from scimlink.sync import outbox

MAX_DESCRIPTION = 2000


def get_group(session: Session, group_id: str) -> Group:
    group = session.get(Group, group_id)
    if group is None:
        raise NotFound("group", group_id)
    return group


def _check_name(
    session: Session, directory_id: str, name: str, current: Group | None
) -> str:
    try:
        name = clean_name(name, "group")
    except ValueError as error:
        raise InvalidInput.field("name", str(error)) from None
    clash = session.scalar(
        select(Group).where(
            Group.directory_id == directory_id, same_name(Group.name, name)
        )
    )
    if clash is not None and clash is not current:
        raise Conflict.field(
            "name", f"This directory already has a group named {name!r}."
        )
    return name


def _check_description(description: str | None) -> str | None:
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise InvalidInput.field(
            "description", f"Must be at most {MAX_DESCRIPTION} characters."
        )
    return description or None


def create_group(
    session: Session, directory_id: str, name: str, description: str | None
) -> Group:
    require_directory(session, directory_id, "directoryId")
    group = Group(
        directory_id=directory_id,
        name=_check_name(session, directory_id, name, None),
        description=_check_description(description),
    )
    session.add(group)
    session.flush()
    return group


def update_group(
    session: Session,
    group: Group,
    name: str | None = None,
    description: str | None = None,
    description_given: bool = False,
) -> Group:
    if name is not None:
        group.name = _check_name(session, group.directory_id, name, group)
    if description_given:
        group.description = _check_description(description)
    session.flush()
    outbox.groups_changed(session, [group.id])
    return group


def delete_group(session: Session, group: Group) -> None:
    members = member_ids(session, group.id)
    outbox.groups_changed(session, [group.id])
    session.delete(group)
    session.flush()
    # Members may leave the scope of connectors that reached them through
    # this group's SSO assignments.
    outbox.users_changed(session, members)


def member_ids(session: Session, group_id: str) -> list[str]:
    return list(
        session.scalars(
            select(GroupMember.user_id).where(GroupMember.group_id == group_id)
        )
    )


def add_members(session: Session, group: Group, user_ids: Collection[str]) -> int:
    """Add users of the group's own directory; returns how many were new."""
    wanted = list(dict.fromkeys(user_ids))
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}
    errors: list[FieldError] = []
    for index, user_id in enumerate(wanted):
        user = users.get(user_id)
        if user is None:
            errors.append(
                FieldError(f"userIds[{index}]", f"No user with id {user_id!r} exists.")
            )
        elif user.directory_id != group.directory_id:
            errors.append(
                FieldError(
                    f"userIds[{index}]",
                    f"User {user.email!r} belongs to another directory; a group "
                    "holds only users of its own directory.",
                )
            )
    if errors:
        raise InvalidInput(errors[0].message, errors)

    present = set(member_ids(session, group.id))
    new = [u for u in wanted if u not in present]
    session.add_all(GroupMember(group_id=group.id, user_id=u) for u in new)
    session.flush()
    if new:
        outbox.users_changed(session, new)
        outbox.groups_changed(session, [group.id])
    return len(new)


def remove_member(session: Session, group: Group, user_id: str) -> None:
    removed = session.execute(
        delete(GroupMember).where(
            GroupMember.group_id == group.id, GroupMember.user_id == user_id
        )
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        raise NotFound("member of this group", user_id)
    outbox.users_changed(session, [user_id])
    outbox.groups_changed(session, [group.id])
