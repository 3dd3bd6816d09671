"""Auth0 (inbound SCIM of an enterprise connection): users only, filters with
`eq`, `and`, `or`."""

from __future__ import annotations

from .filters import FilterPolicy
from .rules import AppRules


class Auth0Rules(AppRules):
    """Auth0's SCIM users endpoint."""

    key = "auth0"
    name = "Auth0"
    supports_groups = False
    user_filter = FilterPolicy(logical=frozenset({"and", "or"}))
