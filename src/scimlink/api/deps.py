"""Request dependencies: the database session and the signed-in admin."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException

from scimlink.db.models import Admin
from scimlink.directory.admins import authenticate
from scimlink.errors import Forbidden

bearer = HTTPBearer(
    auto_error=False, description="An API token from `scimlink admin create`."
)


def _factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def _session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns."""
    with _factory(request)() as session, session.begin():
        yield session


DbSession = Annotated[Session, Depends(_session, scope="function")]


def _current_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Admin:
    unauthorized = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            401, "Send an API token as 'Authorization: Bearer <token>'.", unauthorized
        )
    with _factory(request)() as session:
        admin = authenticate(session, credentials.credentials)
    if admin is None:
        raise HTTPException(401, "The API token is not valid.", unauthorized)
    return admin


CurrentAdmin = Annotated[Admin, Depends(_current_admin)]


def _writer(admin: CurrentAdmin) -> Admin:
    if admin.role == "viewer":
        raise Forbidden("Viewers can read but not change anything; ask an admin.")
    return admin


Writer = Annotated[Admin, Depends(_writer)]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Cursor = Annotated[str | None, Query(description="nextCursor of the previous page.")]
