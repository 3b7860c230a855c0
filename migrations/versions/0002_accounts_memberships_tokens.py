"""accounts, memberships, tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:22:02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

import amarcord.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempt_at"), ["at"], unique=False)
        batch_op.create_index("ix_login_attempt_key_at", ["key", "at"], unique=False)

    op.create_table(
        "server_secret",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("created_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_secret")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column(
            "username_key",
            sa.String(length=255)
            .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=255), "mariadb")
            .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=255), "mysql"),
            nullable=False,
        ),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("admin", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username_key", name=op.f("uq_user_account_username_key")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beamtime_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("expires_at", amarcord.db.types.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_api_token_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_token_digest")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_beamtime_id"), ["beamtime_id"], unique=False)

    op.create_table(
        "beamtime_member",
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_beamtime_member_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_beamtime_member_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("beamtime_id", "user_id", name=op.f("pk_beamtime_member")),
    )
    with op.batch_alter_table("beamtime_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_beamtime_member_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes; MySQL refuses to drop an index a foreign key needs.
    op.drop_table("beamtime_member")
    op.drop_table("api_token")
    op.drop_table("user_account")
    op.drop_table("server_secret")
    op.drop_table("login_attempt")
