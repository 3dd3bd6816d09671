"""Apple Business Manager and Apple School Manager: users only, matched by
userName (the sign-in email); School Manager keeps a deleted userName for
120 days."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .errors import invalid_value, uniqueness
from .filters import FilterPolicy
from .resources import get
from .rules import AppRules

if TYPE_CHECKING:
    from .core import Emulator

USER_NAME_REUSE_DELAY = timedelta(days=120)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AppleBusinessRules(AppRules):
    """Apple Business Manager's SCIM users endpoint."""

    key = "apple_business_manager"
    name = "Apple Business Manager"
    supports_groups = False
    user_filter = FilterPolicy(attrs=frozenset({"username"}))

    def check_user(self, user: dict[str, Any], *, creating: bool) -> None:
        user_name = get(user, "userName")
        if not isinstance(user_name, str) or not _EMAIL.match(user_name):
            raise invalid_value("'userName' must be the user's email address")


class AppleSchoolRules(AppleBusinessRules):
    """Apple School Manager: as Business Manager, and a deleted account's
    userName cannot be used again for 120 days."""

    key = "apple_school_manager"
    name = "Apple School Manager"

    def delete_user(self, emulator: Emulator, user_id: str) -> None:
        user_name = str(get(emulator.users[user_id], "userName")).lower()
        emulator.deleted_user_names[user_name] = emulator.clock()
        emulator.remove_user(user_id)

    def check_new_user_name(self, emulator: Emulator, user_name: str) -> None:
        deleted_at = emulator.deleted_user_names.get(user_name.lower())
        if deleted_at is None:
            return
        if emulator.clock() - deleted_at < USER_NAME_REUSE_DELAY:
            raise uniqueness(
                f"userName {user_name!r} belonged to a deleted account and cannot "
                "be reused for 120 days"
            )
