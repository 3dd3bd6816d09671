"""Pushing one group, and its memberships, to one connector's app.

Memberships already sent are kept locally (GroupMemberLink) because some
apps never return members when a group is read; each run sends exactly the
members that changed, in requests no larger than the app's member limit,
and records each request's members as soon as it succeeds.
"""

import contextlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from scimlink.apps import (
    GroupRenameUnsupportedError,
    group_patch,
    group_resource,
    member_patches,
)
from scimlink.db.models import (
    Connector,
    Directory,
    Group,
    GroupAssignment,
    GroupLink,
    GroupMember,
    GroupMemberLink,
    UserLink,
)
from scimlink.db.types import utcnow
from scimlink.scim.client import eq_filter
from scimlink.scim.errors import ConflictError, NotFoundError
from scimlink.sync import events, queue, scope
from scimlink.sync.events import EventRecord, Source
from scimlink.sync.health import mark_healthy
from scimlink.sync.runtime import ConnectorRuntime


@dataclass
class GroupSnapshot:
    group_id: str
    name: str
    description: str | None
    exported: bool
    remote_id: str | None
    pushed: dict[str, Any] | None
    source: Source | None
    # user id -> (app id, email) for members in scope that exist in the app
    desired_members: dict[str, tuple[str, str]]
    # user id -> (app id, email) for memberships already sent
    pushed_members: dict[str, tuple[str, str]]


def read_snapshot(
    session: Session, runtime: ConnectorRuntime, group_id: str
) -> GroupSnapshot:
    group = session.get(Group, group_id)
    link = session.get(GroupLink, (runtime.connector_id, group_id))
    assigned = session.get(GroupAssignment, (runtime.connector_id, group_id))
    exported = group is not None and assigned is not None and runtime.group_export
    desired: dict[str, tuple[str, str]] = {}
    if exported:
        in_scope = scope.users_in_scope(session, runtime.connector_id)
        rows = session.execute(
            select(GroupMember.user_id, UserLink.remote_id, UserLink.user_email)
            .join(
                UserLink,
                (UserLink.user_id == GroupMember.user_id)
                & (UserLink.connector_id == runtime.connector_id),
            )
            .where(GroupMember.group_id == group_id)
            .where(UserLink.status == "synced")
            .where(UserLink.remote_id.is_not(None))
        ).all()
        desired = {u: (r, e) for u, r, e in rows if u in in_scope and r}
    pushed_rows = session.execute(
        select(GroupMemberLink.user_id, UserLink.remote_id, UserLink.user_email)
        .outerjoin(
            UserLink,
            (UserLink.user_id == GroupMemberLink.user_id)
            & (UserLink.connector_id == GroupMemberLink.connector_id),
        )
        .where(GroupMemberLink.connector_id == runtime.connector_id)
        .where(GroupMemberLink.group_id == group_id)
    ).all()
    source = None
    if group is not None:
        directory = session.get(Directory, group.directory_id)
        if directory is not None:
            source = Source("directory", directory.id, directory.name)
    return GroupSnapshot(
        group_id=group_id,
        name=group.name if group else (link.group_name if link else ""),
        description=group.description if group else None,
        exported=exported,
        remote_id=link.remote_id if link else None,
        pushed=link.pushed if link else None,
        source=source,
        desired_members=desired,
        pushed_members={u: (r or "", e or "") for u, r, e in pushed_rows},
    )


def push_group(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    task: queue.ClaimedTask,
) -> None:
    """Bring the app's copy of one group in line; raises ScimError on failure."""
    with sessions() as session:
        snapshot = read_snapshot(session, runtime, task.object_id)

    if not snapshot.exported:
        _remove_group(sessions, runtime, task, snapshot)
        return

    remote_id, record = _ensure_group(runtime, snapshot)
    if record is not None:
        _save_link(sessions, runtime, snapshot, remote_id, [record])

    _sync_members(sessions, runtime, snapshot, remote_id)

    with sessions() as session, session.begin():
        mark_healthy(session, runtime.connector_id)
        queue.finish(session, task)


