"""Creating, changing, publishing and deleting connectors.

Every change that alters what an app must hold records the pending pushes in
the same transaction (see scimlink.sync.outbox); nothing here calls an app.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from scimlink.apps import UnknownAppError, get_profile
from scimlink.apps.profile import AppProfile
from scimlink.connectors.endpoint import check_endpoint, check_token
from scimlink.connectors.vault import TokenVault, token_hint
from scimlink.db.models import (
    Connector,
    Directory,
    Group,
    GroupAssignment,
    GroupLink,
    Publication,
    SsoConfig,
    SyncTask,
    UserLink,
)
from scimlink.db.types import utcnow
from scimlink.directory.names import clean_name, same_name
from scimlink.errors import Conflict, FieldError, InvalidInput, NotFound
from scimlink.mapping import MappingRow, validate_mapping
from scimlink.settings import Settings
from scimlink.sync import outbox, scope

DEPROVISION_ACTIONS = ("delete", "deactivate")


@dataclass
class ConnectorChanges:
    """Validated fields to apply; None means "leave as it is"."""

    name: str | None = None
    app: str | None = None
    endpoint: str | None = None
    token: str | None = None
    group_export: bool | None = None
    mapping: list[dict[str, str]] | None = None
    deprovision: str | None = None
    matching_attribute: str | None = None
    rate_limit: float | None = None
    concurrency: int | None = None


def get_connector(session: Session, connector_id: str) -> Connector:
    connector = session.get(Connector, connector_id)
    if connector is None:
        raise NotFound("connector", connector_id)
    return connector


def profile_of(key: str) -> AppProfile:
    try:
        return get_profile(key)
    except UnknownAppError as exc:
        raise InvalidInput.field("app", str(exc)) from exc


def _validate(
    session: Session,
    settings: Settings,
    changes: ConnectorChanges,
    current: Connector | None,
) -> list[FieldError]:
    errors: list[FieldError] = []
    app = changes.app or (current.app if current else None)
    try:
        profile = get_profile(app or "")
    except UnknownAppError as exc:
        return [FieldError("app", str(exc))]

    if changes.name is not None:
        try:
            name = clean_name(changes.name, "connector")
        except ValueError as error:
            errors.append(FieldError("name", str(error)))
        else:
            clash = session.scalar(
                select(Connector).where(same_name(Connector.name, name))
            )
            if clash is not None and clash is not current:
                raise Conflict.field(
                    "name", f"A connector named {name!r} already exists."
                )
            changes.name = name
    if changes.endpoint is not None:
        try:
            changes.endpoint = check_endpoint(changes.endpoint, settings)
        except ValueError as exc:
            errors.append(FieldError("endpoint", str(exc)))
    if changes.token is not None:
        try:
            changes.token = check_token(changes.token)
        except ValueError as error:
            errors.append(FieldError("token", str(error)))
    group_export = (
        changes.group_export
        if changes.group_export is not None
        else (current.group_export if current else False)
    )
    if group_export and not profile.supports_groups:
        errors.append(
            FieldError(
                "groupExport",
                f"{profile.name} takes users only; group export cannot be switched on.",
            )
        )
    if (
        changes.deprovision is not None
        and changes.deprovision not in DEPROVISION_ACTIONS
    ):
        errors.append(FieldError("deprovision", "Choose 'delete' or 'deactivate'."))
    if changes.matching_attribute is not None and (
        changes.matching_attribute not in profile.user_match_attributes
    ):
        allowed = ", ".join(profile.user_match_attributes)
        errors.append(
            FieldError(
                "matchingAttribute",
                f"{profile.name} can find accounts only by {allowed}.",
            )
        )
    if changes.rate_limit is not None and not (0.1 <= changes.rate_limit <= 1000):
        errors.append(
            FieldError("rateLimit", "Give between 0.1 and 1000 requests per second.")
        )
    if changes.concurrency is not None and not (1 <= changes.concurrency <= 64):
        errors.append(
            FieldError("concurrency", "Give between 1 and 64 concurrent requests.")
        )
    mapping = (
        changes.mapping
        if changes.mapping is not None
        else (current.mapping if current else None)
    )
    if mapping is not None and (
        changes.mapping is not None or changes.matching_attribute is not None
    ):
        rows = [MappingRow(source=r["source"], target=r["target"]) for r in mapping]
        matching = changes.matching_attribute or (
            current.matching_attribute if current else "userName"
        )
        for problem in validate_mapping(rows, profile, matching_attribute=matching):
            where = (
                "mapping"
                if problem.index < 0
                else f"mapping[{problem.index}].{problem.field}"
            )
            errors.append(FieldError(where, problem.message))
    return errors


def create_connector(
    session: Session,
    settings: Settings,
    vault: TokenVault,
    admin_name: str,
    changes: ConnectorChanges,
) -> Connector:
    missing = [
        FieldError(field, "This field is required.")
        for field, value in (
            ("name", changes.name),
            ("app", changes.app),
            ("endpoint", changes.endpoint),
            ("token", changes.token),
        )
        if not value
    ]
    if missing:
        raise InvalidInput(missing[0].field + ": " + missing[0].message, missing)
    profile = profile_of(changes.app or "")
    if changes.mapping is None:
        changes.mapping = [row.model_dump() for row in profile.default_mapping]
    errors = _validate(session, settings, changes, None)
    if errors:
        raise InvalidInput(errors[0].message, errors)

    connector = Connector(
        name=changes.name,
        app=profile.key,
        endpoint=changes.endpoint,
        token_encrypted=vault.encrypt(changes.token or ""),
        token_hint=token_hint(changes.token or ""),
        group_export=bool(changes.group_export),
        mapping=changes.mapping,
        deprovision=changes.deprovision or profile.default_deprovision,
        matching_attribute=changes.matching_attribute or "userName",
        rate_limit=changes.rate_limit or profile.default_rate_limit,
        concurrency=changes.concurrency or profile.default_concurrency,
        last_updated_by=admin_name,
        # The first periodic reconcile comes one interval after creation.
        last_reconciled_at=utcnow(),
    )
    session.add(connector)
    session.flush()
    return connector


def update_connector(
    session: Session,
    settings: Settings,
    vault: TokenVault,
    admin_name: str,
    connector: Connector,
    changes: ConnectorChanges,
) -> Connector:
    if changes.app is not None and changes.app != connector.app:
        raise InvalidInput.field(
            "app", "A connector's app cannot change; create a new connector instead."
        )
    errors = _validate(session, settings, changes, connector)
    if errors:
        raise InvalidInput(errors[0].message, errors)

    repush_users = False
    repush_groups = False
    if changes.name is not None:
        connector.name = changes.name
    if changes.endpoint is not None and changes.endpoint != connector.endpoint:
        connector.endpoint = changes.endpoint
        connector.server_config = None
    if changes.token is not None:
        connector.token_encrypted = vault.encrypt(changes.token)
        connector.token_hint = token_hint(changes.token)
    if changes.endpoint is not None or changes.token is not None:
        # A new endpoint or token deserves a fresh chance at once.
        connector.paused_until = None
        connector.consecutive_failures = 0
    if changes.mapping is not None and changes.mapping != connector.mapping:
        connector.mapping = changes.mapping
        repush_users = True
    if changes.matching_attribute is not None:
        connector.matching_attribute = changes.matching_attribute
    if (
        changes.group_export is not None
        and changes.group_export != connector.group_export
    ):
        connector.group_export = changes.group_export
        repush_groups = True
    if changes.deprovision is not None:
        connector.deprovision = changes.deprovision
    if changes.rate_limit is not None:
        connector.rate_limit = changes.rate_limit
    if changes.concurrency is not None:
        connector.concurrency = changes.concurrency
    connector.last_updated_by = admin_name
    session.flush()

    if repush_users:
        # The engine compares each user's new resource with what was pushed
        # and sends nothing for users whose resource is unchanged.
        users = scope.users_in_scope(session, connector.id)
        outbox.enqueue(session, "user", ((connector.id, u) for u in users))
    if repush_groups:
        _queue_groups(session, connector.id)
    return connector


def delete_connector(session: Session, connector: Connector) -> None:
    """Stop syncing at once; the app keeps what it has, the events remain."""
    session.execute(delete(SyncTask).where(SyncTask.connector_id == connector.id))
    session.delete(connector)
    session.flush()


def _check_targets(
    session: Session,
    connector: Connector,
    directory_ids: Collection[str],
    sso_ids: Collection[str],
) -> None:
    errors: list[FieldError] = []
    known_directories = set(
        session.scalars(
            select(Directory.id).where(Directory.id.in_(list(directory_ids)))
        )
    )
    for index, directory_id in enumerate(directory_ids):
        if directory_id not in known_directories:
            errors.append(
                FieldError(
                    f"directoryIds[{index}]",
                    f"No directory with id {directory_id!r} exists.",
                )
            )
    for index, sso_id in enumerate(sso_ids):
        config = session.get(SsoConfig, sso_id)
        if config is None:
            errors.append(
                FieldError(
                    f"ssoConfigIds[{index}]",
                    f"No SSO configuration with id {sso_id!r} exists.",
                )
            )
            continue
        holder = session.scalar(
            select(Connector)
            .join(Publication, Publication.connector_id == Connector.id)
            .where(Publication.sso_config_id == sso_id)
        )
        if holder is not None and holder.id != connector.id:
            raise Conflict.field(
                f"ssoConfigIds[{index}]",
                f"SSO configuration {config.name!r} is already linked to connector "
                f"{holder.name!r}; unpublish it there first.",
            )
    if errors:
        raise InvalidInput(errors[0].message, errors)


def publish(
    session: Session,
    connector: Connector,
    admin_name: str,
    directory_ids: Collection[str],
    sso_ids: Collection[str],
) -> int:
    """Link directories and SSO configurations; returns users queued."""
    directory_ids = list(dict.fromkeys(directory_ids))
    sso_ids = list(dict.fromkeys(sso_ids))
    if not directory_ids and not sso_ids:
        raise InvalidInput.field(
            "directoryIds", "Choose at least one directory or SSO configuration."
        )
    _check_targets(session, connector, directory_ids, sso_ids)
    linked_directories, linked_sso = _links(session, connector.id)
    session.add_all(
        Publication(connector_id=connector.id, directory_id=d)
        for d in directory_ids
        if d not in linked_directories
    )
    session.add_all(
        Publication(connector_id=connector.id, sso_config_id=s)
        for s in sso_ids
        if s not in linked_sso
    )
    connector.last_updated_by = admin_name
    session.flush()

    users = scope.users_in_scope(session, connector.id)
    queued = outbox.enqueue(session, "user", ((connector.id, u) for u in users))
    _queue_groups(session, connector.id)
    return queued


def unpublish(
    session: Session,
    connector: Connector,
    admin_name: str,
    directory_ids: Collection[str],
    sso_ids: Collection[str],
    delete_users: bool,
) -> int:
    """Remove links (all when none are named); returns users leaving scope."""
    _check_linked(session, connector, directory_ids, sso_ids)
    before = scope.users_in_scope(session, connector.id)
    query = delete(Publication).where(Publication.connector_id == connector.id)
    if directory_ids or sso_ids:
        query = query.where(
            Publication.directory_id.in_(list(directory_ids))
            | Publication.sso_config_id.in_(list(sso_ids))
        )
    session.execute(query)
    connector.last_updated_by = admin_name
    session.flush()

    leaving = before - scope.users_in_scope(session, connector.id)
    outbox.enqueue(
        session,
        "user",
        ((connector.id, u) for u in leaving),
        on_leave="delete" if delete_users else "keep",
    )
    _queue_groups(session, connector.id)
    return len(leaving)


def _check_linked(
    session: Session,
    connector: Connector,
    directory_ids: Collection[str],
    sso_ids: Collection[str],
) -> None:
    """Refuse to unpublish links the connector does not have."""
    linked_directories, linked_sso = _links(session, connector.id)
    name = connector.name
    _refuse(
        _absent(
            "directoryIds",
            directory_ids,
            linked_directories,
            lambda d: f"Connector {name!r} is not published to directory {d!r}.",
        )
        + _absent(
            "ssoConfigIds",
            sso_ids,
            linked_sso,
            lambda c: (
                f"Connector {name!r} is not published to SSO configuration {c!r}."
            ),
        )
    )


def _absent(
    field: str,
    ids: Collection[str],
    present: Collection[str],
    message: Callable[[str], str],
) -> list[FieldError]:
    """One error per id not in `present`, naming its position in the list."""
    return [
        FieldError(f"{field}[{i}]", message(value))
        for i, value in enumerate(ids)
        if value not in present
    ]


def _refuse(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(errors[0].message, errors)


def assign_groups(
    session: Session, connector: Connector, admin_name: str, group_ids: Collection[str]
) -> None:
    _require_group_export(connector)
    group_ids = list(dict.fromkeys(group_ids))
    known = set(session.scalars(select(Group.id).where(Group.id.in_(group_ids))))
    _refuse(
        _absent(
            "groupIds", group_ids, known, lambda g: f"No group with id {g!r} exists."
        )
    )
    present = _assigned(session, connector.id)
    session.add_all(
        GroupAssignment(connector_id=connector.id, group_id=g)
        for g in group_ids
        if g not in present
    )
    connector.last_updated_by = admin_name
    session.flush()
    outbox.enqueue(session, "group", ((connector.id, g) for g in group_ids))


def unassign_groups(
    session: Session, connector: Connector, admin_name: str, group_ids: Collection[str]
) -> None:
    _require_group_export(connector)
    group_ids = list(dict.fromkeys(group_ids))
    assigned = _assigned(session, connector.id)
    _refuse(
        _absent(
            "groupIds",
            group_ids,
            assigned,
            lambda g: f"Group {g!r} is not assigned to connector {connector.name!r}.",
        )
    )
    session.execute(
        delete(GroupAssignment).where(
            GroupAssignment.connector_id == connector.id,
            GroupAssignment.group_id.in_(list(group_ids)),
        )
    )
    connector.last_updated_by = admin_name
    session.flush()
    outbox.enqueue(session, "group", ((connector.id, g) for g in group_ids))


def _require_group_export(connector: Connector) -> None:
    profile = profile_of(connector.app)
    if not profile.supports_groups:
        raise Conflict(f"{profile.name} takes users only; it has no groups to assign.")
    if not connector.group_export:
        raise Conflict(
            f"Group export is off for connector {connector.name!r}; switch it on "
            "before assigning groups."
        )


def _assigned(session: Session, connector_id: str) -> set[str]:
    return set(
        session.scalars(
            select(GroupAssignment.group_id).where(
                GroupAssignment.connector_id == connector_id
            )
        )
    )


def _queue_groups(session: Session, connector_id: str) -> None:
    groups = _assigned(session, connector_id) | set(
        session.scalars(
            select(GroupLink.group_id).where(GroupLink.connector_id == connector_id)
        )
    )
    outbox.enqueue(session, "group", ((connector_id, g) for g in groups))


def _links(session: Session, connector_id: str) -> tuple[set[str], set[str]]:
    rows = session.execute(
        select(Publication.directory_id, Publication.sso_config_id).where(
            Publication.connector_id == connector_id
        )
    ).all()
    return (
        {d for d, _ in rows if d is not None},
        {s for _, s in rows if s is not None},
    )


def linked_targets(
    session: Session, connector_id: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(id, name) of the directories and SSO configurations published to."""
    directories = session.execute(
        select(Directory.id, Directory.name)
        .join(Publication, Publication.directory_id == Directory.id)
        .where(Publication.connector_id == connector_id)
        .order_by(Directory.name)
    ).all()
    configs = session.execute(
        select(SsoConfig.id, SsoConfig.name)
        .join(Publication, Publication.sso_config_id == SsoConfig.id)
        .where(Publication.connector_id == connector_id)
        .order_by(SsoConfig.name)
    ).all()
    return [(i, n) for i, n in directories], [(i, n) for i, n in configs]


