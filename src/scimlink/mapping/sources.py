"""The identity-source user that mapping rows read from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

UserStatus = Literal["active", "suspended"]

# `user.<name>` in a source expression -> SourceUser field.
STANDARD_SOURCES: dict[str, str] = {
    "id": "id",
    "email": "email",
    "firstName": "first_name",
    "lastName": "last_name",
    "phoneNumber": "phone_number",
    "status": "status",
}
CUSTOM_PREFIX = "custom"


def _empty_custom() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class SourceUser:
    """A user as the mapping sees it: standard attributes plus custom ones."""

    id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None
    status: UserStatus = "active"
    custom: Mapping[str, str] = field(default_factory=_empty_custom)

    def standard(self, name: str) -> str | None:
        """The value of `user.<name>`; name must be a key of STANDARD_SOURCES."""
        value: str | None = getattr(self, STANDARD_SOURCES[name])
        return value

    def custom_value(self, key: str) -> str | None:
        """The value of `user.custom.<key>`; None when the user has no such key."""
        return self.custom.get(key)
