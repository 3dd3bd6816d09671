"""Table models: the identity source, connectors, sync state and event log."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scimlink.db.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- Admins and settings ---------------------------------------------------


class Admin(Timestamped, Base):
    """A person who signs in to the console or calls the API."""

    __tablename__ = "admins"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)


class InstallationSettings(Base):
    """The one row of installation-wide settings an admin can change."""

    __tablename__ = "settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    event_retention_days: Mapped[int] = mapped_column(Integer, default=30)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200))


# --- The identity source ---------------------------------------------------


class Directory(Timestamped, Base):
    """A named collection of users and groups."""

    __tablename__ = "directories"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class User(Timestamped, Base):
    """A person in one directory; never holds a password."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    directory_id: Mapped[str] = mapped_column(ForeignKey("directories.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    # Lower-cased copy so uniqueness is case-insensitive on every database.
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    phone_number: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Group(Timestamped, Base):
    """A named set of users of one directory."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("directory_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    directory_id: Mapped[str] = mapped_column(ForeignKey("directories.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class GroupMember(Base):
    __tablename__ = "group_members"

    group_id: Mapped[str] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SsoConfig(Timestamped, Base):
    """An SSO application of the identity source that users are assigned to."""

    __tablename__ = "sso_configs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    protocol: Mapped[str] = mapped_column(String(8))


class SsoUserAssignment(Base):
    __tablename__ = "sso_user_assignments"

    sso_config_id: Mapped[str] = mapped_column(
        ForeignKey("sso_configs.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SsoGroupAssignment(Base):
    __tablename__ = "sso_group_assignments"

    sso_config_id: Mapped[str] = mapped_column(
        ForeignKey("sso_configs.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True
    )


# --- Connectors ------------------------------------------------------------


class Connector(Timestamped, Base):
    """One SCIM configuration for one target app."""

    __tablename__ = "connectors"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    app: Mapped[str] = mapped_column(String(40))
    endpoint: Mapped[str] = mapped_column(String(2000))
    token_encrypted: Mapped[str] = mapped_column(Text)
    token_hint: Mapped[str] = mapped_column(String(32))
    group_export: Mapped[bool] = mapped_column(Boolean, default=False)
    mapping: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    deprovision: Mapped[str] = mapped_column(String(16), default="delete")
    matching_attribute: Mapped[str] = mapped_column(String(200), default="userName")
    rate_limit: Mapped[float] = mapped_column(Float, default=10.0)
    concurrency: Mapped[int] = mapped_column(Integer, default=4)
    # What the server advertised in /ServiceProviderConfig, when known.
    server_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    health: Mapped[str] = mapped_column(String(16), default="in_sync")
    health_detail: Mapped[str | None] = mapped_column(Text)
    paused_until: Mapped[datetime | None] = mapped_column()
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_reconciled_at: Mapped[datetime | None] = mapped_column()
    last_updated_by: Mapped[str | None] = mapped_column(String(200))


class Publication(Base):
    """A link from a connector to a directory or to an SSO configuration."""

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("connector_id", "directory_id"),
        # An SSO configuration is linked to at most one connector.
        UniqueConstraint("sso_config_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    connector_id: Mapped[str] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), index=True
    )
    directory_id: Mapped[str | None] = mapped_column(
        ForeignKey("directories.id", ondelete="CASCADE"), index=True
    )
    sso_config_id: Mapped[str | None] = mapped_column(
        ForeignKey("sso_configs.id", ondelete="CASCADE")
    )


class GroupAssignment(Base):
    """A group chosen to be exported by a connector."""

    __tablename__ = "group_assignments"

    connector_id: Mapped[str] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True
    )


# --- Sync state ------------------------------------------------------------


class SyncTask(Base):
    """Work recorded with the change that needs it: push this object now.

    One row per (connector, object); later changes bump ``version`` so that
    many quick changes merge into one push of the latest state.
    """

    __tablename__ = "sync_tasks"
    __table_args__ = (
        UniqueConstraint("connector_id", "kind", "object_id"),
        Index("ix_sync_tasks_due", "due_at"),
        # Claiming reads each connector's earliest due tasks.
        Index("ix_sync_tasks_connector_due", "connector_id", "due_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connector_id: Mapped[str] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(8))
    object_id: Mapped[str] = mapped_column(String(36))
    # How a user that has left scope is treated: None follows the connector's
    # deprovisioning action; "keep" and "delete" come from an unpublish.
    on_leave: Mapped[str | None] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer, default=1)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserLink(Base):
    """What one connector knows of one user in its app."""

    __tablename__ = "user_links"

    connector_id: Mapped[str] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True
    )
    # No foreign key: the link outlives the user until the app is told.
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    remote_id: Mapped[str | None] = mapped_column(String(400))
    pushed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    last_error: Mapped[str | None] = mapped_column(Text)
    user_email: Mapped[str] = mapped_column(String(320), default="")
    synced_at: Mapped[datetime | None] = mapped_column()
    # The manager reference (lower-cased) that could not be resolved when this
    # user was pushed; once that manager exists in the app, the user is pushed
    # again so its manager.value is filled in.
    awaiting_manager: Mapped[str | None] = mapped_column(String(320), index=True)


class GroupLink(Base):
    """What one connector knows of one group in its app."""

    __tablename__ = "group_links"

    connector_id: Mapped[str] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    remote_id: Mapped[str | None] = mapped_column(String(400))
    pushed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    last_error: Mapped[str | None] = mapped_column(Text)
    group_name: Mapped[str] = mapped_column(String(200), default="")
    synced_at: Mapped[datetime | None] = mapped_column()


class GroupMemberLink(Base):
    """A membership known to be in the app; apps may not return members."""

    __tablename__ = "group_member_links"

    connector_id: Mapped[str] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


# --- Event log -------------------------------------------------------------


class Event(Base):
    """One push to one connector; holds copies so it outlives them all."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_connector_time", "connector_id", "timestamp"),
        Index("ix_events_user", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    timestamp: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(8))
    connector_id: Mapped[str] = mapped_column(String(36))
    connector_name: Mapped[str] = mapped_column(String(200))
    connector_app: Mapped[str] = mapped_column(String(40))
    source_kind: Mapped[str | None] = mapped_column(String(16))
    source_id: Mapped[str | None] = mapped_column(String(36), index=True)
    source_name: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(String(36))
    user_email: Mapped[str | None] = mapped_column(String(320))
    group_id: Mapped[str | None] = mapped_column(String(36))
    group_name: Mapped[str | None] = mapped_column(String(200))
    activity: Mapped[str] = mapped_column(Text)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
