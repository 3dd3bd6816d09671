"""Pushing one user to one connector's app.

Three phases keep transactions short and never hold one open across HTTP:
read a snapshot, carry out the requests, then record the outcome (sync
state, event-log entry, follow-up work) in one transaction.
"""

import contextlib
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from scimlink.apps import patch_request, split_patch
from scimlink.db.models import Connector, GroupMemberLink, User, UserLink
from scimlink.db.types import utcnow
from scimlink.mapping import build_user_resource, diff_user_resources
from scimlink.scim.client import eq_filter
from scimlink.scim.errors import ConflictError, InvalidRequestError, NotFoundError
from scimlink.sync import events, outbox, queue, scope
from scimlink.sync.events import EventRecord, Source
from scimlink.sync.health import mark_healthy
from scimlink.sync.learned import refuses_method, remember_put_only
from scimlink.sync.runtime import ConnectorRuntime
from scimlink.sync.sources import (
    ManagerLookup,
    directory_source,
    scope_source,
    source_user,
)

Action = Literal["nothing", "create", "update", "delete", "deactivate", "forget"]


@dataclass
class UserSnapshot:
    user_id: str
    email: str
    in_scope: bool
    desired: dict[str, Any] | None
    remote_id: str | None
    pushed: dict[str, Any] | None
    link_status: str | None
    source: Source | None
    on_leave: str
    # The manager reference the desired resource could not resolve yet.
    awaiting_manager: str | None = None


@dataclass
class Outcome:
    """What the app now holds for this user, and what to log."""

    remote_id: str | None
    pushed: dict[str, Any] | None
    status: str
    record: EventRecord | None
    learned_put: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)


def plan(snapshot: UserSnapshot) -> Action:
    """Decide what the app needs, from the identity source and the sync state."""
    if snapshot.in_scope:
        if snapshot.remote_id is None:
            return "create"
        if snapshot.pushed == snapshot.desired and snapshot.link_status == "synced":
            return "nothing"
        return "update"
    if snapshot.remote_id is None:
        return "forget" if snapshot.link_status is not None else "nothing"
    if snapshot.on_leave == "keep":
        return "forget"
    if snapshot.on_leave == "delete":
        return "delete"
    if snapshot.link_status == "deactivated":
        return "nothing"
    return "deactivate"


def read_snapshot(
    session: Session, runtime: ConnectorRuntime, user_id: str, on_leave: str | None
) -> UserSnapshot:
    user = session.get(User, user_id)
    link = session.get(UserLink, (runtime.connector_id, user_id))
    in_scope = user is not None and scope.is_in_scope(
        session, runtime.connector_id, user_id
    )
    desired = None
    source = directory_source(session, user)
    managers = ManagerLookup(session, runtime.connector_id)
    if user is not None and in_scope:
        source = scope_source(session, runtime.connector_id, user) or source
        desired = build_user_resource(
            runtime.mapping,
            source_user(user),
            runtime.profile,
            matching_attribute=runtime.matching_attribute,
            resolve_manager=managers,
        )
    return UserSnapshot(
        user_id=user_id,
        email=user.email if user else (link.user_email if link else ""),
        in_scope=in_scope,
        desired=desired,
        remote_id=link.remote_id if link else None,
        pushed=link.pushed if link else None,
        link_status=link.status if link else None,
        source=source,
        on_leave=on_leave or runtime.deprovision,
        awaiting_manager=managers.unresolved,
    )


def carry_out(
    runtime: ConnectorRuntime, snapshot: UserSnapshot, action: Action
) -> Outcome:
    """Send the requests the action needs; raises ScimError on failure."""
    app = runtime.destination.app_name
    if action == "create":
        return _create_or_adopt(runtime, snapshot)
    if action == "update":
        try:
            return _update(runtime, snapshot)
        except NotFoundError:
            # The account vanished in the app: make it again.
            return _create_or_adopt(runtime, snapshot)
    if action == "delete":
        assert snapshot.remote_id is not None
        runtime.limiter.acquire()
        # Already gone is what we wanted.
        with contextlib.suppress(NotFoundError):
            runtime.client.delete("Users", snapshot.remote_id)
        verb = "deactivated" if runtime.profile.delete_deactivates else "deleted"
        return Outcome(
            None,
            None,
            "deleted",
            EventRecord(
                events.USER_DELETED,
                f"User {snapshot.email} was {verb} in {app}.",
                details={"appId": snapshot.remote_id},
            ),
        )
    if action == "deactivate":
        return _deactivate(runtime, snapshot)
    if action == "nothing" and snapshot.link_status is not None:
        # The app already holds this state: keep the link and its memberships.
        return Outcome(snapshot.remote_id, snapshot.pushed, snapshot.link_status, None)
    return Outcome(snapshot.remote_id, snapshot.pushed, "forgotten", None)


def _lookup(
    runtime: ConnectorRuntime, desired: dict[str, Any]
) -> dict[str, Any] | None:
    value = _matching_value(desired, runtime.matching_attribute)
    if value is None or not runtime.profile.filter_supported:
        return None
    runtime.limiter.acquire_read()
    _, found = runtime.client.search(
        "Users", eq_filter(runtime.matching_attribute, value), count=2
    )
    return found[0] if found else None


