"""Pushing one group, and its memberships, to one connector's app.

Memberships already sent are kept locally (GroupMemberLink) because some
apps never return members when a group is read; each run sends exactly the
members that changed, in requests no larger than the app's member limit,
and records each request's members as soon as it succeeds, so a retry after
a failure or a crash resumes where the last run stopped.
"""

import contextlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
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
from scimlink.scim.errors import ConflictError, InvalidRequestError, NotFoundError
from scimlink.sync import events, queue, scope
from scimlink.sync.events import EventRecord, Source
from scimlink.sync.health import mark_healthy
from scimlink.sync.learned import refuses_method, remember_put_only
from scimlink.sync.runtime import ConnectorRuntime

# A member as the push needs it: the user's id in the app, and its email.
Member = tuple[str, str]


@dataclass
class GroupSnapshot:
    """The identity source's group and the connector's sync state of it."""

    group_id: str
    name: str
    description: str | None
    exported: bool
    remote_id: str | None
    pushed: dict[str, Any] | None
    source: Source | None
    # user id -> member, for members in scope that exist in the app
    desired_members: dict[str, Member]
    # user id -> member, for memberships already sent; the app id is empty
    # when the user's own sync state is gone
    pushed_members: dict[str, Member]


@dataclass
class MemberChanges:
    """Memberships to add and to remove, by user id."""

    add: dict[str, Member] = field(default_factory=dict)
    remove: dict[str, Member] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)


def read_snapshot(
    session: Session, runtime: ConnectorRuntime, group_id: str
) -> GroupSnapshot:
    """Read everything one push needs, in one short transaction."""
    group = session.get(Group, group_id)
    link = session.get(GroupLink, (runtime.connector_id, group_id))
    assigned = session.get(GroupAssignment, (runtime.connector_id, group_id))
    exported = group is not None and assigned is not None and runtime.group_export
    desired: dict[str, Member] = {}
    if exported:
        desired = _members_in_app(session, runtime.connector_id, group_id)
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


def _members_in_app(
    session: Session, connector_id: str, group_id: str
) -> dict[str, Member]:
    """Members of the group that are in scope and already exist in the app.

    A member whose account the user push has not created yet is left out; that
    push queues this group again once the account exists.
    """
    in_scope = scope.users_in_scope(session, connector_id)
    rows = session.execute(
        select(GroupMember.user_id, UserLink.remote_id, UserLink.user_email)
        .join(
            UserLink,
            (UserLink.user_id == GroupMember.user_id)
            & (UserLink.connector_id == connector_id),
        )
        .where(GroupMember.group_id == group_id)
        .where(UserLink.remote_id.is_not(None))
    ).all()
    return {u: (r, e or "") for u, r, e in rows if u in in_scope and r}


