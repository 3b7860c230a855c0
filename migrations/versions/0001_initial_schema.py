"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 23:05:35.781047
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

import amarcord.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "beamtime",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("proposal", sa.String(length=255), nullable=False),
        sa.Column("beamline", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=1024), nullable=False),
        sa.Column(
            "comment",
            sa.Text()
            .with_variant(mysql.LONGTEXT(), "mariadb")
            .with_variant(mysql.LONGTEXT(), "mysql"),
            nullable=False,
        ),
        sa.Column("start", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("end", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("updated_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beamtime")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("beamtime", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_beamtime_start"), ["start"], unique=False)

    op.create_table(
        "change",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column("at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change")),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index("ix_change_beamtime_id_seq", ["beamtime_id", "seq"], unique=False)

    op.create_table(
        "attributo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column(
            "name_key",
            sa.String(length=255)
            .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=255), "mariadb")
            .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=255), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "description",
            sa.Text()
            .with_variant(mysql.LONGTEXT(), "mariadb")
            .with_variant(mysql.LONGTEXT(), "mysql"),
            nullable=False,
        ),
        sa.Column("group_name", sa.String(length=64), nullable=False),
        sa.Column("associated_table", sa.String(length=16), nullable=False),
        sa.Column("type", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_attributo_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attributo")),
        sa.UniqueConstraint(
            "beamtime_id",
            "associated_table",
            "name_key",
            name=op.f("uq_attributo_beamtime_id_associated_table_name_key"),
        ),
    )
    with op.batch_alter_table("attributo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attributo_beamtime_id"), ["beamtime_id"], unique=False)

    op.create_table(
        "chemical",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column(
            "name_key",
            sa.String(length=255)
            .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=255), "mariadb")
            .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=255), "mysql"),
            nullable=False,
        ),
        sa.Column("responsible_person", sa.String(length=255), nullable=False),
        sa.Column("attributi", sa.JSON(), nullable=False),
        sa.Column("created_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("updated_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_chemical_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chemical")),
        sa.UniqueConstraint(
            "beamtime_id", "name_key", name=op.f("uq_chemical_beamtime_id_name_key")
        ),
    )
    with op.batch_alter_table("chemical", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chemical_beamtime_id"), ["beamtime_id"], unique=False)

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column("created_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("updated_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column(
            "text",
            sa.Text()
            .with_variant(mysql.LONGTEXT(), "mariadb")
            .with_variant(mysql.LONGTEXT(), "mysql"),
            nullable=False,
        ),
        sa.Column("run_number", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_event_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_beamtime_id_created_at", ["beamtime_id", "created_at"], unique=False
        )

    op.create_table(
        "experiment_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column(
            "name_key",
            sa.String(length=255)
            .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=255), "mariadb")
            .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=255), "mysql"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_experiment_type_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_type")),
        sa.UniqueConstraint(
            "beamtime_id", "name_key", name=op.f("uq_experiment_type_beamtime_id_name_key")
        ),
    )
    with op.batch_alter_table("experiment_type", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiment_type_beamtime_id"), ["beamtime_id"], unique=False
        )

    op.create_table(
        "file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column(
            "description",
            sa.Text()
            .with_variant(mysql.LONGTEXT(), "mariadb")
            .with_variant(mysql.LONGTEXT(), "mysql"),
            nullable=False,
        ),
        sa.Column("mime_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column(
            "thumbnail",
            sa.LargeBinary()
            .with_variant(mysql.LONGBLOB(), "mariadb")
            .with_variant(mysql.LONGBLOB(), "mysql"),
            nullable=True,
        ),
        sa.Column("created_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_file_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file")),
        sa.UniqueConstraint("beamtime_id", "sha256", name=op.f("uq_file_beamtime_id_sha256")),
    )
    op.create_table(
        "live_stream_image",
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column(
            "content",
            sa.LargeBinary()
            .with_variant(mysql.LONGBLOB(), "mariadb")
            .with_variant(mysql.LONGBLOB(), "mysql"),
            nullable=False,
        ),
        sa.Column(
            "thumbnail",
            sa.LargeBinary()
            .with_variant(mysql.LONGBLOB(), "mariadb")
            .with_variant(mysql.LONGBLOB(), "mysql"),
            nullable=True,
        ),
        sa.Column("mime_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("updated_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_live_stream_image_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("beamtime_id", name=op.f("pk_live_stream_image")),
    )
    op.create_table(
        "schedule_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column("start", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("end", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("users", sa.JSON(), nullable=False),
        sa.Column(
            "comment",
            sa.Text()
            .with_variant(mysql.LONGTEXT(), "mariadb")
            .with_variant(mysql.LONGTEXT(), "mysql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_schedule_shift_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_shift")),
    )
    with op.batch_alter_table("schedule_shift", schema=None) as batch_op:
        batch_op.create_index(
            "ix_schedule_shift_beamtime_id_start", ["beamtime_id", "start"], unique=False
        )

    op.create_table(
        "chemical_file",
        sa.Column("chemical_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chemical_id"],
            ["chemical.id"],
            name=op.f("fk_chemical_file_chemical_id_chemical"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["file.id"], name=op.f("fk_chemical_file_file_id_file"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("chemical_id", "file_id", name=op.f("pk_chemical_file")),
    )
    with op.batch_alter_table("chemical_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chemical_file_file_id"), ["file_id"], unique=False)

    op.create_table(
        "data_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column("experiment_type_id", sa.Integer(), nullable=False),
        sa.Column("attributi", sa.JSON(), nullable=False),
        sa.Column("created_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_data_set_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["experiment_type_id"],
            ["experiment_type.id"],
            name=op.f("fk_data_set_experiment_type_id_experiment_type"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_set")),
    )
    with op.batch_alter_table("data_set", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_set_beamtime_id"), ["beamtime_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_data_set_experiment_type_id"), ["experiment_type_id"], unique=False
        )

    op.create_table(
        "event_file",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_file_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["file.id"], name=op.f("fk_event_file_file_id_file"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "file_id", name=op.f("pk_event_file")),
    )
    with op.batch_alter_table("event_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_file_file_id"), ["file_id"], unique=False)

    op.create_table(
        "experiment_type_attributo",
        sa.Column("experiment_type_id", sa.Integer(), nullable=False),
        sa.Column("attributo_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attributo_id"],
            ["attributo.id"],
            name=op.f("fk_experiment_type_attributo_attributo_id_attributo"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["experiment_type_id"],
            ["experiment_type.id"],
            name=op.f("fk_experiment_type_attributo_experiment_type_id_experiment_type"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "experiment_type_id", "attributo_id", name=op.f("pk_experiment_type_attributo")
        ),
    )
    with op.batch_alter_table("experiment_type_attributo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiment_type_attributo_attributo_id"), ["attributo_id"], unique=False
        )

    op.create_table(
        "file_chunk",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("chunk_index", sa.Integer(), nullable=False),
        sa.Column(
            "data",
            sa.LargeBinary()
            .with_variant(mysql.LONGBLOB(), "mariadb")
            .with_variant(mysql.LONGBLOB(), "mysql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["file.id"], name=op.f("fk_file_chunk_file_id_file"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("file_id", "chunk_index", name=op.f("pk_file_chunk")),
    )
    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("stopped", amarcord.db.types.UtcDateTime(), nullable=True),
        sa.Column("experiment_type_id", sa.Integer(), nullable=True),
        sa.Column("attributi", sa.JSON(), nullable=False),
        sa.Column("created_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("updated_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_run_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["experiment_type_id"],
            ["experiment_type.id"],
            name=op.f("fk_run_experiment_type_id_experiment_type"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run")),
        sa.UniqueConstraint("beamtime_id", "number", name=op.f("uq_run_beamtime_id_number")),
    )
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.create_index(
            "ix_run_beamtime_id_started", ["beamtime_id", "started"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_run_experiment_type_id"), ["experiment_type_id"], unique=False
        )

    op.create_table(
        "schedule_shift_chemical",
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("chemical_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chemical_id"],
            ["chemical.id"],
            name=op.f("fk_schedule_shift_chemical_chemical_id_chemical"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["schedule_shift.id"],
            name=op.f("fk_schedule_shift_chemical_shift_id_schedule_shift"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shift_id", "chemical_id", name=op.f("pk_schedule_shift_chemical")),
    )
    with op.batch_alter_table("schedule_shift_chemical", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_schedule_shift_chemical_chemical_id"), ["chemical_id"], unique=False
        )

    op.create_table(
        "user_configuration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beamtime_id", sa.Integer(), nullable=False),
        sa.Column("created_at", amarcord.db.types.UtcDateTime(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("auto_pilot", sa.Boolean(), nullable=False),
        sa.Column("current_experiment_type_id", sa.Integer(), nullable=True),
        sa.Column("live_stream_url", sa.String(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["beamtime_id"],
            ["beamtime.id"],
            name=op.f("fk_user_configuration_beamtime_id_beamtime"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["current_experiment_type_id"],
            ["experiment_type.id"],
            name=op.f("fk_user_configuration_current_experiment_type_id_experiment_type"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_configuration")),
    )
    with op.batch_alter_table("user_configuration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_user_configuration_beamtime_id_id", ["beamtime_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_user_configuration_current_experiment_type_id"),
            ["current_experiment_type_id"],
            unique=False,
        )

    op.create_table(
        "run_data_path",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=2048), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("fk_run_data_path_run_id_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_data_path")),
    )
    with op.batch_alter_table("run_data_path", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_data_path_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes; MySQL refuses to drop an index a foreign key needs.
    op.drop_table("run_data_path")
    op.drop_table("user_configuration")
    op.drop_table("schedule_shift_chemical")
    op.drop_table("run")
    op.drop_table("file_chunk")
    op.drop_table("experiment_type_attributo")
    op.drop_table("event_file")
    op.drop_table("data_set")
    op.drop_table("chemical_file")
    op.drop_table("schedule_shift")
    op.drop_table("live_stream_image")
    op.drop_table("file")
    op.drop_table("experiment_type")
    op.drop_table("event")
    op.drop_table("chemical")
    op.drop_table("attributo")
    op.drop_table("change")
    op.drop_table("beamtime")
