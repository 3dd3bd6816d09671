"""Atlassian (user provisioning API): DELETE only deactivates, synced groups
keep their name, users need an email."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import invalid_value
from .filters import FilterPolicy
from .resources import get
from .rules import AppRules

if TYPE_CHECKING:
    from .core import Emulator


class AtlassianRules(AppRules):
    """Atlassian's SCIM directory endpoint."""

    key = "atlassian"
    name = "Atlassian"
    user_filter = FilterPolicy(attrs=frozenset({"username", "externalid"}))
    group_filter = FilterPolicy(attrs=frozenset({"displayname"}))
    max_page_size = 100

    def check_user(self, user: dict[str, Any], *, creating: bool) -> None:
        emails = get(user, "emails")
        if not isinstance(emails, list) or not any(
            isinstance(get(e, "value"), str) and get(e, "value") for e in emails
        ):
            raise invalid_value("an email address is required")

    def check_update(
        self, kind: str, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        if kind != "Group":
            return
        if get(before, "displayName") != get(after, "displayName"):
            raise invalid_value("a synced group cannot be renamed")

    def delete_user(self, emulator: Emulator, user_id: str) -> None:
        # The account stays, deactivated; re-creating it is a 409.
        emulator.users[user_id]["active"] = False
