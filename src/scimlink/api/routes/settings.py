"""/settings: the dashboard time zone and the event retention."""

from fastapi import APIRouter

from scimlink.api.deps import CurrentAdmin, DbSession, Writer
from scimlink.api.schemas import ApiModel
from scimlink.db.models import InstallationSettings
from scimlink.directory import installation

router = APIRouter(prefix="/settings", tags=["settings"])


class SettingsIn(ApiModel):
    timezone: str | None = None
    event_retention_days: int | None = None


class SettingsOut(ApiModel):
    timezone: str
    event_retention_days: int
    updated_by: str | None


def _out(settings: InstallationSettings) -> SettingsOut:
    return SettingsOut.model_validate(settings, from_attributes=True)


@router.get("")
def get_settings(db: DbSession, _: CurrentAdmin) -> SettingsOut:
    return _out(installation.get_installation_settings(db))


@router.patch("")
@router.put("", include_in_schema=False)
def update_settings(body: SettingsIn, db: DbSession, admin: Writer) -> SettingsOut:
    return _out(
        installation.update_installation_settings(
            db, admin.username, body.timezone, body.event_retention_days
        )
    )
