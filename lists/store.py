"""The versioned designation store (SQLite by default, PostgreSQL in production).

Each load inserts a whole new version next to the old ones and switches the
list's active pointer in the same transaction, after a sanity check, so readers
see either the previous version or the complete new one, never a mix. Failed
loads stay recorded (state "failed") for the audit trail.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config as AlembicConfig
from pydantic import BaseModel, computed_field
from sqlalchemy import Engine, create_engine, delete, event, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from lists.file_modes import secure_sqlite_files, sqlite_path
from lists.model import Designation, ListCode
from lists.parsed import ParsedList
from lists.store_models import ActiveList, DesignationRow, ListVersion, VersionState

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
INSERT_CHUNK = 2000  # rows per executemany: big enough to be fast, small enough for memory
MAX_SHRINK = 0.20  # a new version with more than this fraction fewer records is refused
_MIGRATION_LOCK_ID = 712_300_001  # PostgreSQL advisory lock: one migrator at a time


CHANGES_CHANNEL = "sanctions_list_activated"  # PostgreSQL NOTIFY channel, payload: the list code


class StoreError(Exception):
    """A store operation cannot be done; the message says why (shown to users as-is)."""


class LoadRefused(StoreError):
    """The sanity check refused a new version; the previous one stays active."""


class VersionNotFound(StoreError, LookupError):
    """No list version has this id."""


class FileInfo(BaseModel):
    path: str
    sha256: str
    size: int


class VersionInfo(BaseModel):
    """One list version as reported by the CLI, the API and screening results."""

    id: int
    list_code: str
    source: str
    files: list[FileInfo]
    publish_date: date | None
    record_count: int
    counts_by_type: dict[str, int]
    loaded_at: datetime
    active: bool
    state: str
    warnings: list[str]
    stats: dict[str, int] = {}
    error: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        """Short stable name, e.g. "ofac@3:2024-06-19", quoted in screening results."""
        base = f"{self.list_code}@{self.id}"
        return f"{base}:{self.publish_date.isoformat()}" if self.publish_date else base


def version_id_of_label(label: str) -> int:
    """The version id inside a label made by `VersionInfo.label` ("ofac@3:2024-06-19" -> 3)."""
    try:
        return int(label.split("@", 1)[1].split(":", 1)[0])
    except (IndexError, ValueError):
        raise ValueError(f"not a list version label: {label!r}") from None


class VersionDiff(BaseModel):
    """Entities added, removed and changed (content differs) from version v1 to v2."""

    list_code: str
    v1: int
    v2: int
    added: list[str]
    removed: list[str]
    changed: list[str]


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def content_hash(payload: dict[str, Any]) -> str:
    """Stable hash of a designation's JSON form, for diffs between versions."""
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _create_engine(url: str) -> Engine:
    database = sqlite_path(url)
    if database is not None:
        secure_sqlite_files(database)  # owner-only before SQLite first creates it (audit trail, key hashes)
    # pre-ping: a pooled connection that died in a database outage is replaced, not handed out
    ping = database is None and not url.startswith("sqlite")
    engine = create_engine(
        url, json_serializer=_json_dumps, json_deserializer=orjson.loads, pool_pre_ping=ping
    )
    if engine.dialect.name == "sqlite":
        _make_sqlite_transactional(engine, in_memory=":memory:" in url or url.rstrip("/") == "sqlite:")
        if database is not None:
            event.listen(engine, "connect", lambda *_: secure_sqlite_files(database))
    return engine


