"""SQLAlchemy models of the versioned designation store.

Every load becomes a `ListVersion` with its own copy of the designations; the
`ActiveList` row per list is the only thing readers follow, so switching it in
the same transaction that inserted the rows makes a new version visible all at
once, or not at all.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class VersionState(StrEnum):
    LOADING = "loading"
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    FAILED = "failed"


class ListVersion(Base):
    """One load of one list: where it came from, what it held, and how it ended."""

    __tablename__ = "list_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_code: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(Text)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    publish_date: Mapped[date | None] = mapped_column(Date)
    record_count: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    stats: Mapped[dict[str, int]] = mapped_column(JSON)
    warnings: Mapped[list[str]] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)


class DesignationRow(Base):
    """A designation as stored in one version; `payload` is the full model as JSON."""

    __tablename__ = "designations"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("list_versions.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    primary_name: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))


class ActiveList(Base):
    """The one pointer per list that readers follow to its active version."""

    __tablename__ = "active_lists"

    list_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("list_versions.id"))
