"""Directories: named collections of users and groups."""

import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scimlink.db.models import Directory, Group, User
from scimlink.directory.names import clean_name, same_name
from scimlink.errors import Conflict, InvalidInput, NotFound


def get_directory(session: Session, directory_id: str, field: str = "id") -> Directory:
    directory = session.get(Directory, directory_id)
    if directory is None:
        raise NotFound("directory", directory_id, field)
    return directory


def require_directory(session: Session, directory_id: str, field: str) -> Directory:
    """Like get_directory, for a reference inside another object's input."""
    directory = session.get(Directory, directory_id)
    if directory is None:
        raise InvalidInput.field(
            field, f"No directory with id {directory_id!r} exists; use an existing one."
        )
    return directory


def find_directory_by_name(session: Session, name: str) -> Directory | None:
    wanted = unicodedata.normalize("NFC", name.strip())
    return session.scalar(select(Directory).where(same_name(Directory.name, wanted)))


def _check_name(session: Session, name: str, current: Directory | None) -> str:
    try:
        name = clean_name(name, "directory")
    except ValueError as error:
        raise InvalidInput.field("name", str(error)) from None
    clash = session.scalar(select(Directory).where(same_name(Directory.name, name)))
    if clash is not None and clash is not current:
        raise Conflict.field("name", f"A directory named {name!r} already exists.")
    return name


def create_directory(session: Session, name: str) -> Directory:
    directory = Directory(name=_check_name(session, name, None))
    session.add(directory)
    session.flush()
    return directory


def rename_directory(session: Session, directory: Directory, name: str) -> Directory:
    directory.name = _check_name(session, name, directory)
    session.flush()
    return directory


def delete_directory(session: Session, directory: Directory) -> None:
    """Delete an empty directory; one still holding people is refused."""
    users = session.scalar(
        select(func.count()).select_from(User).where(User.directory_id == directory.id)
    )
    groups = session.scalar(
        select(func.count())
        .select_from(Group)
        .where(Group.directory_id == directory.id)
    )
    if users or groups:
        raise Conflict(
            f"Directory {directory.name!r} still holds {users} users and {groups} "
            "groups; delete or move them first."
        )
    session.delete(directory)
    session.flush()
