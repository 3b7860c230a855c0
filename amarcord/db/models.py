"""SQLAlchemy models of the whole core domain.

Attributo values of runs, chemicals and data sets live in one JSON document per row, keyed by
attributo id (`{"12": 120.5, "13": "lysozyme"}`), not in an entity-attribute-value table: the
full run table (10,000 runs x 30 attributi) is then 10,000 rows instead of 300,000, and
filtering and sorting still run in the database through each engine's JSON functions.
The values are in the canonical stored form of `amarcord.domain.values`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from amarcord.db.types import UtcDateTime, json_document, long_blob, long_text, name_key

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Large files are split into chunks well below MariaDB's default max_allowed_packet (16 MiB).
FILE_CHUNK_BYTES = 1024 * 1024

# SQLite only auto-increments an INTEGER PRIMARY KEY; the other engines get 8 bytes.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _beamtime_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("beamtime.id", ondelete="CASCADE"), index=True)


class Beamtime(Base):
    __tablename__ = "beamtime"
    # The change feed outlives a deleted beamtime; SQLite must not hand its id to a new one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(255))
    proposal: Mapped[str] = mapped_column(String(255), default="")
    beamline: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(String(1024), default="")
    comment: Mapped[str] = mapped_column(long_text(), default="")
    start: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    end: Mapped[datetime] = mapped_column(UtcDateTime())
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Counts the changes to the beamtime's attributi (store/attributi_cache.py): what a server
    # process keeps of them between requests is valid while this number stays.
    attributi_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __mapper_args__ = {"version_id_col": version}


class Attributo(Base):
    __tablename__ = "attributo"
    __table_args__ = (UniqueConstraint("beamtime_id", "associated_table", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beamtime_id: Mapped[int] = _beamtime_fk()
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(name_key())
    description: Mapped[str] = mapped_column(long_text(), default="")
    group: Mapped[str] = mapped_column("group_name", String(64), default="manual")
    associated_table: Mapped[str] = mapped_column(String(16))
    type: Mapped[dict[str, Any]] = mapped_column(json_document())
    position: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ExperimentType(Base):
    __tablename__ = "experiment_type"
    __table_args__ = (UniqueConstraint("beamtime_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beamtime_id: Mapped[int] = _beamtime_fk()
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(name_key())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ExperimentTypeAttributo(Base):
    __tablename__ = "experiment_type_attributo"

    experiment_type_id: Mapped[int] = mapped_column(
        ForeignKey("experiment_type.id", ondelete="CASCADE"), primary_key=True
    )
    attributo_id: Mapped[int] = mapped_column(
        ForeignKey("attributo.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Run(Base):
    __tablename__ = "run"
    __table_args__ = (
        UniqueConstraint("beamtime_id", "number"),
        Index("ix_run_beamtime_id_started", "beamtime_id", "started"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beamtime_id: Mapped[int] = mapped_column(ForeignKey("beamtime.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    started: Mapped[datetime] = mapped_column(UtcDateTime())
    stopped: Mapped[datetime | None] = mapped_column(UtcDateTime())
    experiment_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("experiment_type.id", ondelete="SET NULL"), index=True
    )
    attributi: Mapped[dict[str, Any]] = mapped_column(json_document(), default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class RunDataPath(Base):
    """Where a run's data lives on disk: a path or glob, and its source (e.g. "raw")."""

    __tablename__ = "run_data_path"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(2048))
    source: Mapped[str] = mapped_column(String(64), default="raw")


