"""user links remember a manager not yet in the app

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 04:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_links", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaiting_manager", sa.String(length=320), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_user_links_awaiting_manager"),
            ["awaiting_manager"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("user_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_links_awaiting_manager"))
        batch_op.drop_column("awaiting_manager")
