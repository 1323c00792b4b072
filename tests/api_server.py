"""Test helper: the real API server (uvicorn in a subprocess) on a free port, and databases for it.

`ApiServer` starts `python -m uvicorn service.app:app_from_env --factory` with its
own data directory and DATABASE_URL, waits for /healthz, and stops it (its
log is kept for assertions). `loaded_template()` loads the full bundled lists
once per test session into a SQLite file that tests copy, since loading
~17k designations takes seconds.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parent.parent
_TEMPLATE_DIR = Path(os.environ.get("SANCTIONS_TEST_TEMPLATE_DIR", "/tmp/sanctions-test-templates"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ApiServer:
    """One uvicorn process serving the app; use as a context manager."""

    def __init__(self, database_url: str, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / f"server-{self.port}.log"
        self._env = env or {}
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> ApiServer:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "SANCTIONS_DATA_DIR": str(self.data_dir),
            "SANCTIONS_KEY_CACHE_SECONDS": "0",
            **self._env,
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "service.app:app_from_env",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"server exited with {self._process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer /healthz within {timeout} s:\n{self.log()}")

    def wait_ready(self, timeout: float = 240.0) -> dict[str, Any]:
        """Wait until /readyz is 200 (the index is built); returns its body."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"{self.base_url}/readyz", timeout=5)
            except httpx.TimeoutException:
                continue  # an index build can hold the interpreter for seconds on a loaded machine: not ready
            if response.status_code == 200:
                return response.json()
            time.sleep(0.5)
        raise RuntimeError(f"server not ready within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=60, **kwargs)

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def create_key(database_url: str, role: str, name: str = "test") -> tuple[str, str]:
    """(key id, token) of a new API key, created through the library the CLI uses."""
    from lists.store import Store
    from service.auth import create_key as make

    store = Store(database_url)
    try:
        key, token = make(store.engine, role, name)
    finally:
        store.close()
    return key.key_id, token


def loaded_template() -> Path:
    """A SQLite file holding every bundled list (built once, reused by later tests and sessions)."""
    from lists.loader import load_lists
    from lists.store import Store

    stamp = max(p.stat().st_mtime_ns for p in (REPO_ROOT / "lists").rglob("*") if p.is_file())
    target = _TEMPLATE_DIR / f"bundled-{stamp}.db"
    if target.exists():
        return target
    _TEMPLATE_DIR.mkdir(parents=True, exist_ok=True)
    building = _TEMPLATE_DIR / f"building-{uuid.uuid4().hex}.db"
    store = Store(f"sqlite:///{building}")
    try:
        failed = [o for o in load_lists(store) if not o.ok]
        assert not failed, f"bundled lists failed to load: {[(o.list_code, o.error) for o in failed]}"
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    os.replace(building, target)
    return target


@contextmanager
def database(backend: str, directory: Path, template: Path | None = None) -> Iterator[str]:
    """A fresh database URL (sqlite file, or a throwaway PostgreSQL database), optionally pre-loaded.

    PostgreSQL is skipped without TEST_POSTGRES_URL, like the `postgres_url` fixture in conftest.
    """
    if backend == "sqlite":
        path = directory / "store.db"
        if template is not None:
            shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    if not admin_url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set")
        pytest.skip("TEST_POSTGRES_URL not set")
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        if template is not None:
            load_bundled(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def load_bundled(database_url: str, list_codes: list[str] | None = None) -> None:
    from lists.loader import load_lists
    from lists.store import Store

    store = Store(database_url)
    try:
        failed = [o for o in load_lists(store, list_codes) if not o.ok]
        assert not failed, f"lists failed to load: {[(o.list_code, o.error) for o in failed]}"
    finally:
        store.close()
