"""The data folder is created 0700 and the SQLite files (database, -wal, -shm, audit lock) 0600.

They hold the audit trail (every screened name) and the API key hashes. The
umask is set to the common 022 so a pass means the code set the modes itself.
"""

from __future__ import annotations

import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lists.store import Store
from service.audit import AuditWriter
from service.auth import create_key
from service.batch.jobs import BatchJobs
from service.settings import load_settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def common_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _audit_one(store: Store) -> None:
    writer = AuditWriter(store.engine)
    writer.start()
    row = {
        "screening_id": str(uuid.uuid4()),
        "created_at": datetime.now(UTC),
        "endpoint": "screen",
        "bulk_id": None,
        "position": None,
        "api_key_id": None,
        "reference": None,
        "decision": "clear",
        "threshold": 0.84,
        "list_versions": {},
        "request": {"name": "Jane Roe"},
        "result": {"decision": "clear", "matches": []},
        "screen_ms": 1.0,
    }
    try:
        writer.submit([row]).result(timeout=30)
    finally:
        writer.close()


def test_new_data_folder_is_0700_and_every_database_file_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, common_umask: None
) -> None:
    data = tmp_path / "fresh" / "sanctions"
    monkeypatch.setenv("SANCTIONS_DATA_DIR", str(data))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SANCTIONS_CONFIG", raising=False)
    settings = load_settings()
    assert settings.data_dir == data
    assert _mode(data) == 0o700
    store = Store(settings.database_url)
    try:
        create_key(store.engine, "screen")
        _audit_one(store)
        BatchJobs(store.engine, data)  # its uploads folder
        files = sorted(p.name for p in data.iterdir() if p.is_file())
        # all three WAL-mode files and the audit writer's lock exist, so each mode below was really checked
        assert {"sanctions.db", "sanctions.db-wal", "sanctions.db-shm", "sanctions.db-audit.lock"} <= set(
            files
        )
        assert {name: oct(_mode(data / name)) for name in files} == {name: oct(0o600) for name in files}
        assert _mode(data / "batches") == 0o700
    finally:
        store.close()


def test_existing_world_readable_database_is_made_owner_only(tmp_path: Path, common_umask: None) -> None:
    path = tmp_path / "store.db"
    Store(f"sqlite:///{path}").close()
    for name in ("store.db", "store.db-wal", "store.db-shm"):
        if (tmp_path / name).exists():
            os.chmod(tmp_path / name, 0o644)  # as an older version left them
    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    os.chmod(copy, 0o644)
    for url in (f"sqlite:///{path}", f"sqlite:///{copy}"):
        Store(url).close()
    assert _mode(path) == 0o600 and _mode(copy) == 0o600
    assert all(_mode(p) == 0o600 for p in tmp_path.iterdir() if p.is_file()), {
        p.name: oct(_mode(p)) for p in tmp_path.iterdir()
    }
