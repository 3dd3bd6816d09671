"""/connectors: configuration, testing, publishing, groups, status, sync."""

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, status
from pydantic import StrictBool
from sqlalchemy import select, update

from scimlink.api.deps import CurrentAdmin, Cursor, DbSession, Limit, Writer
from scimlink.api.pagination import paginate
from scimlink.api.schemas import ApiModel, Page
from scimlink.connectors import service
from scimlink.connectors.endpoint import check_endpoint, check_token
from scimlink.connectors.vault import TokenVault
from scimlink.db.models import Connector, User, UserLink
from scimlink.directory.users import get_user
from scimlink.errors import InvalidInput, NotFound
from scimlink.scim.connection_test import ConnectionTestResult, check_connection
from scimlink.sync import outbox
from scimlink.sync.preview import preview_user

router = APIRouter(prefix="/connectors", tags=["connectors"])


class MappingRowIn(ApiModel):
    source: str
    target: str


class ConnectorCreate(ApiModel):
    name: str
    app: str
    endpoint: str
    token: str
    group_export: StrictBool = False
    mapping: list[MappingRowIn] | None = None
    deprovision: Literal["delete", "deactivate"] | None = None
    matching_attribute: str | None = None
    rate_limit: float | None = None
    concurrency: int | None = None


class ConnectorUpdate(ApiModel):
    name: str | None = None
    app: str | None = None
    endpoint: str | None = None
    token: str | None = None
    group_export: StrictBool | None = None
    mapping: list[MappingRowIn] | None = None
    deprovision: Literal["delete", "deactivate"] | None = None
    matching_attribute: str | None = None
    rate_limit: float | None = None
    concurrency: int | None = None


class Ref(ApiModel):
    id: str
    name: str


class ConnectorOut(ApiModel):
    id: str
    name: str
    app: str
    endpoint: str
    endpoint_hint: str | None
    token_hint: str
    group_export: bool
    mapping: list[MappingRowIn]
    deprovision: str
    matching_attribute: str
    rate_limit: float
    concurrency: int
    directories: list[Ref]
    sso_configs: list[Ref]
    total_users: int
    total_groups: int
    pending: int
    failed: int
    health: str
    health_detail: str | None
    last_updated_by: str | None
    updated_at: datetime


class TestIn(ApiModel):
    app: str = "scim2"
    endpoint: str
    token: str


class PublishIn(ApiModel):
    directory_ids: list[str] = []
    sso_config_ids: list[str] = []


class UnpublishIn(ApiModel):
    directory_ids: list[str] = []
    sso_config_ids: list[str] = []
    delete_users: StrictBool = False


class GroupsIn(ApiModel):
    group_ids: list[str]


class StatusOut(ApiModel):
    total_users: int
    total_groups: int
    pending: int
    failed: int
    health: str
    health_detail: str | None


class QueuedOut(ApiModel):
    queued: int


def _vault(request: Request) -> TokenVault:
    vault: TokenVault = request.app.state.vault
    return vault


def connector_out(db: DbSession, connector: Connector) -> ConnectorOut:
    directories, configs = service.linked_targets(db, connector.id)
    state = service.connector_status(db, connector)
    profile = service.profile_of(connector.app)
    return ConnectorOut(
        id=connector.id,
        name=connector.name,
        app=connector.app,
        endpoint=connector.endpoint,
        endpoint_hint=profile.endpoint_hint(connector.endpoint),
        token_hint=connector.token_hint,
        group_export=connector.group_export,
        mapping=[MappingRowIn(**row) for row in connector.mapping],
        deprovision=connector.deprovision,
        matching_attribute=connector.matching_attribute,
        rate_limit=connector.rate_limit,
        concurrency=connector.concurrency,
        directories=[Ref(id=i, name=n) for i, n in directories],
        sso_configs=[Ref(id=i, name=n) for i, n in configs],
        total_users=state.total_users,
        total_groups=state.total_groups,
        pending=state.pending,
        failed=state.failed,
        health=state.health,
        health_detail=state.health_detail,
        last_updated_by=connector.last_updated_by,
        updated_at=connector.updated_at,
    )


def _changes(body: ApiModel) -> service.ConnectorChanges:
    data: dict[str, Any] = body.model_dump(by_alias=True, exclude_unset=True)
    return service.changes_from(data)


