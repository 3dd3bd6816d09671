"""The profiles scimlink knows, by app key."""

from __future__ import annotations

from scimlink.apps import apple, atlassian, auth0, aws, scim2
from scimlink.apps.errors import UnknownAppError
from scimlink.apps.profile import AppProfile

_PROFILES: dict[str, AppProfile] = {
    profile.key: profile
    for profile in (
        aws.PROFILE,
        apple.BUSINESS,
        apple.SCHOOL,
        atlassian.PROFILE,
        auth0.PROFILE,
        scim2.PROFILE,
    )
}

APP_KEYS: tuple[str, ...] = tuple(_PROFILES)


def get_profile(key: str) -> AppProfile:
    """The profile for `key`; UnknownAppError names the valid keys otherwise."""
    try:
        return _PROFILES[key]
    except KeyError:
        raise UnknownAppError(key, APP_KEYS) from None


def all_profiles() -> list[AppProfile]:
    """Every profile, in a stable order."""
    return list(_PROFILES.values())
