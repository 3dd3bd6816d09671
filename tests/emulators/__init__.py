"""Strict in-memory emulators of the SCIM 2.0 apps scimlink pushes to.

They judge scimlink's requests, so they never import scimlink.
`make_emulator(app_key, token=...)` returns an `Emulator` whose `.asgi` app
answers as that app documents."""

from __future__ import annotations

from .apple import AppleBusinessRules, AppleSchoolRules
from .atlassian import AtlassianRules
from .auth0 import Auth0Rules
from .aws import AwsRules
from .core import Emulator
from .errors import ScimError
from .records import RecordedRequest, Rejection
from .rules import AppRules
from .scim2 import Scim2PutOnlyRules, Scim2StrictRules

RULES: dict[str, type[AppRules]] = {
    rules.key: rules
    for rules in (
        AwsRules,
        AppleBusinessRules,
        AppleSchoolRules,
        AtlassianRules,
        Auth0Rules,
        Scim2StrictRules,
        Scim2PutOnlyRules,
    )
}
APP_KEYS = tuple(RULES)


def make_emulator(app_key: str, *, token: str, prefix: str = "") -> Emulator:
    """A fresh emulator of `app_key`, accepting `Authorization: Bearer <token>`,
    serving its endpoints under `prefix` (for example "/scim/v2")."""
    try:
        rules = RULES[app_key]()
    except KeyError:
        raise ValueError(f"no emulator for app {app_key!r}") from None
    return Emulator(rules, token=token, prefix=prefix)


__all__ = [
    "APP_KEYS",
    "RULES",
    "AppRules",
    "Emulator",
    "RecordedRequest",
    "Rejection",
    "ScimError",
    "make_emulator",
]
