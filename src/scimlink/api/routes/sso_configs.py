"""/sso-configs and their user and group assignments."""

from datetime import datetime

from fastapi import APIRouter, status
from sqlalchemy import select

from scimlink.api.deps import CurrentAdmin, Cursor, DbSession, Limit, Writer
from scimlink.api.pagination import paginate
from scimlink.api.schemas import ApiModel, Page
from scimlink.db.models import Publication, SsoConfig
from scimlink.directory import sso

router = APIRouter(prefix="/sso-configs", tags=["sso-configs"])


class SsoCreate(ApiModel):
    name: str
    protocol: str


class SsoUpdate(ApiModel):
    name: str | None = None
    protocol: str | None = None


class AssignmentsIn(ApiModel):
    user_ids: list[str] = []
    group_ids: list[str] = []


class SsoOut(ApiModel):
    id: str
    name: str
    protocol: str
    user_ids: list[str]
    group_ids: list[str]
    connector_id: str | None
    created_at: datetime
    updated_at: datetime


def _out(db: DbSession, config: SsoConfig) -> SsoOut:
    user_ids, group_ids = sso.assignments(db, config.id)
    connector_id = db.scalar(
        select(Publication.connector_id).where(Publication.sso_config_id == config.id)
    )
    return SsoOut(
        id=config.id,
        name=config.name,
        protocol=config.protocol,
        user_ids=user_ids,
        group_ids=group_ids,
        connector_id=connector_id,
        created_at=config.created_at,
        updated_at=config.updated_at,
    )


@router.get("")
def list_sso_configs(
    db: DbSession, _: CurrentAdmin, limit: Limit = 100, cursor: Cursor = None
) -> Page[SsoOut]:
    rows, next_cursor = paginate(db, select(SsoConfig), SsoConfig.id, limit, cursor)
    return Page(items=[_out(db, c) for c in rows], next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_sso_config(body: SsoCreate, db: DbSession, _: Writer) -> SsoOut:
    return _out(db, sso.create_sso_config(db, body.name, body.protocol))


@router.get("/{sso_id}")
def get_sso_config(sso_id: str, db: DbSession, _: CurrentAdmin) -> SsoOut:
    return _out(db, sso.get_sso_config(db, sso_id))


@router.patch("/{sso_id}")
def update_sso_config(sso_id: str, body: SsoUpdate, db: DbSession, _: Writer) -> SsoOut:
    config = sso.get_sso_config(db, sso_id)
    return _out(db, sso.update_sso_config(db, config, body.name, body.protocol))


@router.delete("/{sso_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_sso_config(sso_id: str, db: DbSession, _: Writer) -> None:
    sso.delete_sso_config(db, sso.get_sso_config(db, sso_id))


@router.post("/{sso_id}/assignments")
def assign(sso_id: str, body: AssignmentsIn, db: DbSession, _: Writer) -> SsoOut:
    config = sso.get_sso_config(db, sso_id)
    sso.assign(db, config, body.user_ids, body.group_ids)
    return _out(db, config)


@router.post("/{sso_id}/assignments/remove")
def unassign(sso_id: str, body: AssignmentsIn, db: DbSession, _: Writer) -> SsoOut:
    config = sso.get_sso_config(db, sso_id)
    sso.unassign(db, config, body.user_ids, body.group_ids)
    return _out(db, config)
