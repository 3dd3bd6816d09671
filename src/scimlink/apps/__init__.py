"""App profiles: what each target app supports, and how requests are shaped for it."""

from scimlink.apps.errors import (
    GroupRenameUnsupportedError,
    MissingRequiredAttributesError,
    UnknownAppError,
)
from scimlink.apps.profile import AppProfile
from scimlink.apps.registry import APP_KEYS, all_profiles, get_profile
from scimlink.apps.scim2 import adapt_to_service_provider_config
from scimlink.apps.shaping import (
    group_patch,
    group_resource,
    member_patches,
    missing_required,
    patch_request,
    shape_user,
    split_patch,
)

__all__ = [
    "APP_KEYS",
    "AppProfile",
    "GroupRenameUnsupportedError",
    "MissingRequiredAttributesError",
    "UnknownAppError",
    "adapt_to_service_provider_config",
    "all_profiles",
    "get_profile",
    "group_patch",
    "group_resource",
    "member_patches",
    "missing_required",
    "patch_request",
    "shape_user",
    "split_patch",
]