def member_changes(snapshot: GroupSnapshot) -> MemberChanges:
    """Exactly the memberships that differ between the source and the app."""
    return MemberChanges(
        add={
            u: m
            for u, m in snapshot.desired_members.items()
            if u not in snapshot.pushed_members
        },
        remove={
            u: m
            for u, m in snapshot.pushed_members.items()
            if u not in snapshot.desired_members
        },
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

    try:
        _push_exported(sessions, runtime, snapshot)
    except NotFoundError:
        if snapshot.remote_id is None or _group_exists(runtime, snapshot.remote_id):
            raise
        # Deleted in the app behind our back: nothing recorded is there now.
        _forget_remote(sessions, runtime, snapshot.group_id)
        with sessions() as session:
            snapshot = read_snapshot(session, runtime, task.object_id)
        _push_exported(sessions, runtime, snapshot)

    with sessions() as session, session.begin():
        session.execute(
            update(GroupLink)
            .where(
                GroupLink.connector_id == runtime.connector_id,
                GroupLink.group_id == snapshot.group_id,
            )
            .values(status="synced", last_error=None, synced_at=utcnow())
        )
        mark_healthy(session, runtime.connector_id)
        queue.finish(session, task)


def _push_exported(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    snapshot: GroupSnapshot,
) -> None:
    if runtime.profile.update_method == "patch":
        try:
            _patch_group(sessions, runtime, snapshot)
            return
        except InvalidRequestError as error:
            if not refuses_method(error):
                raise
        # The server advertised PATCH but refuses it: use PUT from now on,
        # starting from what the refused run already recorded.
        with sessions() as session, session.begin():
            remember_put_only(session, runtime.connector_id)
        with sessions() as session:
            snapshot = read_snapshot(session, runtime, snapshot.group_id)
    _put_group(sessions, runtime, snapshot)


def _patch_group(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    snapshot: GroupSnapshot,
) -> None:
    remote_id, record, sent = _ensure_group(runtime, snapshot)
    if record is not None or snapshot.pushed != _wanted(runtime, snapshot):
        records = [record] if record is not None else []
        _save_link(sessions, runtime, snapshot, remote_id, records)
    if sent:
        _save_members(sessions, runtime, snapshot, remote_id, sent)
    _patch_members(sessions, runtime, snapshot, remote_id)


def _ensure_group(
    runtime: ConnectorRuntime, snapshot: GroupSnapshot
) -> tuple[str, EventRecord | None, MemberChanges]:
    """The group's id in the app, creating, adopting or updating it.

    Also returns the members a creating request already carried.
    """
    nothing = MemberChanges()
    if snapshot.remote_id is not None:
        if snapshot.pushed == _wanted(runtime, snapshot):
            return snapshot.remote_id, None, nothing
        try:
            record = _update_group(runtime, snapshot, snapshot.remote_id)
        except NotFoundError:
            pass  # deleted in the app: find or create it again below
        else:
            return snapshot.remote_id, record, nothing
    # A group created or adopted now holds none of the recorded members.
    snapshot.pushed_members.clear()
    return _create_or_adopt(runtime, snapshot)


def _create_or_adopt(
    runtime: ConnectorRuntime, snapshot: GroupSnapshot
) -> tuple[str, EventRecord, MemberChanges]:
    app = runtime.destination.app_name
    # Looking first makes a retry after a crash adopt what the lost attempt
    # created instead of creating it twice.
    existing = _lookup(runtime, snapshot.name)
    if existing is None:
        sent = MemberChanges(add=dict(snapshot.desired_members))
        resource = group_resource(
            runtime.profile,
            snapshot.name,
            snapshot.description,
            [remote for remote, _ in sent.add.values()],
        )
        if "members" not in resource:
            sent = MemberChanges()
        runtime.limiter.acquire()
        try:
            result = runtime.client.create("Groups", resource)
        except ConflictError:
            existing = _lookup(runtime, snapshot.name)
            if existing is None:
                raise
        else:
            remote_id = str((result.resource or {}).get("id") or "")
            return (
                remote_id,
                EventRecord(
                    events.GROUP_CREATED,
                    f"Group {snapshot.name} was created in {app}.",
                    details={"appId": remote_id, "request": _without_members(resource)},
                ),
                sent,
            )
    remote_id = str(existing.get("id"))
    return (
        remote_id,
        EventRecord(
            events.GROUP_CREATED,
            f"Group {snapshot.name} already existed in {app} and was adopted.",
            details={"appId": remote_id, "adopted": True},
        ),
        MemberChanges(),
    )


def _without_members(resource: dict[str, Any]) -> dict[str, Any]:
    # Member changes have entries of their own; a 10,000-member list here
    # would only bloat the log.
    return {k: v for k, v in resource.items() if k != "members"}


def _wanted(runtime: ConnectorRuntime, snapshot: GroupSnapshot) -> dict[str, Any]:
    """The group attributes the app holds, as last sent."""
    wanted: dict[str, Any] = {"displayName": snapshot.name}
    # Limitation: RFC 7643 gives groups no description; it is sent only to
    # apps whose profile names an attribute for it.
    if runtime.profile.group_description_attribute:
        wanted["description"] = snapshot.description
    return wanted


def _lookup(runtime: ConnectorRuntime, name: str) -> dict[str, Any] | None:
    if not runtime.profile.filter_supported:
        return None
    runtime.limiter.acquire_read()
    _, found = runtime.client.search(
        "Groups", eq_filter(runtime.profile.group_match_attribute, name), count=2
    )
    return found[0] if found else None


def _group_exists(runtime: ConnectorRuntime, remote_id: str) -> bool:
    runtime.limiter.acquire_read()
    try:
        runtime.client.get("Groups", remote_id)
    except NotFoundError:
        return False
    return True


def _update_group(
    runtime: ConnectorRuntime, snapshot: GroupSnapshot, remote_id: str
) -> EventRecord | None:
    """PATCH a renamed or re-described group; None when nothing was sent."""
    if snapshot.pushed is None:
        return _repair_group(runtime, snapshot, remote_id)
    app = runtime.destination.app_name
    before = snapshot.pushed
    wanted = _wanted(runtime, snapshot)
    renamed = before.get("displayName") != wanted["displayName"]
    described = "description" in wanted and before.get("description") != wanted.get(
        "description"
    )
    try:
        operations = group_patch(
            runtime.profile,
            display_name=snapshot.name if renamed else None,
            description=(snapshot.description or "") if described else None,
        )
    except GroupRenameUnsupportedError:
        # Told once in the event log; the link then records the new name so
        # the refusal is not repeated on every later push.
        return EventRecord(
            events.GROUP_UPDATED,
            f"Group {before.get('displayName')} was renamed to {snapshot.name} "
            f"in the directory, but {app} does not allow renaming a synced "
            "group, so it keeps its old name there. To change it, create a "
            "new group, move the members, and unassign the old one.",
            success=False,
            error={"reason": "rename_unsupported", "detail": "renaming refused"},
            details={"appId": remote_id},
        )
    if not operations:
        return None
    runtime.limiter.acquire()
    runtime.client.patch("Groups", remote_id, operations)
    return _updated_record(app, snapshot, remote_id, renamed, operations)


def _repair_group(
    runtime: ConnectorRuntime, snapshot: GroupSnapshot, remote_id: str
) -> EventRecord | None:
    """After a reconcile: read the group, and fix its name and members if they
    drifted from what was sent. A 404 re-creates it."""
    runtime.limiter.acquire_read()
    held = runtime.client.get("Groups", remote_id).resource or {}
    if runtime.profile.group_members_readable and "members" in held:
        present = {str(m.get("value")) for m in held.get("members") or []}
        # Memberships removed in the app are sent again by the member sync.
        for user_id, (remote, _) in list(snapshot.pushed_members.items()):
            if remote and remote not in present:
                del snapshot.pushed_members[user_id]
    if held.get("displayName") == snapshot.name:
        return None
    try:
        operations = group_patch(runtime.profile, display_name=snapshot.name)
    except GroupRenameUnsupportedError:
        return None
    runtime.limiter.acquire()
    runtime.client.patch("Groups", remote_id, operations)
    app = runtime.destination.app_name
    return EventRecord(
        events.GROUP_UPDATED,
        f"Group {snapshot.name} differed in {app} from what scimlink sent and "
        "was repaired.",
        details={"appId": remote_id, "request": operations},
    )


def _updated_record(
    app: str,
    snapshot: GroupSnapshot,
    remote_id: str,
    renamed: bool,
    request: Any,
) -> EventRecord:
    previous = (snapshot.pushed or {}).get("displayName")
    activity = (
        f"Group {previous} was renamed to {snapshot.name} in {app}."
        if renamed
        else f"Group {snapshot.name} was updated in {app}."
    )
    return EventRecord(
        events.GROUP_UPDATED,
        activity,
        details={"appId": remote_id, "previousName": previous, "request": request},
    )


def _patch_members(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    snapshot: GroupSnapshot,
    remote_id: str,
) -> None:
    """Add and remove members in requests of at most the app's member limit."""
    changes = member_changes(snapshot)
    # Users whose sync state is gone were deleted in the app, and their
    # memberships with them: forget those without a request.
    gone = {u: m for u, m in changes.remove.items() if not m[0]}
    if gone:
        _save_members(sessions, runtime, snapshot, remote_id, MemberChanges(), gone)
    ordered = [("add", u, m) for u, m in sorted(changes.add.items())] + [
        ("remove", u, m) for u, m in sorted(changes.remove.items()) if m[0]
    ]
    limit = max(1, runtime.profile.member_limit)
    for start in range(0, len(ordered), limit):
        chunk = MemberChanges()
        for kind, user_id, member in ordered[start : start + limit]:
            (chunk.add if kind == "add" else chunk.remove)[user_id] = member
        for operations in member_patches(
            runtime.profile,
            [remote for remote, _ in chunk.add.values()],
            [remote for remote, _ in chunk.remove.values()],
        ):
            runtime.limiter.acquire()
            runtime.client.patch("Groups", remote_id, operations)
        _save_members(sessions, runtime, snapshot, remote_id, chunk)


def _put_group(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    snapshot: GroupSnapshot,
) -> None:
    """Apps without PATCH: send the full group, with its complete member list."""
    app = runtime.destination.app_name
    remote_id = snapshot.remote_id
    records: list[EventRecord] = []
    sent_in_create = False
    if remote_id is None:
        snapshot.pushed_members.clear()
        remote_id, record, sent = _create_or_adopt(runtime, snapshot)
        records.append(record)
        sent_in_create = len(sent.add) == len(snapshot.desired_members)
    changes = member_changes(snapshot)
    # After a reconcile nothing is known of what the app holds: send it all.
    unknown = snapshot.pushed is None and not records
    renamed = (
        snapshot.pushed is not None
        and snapshot.pushed.get("displayName") != snapshot.name
    )
    if not sent_in_create and (changes or renamed or unknown):
        resource = group_resource(
            runtime.profile, snapshot.name, snapshot.description, []
        )
        resource["members"] = [
            {"value": remote} for remote, _ in snapshot.desired_members.values()
        ]
        runtime.limiter.acquire()
        runtime.client.replace("Groups", remote_id, {**resource, "id": remote_id})
        if renamed:
            records.append(
                _updated_record(
                    app, snapshot, remote_id, True, _without_members(resource)
                )
            )
    if records or unknown or renamed:
        _save_link(sessions, runtime, snapshot, remote_id, records)
    if changes:
        _save_members(sessions, runtime, snapshot, remote_id, changes)


def _save_members(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    snapshot: GroupSnapshot,
    remote_id: str,
    sent: MemberChanges,
    forgotten: dict[str, Member] | None = None,
) -> None:
    """Record memberships the app now holds, with one entry per change."""
    connector_id = runtime.connector_id
    app = runtime.destination.app_name
    with sessions() as session, session.begin():
        if session.get(Connector, connector_id) is None:
            return
        # Deleting first makes re-sending a membership after a repair safe.
        touched = [*sent.add, *sent.remove, *(forgotten or {})]
        for start in range(0, len(touched), 500):
            session.execute(
                delete(GroupMemberLink).where(
                    GroupMemberLink.connector_id == connector_id,
                    GroupMemberLink.group_id == snapshot.group_id,
                    GroupMemberLink.user_id.in_(touched[start : start + 500]),
                )
            )
        if sent.add:
            session.execute(
                insert(GroupMemberLink),
                [
                    {
                        "connector_id": connector_id,
                        "group_id": snapshot.group_id,
                        "user_id": u,
                    }
                    for u in sent.add
                ],
            )
        records = [
            _member_record(
                events.MEMBER_ADDED,
                f"User {email} was added to group {snapshot.name} in {app}.",
                snapshot,
                user_id,
                email,
                {"groupAppId": remote_id, "userAppId": remote},
            )
            for user_id, (remote, email) in sent.add.items()
        ] + [
            _member_record(
                events.MEMBER_REMOVED,
                f"User {email} was removed from group {snapshot.name} in {app}.",
                snapshot,
                user_id,
                email,
                {"groupAppId": remote_id, "userAppId": remote},
            )
            for user_id, (remote, email) in sent.remove.items()
        ]
        events.write_events(session, runtime.destination, records)
    for user_id in sent.add:
        snapshot.pushed_members[user_id] = sent.add[user_id]
    for user_id in [*sent.remove, *(forgotten or {})]:
        snapshot.pushed_members.pop(user_id, None)


def _member_record(
    event: str,
    activity: str,
    snapshot: GroupSnapshot,
    user_id: str,
    email: str,
    details: dict[str, Any],
) -> EventRecord:
    return EventRecord(
        event,
        activity,
        source=snapshot.source,
        user_id=user_id,
        user_email=email,
        group_id=snapshot.group_id,
        group_name=snapshot.name,
        details=details,
    )


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
        link.remote_id = remote_id
        link.pushed = _wanted(runtime, snapshot)
        link.status = "synced"
        link.last_error = None
        link.group_name = snapshot.name
        link.synced_at = utcnow()
        for record in records:
            record.source = snapshot.source
            record.group_id = snapshot.group_id
            record.group_name = snapshot.name
        events.write_events(session, runtime.destination, records)


def _forget_remote(
    sessions: sessionmaker[Session], runtime: ConnectorRuntime, group_id: str
) -> None:
    with sessions() as session, session.begin():
        session.execute(
            delete(GroupMemberLink).where(
                GroupMemberLink.connector_id == runtime.connector_id,
                GroupMemberLink.group_id == group_id,
            )
        )
        session.execute(
            update(GroupLink)
            .where(
                GroupLink.connector_id == runtime.connector_id,
                GroupLink.group_id == group_id,
            )
            .values(remote_id=None, pushed=None)
        )


def _remove_group(
    sessions: sessionmaker[Session],
    runtime: ConnectorRuntime,
    task: queue.ClaimedTask,
    snapshot: GroupSnapshot,
) -> None:
    """Delete an unassigned or deleted group in the app; its users stay."""
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
        mark_healthy(session, runtime.connector_id)
        queue.finish(session, task)
