"""/directories"""

from datetime import datetime

from fastapi import APIRouter, status
from sqlalchemy import select

from scimlink.api.deps import CurrentAdmin, Cursor, DbSession, Limit, Writer
from scimlink.api.pagination import paginate
from scimlink.api.schemas import ApiModel, Page
from scimlink.db.models import Directory
from scimlink.directory import directories

router = APIRouter(prefix="/directories", tags=["directories"])


class DirectoryIn(ApiModel):
    name: str


class DirectoryOut(ApiModel):
    id: str
    name: str
    created_at: datetime
    updated_at: datetime


def _out(directory: Directory) -> DirectoryOut:
    return DirectoryOut.model_validate(directory, from_attributes=True)


@router.get("")
def list_directories(
    db: DbSession, _: CurrentAdmin, limit: Limit = 100, cursor: Cursor = None
) -> Page[DirectoryOut]:
    rows, next_cursor = paginate(db, select(Directory), Directory.id, limit, cursor)
    return Page(items=[_out(d) for d in rows], next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_directory(body: DirectoryIn, db: DbSession, _: Writer) -> DirectoryOut:
    return _out(directories.create_directory(db, body.name))


@router.get("/{directory_id}")
def get_directory(directory_id: str, db: DbSession, _: CurrentAdmin) -> DirectoryOut:
    return _out(directories.get_directory(db, directory_id))


@router.patch("/{directory_id}")
def update_directory(
    directory_id: str, body: DirectoryIn, db: DbSession, _: Writer
) -> DirectoryOut:
    directory = directories.get_directory(db, directory_id)
    return _out(directories.rename_directory(db, directory, body.name))


@router.delete("/{directory_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_directory(directory_id: str, db: DbSession, _: Writer) -> None:
    directories.delete_directory(db, directories.get_directory(db, directory_id))
