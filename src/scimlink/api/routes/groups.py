"""/groups and their members."""

from datetime import datetime

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from scimlink.api.deps import CurrentAdmin, Cursor, DbSession, Limit, Writer
from scimlink.api.pagination import paginate
from scimlink.api.schemas import ApiModel, Page
from scimlink.db.models import Group
from scimlink.directory import groups

router = APIRouter(prefix="/groups", tags=["groups"])


class GroupCreate(ApiModel):
    directory_id: str
    name: str
    description: str | None = None


class GroupUpdate(ApiModel):
    name: str | None = None
    description: str | None = None


class GroupOut(ApiModel):
    id: str
    directory_id: str
    name: str
    description: str | None
    member_count: int
    created_at: datetime
    updated_at: datetime


class MembersIn(ApiModel):
    user_ids: list[str]


class MembersOut(ApiModel):
    added: int
    member_count: int


def _out(db: DbSession, group: Group) -> GroupOut:
    return GroupOut(
        id=group.id,
        directory_id=group.directory_id,
        name=group.name,
        description=group.description,
        member_count=len(groups.member_ids(db, group.id)),
        created_at=group.created_at,
        updated_at=group.updated_at,
    )


@router.get("")
def list_groups(
    db: DbSession,
    _: CurrentAdmin,
    limit: Limit = 100,
    cursor: Cursor = None,
    directory_id: str | None = Query(None, alias="directoryId"),
    q: str | None = Query(None, description="Part of the group name."),
) -> Page[GroupOut]:
    query = select(Group)
    if directory_id:
        query = query.where(Group.directory_id == directory_id)
    if q:
        query = query.where(Group.name.ilike(f"%{q.strip()}%"))
    rows, next_cursor = paginate(db, query, Group.id, limit, cursor)
    return Page(items=[_out(db, g) for g in rows], next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_group(body: GroupCreate, db: DbSession, _: Writer) -> GroupOut:
    group = groups.create_group(db, body.directory_id, body.name, body.description)
    return _out(db, group)


@router.get("/{group_id}")
def get_group(group_id: str, db: DbSession, _: CurrentAdmin) -> GroupOut:
    return _out(db, groups.get_group(db, group_id))


@router.get("/{group_id}/members")
def list_members(group_id: str, db: DbSession, _: CurrentAdmin) -> list[str]:
    return groups.member_ids(db, groups.get_group(db, group_id).id)


@router.patch("/{group_id}")
def update_group(
    group_id: str, body: GroupUpdate, db: DbSession, _: Writer
) -> GroupOut:
    group = groups.get_group(db, group_id)
    given = body.model_fields_set
    updated = groups.update_group(
        db,
        group,
        name=body.name,
        description=body.description,
        description_given="description" in given,
    )
    return _out(db, updated)


@router.delete("/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_group(group_id: str, db: DbSession, _: Writer) -> None:
    groups.delete_group(db, groups.get_group(db, group_id))


@router.post("/{group_id}/members")
def add_members(group_id: str, body: MembersIn, db: DbSession, _: Writer) -> MembersOut:
    group = groups.get_group(db, group_id)
    added = groups.add_members(db, group, body.user_ids)
    return MembersOut(added=added, member_count=len(groups.member_ids(db, group.id)))


@router.delete("/{group_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(group_id: str, user_id: str, db: DbSession, _: Writer) -> None:
    groups.remove_member(db, groups.get_group(db, group_id), user_id)
