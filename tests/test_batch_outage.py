"""The batch runner through a PostgreSQL outage in the middle of a job (real server, real database).

The runner thread must not die: the running job waits the outage out and
finishes in the same attempt, with every row audited; a job queued behind it is
picked up after recovery. If the outage outlasts SANCTIONS_BATCH_DB_RETRY_SECONDS,
the job is queued again with a note saying why, and still finishes.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from service.db_models import screenings
from tests.api_server import ApiServer, create_key, database, load_bundled
from tests.pg_outage import postgres_outage

ROWS = 20_000


def _csv(rows: int) -> bytes:
    lines = ["customer_id,name,country"]
    lines += [f"c{i},Northwind Trading {i} Limited,GB" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _job(client: httpx.Client, job_id: str) -> dict:
    return client.get(f"/v1/batches/{job_id}").json()


def _wait(client: httpx.Client, job_id: str, condition, seconds: float) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    job: dict = {}
    while time.monotonic() < deadline:
        response = client.get(f"/v1/batches/{job_id}")
        if response.status_code == 200:
            job = response.json()
            if condition(job):
                return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} not there in {seconds} s: {job}")


@pytest.mark.parametrize("retry_seconds", [120, 2], ids=["waits-it-out", "requeued-after-giving-up"])
def test_a_job_survives_a_database_outage_and_queued_jobs_run_after_it(
    tmp_path: Path, retry_seconds: int
) -> None:
    with database("postgres", tmp_path) as url:
        load_bundled(url, ["internal"])
        _, token = create_key(url, "screen")
        env = {
            "SANCTIONS_REQUIRED_LISTS": "internal",
            "SANCTIONS_BATCH_WORKERS": "1",
            "SANCTIONS_BATCH_DB_RETRY_SECONDS": str(retry_seconds),
        }
        with ApiServer(url, tmp_path, env=env) as server, server.client(token) as client:
            server.wait_ready(timeout=120)
            first = client.post("/v1/batches", files={"file": ("big.csv", _csv(ROWS), "text/csv")})
            assert first.status_code == 202, first.text
            big = first.json()["job_id"]
            running = _wait(client, big, lambda j: j["state"] == "running" and j["rows_done"] > 0, 120)
            assert running["rows_done"] < ROWS  # the outage below hits the job in the middle
            second = client.post("/v1/batches", files={"file": ("small.csv", _csv(10), "text/csv")})
            assert second.status_code == 202
            small = second.json()["job_id"]

            with postgres_outage(url):
                time.sleep(1)
                during = client.get(f"/v1/batches/{big}")
                assert during.status_code == 503 and during.json()["error"] == "database_unavailable"
                time.sleep(5)

            done = _wait(client, big, lambda j: j["state"] in ("done", "failed", "cancelled"), 240)
            assert done["state"] == "done", done
            assert done["rows_done"] == done["rows_total"] == ROWS and done["errors"] == 0
            if retry_seconds == 120:
                assert done["attempts"] == 1, done  # waited the outage out, no restart
            else:
                assert done["attempts"] == 2, done
                assert any(
                    "interrupted at" in note and "database stayed unreachable" in note and "restarted" in note
                    for note in done["notes"]
                ), done
            queued = _wait(client, small, lambda j: j["state"] in ("done", "failed"), 120)
            assert queued["state"] == "done" and queued["rows_done"] == 10
            results = client.get(f"/v1/batches/{big}/results")
            assert results.status_code == 200 and results.text.count("\n") >= ROWS
        log = server.log()
        assert "Exception in thread" not in log, log[-3000:]
        assert f"batch job {big}: progress and audit rows: database unreachable" in log  # hit mid-job

        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                audited = conn.execute(
                    select(func.count(func.distinct(screenings.c.position))).where(
                        screenings.c.bulk_id == big
                    )
                ).scalar_one()
        finally:
            engine.dispose()
        assert audited == ROWS  # every row of the finished job has its audit record
