"""/users"""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BeforeValidator
from sqlalchemy import or_, select

from scimlink.api.deps import CurrentAdmin, Cursor, DbSession, Limit, Writer
from scimlink.api.pagination import paginate
from scimlink.api.schemas import ApiModel, Page
from scimlink.db.models import User
from scimlink.directory import users

router = APIRouter(prefix="/users", tags=["users"])

AttributeValue = str | int | float | bool | None


class UserCreate(ApiModel):
    directory_id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    phone_number: str | None = None
    status: str = "active"
    attributes: dict[str, AttributeValue] = {}


class UserUpdate(ApiModel):
    """Only the fields given change; an attribute set to null is removed."""

    directory_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None
    status: str | None = None
    attributes: dict[str, AttributeValue] | None = None


class UserOut(ApiModel):
    id: str
    directory_id: str
    email: str
    first_name: str
    last_name: str
    phone_number: str | None
    status: Literal["active", "suspended"]
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def user_out(user: User) -> UserOut:
    return UserOut.model_validate(user, from_attributes=True)


def _lowercase(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


@router.get("")
def list_users(
    db: DbSession,
    _: CurrentAdmin,
    limit: Limit = 100,
    cursor: Cursor = None,
    directory_id: str | None = Query(None, alias="directoryId"),
    email: str | None = Query(None, description="Exact email, any case."),
    status_: Annotated[
        Literal["active", "suspended"] | None,
        BeforeValidator(_lowercase),
        Query(alias="status"),
    ] = None,
    q: str | None = Query(None, description="Part of an email or name."),
) -> Page[UserOut]:
    query = select(User)
    if directory_id:
        query = query.where(User.directory_id == directory_id)
    if email:
        query = query.where(User.email_key == email.strip().lower())
    if status_:
        query = query.where(User.status == status_)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(
            or_(
                User.email_key.like(pattern),
                User.first_name.ilike(pattern),
                User.last_name.ilike(pattern),
            )
        )
    rows, next_cursor = paginate(db, query, User.id, limit, cursor)
    return Page(items=[user_out(u) for u in rows], next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, db: DbSession, _: Writer) -> UserOut:
    fields = users.validate_user_fields(
        body.email,
        body.first_name,
        body.last_name,
        body.phone_number,
        body.status,
        body.attributes,
    )
    return user_out(users.create_user(db, body.directory_id, fields))


@router.get("/{user_id}")
def get_user(user_id: str, db: DbSession, _: CurrentAdmin) -> UserOut:
    return user_out(users.get_user(db, user_id))


@router.patch("/{user_id}")
def update_user(user_id: str, body: UserUpdate, db: DbSession, _: Writer) -> UserOut:
    user = users.get_user(db, user_id)
    changes = body.model_dump(by_alias=True, exclude_unset=True)
    return user_out(users.update_user(db, user, changes))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: str, db: DbSession, _: Writer) -> None:
    users.delete_user(db, users.get_user(db, user_id))
