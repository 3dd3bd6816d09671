"""Reading what a SCIM server holds, as a test's independent view of the app."""

from typing import Any

import httpx


class AppView:
    """Reads Users and Groups straight from a SCIM server."""

    def __init__(self, base_url: str, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=base_url, headers=headers, timeout=10)

    def _all(self, resource: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        start = 1
        while True:
            page = self.client.get(
                f"/{resource}", params={"startIndex": start, "count": 100}
            ).json()
            items = page.get("Resources", [])
            found += items
            if not items or len(found) >= int(page.get("totalResults", 0)):
                return found
            start += len(items)

    def users(self) -> dict[str, dict[str, Any]]:
        """Users by userName."""
        return {u["userName"]: u for u in self._all("Users")}

    def groups(self) -> dict[str, dict[str, Any]]:
        return {g["displayName"]: g for g in self._all("Groups")}

    def group_member_ids(self, group_id: str) -> set[str]:
        group = self.client.get(f"/Groups/{group_id}").json()
        return {m["value"] for m in group.get("members") or []}

    def close(self) -> None:
        self.client.close()
