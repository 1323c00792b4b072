"""`sanctions serve --workers 2`: workers forked from a parent that opened the index first.

The parent (gunicorn's arbiter, service/http/prefork.py) imports the service and opens the index
of the active list versions; the workers inherit it. What must hold: both workers answer as an
index opened in this process does; a list version loaded later through the CLI is served by both
(each opens the new snapshot itself: never the parent's older one); a worker restarted after that
(killed) serves the new versions too, not the ones the parent opened; SIGTERM stops them all.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.api_server import REPO_ROOT, database, free_port, loaded_template
from tests.test_replicas import _with_extra_entry

SICHUAN = "Sichuan Juxinhe Network Technology Co Ltd"
NEW_NAME = "Quillfeather Borealis Trading"  # the internal list's extra entry (tests/test_replicas.py)
QUERIES = [
    SICHUAN,
    "Kim Jong Un",
    "Yin Kecheng",
    "Shanghai Anxun Information Technology",
    "Владимир Путин",
    "金正恩",
    "Integrity Technology Group",
    "Jane Q. Nobody",
]


def _serving_lines(log: str, label: str) -> int:
    return sum(1 for line in log.splitlines() if "serving index of" in line and label in line)


class TwoWorkers:
    """`sanctions serve --workers 2` on a free port, its log in `log_path`; stopped with SIGTERM."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = {**env}
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.log_path = log_path
        self.base_url = f"http://127.0.0.1:{free_port()}"
        self.exit_code: int | None = None

    def __enter__(self) -> TwoWorkers:
        port = self.base_url.rsplit(":", 1)[1]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve", "--workers", "2", "--port", port],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def __exit__(self, *_: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.exit_code = self.process.wait(40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float = 60.0) -> None:
        """Until `condition(log)` holds."""
        deadline = time.monotonic() + timeout
        while not condition(self.log()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} within {timeout} s:\n{self.log()[-4000:]}")
            time.sleep(0.25)


def _expected_answers(url: str) -> dict[str, list[tuple[str, float]]]:
    """The answers of the index opened in this process, as a single worker serves them."""
    from lists.store import Store
    from screening.query import Query
    from service.snapshot.build import load_screener

    store = Store(url)
    try:
        screener = load_screener(store).screener
        return {
            name: [(m.entity_id, round(m.score, 4)) for m in screener.screen(Query(name=name)).matches]
            for name in QUERIES
        }
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_forked_workers_serve_the_parents_index_then_each_new_version(tmp_path: Path, backend: str) -> None:
    with database(backend, tmp_path, template=loaded_template()) as url:
        cli_env = {**os.environ, "DATABASE_URL": url, "SANCTIONS_DATA_DIR": str(tmp_path)}
        cli_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        expected = _expected_answers(url)  # also writes the snapshot the parent then opens
        env = {
            **cli_env,
            "SANCTIONS_AUTH": "off",
            # SQLite has no NOTIFY: the workers poll; PostgreSQL tells them (the poll set far beyond).
            "SANCTIONS_REFRESH_SECONDS": "2" if backend == "sqlite" else "3600",
        }
        with TwoWorkers(env, tmp_path / "serve.log") as server:
            server.wait_for(lambda log: log.count("serving index of") >= 2, "two workers serving")
            assert "index of the active lists opened for the workers" in server.log()
            workers = [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", server.log())]
            assert len(set(workers)) == 2 and server.process.pid not in workers

            for _ in range(3):  # new connections: the workers take turns accepting them
                for name in QUERIES:
                    response = httpx.post(f"{server.base_url}/v1/screen", json={"name": name}, timeout=30)
                    assert response.status_code == 200, response.text
                    answer = response.json()
                    got = [(m["entity_id"], round(m["score"], 4)) for m in answer["matches"]]
                    assert got == expected[name], name
            assert expected[SICHUAN][0][0] == "ofac:52749"
            old_label = answer["list_versions"]["internal"]

            watchlist = tmp_path / "watchlist.yaml"
            original = (REPO_ROOT / "lists" / "data" / "internal" / "watchlist.yaml").read_text()
            watchlist.write_text(_with_extra_entry(original))
            done = subprocess.run(
                [sys.executable, "-m", "service.cli", "lists", "load", str(watchlist), "--list", "internal"],
                cwd=REPO_ROOT,
                env=cli_env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, done.stdout + done.stderr
            new_label = _active_internal_label(url)
            assert new_label != old_label
            server.wait_for(
                lambda log: _serving_lines(log, new_label) >= 2, "both workers on the new version"
            )
            _assert_serves(server, new_label)

            # A worker started now inherits the parent's index of the old versions: it must not serve it.
            os.kill(workers[0], signal.SIGKILL)
            server.wait_for(lambda log: log.count("Booting worker with pid") >= 3, "a worker restarted")
            server.wait_for(
                lambda log: _serving_lines(log, new_label) >= 3, "the new worker on the new version"
            )
            _assert_serves(server, new_label)
        assert server.exit_code == 0, server.log()[-3000:]
        for pid in workers[1:]:
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def _assert_serves(server: TwoWorkers, internal_label: str) -> None:
    for _ in range(6):
        answer = httpx.post(f"{server.base_url}/v1/screen", json={"name": NEW_NAME}, timeout=30).json()
        assert answer["decision"] == "hit" and answer["list_versions"]["internal"] == internal_label


def _active_internal_label(url: str) -> str:
    from lists.store import Store

    store = Store(url)
    try:
        return store.active_versions()["internal"].label
    finally:
        store.close()


def test_without_a_snapshot_the_parent_leaves_it_to_the_first_worker(tmp_path: Path) -> None:
    """The parent never builds an index (it would not answer health checks meanwhile): a worker does."""
    with database("sqlite", tmp_path, template=loaded_template()) as url:
        snapshots = tmp_path / "snapshots"  # its own folder: the session's holds this store's snapshot
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SANCTIONS_DATA_DIR": str(tmp_path),
            "SANCTIONS_AUTH": "off",
            "SANCTIONS_SNAPSHOT_DIR": str(snapshots),
        }
        with TwoWorkers(env, tmp_path / "serve.log") as server:
            server.wait_for(lambda log: log.count("serving index of") >= 2, "two workers serving", 240)
            assert "no usable index snapshot of the active lists yet" in server.log()
            assert len(list(snapshots.glob("index-*.snap"))) == 1  # written once, by one worker
            answer = httpx.post(f"{server.base_url}/v1/screen", json={"name": SICHUAN}, timeout=30).json()
            assert answer["matches"][0]["entity_id"] == "ofac:52749"
        assert server.exit_code == 0
