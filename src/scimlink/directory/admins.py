"""Admins and their API tokens, which are stored only as hashes."""

import hashlib
import secrets
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scimlink.db.models import Admin
from scimlink.errors import Conflict, InvalidInput

Role = Literal["owner", "admin", "viewer"]
ROLES: tuple[Role, ...] = ("owner", "admin", "viewer")
TOKEN_PREFIX = "scl_"


def hash_token(token: str) -> str:
    # Tokens are long random strings, so a fast hash is enough; a slow one
    # would only cost every API request.
    return hashlib.sha256(token.encode()).hexdigest()


def create_admin(session: Session, username: str, role: str) -> tuple[Admin, str]:
    """Create an admin; returns it with its token, which is shown only once."""
    username = username.strip()
    if not username:
        raise InvalidInput.field("name", "The admin name must not be empty.")
    if role not in ROLES:
        raise InvalidInput.field(
            "role", f"Unknown role {role!r}; choose one of {', '.join(ROLES)}."
        )
    if session.scalar(select(Admin).where(Admin.username == username)):
        raise Conflict.field("name", f"An admin named {username!r} already exists.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    admin = Admin(username=username, role=role, token_hash=hash_token(token))
    session.add(admin)
    session.flush()
    return admin, token


def authenticate(session: Session, token: str) -> Admin | None:
    return session.scalar(select(Admin).where(Admin.token_hash == hash_token(token)))