def _make_sqlite_transactional(engine: Engine, in_memory: bool) -> None:
    """Real transactions on SQLite (SQLAlchemy's documented recipe), WAL for concurrent readers.

    pysqlite only begins a transaction before DML, so a read-check-write sequence
    would not be atomic; we emit BEGIN ourselves ("BEGIN IMMEDIATE" for writers).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _to_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise StoreError(f"publish date {value!r} is not an ISO date (YYYY-MM-DD)") from exc


def _default_source(parsed: ParsedList) -> str:
    folders = dict.fromkeys(str(Path(f.path).parent) for f in parsed.source_files)
    return ", ".join(folders) or "unknown"


class Store:
    """Versioned designations of every list; see the module docstring for the guarantees."""

    def __init__(self, url: str, retention: int = 10) -> None:
        if retention < 1:
            raise ValueError("retention must keep at least one version per list")
        self.url = url
        self.retention = retention
        self.engine: Engine = _create_engine(url)
        self._migrate()

    # -- schema ---------------------------------------------------------------

    def _migrate(self) -> None:
        """Bring the schema to the newest revision (every revision file under lists/migrations)."""
        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        alembic_log = logging.getLogger("alembic")
        if alembic_log.level == logging.NOTSET:  # its per-start INFO lines are noise in service logs
            alembic_log.setLevel(logging.WARNING)
        with self._write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
            config.attributes["connection"] = conn
            command.upgrade(config, "heads")

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction (on SQLite, BEGIN IMMEDIATE: take the write lock up front)."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    def close(self) -> None:
        self.engine.dispose()

    # -- loading --------------------------------------------------------------

    def load(self, parsed: ParsedList, force: bool = False, source: str | None = None) -> VersionInfo:
        """Store `parsed` as a new version and make it active, all or nothing.

        Raises LoadRefused when the sanity check fails (unless `force`), StoreError
        when the data cannot be stored; the previous version stays active either way.
        """
        list_code = ListCode(parsed.list_code).value
        with self.engine.connect() as conn:
            self._check_shrink(conn, list_code, parsed.record_count, force)
        version_id = self._begin_version(parsed, list_code, source or _default_source(parsed))
        try:
            with self._write() as conn:
                counts = self._insert_designations(conn, version_id, list_code, parsed.designations)
                record_count = sum(counts.values())
                self._check_shrink(conn, list_code, record_count, force, lock=True)
                warnings = [*parsed.warnings, *self._date_warnings(conn, list_code, parsed)]
                self._activate(conn, version_id, list_code, record_count, counts, warnings)
                self._purge_old_versions(conn, list_code, keep=version_id)
        except BaseException as exc:
            message = self._failure_message(exc, list_code)
            self._mark_failed(version_id, message)
            if isinstance(exc, StoreError):
                raise
            if isinstance(exc, SQLAlchemyError):
                raise StoreError(message) from exc
            raise
        return self.version(version_id)

    def _check_shrink(
        self, conn: Connection, list_code: str, new_count: int, force: bool, lock: bool = False
    ) -> None:
        query = (
            select(ListVersion)
            .join(ActiveList, ActiveList.version_id == ListVersion.id)
            .where(ActiveList.list_code == list_code)
        )
        if lock and conn.dialect.name == "postgresql":
            query = query.with_for_update(of=ActiveList)
        active = conn.execute(query).first()
        if active is None or force:
            return
        old_count = active.record_count
        if (old_count - new_count) > MAX_SHRINK * old_count:
            shrink = (old_count - new_count) / old_count
            raise LoadRefused(
                f"refused to activate the new {list_code} version: {new_count:,} records is "
                f"{shrink:.1%} fewer than the active version {list_code}@{active.id} "
                f"({old_count:,} records); more than {MAX_SHRINK:.0%} fewer needs --force (force=True)"
            )

    def _begin_version(self, parsed: ParsedList, list_code: str, source: str) -> int:
        values = {
            "list_code": list_code,
            "source": source,
            "files": [asdict(f) for f in parsed.source_files],
            "publish_date": _to_date(parsed.publish_date),
            "record_count": 0,
            "counts": {},
            "stats": dict(parsed.stats),
            "warnings": [],
            "loaded_at": datetime.now(UTC),
            "state": VersionState.LOADING.value,
            "error": None,
        }
        with self._write() as conn:
            return int(
                conn.execute(insert(ListVersion).values(**values).returning(ListVersion.id)).scalar_one()
            )

    def _insert_designations(
        self, conn: Connection, version_id: int, list_code: str, designations: Iterable[Designation]
    ) -> Counter[str]:
        counts: Counter[str] = Counter()
        seen: set[str] = set()
        chunk: list[dict[str, Any]] = []
        table = DesignationRow.__table__
        prefix = f"{list_code}:"
        for designation in designations:
            if designation.list.value != list_code or not designation.entity_id.startswith(prefix):
                raise StoreError(
                    f"designation {designation.entity_id} belongs to list {designation.list.value}, "
                    f"not {list_code}"
                )
            if designation.entity_id in seen:
                raise StoreError(f"{list_code}: entity id {designation.entity_id} occurs twice")
            seen.add(designation.entity_id)
            payload = designation.model_dump(mode="json")
            chunk.append(
                {
                    "version_id": version_id,
                    "entity_id": designation.entity_id,
                    "type": designation.type.value,
                    "primary_name": designation.primary_name,
                    "payload": payload,
                    "content_hash": content_hash(payload),
                }
            )
            counts[designation.type.value] += 1
            if len(chunk) >= INSERT_CHUNK:
                conn.execute(insert(table), chunk)
                chunk = []
        if chunk:
            conn.execute(insert(table), chunk)
        return counts

    def _date_warnings(self, conn: Connection, list_code: str, parsed: ParsedList) -> list[str]:
        new_date = _to_date(parsed.publish_date)
        active = self._active_row(conn, list_code)
        if new_date and active is not None and active.publish_date and new_date < active.publish_date:
            return [
                f"publish date {new_date} is older than the previously active version's "
                f"({active.publish_date}, {list_code}@{active.id})"
            ]
        return []

    def _active_row(self, conn: Connection, list_code: str) -> Any:
        return conn.execute(
            select(ListVersion)
            .join(ActiveList, ActiveList.version_id == ListVersion.id)
            .where(ActiveList.list_code == list_code)
        ).first()

    def _activate(
        self,
        conn: Connection,
        version_id: int,
        list_code: str,
        record_count: int,
        counts: Counter[str],
        warnings: list[str],
    ) -> None:
        previous = conn.execute(
            select(ActiveList.version_id).where(ActiveList.list_code == list_code)
        ).scalar_one_or_none()
        if previous is None:
            conn.execute(insert(ActiveList).values(list_code=list_code, version_id=version_id))
        else:
            conn.execute(
                update(ListVersion)
                .where(ListVersion.id == previous)
                .values(state=VersionState.SUPERSEDED.value)
            )
            conn.execute(
                update(ActiveList).where(ActiveList.list_code == list_code).values(version_id=version_id)
            )
        conn.execute(
            update(ListVersion)
            .where(ListVersion.id == version_id)
            .values(
                state=VersionState.ACTIVE.value,
                record_count=record_count,
                counts=dict(sorted(counts.items())),
                warnings=warnings,
            )
        )
        if conn.dialect.name == "postgresql":
            # Delivered at commit to every process LISTENing (service/list_changes.py): replicas
            # switch to the new version at once instead of at their next poll.
            conn.execute(
                text("SELECT pg_notify(:channel, :list_code)"),
                {"channel": CHANGES_CHANNEL, "list_code": list_code},
            )

    def _purge_old_versions(self, conn: Connection, list_code: str, keep: int) -> None:
        """Retention: keep the newest `retention` versions of the list, never the active one."""
        ids = conn.execute(
            select(ListVersion.id).where(ListVersion.list_code == list_code).order_by(ListVersion.id.desc())
        ).scalars()
        stale = [vid for vid in list(ids)[self.retention :] if vid != keep]
        if stale:
            conn.execute(delete(DesignationRow).where(DesignationRow.version_id.in_(stale)))
            conn.execute(delete(ListVersion).where(ListVersion.id.in_(stale)))

    @staticmethod
    def _failure_message(exc: BaseException, list_code: str) -> str:
        if isinstance(exc, StoreError):
            return str(exc)
        if isinstance(exc, SQLAlchemyError):
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            return f"could not store the new {list_code} version: {type(exc).__name__}: {detail}"
        return f"{list_code} load aborted: {type(exc).__name__}: {exc}"

    def _mark_failed(self, version_id: int, message: str) -> None:
        try:
            with self._write() as conn:
                conn.execute(delete(DesignationRow).where(DesignationRow.version_id == version_id))
                conn.execute(
                    update(ListVersion)
                    .where(ListVersion.id == version_id)
                    .values(state=VersionState.FAILED.value, error=message)
                )
        except SQLAlchemyError:  # the database itself may be what failed; the original error wins
            log.exception("could not mark list version %s as failed", version_id)

    # -- reading --------------------------------------------------------------

    def _info(self, row: ListVersion | Any, active_ids: set[int]) -> VersionInfo:
        return VersionInfo(
            id=row.id,
            list_code=row.list_code,
            source=row.source,
            files=row.files,
            publish_date=row.publish_date,
            record_count=row.record_count,
            counts_by_type=row.counts,
            loaded_at=_utc(row.loaded_at),
            active=row.id in active_ids,
            state=row.state,
            warnings=row.warnings,
            stats=row.stats or {},
            error=row.error,
        )

    def _active_ids(self, conn: Connection) -> set[int]:
        return set(conn.execute(select(ActiveList.version_id)).scalars())

    def active_versions(self) -> dict[str, VersionInfo]:
        """List code -> its active version, in ListCode order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(ListVersion).join(ActiveList, ActiveList.version_id == ListVersion.id)
            ).all()
            infos = [self._info(row, {row.id}) for row in rows]
        order = {code.value: i for i, code in enumerate(ListCode)}
        infos.sort(key=lambda info: (order.get(info.list_code, len(order)), info.list_code))
        return {info.list_code: info for info in infos}

    def versions(self, list_code: str) -> list[VersionInfo]:
        """Every kept version of a list, newest first."""
        with self.engine.connect() as conn:
            active = self._active_ids(conn)
            rows = conn.execute(
                select(ListVersion).where(ListVersion.list_code == list_code).order_by(ListVersion.id.desc())
            ).all()
            return [self._info(row, active) for row in rows]

    def version(self, version_id: int) -> VersionInfo:
        with self.engine.connect() as conn:
            row = conn.execute(select(ListVersion).where(ListVersion.id == version_id)).first()
            if row is None:
                raise VersionNotFound(f"no list version with id {version_id}")
            return self._info(row, self._active_ids(conn))

    def active_snapshot(
        self, list_codes: Iterable[str] | None = None
    ) -> tuple[dict[str, VersionInfo], list[Designation]]:
        """The active versions and exactly their designations (consistent even during a load)."""
        versions = self.active_versions()
        if list_codes is not None:
            wanted = {ListCode(code).value for code in list_codes}
            versions = {code: info for code, info in versions.items() if code in wanted}
        designations: list[Designation] = []
        if versions:
            with self.engine.connect() as conn:
                payloads = conn.execute(
                    select(DesignationRow.payload)
                    .where(DesignationRow.version_id.in_([info.id for info in versions.values()]))
                    .order_by(DesignationRow.version_id, DesignationRow.entity_id)
                ).scalars()
                designations = [Designation.model_validate(payload) for payload in payloads]
        return versions, designations

    def active_designations(self, list_codes: Iterable[str] | None = None) -> list[Designation]:
        """Every designation of the active versions (of `list_codes`, or of all lists)."""
        return self.active_snapshot(list_codes)[1]

    def get_entity(self, entity_id: str) -> Designation | None:
        """The designation with this id in its list's active version, or None."""
        with self.engine.connect() as conn:
            payload = conn.execute(
                select(DesignationRow.payload)
                .join(ActiveList, ActiveList.version_id == DesignationRow.version_id)
                .where(DesignationRow.entity_id == entity_id)
            ).scalar_one_or_none()
        return None if payload is None else Designation.model_validate(payload)

    def diff(self, v1: int, v2: int) -> VersionDiff:
        """Added, removed and changed entity ids from version v1 to version v2 of one list."""
        first, second = self.version(v1), self.version(v2)
        if first.list_code != second.list_code:
            raise StoreError(
                f"versions {v1} ({first.list_code}) and {v2} ({second.list_code}) are of different "
                "lists; a diff compares two versions of one list"
            )
        for info in (first, second):
            if info.state in (VersionState.FAILED.value, VersionState.LOADING.value):
                raise StoreError(f"version {info.id} is {info.state}; it holds no designations to compare")
        old, new = self._hashes(v1), self._hashes(v2)
        return VersionDiff(
            list_code=first.list_code,
            v1=v1,
            v2=v2,
            added=sorted(new.keys() - old.keys()),
            removed=sorted(old.keys() - new.keys()),
            changed=sorted(eid for eid in old.keys() & new.keys() if old[eid] != new[eid]),
        )

    def _hashes(self, version_id: int) -> dict[str, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(DesignationRow.entity_id, DesignationRow.content_hash).where(
                    DesignationRow.version_id == version_id
                )
            )
            return {entity_id: digest for entity_id, digest in rows}
