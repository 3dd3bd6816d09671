"""The in-memory SCIM server every emulator shares: storage, routing, the
records tests assert on, and fault injection. App rules come from `AppRules`."""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import resources as res
from .errors import ScimError, invalid_syntax, invalid_value, not_found, uniqueness
from .filters import matches, parse_filter
from .paging import Pager
from .patch import (
    PatchOperation,
    apply_operation,
    member_changes,
    parse_patch,
    removed_member_values,
)
from .records import RecordedRequest, Rejection
from .rules import AppRules

SCIM_JSON = "application/scim+json"
_KINDS = {"Users": "User", "Groups": "Group"}


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: float | None


@dataclass
class _Answer:
    status: int
    body: Any = None
    headers: dict[str, str] | None = None
    kind: str | None = None
    resource_id: str | None = None
    member_changes: int = 0


class Emulator:
    """One emulated app: its stored Users and Groups and the requests it saw."""

    def __init__(self, rules: AppRules, *, token: str, prefix: str = "") -> None:
        self.rules = rules
        self.token = token
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self.users: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.rejections: list[Rejection] = []
        self.requests: list[RecordedRequest] = []
        self.injected: list[RecordedRequest] = []
        # Apple School Manager: userName (lowercased) -> when it was deleted.
        self.deleted_user_names: dict[str, datetime] = {}
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._faults: deque[_Fault] = deque()
        self._delay = 0.0
        self._write_limit: int | None = None
        self._throttle_retry_after = 1.0
        self._recent_writes: deque[float] = deque()
        self._pager = Pager(rules.max_page_size, cursors=rules.cursor_paging)
        self._lock = threading.RLock()
        self.asgi = Starlette(
            routes=[
                Route(
                    "/{path:path}",
                    self._handle,
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                )
            ]
        )

    # -- controls for tests -------------------------------------------------

    def reset(self) -> None:
        """Forget every resource, record, pending fault and delay."""
        with self._lock:
            self.users.clear()
            self.groups.clear()
            self.rejections.clear()
            self.requests.clear()
            self.injected.clear()
            self.deleted_user_names.clear()
            self._faults.clear()
            self._pager.reset()
            self._delay = 0.0
            self._write_limit = None
            self._recent_writes.clear()

    def fail_next(
        self, n: int, status: int = 503, retry_after: float | None = None
    ) -> None:
        """Answer the next `n` requests with `status` (and `Retry-After`)."""
        with self._lock:
            self._faults.extend(_Fault(status, retry_after) for _ in range(n))

    def delay(self, seconds: float) -> None:
        """Wait `seconds` before answering each request (0 turns it off)."""
        self._delay = seconds

    def throttle(self, writes_per_second: int | None, retry_after: float = 1.0) -> None:
        """Answer 429 to writes beyond `writes_per_second` in any one-second
        window (None turns it off); those answers are recorded as rejections."""
        with self._lock:
            self._write_limit = writes_per_second
            self._throttle_retry_after = retry_after
            self._recent_writes.clear()

    @property
    def shape_rejections(self) -> list[Rejection]:
        """Rejections for how a request was formed (400, 405, 413, 415, 501)."""
        return [r for r in self.rejections if r.status in {400, 405, 413, 415, 501}]

    def seed_user(self, body: dict[str, Any]) -> str:
        """Store a User as if created earlier by someone else; returns its id."""
        with self._lock:
            return self._store("User", res.strip_server_owned(body), None, "")

    def seed_group(self, body: dict[str, Any]) -> str:
        """Store a Group as if created earlier by someone else; returns its id."""
        with self._lock:
            return self._store("Group", res.strip_server_owned(body), None, "")

    def remove_user(self, user_id: str) -> None:
        """Delete a user and its memberships."""
        self.users.pop(user_id, None)
        for group in self.groups.values():
            members = res.get(group, "members")
            if isinstance(members, list):
                group["members"] = [
                    m for m in members if res.get(m, "value") != user_id
                ]

    def members_of(self, group_id: str) -> list[str]:
        """Member ids of a stored group, whatever the app shows on reads."""
        return res.member_ids(self.groups[group_id])

    # -- HTTP ---------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        raw = await request.body()
        if self._delay:
            await asyncio.sleep(self._delay)
        path = request.url.path
        query = request.url.query
        body = _loads_quietly(raw)
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
            if fault is not None:
                return self._inject(request.method, path, query, body, fault)
            try:
                answer = self._answer(request, raw, path, query)
            except ScimError as error:
                self.rejections.append(
                    Rejection(
                        request.method,
                        path,
                        error.status,
                        error.detail,
                        body,
                        error.scim_type,
                        query,
                    )
                )
                return _json(error.status, error.body(), error.headers)
            self.requests.append(
                RecordedRequest(
                    request.method,
                    path,
                    answer.status,
                    body,
                    query,
                    answer.kind,
                    answer.resource_id,
                    answer.member_changes,
                )
            )
        if answer.body is None:
            return Response(status_code=answer.status, headers=answer.headers)
        return _json(answer.status, answer.body, answer.headers)

    def _inject(
        self, method: str, path: str, query: str, body: Any, fault: _Fault
    ) -> Response:
        self.injected.append(RecordedRequest(method, path, fault.status, body, query))
        error = ScimError(fault.status, "injected failure")
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        return _json(fault.status, error.body(), headers)

    def _answer(self, request: Request, raw: bytes, path: str, query: str) -> _Answer:
        self._authenticate(request)
        if request.method != "GET":
            self._count_write()
        if not path.startswith(self.prefix + "/"):
            raise not_found(f"no SCIM endpoint at {path}")
        segments = [s for s in path[len(self.prefix) :].split("/") if s]
        base = str(request.base_url).rstrip("/") + self.prefix
        method = request.method
        params = dict(parse_qsl(query, keep_blank_values=True))

        if segments == ["ServiceProviderConfig"] and method == "GET":
            return _Answer(200, self.rules.service_provider_config())
        if segments == ["ResourceTypes"] and method == "GET":
            return _Answer(200, self.rules.resource_types())
        if not segments or segments[0] not in _KINDS or len(segments) > 2:
            raise not_found(f"no SCIM endpoint at {path}")
        kind = _KINDS[segments[0]]
        if kind == "Group" and not self.rules.supports_groups:
            raise ScimError(
                self.rules.no_groups_status,
                f"{self.rules.name} does not support groups",
            )

        body = (
            self._read_body(request, raw)
            if method in {"POST", "PUT", "PATCH"}
            else None
        )
        if len(segments) == 1:
            if method == "GET":
                return self._list(kind, params)
            if method == "POST":
                return self._create(kind, body, base)
            raise _method_not_allowed(method, path)
        resource_id = segments[1]
        if method == "GET":
            return _Answer(
                200, self._render(kind, self._find(kind, resource_id), params)
            )
        if method == "PUT":
            return self._replace(kind, resource_id, body, base)
        if method == "PATCH":
            return self._patch(kind, resource_id, body, base)
        if method == "DELETE":
            return self._delete(kind, resource_id)
        raise _method_not_allowed(method, path)

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer" or credentials.strip() != self.token:
            raise ScimError(
                401,
                "missing or invalid bearer token",
                headers={"WWW-Authenticate": 'Bearer realm="scim"'},
            )

    def _count_write(self) -> None:
        if self._write_limit is None:
            return
        now = time.monotonic()
        while self._recent_writes and now - self._recent_writes[0] >= 1.0:
            self._recent_writes.popleft()
        if len(self._recent_writes) >= self._write_limit:
            raise ScimError(
                429,
                f"more than {self._write_limit} writes per second",
                headers={"Retry-After": f"{self._throttle_retry_after:g}"},
            )
        self._recent_writes.append(now)

    def _read_body(self, request: Request, raw: bytes) -> Any:
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        if content_type.lower() not in {SCIM_JSON, "application/json"}:
            raise ScimError(415, f"unsupported content type {content_type!r}")
        try:
            return json.loads(raw)
        except ValueError as error:
            raise invalid_syntax(f"the body is not valid JSON: {error}") from error

    # -- operations ---------------------------------------------------------

    def _create(self, kind: str, body: Any, base: str) -> _Answer:
        resource = self._checked(kind, body, creating=True, own_id=None)
        resource_id = self._store(kind, resource, None, base)
        changes = len(res.member_ids(resource)) if kind == "Group" else 0
        stored = self._table(kind)[resource_id]
        location = stored["meta"]["location"]
        return _Answer(
            201,
            self._render(kind, stored, {}),
            {"Location": location},
            kind,
            resource_id,
            changes,
        )

    def _replace(self, kind: str, resource_id: str, body: Any, base: str) -> _Answer:
        allowed = self.rules.put_users if kind == "User" else self.rules.put_groups
        if not allowed:
            raise ScimError(
                self.rules.unsupported_status,
                f"{self.rules.name} does not support PUT on {kind}s",
            )
        before = self._find(kind, resource_id)
        resource = self._checked(kind, body, creating=False, own_id=resource_id)
        self.rules.check_update(kind, before, resource)
        changes = 0
        if kind == "Group":
            changes = len(set(res.member_ids(before)) ^ set(res.member_ids(resource)))
        self._store(kind, resource, before, base)
        stored = self._table(kind)[resource_id]
        return _Answer(
            200, self._render(kind, stored, {}), None, kind, resource_id, changes
        )

    def _patch(self, kind: str, resource_id: str, body: Any, base: str) -> _Answer:
        if not self.rules.patch_supported:
            raise ScimError(
                self.rules.unsupported_status,
                f"{self.rules.name} does not support PATCH",
            )
        before = self._find(kind, resource_id)
        operations = parse_patch(body, kind)
        self.rules.check_patch(operations, kind, before)
        changes = 0
        if kind == "Group":
            changes = member_changes(operations, res.member_ids(before))
            limit = self.rules.max_member_changes
            if limit is not None and changes > limit:
                raise self.rules.member_limit_error(changes)

        after = copy.deepcopy(before)
        for operation in operations:
            self._apply(after, operation)
        after.pop("meta", None)
        after.pop("id", None)
        resource = self._checked(kind, after, creating=False, own_id=resource_id)
        self.rules.check_update(kind, before, resource)
        self._store(kind, resource, before, base)

        stored = self._table(kind)[resource_id]
        body_out = (
            self._render(kind, stored, {}) if self.rules.patch_status == 200 else None
        )
        return _Answer(
            self.rules.patch_status, body_out, None, kind, resource_id, changes
        )

    def _apply(self, resource: dict[str, Any], operation: PatchOperation) -> None:
        listed = removed_member_values(operation)
        if listed is None:
            apply_operation(resource, operation)
            return
        mode = self.rules.remove_members_with_value
        if mode == "reject":
            raise invalid_syntax(
                'remove takes no value; select members with members[value eq "id"]'
            )
        if mode == "all":
            resource.pop("members", None)
            return
        members = res.get(resource, "members") or []
        resource["members"] = [m for m in members if res.get(m, "value") not in listed]

    def _delete(self, kind: str, resource_id: str) -> _Answer:
        self._find(kind, resource_id)
        if kind == "User":
            self.rules.delete_user(self, resource_id)
        else:
            del self.groups[resource_id]
        return _Answer(204, None, None, kind, resource_id)

    def _list(self, kind: str, params: dict[str, str]) -> _Answer:
        candidates = list(self._table(kind).values())
        if "filter" in params:
            node = parse_filter(params["filter"])
            self.rules.check_filter(kind, node)
            candidates = [c for c in candidates if matches(node, c)]
        body = self._pager.page(candidates, params)
        body["Resources"] = [self._render(kind, r, params) for r in body["Resources"]]
        return _Answer(200, body, None, kind)

    # -- storage ------------------------------------------------------------

    def _checked(
        self, kind: str, body: Any, *, creating: bool, own_id: str | None
    ) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise invalid_syntax(f"a {kind} must be a JSON object")
        res.check_schemas(body, kind)
        if kind == "User":
            res.check_user_shape(body)
            self.rules.check_user(body, creating=creating)
        else:
            res.check_group_shape(body)
            self.rules.check_group(body, creating=creating)
        resource = res.strip_server_owned(body)
        if kind == "User":
            self._check_user_name(resource, own_id, creating)
        else:
            self._check_group(resource, own_id)
        return resource

    def _check_user_name(
        self, user: dict[str, Any], own_id: str | None, creating: bool
    ) -> None:
        user_name = str(res.get(user, "userName"))
        for other_id, other in self.users.items():
            same = str(res.get(other, "userName")).lower() == user_name.lower()
            if same and other_id != own_id:
                raise uniqueness(f"userName {user_name!r} is already taken")
        if creating:
            self.rules.check_new_user_name(self, user_name)

    def _check_group(self, group: dict[str, Any], own_id: str | None) -> None:
        display_name = str(res.get(group, "displayName"))
        for other_id, other in self.groups.items():
            same = str(res.get(other, "displayName")).lower() == display_name.lower()
            if same and other_id != own_id:
                raise uniqueness(f"a group named {display_name!r} already exists")
        for member_id in res.member_ids(group):
            member_kind = self._kind_of(member_id)
            if member_kind is None:
                raise invalid_value(f"member {member_id!r} does not exist")
            if member_kind not in self.rules.member_kinds:
                raise invalid_value(
                    f"member {member_id!r} is a {member_kind}; "
                    f"{self.rules.name} does not support nested groups"
                )
            if member_id == own_id:
                raise invalid_value("a group cannot be a member of itself")
        members = res.get(group, "members")
        if isinstance(members, list):
            unique: dict[str, Any] = {}
            for member in members:
                unique.setdefault(str(res.get(member, "value")), member)
            group[res.find_key(group, "members") or "members"] = list(unique.values())

    def _kind_of(self, resource_id: str) -> str | None:
        if resource_id in self.users:
            return "User"
        if resource_id in self.groups:
            return "Group"
        return None

    def _store(
        self,
        kind: str,
        resource: dict[str, Any],
        before: dict[str, Any] | None,
        base: str,
    ) -> str:
        now = self.clock().isoformat().replace("+00:00", "Z")
        resource_id = before["id"] if before else uuid.uuid4().hex
        version = int(before["meta"]["version"][3:-1]) + 1 if before else 1
        endpoint = "Users" if kind == "User" else "Groups"
        stored = {
            **resource,
            "id": resource_id,
            "meta": {
                "resourceType": kind,
                "created": before["meta"]["created"] if before else now,
                "lastModified": now,
                "location": f"{base}/{endpoint}/{resource_id}",
                "version": f'W/"{version}"',
            },
        }
        self._table(kind)[resource_id] = stored
        return resource_id

    def _table(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.users if kind == "User" else self.groups

    def _find(self, kind: str, resource_id: str) -> dict[str, Any]:
        found = self._table(kind).get(resource_id)
        if found is None:
            raise not_found(f"{kind} {resource_id} not found")
        return found

    def _render(
        self, kind: str, resource: dict[str, Any], params: dict[str, str]
    ) -> dict[str, Any]:
        shown = copy.deepcopy(resource)
        if kind == "Group":
            shown = self.rules.render_group(shown)
        # Limitation: `attributes` is ignored; only `excludedAttributes` applies.
        excluded = {
            a.strip().lower() for a in params.get("excludedAttributes", "").split(",")
        }
        return {k: v for k, v in shown.items() if k.lower() not in excluded}


def _method_not_allowed(method: str, path: str) -> ScimError:
    return ScimError(405, f"{method} is not allowed on {path}")


def _loads_quietly(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def _json(status: int, body: Any, headers: dict[str, str] | None) -> Response:
    return Response(
        json.dumps(body),
        status_code=status,
        headers=headers,
        media_type=SCIM_JSON,
    )