@dataclass(frozen=True)
class ConnectorStatus:
    total_users: int
    total_groups: int
    pending: int
    failed: int
    health: str
    health_detail: str | None


def connector_status(session: Session, connector: Connector) -> ConnectorStatus:
    def count(query: Any) -> int:
        return int(session.scalar(query) or 0)

    total_users = count(
        select(func.count())
        .select_from(UserLink)
        .where(UserLink.connector_id == connector.id, UserLink.status == "synced")
    )
    total_groups = count(
        select(func.count())
        .select_from(GroupLink)
        .where(GroupLink.connector_id == connector.id, GroupLink.status == "synced")
    )
    failed = count(
        select(func.count())
        .select_from(UserLink)
        .where(UserLink.connector_id == connector.id, UserLink.status == "failed")
    ) + count(
        select(func.count())
        .select_from(GroupLink)
        .where(GroupLink.connector_id == connector.id, GroupLink.status == "failed")
    )
    pending = count(
        select(func.count())
        .select_from(SyncTask)
        .where(SyncTask.connector_id == connector.id)
    )
    if connector.health == "failing":
        health = "failing"
    elif pending:
        health = "syncing"
    else:
        health = "in_sync"
    detail = connector.health_detail
    if detail is None and failed:
        # The app answers, but some objects were refused: say so, so that
        # "in sync" is not read as "everything arrived".
        objects = "object was" if failed == 1 else "objects were"
        detail = (
            f"{failed} {objects} refused and will be retried when they or the "
            "connector change; the event log says why."
        )
    return ConnectorStatus(total_users, total_groups, pending, failed, health, detail)


