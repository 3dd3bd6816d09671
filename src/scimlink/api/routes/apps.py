"""/apps: the app profiles an admin chooses from."""

from typing import Any

from fastapi import APIRouter

from scimlink.api.deps import CurrentAdmin
from scimlink.apps import all_profiles

router = APIRouter(prefix="/apps", tags=["apps"])


@router.get("")
def list_apps(_: CurrentAdmin) -> list[dict[str, Any]]:
    return [profile.public_dict() for profile in all_profiles()]
