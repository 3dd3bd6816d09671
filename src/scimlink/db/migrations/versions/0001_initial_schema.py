"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-12-03 21:50:57.159151
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admins",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_admins_token_hash")),
        sa.UniqueConstraint("username", name=op.f("uq_admins_username")),
    )
    op.create_table(
        "connectors",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("app", sa.String(length=40), nullable=False),
        sa.Column("endpoint", sa.String(length=2000), nullable=False),
        sa.Column("token_encrypted", sa.Text(), nullable=False),
        sa.Column("token_hint", sa.String(length=32), nullable=False),
        sa.Column("group_export", sa.Boolean(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("deprovision", sa.String(length=16), nullable=False),
        sa.Column("matching_attribute", sa.String(length=200), nullable=False),
        sa.Column("rate_limit", sa.Float(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("server_config", sa.JSON(), nullable=True),
        sa.Column("health", sa.String(length=16), nullable=False),
        sa.Column("health_detail", sa.Text(), nullable=True),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_reconciled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_updated_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectors")),
        sa.UniqueConstraint("name", name=op.f("uq_connectors_name")),
    )
    op.create_table(
        "directories",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directories")),
        sa.UniqueConstraint("name", name=op.f("uq_directories_name")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("connector_name", sa.String(length=200), nullable=False),
        sa.Column("connector_app", sa.String(length=40), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=True),
        sa.Column("source_id", sa.String(length=36), nullable=True),
        sa.Column("source_name", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("user_email", sa.String(length=320), nullable=True),
        sa.Column("group_id", sa.String(length=36), nullable=True),
        sa.Column("group_name", sa.String(length=200), nullable=True),
        sa.Column("activity", sa.Text(), nullable=False),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_connector_time", ["connector_id", "timestamp"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_events_source_id"), ["source_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_events_timestamp"), ["timestamp"], unique=False
        )
        batch_op.create_index("ix_events_user", ["user_id"], unique=False)

    op.create_table(
        "settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("event_retention_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settings")),
    )
    op.create_table(
        "sso_configs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_configs")),
        sa.UniqueConstraint("name", name=op.f("uq_sso_configs_name")),
    )
    op.create_table(
        "group_links",
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.String(length=36), nullable=False),
        sa.Column("remote_id", sa.String(length=400), nullable=True),
        sa.Column("pushed", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("group_name", sa.String(length=200), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_group_links_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "connector_id", "group_id", name=op.f("pk_group_links")
        ),
    )
    with op.batch_alter_table("group_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_links_group_id"), ["group_id"], unique=False
        )

    op.create_table(
        "group_member_links",
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_group_member_links_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "connector_id", "group_id", "user_id", name=op.f("pk_group_member_links")
        ),
    )
    with op.batch_alter_table("group_member_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_member_links_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "groups",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("directory_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["directory_id"],
            ["directories.id"],
            name=op.f("fk_groups_directory_id_directories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint(
            "directory_id", "name", name=op.f("uq_groups_directory_id")
        ),
    )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_groups_directory_id"), ["directory_id"], unique=False
        )

    op.create_table(
        "publications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("directory_id", sa.String(length=36), nullable=True),
        sa.Column("sso_config_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_publications_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["directory_id"],
            ["directories.id"],
            name=op.f("fk_publications_directory_id_directories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sso_config_id"],
            ["sso_configs.id"],
            name=op.f("fk_publications_sso_config_id_sso_configs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint(
            "connector_id", "directory_id", name=op.f("uq_publications_connector_id")
        ),
        sa.UniqueConstraint(
            "sso_config_id", name=op.f("uq_publications_sso_config_id")
        ),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publications_connector_id"), ["connector_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_publications_directory_id"), ["directory_id"], unique=False
        )

    op.create_table(
        "sync_tasks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("object_id", sa.String(length=36), nullable=False),
        sa.Column("on_leave", sa.String(length=8), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_expires", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_sync_tasks_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_tasks")),
        sa.UniqueConstraint(
            "connector_id", "kind", "object_id", name=op.f("uq_sync_tasks_connector_id")
        ),
    )
    with op.batch_alter_table("sync_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_sync_tasks_due", ["due_at"], unique=False)

    op.create_table(
        "user_links",
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("remote_id", sa.String(length=400), nullable=True),
        sa.Column("pushed", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("user_email", sa.String(length=320), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_user_links_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("connector_id", "user_id", name=op.f("pk_user_links")),
    )
    with op.batch_alter_table("user_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_links_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("directory_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("first_name", sa.String(length=200), nullable=False),
        sa.Column("last_name", sa.String(length=200), nullable=False),
        sa.Column("phone_number", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["directory_id"],
            ["directories.id"],
            name=op.f("fk_users_directory_id_directories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email_key", name=op.f("uq_users_email_key")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_users_directory_id"), ["directory_id"], unique=False
        )

    op.create_table(
        "group_assignments",
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_group_assignments_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_assignments_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "connector_id", "group_id", name=op.f("pk_group_assignments")
        ),
    )
    with op.batch_alter_table("group_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_assignments_group_id"), ["group_id"], unique=False
        )

    op.create_table(
        "group_members",
        sa.Column("group_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_members_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_group_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_group_members")),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_members_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "sso_group_assignments",
        sa.Column("sso_config_id", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_sso_group_assignments_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sso_config_id"],
            ["sso_configs.id"],
            name=op.f("fk_sso_group_assignments_sso_config_id_sso_configs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "sso_config_id", "group_id", name=op.f("pk_sso_group_assignments")
        ),
    )
    with op.batch_alter_table("sso_group_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sso_group_assignments_group_id"), ["group_id"], unique=False
        )

    op.create_table(
        "sso_user_assignments",
        sa.Column("sso_config_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["sso_config_id"],
            ["sso_configs.id"],
            name=op.f("fk_sso_user_assignments_sso_config_id_sso_configs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sso_user_assignments_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "sso_config_id", "user_id", name=op.f("pk_sso_user_assignments")
        ),
    )
    with op.batch_alter_table("sso_user_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sso_user_assignments_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sso_user_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_user_assignments_user_id"))

    op.drop_table("sso_user_assignments")
    with op.batch_alter_table("sso_group_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_group_assignments_group_id"))

    op.drop_table("sso_group_assignments")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_members_user_id"))

    op.drop_table("group_members")
    with op.batch_alter_table("group_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_assignments_group_id"))

    op.drop_table("group_assignments")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_directory_id"))

    op.drop_table("users")
    with op.batch_alter_table("user_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_links_user_id"))

    op.drop_table("user_links")
    with op.batch_alter_table("sync_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_tasks_due")

    op.drop_table("sync_tasks")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_directory_id"))
        batch_op.drop_index(batch_op.f("ix_publications_connector_id"))

    op.drop_table("publications")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_groups_directory_id"))

    op.drop_table("groups")
    with op.batch_alter_table("group_member_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_member_links_user_id"))

    op.drop_table("group_member_links")
    with op.batch_alter_table("group_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_links_group_id"))

    op.drop_table("group_links")
    op.drop_table("sso_configs")
    op.drop_table("settings")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_user")
        batch_op.drop_index(batch_op.f("ix_events_timestamp"))
        batch_op.drop_index(batch_op.f("ix_events_source_id"))
        batch_op.drop_index("ix_events_connector_time")

    op.drop_table("events")
    op.drop_table("directories")
    op.drop_table("connectors")
    op.drop_table("admins")
