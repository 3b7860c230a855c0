"""index the change feed by entity, for the history of one run or chemical

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_change_beamtime_id_entity_entity_id_seq",
            ["beamtime_id", "entity", "entity_id", "seq"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_beamtime_id_entity_entity_id_seq")
