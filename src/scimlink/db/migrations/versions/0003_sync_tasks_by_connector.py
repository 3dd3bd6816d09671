"""sync tasks indexed by connector and due time

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 05:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sync_tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_tasks_connector_due",
            ["connector_id", "due_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_tasks_connector_due")