def _matching_value(resource: dict[str, Any], attribute: str) -> str | None:
    if attribute == "emails.value":
        emails = resource.get("emails") or []
        return str(emails[0].get("value")) if emails else None
    value = resource.get(attribute)
    return str(value) if value is not None else None


def _create_or_adopt(runtime: ConnectorRuntime, snapshot: UserSnapshot) -> Outcome:
    desired = snapshot.desired or {}
    app = runtime.destination.app_name
    # Looking first makes a retry after a crash adopt what the lost attempt
    # created instead of creating it twice.
    existing = _lookup(runtime, desired)
    if existing is None:
        runtime.limiter.acquire()
        try:
            result = runtime.client.create("Users", desired)
        except ConflictError:
            existing = _lookup(runtime, desired)
            if existing is None:
                raise
        else:
            remote_id = str((result.resource or {}).get("id") or "")
            if not remote_id:
                raise InvalidRequestError(
                    "invalid",
                    "The app created the user but returned no id.",
                    method="POST",
                    url=result.url,
                    status=result.status,
                )
            return Outcome(
                remote_id,
                desired,
                "synced",
                EventRecord(
                    events.USER_CREATED,
                    f"User {snapshot.email} was created in {app}.",
                    details={
                        "appId": remote_id,
                        "request": desired,
                        "response": result.resource,
                    },
                ),
            )
    remote_id = str(existing.get("id"))
    learned_put = _replace_all(runtime, remote_id, desired)
    return Outcome(
        remote_id,
        desired,
        "synced",
        EventRecord(
            events.USER_UPDATED,
            f"User {snapshot.email} already existed in {app} and was adopted "
            "and updated.",
            details={"appId": remote_id, "request": desired, "adopted": True},
        ),
        learned_put=learned_put,
    )


def _replace_all(
    runtime: ConnectorRuntime, remote_id: str, desired: dict[str, Any]
) -> bool:
    """Make an adopted account match the desired resource entirely."""
    if runtime.profile.update_method == "patch":
        operations = [
            {"op": "replace", "path": key, "value": value}
            for key, value in desired.items()
            if key != "schemas"
        ]
        try:
            _send_patch(runtime, remote_id, operations)
            return False
        except InvalidRequestError as error:
            if not refuses_method(error):
                raise
    runtime.limiter.acquire()
    runtime.client.replace("Users", remote_id, {**desired, "id": remote_id})
    return runtime.profile.update_method == "patch"


def _send_patch(
    runtime: ConnectorRuntime, remote_id: str, operations: list[dict[str, Any]]
) -> None:
    for request in split_patch(runtime.profile, operations):
        runtime.limiter.acquire()
        runtime.client.patch("Users", remote_id, request)


def _update(runtime: ConnectorRuntime, snapshot: UserSnapshot) -> Outcome:
    assert snapshot.remote_id is not None
    desired = snapshot.desired or {}
    app = runtime.destination.app_name
    learned_put = False
    if snapshot.link_status == "stale" or snapshot.pushed is None:
        # A reconcile, or nothing known of what the app holds: read the
        # account (a 404 re-creates it) and repair it only if it drifted.
        runtime.limiter.acquire_read()
        held = runtime.client.get("Users", snapshot.remote_id).resource or {}
        if holds(held, desired):
            return Outcome(snapshot.remote_id, desired, "synced", None)
        learned_put = _replace_all(runtime, snapshot.remote_id, desired)
        return Outcome(
            snapshot.remote_id,
            desired,
            "synced",
            EventRecord(
                events.USER_UPDATED,
                f"User {snapshot.email} differed in {app} from what scimlink "
                "sent and was repaired.",
                details={"appId": snapshot.remote_id, "request": desired},
            ),
            learned_put=learned_put,
        )
    operations = diff_user_resources(snapshot.pushed, desired)
    if runtime.profile.update_method == "patch":
        try:
            _send_patch(runtime, snapshot.remote_id, operations)
        except InvalidRequestError as error:
            if not refuses_method(error):
                raise
            learned_put = True
            runtime.limiter.acquire()
            runtime.client.replace(
                "Users", snapshot.remote_id, {**desired, "id": snapshot.remote_id}
            )
    else:
        runtime.limiter.acquire()
        runtime.client.replace(
            "Users", snapshot.remote_id, {**desired, "id": snapshot.remote_id}
        )
    return Outcome(
        snapshot.remote_id,
        desired,
        "synced",
        EventRecord(
            events.USER_UPDATED,
            _update_sentence(snapshot, app),
            details={
                "appId": snapshot.remote_id,
                "operations": patch_request(operations),
            },
        ),
        learned_put=learned_put,
    )


def _update_sentence(snapshot: UserSnapshot, app: str) -> str:
    before = (snapshot.pushed or {}).get("active")
    after = (snapshot.desired or {}).get("active")
    if before is not False and after is False:
        return f"User {snapshot.email} was suspended in {app} (set inactive)."
    if before is False and after is not False:
        return f"User {snapshot.email} was reactivated in {app}."
    return f"User {snapshot.email} was updated in {app}."


