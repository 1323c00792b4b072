"""Batch jobs over HTTP against a real uvicorn server: same results as the CLI, audit, cancel, restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from tests.api_server import create_key, free_port
from tests.test_batch_support import CustomerFile, lists_db_copy, read_results, write_customer_file

COMPARED = ("decision", "match_count", "top_entity_id", "top_score", "error")


@dataclass
class Server:
    url: str
    db_url: str
    data_dir: Path
    token: str
    process: subprocess.Popen[bytes]
    log: Path

    def client(self, token: str | None = "default") -> httpx.Client:
        headers = {"X-API-Key": self.token if token == "default" else token} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)


def start_server(db_url: str, data_dir: Path, token: str, stale_seconds: float = 30) -> Server:
    port = free_port()
    log = data_dir / f"server-{port}.log"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SANCTIONS_DATA_DIR": str(data_dir),
        "SANCTIONS_BATCH_STALE_SECONDS": str(stale_seconds),
        "SANCTIONS_BATCH_WORKERS": "2",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a crash can take every process of it
        )
    server = Server(f"http://127.0.0.1:{port}", db_url, data_dir, token, process, log)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise AssertionError(f"server not ready: {log.read_text()[-3000:]}")


def stop_server(server: Server, sig: int = signal.SIGTERM) -> None:
    if sig == signal.SIGKILL:
        # A crash takes the whole server: the uvicorn supervisor, its server processes and their
        # batch workers. Killing the supervisor alone would leave its server processes running the job.
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(10)
        return
    if server.process.poll() is None:
        server.process.send_signal(sig)
        try:
            server.process.wait(30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("batch-api")
    db_url = lists_db_copy(root / "lists.db")
    running = start_server(db_url, root, create_key(db_url, "screen", "batch tests")[1])
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def customer_file(tmp_path_factory: pytest.TempPathFactory) -> CustomerFile:
    return write_customer_file(tmp_path_factory.mktemp("batch-api-in") / "customers.csv")


def upload(client: httpx.Client, path: Path, **form: str) -> httpx.Response:
    with path.open("rb") as handle:
        return client.post("/v1/batches", files={"file": (path.name, handle, "text/csv")}, data=form)


def wait_for(client: httpx.Client, job_id: str, states: set[str], timeout: float = 900) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/batches/{job_id}").json()
        if job["state"] in states:
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} stuck: {job}")


def test_http_job_gives_the_cli_results(server: Server, customer_file: CustomerFile, tmp_path: Path) -> None:
    with server.client() as client:
        created = upload(client, customer_file.path)
        assert created.status_code == 202, created.text
        job = created.json()
        assert job["state"] in ("queued", "running") and job["rows_total"] == customer_file.rows
        seen_progress = wait_for(client, job["job_id"], {"running", "done"})
        done = wait_for(client, job["job_id"], {"done", "failed"})
        assert done["state"] == "done", done
        assert seen_progress["rows_total"] == customer_file.rows
        assert done["rows_done"] == customer_file.rows
        assert done["errors"] == len(customer_file.empty_names) + 2
        assert done["hits"] >= len(customer_file.planted)
        http_results = tmp_path / "http.csv"
        response = client.get(f"/v1/batches/{job['job_id']}/results")
        assert response.status_code == 200
        http_results.write_bytes(response.content)
        matches = client.get(f"/v1/batches/{job['job_id']}/results", params={"file": "matches"})
        assert matches.status_code == 200 and b"explanation" in matches.content

    cli_results = tmp_path / "cli.csv"
    env = {**os.environ, "DATABASE_URL": server.db_url, "SANCTIONS_DATA_DIR": str(tmp_path)}
    cli = subprocess.run(
        [sys.executable, "-m", "service.cli", "batch", str(customer_file.path), "-o", str(cli_results)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr

    http_header, http_rows = read_results(http_results)
    cli_header, cli_rows = read_results(cli_results)
    assert http_header == cli_header
    assert len(http_rows) == len(cli_rows) == customer_file.rows
    for http_row, cli_row in zip(http_rows, cli_rows, strict=True):
        assert [http_row[c] for c in cli_header] == [cli_row[c] for c in cli_header]
    for row_number, entity_id in customer_file.planted.items():
        assert http_rows[row_number - 1]["top_entity_id"] == entity_id

    # every screened row is in the audit trail under the job id
    engine = create_engine(server.db_url)
    from service.db_models import screenings

    with engine.connect() as conn:
        audited = conn.execute(
            select(func.count()).select_from(screenings).where(screenings.c.bulk_id == job["job_id"])
        ).scalar()
        audited_hits = conn.execute(
            select(func.count())
            .select_from(screenings)
            .where(screenings.c.bulk_id == job["job_id"], screenings.c.decision == "hit")
        ).scalar()
    engine.dispose()
    assert audited == customer_file.rows - done["errors"]
    assert audited_hits == done["hits"]


def test_needs_a_key_and_a_readable_file(server: Server, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("who,where\nYin Kecheng,CN\n", encoding="utf-8")
    with server.client(token=None) as anonymous:
        assert upload(anonymous, bad).status_code == 401
    with server.client() as client:
        refused = upload(client, bad)
        assert refused.status_code == 422
        assert "no name column" in refused.json()["detail"]
        accepted = upload(client, bad, name_column="who")
        assert accepted.status_code == 202
        assert client.get("/v1/batches/not-a-job").status_code == 404
        done = wait_for(client, accepted.json()["job_id"], {"done", "failed"})
        assert done["state"] == "done" and done["hits"] == 1


def test_cancel_a_running_job(server: Server, tmp_path: Path) -> None:
    big = write_customer_file(tmp_path / "big.csv", rows=40_000, seed=11)
    with server.client() as client:
        job = upload(client, big.path).json()
        wait_for(client, job["job_id"], {"running"})
        cancelled = client.delete(f"/v1/batches/{job['job_id']}")
        assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
        time.sleep(3)
        after = client.get(f"/v1/batches/{job['job_id']}").json()
        assert after["state"] == "cancelled"
        assert after["rows_done"] < big.rows
        assert client.get(f"/v1/batches/{job['job_id']}/results").status_code == 409
        assert client.delete(f"/v1/batches/{job['job_id']}").json()["state"] == "cancelled"


def test_interrupted_job_resumes_after_restart(tmp_path: Path) -> None:
    db_url = lists_db_copy(tmp_path / "lists.db")
    token = create_key(db_url, "screen", "batch tests")[1]
    # A job counts as abandoned after 15 s without a heartbeat: a loaded machine can delay a live
    # runner's heartbeat by seconds (list load, worker start-up), and a live job must not be taken over.
    first = start_server(db_url, tmp_path, token, stale_seconds=15)
    file = write_customer_file(tmp_path / "c.csv", rows=30_000, seed=5)
    try:
        with first.client() as client:
            job = upload(client, file.path).json()
            deadline = time.monotonic() + 300
            while (seen := client.get(f"/v1/batches/{job['job_id']}").json())["rows_done"] == 0:
                assert seen["state"] in ("queued", "running"), seen  # a failed start says why at once
                assert time.monotonic() < deadline, seen
                time.sleep(0.3)
    finally:
        stop_server(first, signal.SIGKILL)  # a crash: no clean shutdown
    second = start_server(db_url, tmp_path, token, stale_seconds=15)
    try:
        with second.client() as client:
            done = wait_for(client, job["job_id"], {"done", "failed"})
            assert done["state"] == "done", done
            assert done["rows_done"] == file.rows
            assert done["attempts"] == 2
            assert any("interrupted at" in note for note in done["notes"])
            # the killed attempt's temporary results are gone; the results are the second attempt's
            folder = tmp_path / "batches" / job["job_id"]
            assert sorted(p.name for p in folder.iterdir()) == [
                "input.csv",
                "results.csv",
                "results_matches.csv",
            ]
            _, rows = read_results(folder / "results.csv")
            assert len(rows) == file.rows
    finally:
        stop_server(second)