class Chemical(Base):
    __tablename__ = "chemical"
    __table_args__ = (UniqueConstraint("beamtime_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beamtime_id: Mapped[int] = _beamtime_fk()
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(name_key())
    responsible_person: Mapped[str] = mapped_column(String(255), default="")
    attributi: Mapped[dict[str, Any]] = mapped_column(json_document(), default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class DataSet(Base):
    __tablename__ = "data_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    beamtime_id: Mapped[int] = _beamtime_fk()
    experiment_type_id: Mapped[int] = mapped_column(
        ForeignKey("experiment_type.id", ondelete="CASCADE"), index=True
    )
    attributi: Mapped[dict[str, Any]] = mapped_column(json_document(), default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class File(Base):
    """An uploaded file; its bytes live in `file_chunk`. Identical content is stored once per
    beamtime (unique sha256)."""

    __tablename__ = "file"
    __table_args__ = (UniqueConstraint("beamtime_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beamtime_id: Mapped[int] = mapped_column(ForeignKey("beamtime.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(long_text(), default="")
    mime_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    thumbnail: Mapped[bytes | None] = mapped_column(long_blob(), deferred=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FileChunk(Base):
    __tablename__ = "file_chunk"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("file.id", ondelete="CASCADE"), primary_key=True
    )
    index: Mapped[int] = mapped_column("chunk_index", Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(long_blob())


class ChemicalFile(Base):
    __tablename__ = "chemical_file"

    chemical_id: Mapped[int] = mapped_column(
        ForeignKey("chemical.id", ondelete="CASCADE"), primary_key=True
    )
    file_id: Mapped[int] = mapped_column(
        ForeignKey("file.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (Index("ix_event_beamtime_id_created_at", "beamtime_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beamtime_id: Mapped[int] = mapped_column(ForeignKey("beamtime.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    level: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(long_text())
    run_number: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class EventFile(Base):
    __tablename__ = "event_file"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    file_id: Mapped[int] = mapped_column(
        ForeignKey("file.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class LiveStreamImage(Base):
    """The newest camera frame of a beamtime, replaced in place on every upload."""

    __tablename__ = "live_stream_image"

    beamtime_id: Mapped[int] = mapped_column(
        ForeignKey("beamtime.id", ondelete="CASCADE"), primary_key=True
    )
    content: Mapped[bytes] = mapped_column(long_blob(), deferred=True)
    thumbnail: Mapped[bytes | None] = mapped_column(long_blob(), deferred=True)
    mime_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class UserConfiguration(Base):
    """Append-only: every change adds a complete row; the row with the highest id wins."""

    __tablename__ = "user_configuration"
    __table_args__ = (Index("ix_user_configuration_beamtime_id_id", "beamtime_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beamtime_id: Mapped[int] = mapped_column(ForeignKey("beamtime.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    author: Mapped[str] = mapped_column(String(255))
    auto_pilot: Mapped[bool] = mapped_column(Boolean, default=False)
    current_experiment_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("experiment_type.id", ondelete="SET NULL"), index=True
    )
    live_stream_url: Mapped[str | None] = mapped_column(String(2048))


class ScheduleShift(Base):
    __tablename__ = "schedule_shift"
    __table_args__ = (Index("ix_schedule_shift_beamtime_id_start", "beamtime_id", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beamtime_id: Mapped[int] = mapped_column(ForeignKey("beamtime.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    end: Mapped[datetime] = mapped_column(UtcDateTime())
    users: Mapped[list[str]] = mapped_column(json_document(), default=list)
    comment: Mapped[str] = mapped_column(long_text(), default="")


class ScheduleShiftChemical(Base):
    __tablename__ = "schedule_shift_chemical"

    shift_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_shift.id", ondelete="CASCADE"), primary_key=True
    )
    chemical_id: Mapped[int] = mapped_column(
        ForeignKey("chemical.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Change(Base):
    """The change feed: the audit trail, the basis of incremental refresh and of the push
    stream. No foreign key to the beamtime, so that a deleted beamtime's record survives."""

    __tablename__ = "change"
    __table_args__ = (
        Index("ix_change_beamtime_id_seq", "beamtime_id", "seq"),
        # The history of one entity (GET /changes?entity=run&entity_id=37).
        Index(
            "ix_change_beamtime_id_entity_entity_id_seq",
            "beamtime_id",
            "entity",
            "entity_id",
            "seq",
        ),
    )

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    beamtime_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(255))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(json_document())
    after: Mapped[dict[str, Any] | None] = mapped_column(json_document())


# Access control: accounts, beamtime roles, API tokens, and the state that several server
# processes must share (the cookie signing key, failed logins).


class UserAccount(Base):
    """A person. `password_hash` is empty for accounts that sign in through a proxy."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(255))
    username_key: Mapped[str] = mapped_column(name_key(), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class BeamtimeMember(Base):
    __tablename__ = "beamtime_member"

    beamtime_id: Mapped[int] = mapped_column(
        ForeignKey("beamtime.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))


class ApiToken(Base):
    """Only the sha256 `digest` of the secret is stored. No beamtime: valid for all of them."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    beamtime_id: Mapped[int | None] = mapped_column(
        ForeignKey("beamtime.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ServerSecret(Base):
    """Secrets generated once and shared by every server process (the cookie signing key)."""

    __tablename__ = "server_secret"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LoginAttempt(Base):
    """A failed login, keyed by a digest of user name and client address; kept in the
    database so that the limit holds across server processes."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