def _deactivate(runtime: ConnectorRuntime, snapshot: UserSnapshot) -> Outcome:
    assert snapshot.remote_id is not None
    app = runtime.destination.app_name
    pushed = {**(snapshot.pushed or {}), "active": False}
    try:
        if runtime.profile.update_method == "patch":
            _send_patch(
                runtime,
                snapshot.remote_id,
                [{"op": "replace", "path": "active", "value": False}],
            )
        else:
            runtime.limiter.acquire()
            runtime.client.replace(
                "Users", snapshot.remote_id, {**pushed, "id": snapshot.remote_id}
            )
    except NotFoundError:
        return Outcome(None, None, "deleted", None)
    return Outcome(
        snapshot.remote_id,
        pushed,
        "deactivated",
        EventRecord(
            events.USER_UPDATED,
            f"User {snapshot.email} left the connector's scope and was "
            f"deactivated in {app}.",
            details={"appId": snapshot.remote_id},
        ),
    )


def record(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    task: queue.ClaimedTask,
    snapshot: UserSnapshot,
    outcome: Outcome,
) -> None:
    """Store the outcome, its event and any follow-up work in one transaction."""
    with sessions() as session, session.begin():
        connector_id = runtime.connector_id
        if session.get(Connector, connector_id) is None:
            return  # deleted while we pushed; its state went with it
        link = session.get(UserLink, (connector_id, snapshot.user_id))
        newly_present = outcome.remote_id is not None and (
            link is None or link.remote_id is None or link.status != "synced"
        )
        if outcome.status in ("deleted", "forgotten"):
            if link is not None:
                session.delete(link)
            session.execute(
                delete(GroupMemberLink).where(
                    GroupMemberLink.connector_id == connector_id,
                    GroupMemberLink.user_id == snapshot.user_id,
                )
            )
        else:
            if link is None:
                link = UserLink(connector_id=connector_id, user_id=snapshot.user_id)
                session.add(link)
            link.remote_id = outcome.remote_id
            link.pushed = outcome.pushed
            link.status = outcome.status
            link.last_error = None
            link.user_email = snapshot.email
            link.synced_at = utcnow()
            link.awaiting_manager = snapshot.awaiting_manager
        if outcome.record is not None:
            outcome.record.source = outcome.record.source or snapshot.source
            outcome.record.user_id = snapshot.user_id
            outcome.record.user_email = snapshot.email
            outcome.record.details.setdefault("attempts", task.attempts + 1)
            events.write_events(session, runtime.destination, [outcome.record])
        if outcome.learned_put:
            remember_put_only(session, connector_id)
        mark_healthy(session, connector_id)
        session.flush()
        follow_up = _groups_to_refresh(
            session, runtime, snapshot, outcome, newly_present
        )
        outbox.enqueue(session, "group", ((connector_id, g) for g in follow_up))
        if newly_present and outcome.status == "synced":
            outbox.enqueue(
                session,
                "user",
                (
                    (connector_id, u)
                    for u in _reports_awaiting(session, snapshot, connector_id)
                ),
            )
        queue.finish(session, task)


def _reports_awaiting(
    session: Session, snapshot: UserSnapshot, connector_id: str
) -> list[str]:
    """Users pushed without manager.value because this user was not there yet."""
    # Filtering on the indexed reference alone keeps this an index lookup; the
    # connector is checked on the few rows it finds.
    rows = session.execute(
        select(UserLink.connector_id, UserLink.user_id).where(
            UserLink.awaiting_manager.in_(
                [snapshot.email.lower(), snapshot.user_id.lower()]
            )
        )
    ).all()
    return [user_id for connector, user_id in rows if connector == connector_id]


def _groups_to_refresh(
    session: Session,
    runtime: ConnectorRuntime,
    snapshot: UserSnapshot,
    outcome: Outcome,
    newly_present: bool,
) -> list[str]:
    if not runtime.group_export:
        return []
    if newly_present and outcome.status == "synced":
        return scope.exported_groups_of_user(
            session, runtime.connector_id, snapshot.user_id
        )
    if outcome.status == "deactivated":
        return list(
            session.scalars(
                select(GroupMemberLink.group_id).where(
                    GroupMemberLink.connector_id == runtime.connector_id,
                    GroupMemberLink.user_id == snapshot.user_id,
                )
            )
        )
    return []


def holds(app_value: Any, desired: Any) -> bool:
    """True when the app's value carries everything scimlink wants it to.

    The app may add attributes of its own (id, meta, groups...), so only
    what is desired is compared; multi-valued values match in any order.
    """
    if isinstance(desired, dict):
        if not isinstance(app_value, dict):
            return False
        lowered = {k.lower(): v for k, v in app_value.items()}
        return all(
            key == "schemas" or holds(lowered.get(key.lower()), value)
            for key, value in desired.items()
        )
    if isinstance(desired, list):
        if not isinstance(app_value, list):
            return False
        return all(any(holds(have, want) for have in app_value) for want in desired)
    if isinstance(desired, str) and isinstance(app_value, str):
        return desired == app_value
    return bool(desired == app_value)
