"""What an emulator remembers of the requests it answered, for assertions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rejection:
    """A request the emulated app refused: its status and SCIM `detail`,
    `scimType`, and the JSON body the client sent (None for no body)."""

    method: str
    path: str
    status: int
    detail: str
    body: Any
    scim_type: str | None = None
    query: str = ""


@dataclass(frozen=True)
class RecordedRequest:
    """A request the emulated app accepted (or, in `Emulator.injected`, one
    answered with an injected failure). `member_changes` counts the group
    memberships the request asked to add or remove."""

    method: str
    path: str
    status: int
    body: Any
    query: str = ""
    resource_type: str | None = None
    resource_id: str | None = None
    member_changes: int = 0