def _ensure_group(
    runtime: ConnectorRuntime, snapshot: GroupSnapshot
) -> tuple[str, EventRecord | None]:
    """The group's id in the app, creating, adopting or updating it."""
    app = runtime.destination.app_name
    wanted = _wanted(snapshot)
    if snapshot.remote_id is not None:
        if snapshot.pushed == wanted:
            return snapshot.remote_id, None
        try:
            return snapshot.remote_id, _update_group(runtime, snapshot, wanted)
        except NotFoundError:
            pass  # deleted in the app: create it again below

    existing = _lookup(runtime, snapshot.name)
    if existing is None:
        resource = group_resource(
            runtime.profile, snapshot.name, snapshot.description, []
        )
        runtime.limiter.acquire()
        try:
            result = runtime.client.create("Groups", resource)
        except ConflictError:
            existing = _lookup(runtime, snapshot.name)
            if existing is None:
                raise
        else:
            remote_id = str((result.resource or {}).get("id") or "")
            return remote_id, EventRecord(
                events.GROUP_CREATED,
                f"Group {snapshot.name} was created in {app}.",
                details={"appId": remote_id, "request": resource},
            )
    remote_id = str(existing.get("id"))
    return remote_id, EventRecord(
        events.GROUP_CREATED,
        f"Group {snapshot.name} already existed in {app} and was adopted.",
        details={"appId": remote_id, "adopted": True},
    )


def _wanted(snapshot: GroupSnapshot) -> dict[str, Any]:
    return {"displayName": snapshot.name, "description": snapshot.description}


def _lookup(runtime: ConnectorRuntime, name: str) -> dict[str, Any] | None:
    runtime.limiter.acquire()
    _, found = runtime.client.search(
        "Groups", eq_filter(runtime.profile.group_match_attribute, name), count=2
    )
    return found[0] if found else None


def _update_group(
    runtime: ConnectorRuntime, snapshot: GroupSnapshot, wanted: dict[str, Any]
) -> EventRecord:
    assert snapshot.remote_id is not None
    app = runtime.destination.app_name
    before = snapshot.pushed or {}
    renamed = before.get("displayName") != wanted["displayName"]
    described = before.get("description") != wanted["description"]
    if runtime.profile.update_method == "patch":
        try:
            operations = group_patch(
                runtime.profile,
                display_name=wanted["displayName"] if renamed else None,
                description=(wanted["description"] or "") if described else None,
            )
        except GroupRenameUnsupportedError:
            # Told once in the event log; the link then records the new name
            # so the refusal is not repeated on every later push.
            return EventRecord(
                events.GROUP_UPDATED,
                f"Group {before.get('displayName')} was renamed to {snapshot.name} "
                f"in the directory, but {app} does not allow renaming a synced "
                "group, so it keeps its old name there. To change it, create a "
                "new group, move the members, and unassign the old one.",
                success=False,
                error={"reason": "rename_unsupported", "detail": "renaming refused"},
                details={"appId": snapshot.remote_id},
            )
        if operations:
            runtime.limiter.acquire()
            runtime.client.patch("Groups", snapshot.remote_id, operations)
    else:
        members = [remote for remote, _ in snapshot.pushed_members.values() if remote]
        resource = group_resource(
            runtime.profile, snapshot.name, snapshot.description, members
        )
        runtime.limiter.acquire()
        runtime.client.replace(
            "Groups", snapshot.remote_id, {**resource, "id": snapshot.remote_id}
        )
    what = "renamed to" if renamed else "updated as"
    return EventRecord(
        events.GROUP_UPDATED,
        f"Group {snapshot.name} was {what} {snapshot.name!r} in {app}."
        if renamed
        else f"Group {snapshot.name} was updated in {app}.",
        details={
            "appId": snapshot.remote_id,
            "previousName": before.get("displayName"),
        },
    )


def _sync_members(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    snapshot: GroupSnapshot,
    remote_id: str,
) -> None:
    app = runtime.destination.app_name
    to_add = {
        u: v
        for u, v in snapshot.desired_members.items()
        if u not in snapshot.pushed_members
    }
    to_remove = {
        u: v
        for u, v in snapshot.pushed_members.items()
        if u not in snapshot.desired_members
    }
    if not to_add and not to_remove:
        return

    if runtime.profile.update_method != "patch":
        members = [remote for remote, _ in snapshot.desired_members.values()]
        resource = group_resource(
            runtime.profile, snapshot.name, snapshot.description, members
        )
        resource["members"] = [{"value": m} for m in members]
        runtime.limiter.acquire()
        runtime.client.replace("Groups", remote_id, {**resource, "id": remote_id})
        _save_members(sessions, runtime, snapshot, to_add, to_remove, app)
        return

    limit = max(1, runtime.profile.member_limit)
    changes = [("add", u) for u in sorted(to_add)] + [
        ("remove", u) for u in sorted(to_remove)
    ]
    for start in range(0, len(changes), limit):
        chunk = changes[start : start + limit]
        adds = {u: to_add[u] for kind, u in chunk if kind == "add"}
        removes = {
            u: to_remove[u] for kind, u in chunk if kind == "remove" and to_remove[u][0]
        }
        forgotten = {
            u: to_remove[u]
            for kind, u in chunk
            if kind == "remove" and not to_remove[u][0]
        }
        requests = member_patches(
            runtime.profile,
            [remote for remote, _ in adds.values()],
            [remote for remote, _ in removes.values()],
        )
        for operations in requests:
            runtime.limiter.acquire()
            runtime.client.patch("Groups", remote_id, operations)
        _save_members(sessions, runtime, snapshot, adds, {**removes, **forgotten}, app)