@router.get("")
def list_connectors(
    db: DbSession, _: CurrentAdmin, limit: Limit = 100, cursor: Cursor = None
) -> Page[ConnectorOut]:
    rows, next_cursor = paginate(db, select(Connector), Connector.id, limit, cursor)
    return Page(items=[connector_out(db, c) for c in rows], next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_connector(
    body: ConnectorCreate, request: Request, db: DbSession, admin: Writer
) -> ConnectorOut:
    connector = service.create_connector(
        db, request.app.state.settings, _vault(request), admin.username, _changes(body)
    )
    return connector_out(db, connector)


@router.post("/test")
def test_unsaved(body: TestIn, request: Request, _: Writer) -> ConnectionTestResult:
    service.profile_of(body.app)
    try:
        endpoint = check_endpoint(body.endpoint, request.app.state.settings)
    except ValueError as exc:
        raise InvalidInput.field("endpoint", str(exc)) from exc
    try:
        token = check_token(body.token)
    except ValueError as exc:
        raise InvalidInput.field("token", str(exc)) from exc
    return check_connection(endpoint, token)


@router.get("/{connector_id}")
def get_connector(connector_id: str, db: DbSession, _: CurrentAdmin) -> ConnectorOut:
    return connector_out(db, service.get_connector(db, connector_id))


@router.patch("/{connector_id}")
@router.put("/{connector_id}", include_in_schema=False)
def update_connector(
    connector_id: str,
    body: ConnectorUpdate,
    request: Request,
    db: DbSession,
    admin: Writer,
) -> ConnectorOut:
    connector = service.get_connector(db, connector_id)
    service.update_connector(
        db,
        request.app.state.settings,
        _vault(request),
        admin.username,
        connector,
        _changes(body),
    )
    return connector_out(db, connector)


@router.delete("/{connector_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_connector(connector_id: str, db: DbSession, _: Writer) -> None:
    service.delete_connector(db, service.get_connector(db, connector_id))


@router.post("/{connector_id}/test")
def test_saved(
    connector_id: str, request: Request, db: DbSession, _: Writer
) -> ConnectionTestResult:
    connector = service.get_connector(db, connector_id)
    token = _vault(request).decrypt(connector.token_encrypted)
    result = check_connection(connector.endpoint, token)
    if result.ok and result.capabilities is not None:
        # What the server advertises shapes later pushes (PATCH or PUT...).
        connector.server_config = None
    return result


@router.post("/{connector_id}/publish")
def publish(
    connector_id: str, body: PublishIn, db: DbSession, admin: Writer
) -> ConnectorOut:
    connector = service.get_connector(db, connector_id)
    service.publish(
        db, connector, admin.username, body.directory_ids, body.sso_config_ids
    )
    return connector_out(db, connector)


@router.post("/{connector_id}/unpublish")
def unpublish(
    connector_id: str, body: UnpublishIn, db: DbSession, admin: Writer
) -> ConnectorOut:
    connector = service.get_connector(db, connector_id)
    service.unpublish(
        db,
        connector,
        admin.username,
        body.directory_ids,
        body.sso_config_ids,
        body.delete_users,
    )
    return connector_out(db, connector)


@router.post("/{connector_id}/groups")
def assign_groups(
    connector_id: str, body: GroupsIn, db: DbSession, admin: Writer
) -> ConnectorOut:
    connector = service.get_connector(db, connector_id)
    service.assign_groups(db, connector, admin.username, body.group_ids)
    return connector_out(db, connector)


@router.post("/{connector_id}/groups/unassign")
def unassign_groups(
    connector_id: str, body: GroupsIn, db: DbSession, admin: Writer
) -> ConnectorOut:
    connector = service.get_connector(db, connector_id)
    service.unassign_groups(db, connector, admin.username, body.group_ids)
    return connector_out(db, connector)


@router.get("/{connector_id}/status")
def connector_status(connector_id: str, db: DbSession, _: CurrentAdmin) -> StatusOut:
    state = service.connector_status(db, service.get_connector(db, connector_id))
    return StatusOut(
        total_users=state.total_users,
        total_groups=state.total_groups,
        pending=state.pending,
        failed=state.failed,
        health=state.health,
        health_detail=state.health_detail,
    )


@router.post("/{connector_id}/sync", status_code=status.HTTP_202_ACCEPTED)
def reconcile(connector_id: str, db: DbSession, _: Writer) -> QueuedOut:
    """Re-check every user and group of the connector against the app now."""
    connector = service.get_connector(db, connector_id)
    return QueuedOut(queued=service.reconcile(db, connector))


@router.post(
    "/{connector_id}/users/{user_id}/sync", status_code=status.HTTP_202_ACCEPTED
)
def sync_user(connector_id: str, user_id: str, db: DbSession, _: Writer) -> QueuedOut:
    connector = service.get_connector(db, connector_id)
    get_user(db, user_id)
    db.execute(
        update(UserLink)
        .where(UserLink.connector_id == connector.id, UserLink.user_id == user_id)
        .values(status="stale")
    )
    return QueuedOut(queued=outbox.enqueue(db, "user", [(connector.id, user_id)]))


@router.get("/{connector_id}/preview")
def preview(
    connector_id: str,
    db: DbSession,
    _: CurrentAdmin,
    user_id: str = Query(alias="userId"),
) -> dict[str, Any]:
    connector = service.get_connector(db, connector_id)
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id, "userId")
    return preview_user(db, connector, user, None)


class PreviewIn(ApiModel):
    user_id: str
    mapping: list[MappingRowIn] | None = None
    matching_attribute: str | None = None


@router.post("/{connector_id}/preview")
def preview_unsaved(
    connector_id: str, body: PreviewIn, db: DbSession, _: CurrentAdmin
) -> dict[str, Any]:
    """Try a mapping before saving it: the resource it would send."""
    connector = service.get_connector(db, connector_id)
    user = db.get(User, body.user_id)
    if user is None:
        raise NotFound("user", body.user_id, "userId")
    rows = [r.model_dump() for r in body.mapping] if body.mapping is not None else None
    return preview_user(db, connector, user, rows, body.matching_attribute)