def changes_from(body: Mapping[str, Any]) -> ConnectorChanges:
    """Map API field names onto ConnectorChanges."""
    names = {
        "name": "name",
        "app": "app",
        "endpoint": "endpoint",
        "token": "token",
        "groupExport": "group_export",
        "mapping": "mapping",
        "deprovision": "deprovision",
        "matchingAttribute": "matching_attribute",
        "rateLimit": "rate_limit",
        "concurrency": "concurrency",
    }
    return ConnectorChanges(**{names[k]: v for k, v in body.items() if k in names})


def reconcile_due(session: Session, interval_seconds: float) -> list[str]:
    """Claim the connectors whose periodic reconcile is due, and queue them.

    The conditional update lets only one of several workers claim each one.
    """
    if interval_seconds <= 0:
        return []
    now = utcnow()
    cutoff = now - timedelta(seconds=interval_seconds)
    due = session.scalars(
        select(Connector.id).where(
            (Connector.last_reconciled_at.is_(None))
            | (Connector.last_reconciled_at < cutoff)
        )
    ).all()
    claimed = []
    for connector_id in due:
        won = session.execute(
            update(Connector)
            .where(Connector.id == connector_id)
            .where(
                (Connector.last_reconciled_at.is_(None))
                | (Connector.last_reconciled_at < cutoff)
            )
            .values(last_reconciled_at=now, updated_at=Connector.updated_at)
        ).rowcount  # type: ignore[attr-defined]
        if won:
            connector = session.get(Connector, connector_id)
            if connector is not None:
                reconcile(session, connector)
                claimed.append(connector_id)
    return claimed


def reconcile(session: Session, connector: Connector) -> int:
    """Queue a full check of every user and group the connector manages.

    Links marked stale are pushed in full, which repairs any drift in the
    app, instead of sending only what changed since the last push.
    """
    session.execute(
        update(UserLink)
        .where(UserLink.connector_id == connector.id)
        .where(UserLink.status.in_(("synced", "failed")))
        .values(status="stale")
    )
    session.execute(
        update(GroupLink)
        .where(GroupLink.connector_id == connector.id)
        .values(pushed=None)
    )
    linked = set(
        session.scalars(
            select(UserLink.user_id).where(UserLink.connector_id == connector.id)
        )
    )
    users = scope.users_in_scope(session, connector.id) | linked
    queued = outbox.enqueue(session, "user", ((connector.id, u) for u in users))
    _queue_groups(session, connector.id)
    return queued