def _save_members(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    snapshot: GroupSnapshot,
    added: dict[str, tuple[str, str]],
    removed: dict[str, tuple[str, str]],
    app: str,
) -> None:
    connector_id = runtime.connector_id
    with sessions() as session, session.begin():
        if session.get(Connector, connector_id) is None:
            return
        if added:
            session.execute(
                insert(GroupMemberLink),
                [
                    {
                        "connector_id": connector_id,
                        "group_id": snapshot.group_id,
                        "user_id": u,
                    }
                    for u in added
                ],
            )
        for start in range(0, len(removed), 500):
            chunk = list(removed)[start : start + 500]
            session.execute(
                delete(GroupMemberLink).where(
                    GroupMemberLink.connector_id == connector_id,
                    GroupMemberLink.group_id == snapshot.group_id,
                    GroupMemberLink.user_id.in_(chunk),
                )
            )
        records = [
            EventRecord(
                events.MEMBER_ADDED,
                f"User {email} was added to group {snapshot.name} in {app}.",
                source=snapshot.source,
                user_id=user_id,
                user_email=email,
                group_id=snapshot.group_id,
                group_name=snapshot.name,
                details={
                    "groupAppId": remote_id_of_group(
                        session, connector_id, snapshot.group_id
                    ),
                    "userAppId": remote,
                },
            )
            for user_id, (remote, email) in added.items()
        ] + [
            EventRecord(
                events.MEMBER_REMOVED,
                f"User {email} was removed from group {snapshot.name} in {app}.",
                source=snapshot.source,
                user_id=user_id,
                user_email=email,
                group_id=snapshot.group_id,
                group_name=snapshot.name,
                details={"userAppId": remote},
            )
            for user_id, (remote, email) in removed.items()
        ]
        events.write_events(session, runtime.destination, records)


def remote_id_of_group(
    session: Session, connector_id: str, group_id: str
) -> str | None:
    link = session.get(GroupLink, (connector_id, group_id))
    return link.remote_id if link else None


def _save_link(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    snapshot: GroupSnapshot,
    remote_id: str,
    records: list[EventRecord],
) -> None:
    with sessions() as session, session.begin():
        if session.get(Connector, runtime.connector_id) is None:
            return
        link = session.get(GroupLink, (runtime.connector_id, snapshot.group_id))
        if link is None:
            link = GroupLink(
                connector_id=runtime.connector_id, group_id=snapshot.group_id
            )
            session.add(link)
        if link.remote_id != remote_id:
            # A new id in the app means none of the recorded members are there.
            session.execute(
                delete(GroupMemberLink).where(
                    GroupMemberLink.connector_id == runtime.connector_id,
                    GroupMemberLink.group_id == snapshot.group_id,
                )
            )
            snapshot.pushed_members.clear()
        link.remote_id = remote_id
        link.pushed = _wanted(snapshot)
        link.status = "synced"
        link.last_error = None
        link.group_name = snapshot.name
        link.synced_at = utcnow()
        for record in records:
            record.source = snapshot.source
            record.group_id = snapshot.group_id
            record.group_name = snapshot.name
        events.write_events(session, runtime.destination, records)


def _remove_group(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    task: queue.ClaimedTask,
    snapshot: GroupSnapshot,
) -> None:
    app = runtime.destination.app_name
    records: list[EventRecord] = []
    if snapshot.remote_id is not None:
        runtime.limiter.acquire()
        with contextlib.suppress(NotFoundError):
            runtime.client.delete("Groups", snapshot.remote_id)
        records.append(
            EventRecord(
                events.GROUP_DELETED,
                f"Group {snapshot.name} was deleted in {app}; its users stay.",
                source=snapshot.source,
                group_id=snapshot.group_id,
                group_name=snapshot.name,
                details={"appId": snapshot.remote_id},
            )
        )
    with sessions() as session, session.begin():
        if session.get(Connector, runtime.connector_id) is None:
            return
        session.execute(
            delete(GroupMemberLink).where(
                GroupMemberLink.connector_id == runtime.connector_id,
                GroupMemberLink.group_id == snapshot.group_id,
            )
        )
        link = session.get(GroupLink, (runtime.connector_id, snapshot.group_id))
        if link is not None:
            session.delete(link)
        events.write_events(session, runtime.destination, records)
        queue.finish(session, task)
