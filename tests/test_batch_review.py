"""Batch rows with an id are reviewed like any screening that names its party (issue #20), end to end.

A real server on SQLite and PostgreSQL screens an uploaded customer file three
times: the first run opens an alert for the Sichuan row's party id (source
"batch", naming the job), the second opens none, and after ana proposes a false
positive and appr approves it, the third shows the row clear with its match
suppressed by the accept entry. The `sanctions batch` command on the same
database does the same: it honours that accept entry, opens an alert for a new
party once, and flags a party with an approved true match even when its name
matches nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from lists.store import Store
from service.auth import create_key as make_key
from service.review.users import create_user
from tests.api_server import ApiServer, create_key, database, loaded_template
from tests.test_batch_support import read_results

SICHUAN = "Sichuan Juxinhe Network Technology Co Ltd"


@dataclass
class Desk:
    server: ApiServer
    url: str
    directory: Path
    screen: str
    admin: str
    ana: str
    appr: str


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    directory: Path = tmp_path_factory.mktemp(f"batch-review-{request.param}")
    with database(request.param, directory, template=loaded_template()) as url:
        store = Store(url)
        try:
            create_user(store.engine, "ana", "analyst")
            create_user(store.engine, "appr", "approver")
            ana, appr = make_key(store.engine, user="ana")[1], make_key(store.engine, user="appr")[1]
        finally:
            store.close()
        _, screen = create_key(url, "screen")
        _, admin = create_key(url, "admin")
        with ApiServer(url, directory, env={"SANCTIONS_BATCH_WORKERS": "1"}) as server:
            server.wait_ready()
            yield Desk(server, url, directory, screen, admin, ana, appr)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _customers(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["customer_id,name", *(f"{party},{name}" for party, name in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run_job(
    desk: Desk, source: Path, folder: Path
) -> tuple[dict[str, Any], list[dict[str, str]], list[dict[str, str]]]:
    """Upload, wait until done, download: (job, result rows, match rows)."""
    with desk.server.client(desk.screen) as client, source.open("rb") as handle:
        job = _ok(client.post("/v1/batches", files={"file": (source.name, handle, "text/csv")}), 202)
        deadline = time.monotonic() + 600
        while job["state"] not in ("done", "failed", "cancelled"):
            assert time.monotonic() < deadline, job
            time.sleep(0.5)
            job = _ok(client.get(f"/v1/batches/{job['job_id']}"))
        assert job["state"] == "done", (job, desk.server.log()[-3000:])
        results, matches = folder / f"{job['job_id']}.csv", folder / f"{job['job_id']}_matches.csv"
        results.write_bytes(client.get(f"/v1/batches/{job['job_id']}/results").content)
        matches.write_bytes(client.get(f"/v1/batches/{job['job_id']}/results?file=matches").content)
    return job, read_results(results)[1], read_results(matches)[1]


def _alerts(desk: Desk, party_id: str) -> list[dict[str, Any]]:
    with desk.server.client(desk.ana) as ana:
        page = _ok(ana.get("/v1/alerts", params={"party_id": party_id, "limit": 100}))
        return [_ok(ana.get(f"/v1/alerts/{item['alert_id']}")) for item in page["items"]]


def test_http_batch_rows_with_an_id_open_alerts_once_and_honour_accepts(desk: Desk, tmp_path: Path) -> None:
    source = _customers(
        tmp_path / "customers.csv", [("B-1", SICHUAN), ("B-2", "Maria Gonzalez"), ("", SICHUAN)]
    )

    # 1. The first run: the Sichuan row's hits are alerts of party B-1, opened by the batch.
    job, rows, matches = _run_job(desk, source, tmp_path)
    assert [r["decision"] for r in rows] == ["hit", "clear", "hit"]
    assert job["hits"] == 2
    opened = _alerts(desk, "B-1")
    row_matches = [m for m in matches if m["row_number"] == "1"]
    assert opened and len(opened) == len(row_matches) == int(rows[0]["match_count"])
    assert "ofac:52749" in {a["entity_id"] for a in opened}
    for alert in opened:
        assert (alert["source"], alert["status"], alert["party_id"]) == ("batch", "open", "B-1")
        assert alert["subject"]["batch_id"] == job["job_id"] and alert["subject"]["row_number"] == 1
        assert alert["subject"]["name"] == SICHUAN
        assert alert["history"][0]["action"] == "opened" and alert["history"][0]["actor"].startswith("key:")
    assert set(rows[0]["alerts"].split("; ")) == {a["alert_id"] for a in opened}
    assert {m["alert_id"] for m in row_matches} == {a["alert_id"] for a in opened}
    assert rows[2]["alerts"] == ""  # a row without an id stays an audited decision
    with desk.server.client(desk.ana) as ana:  # a batch's alerts, found by its job id
        by_batch = _ok(ana.get("/v1/alerts", params={"batch_id": job["job_id"], "source": "batch"}))
        assert {a["alert_id"] for a in by_batch["items"]} == {a["alert_id"] for a in opened}
        assert _ok(ana.get("/v1/alerts", params={"batch_id": "no-such-job"}))["total"] == 0
        assert _ok(ana.get("/v1/alerts", params={"party_id": "B-1", "source": "rescreen"}))["total"] == 0
        refused = ana.get("/v1/alerts", params={"source": "telepathy"})
        assert refused.status_code == 422 and "source" in refused.text
    with desk.server.client(desk.admin) as admin:
        audited = _ok(admin.get(f"/v1/screenings/{opened[0]['screening_id']}"))
    assert (audited["endpoint"], audited["bulk_id"], audited["reference"]) == ("batch", job["job_id"], "B-1")
    assert audited["result"]["party_id"] == "B-1" and audited["decision"] == "hit"
    assert all(len(m["designation_hash"]) == 64 for m in audited["result"]["matches"])

    # 2. The same file again: the same cases, no second alert.
    job, rows, _ = _run_job(desk, source, tmp_path)
    assert rows[0]["decision"] == "hit"
    assert set(rows[0]["alerts"].split("; ")) == {a["alert_id"] for a in opened}
    assert len(_alerts(desk, "B-1")) == len(opened)

    # ana proposes false_positive, cannot approve it (four eyes); appr approves.
    with desk.server.client(desk.ana) as ana, desk.server.client(desk.appr) as appr:
        for alert in opened:
            note = {"outcome": "false_positive", "note": "B-1 is a Chengdu bakery, other USCC"}
            assert (
                _ok(ana.post(f"/v1/alerts/{alert['alert_id']}/decision", json=note))["status"] == "proposed"
            )
            assert (
                ana.post(f"/v1/alerts/{alert['alert_id']}/approve", json={"action": "approve"}).status_code
                == 403
            )
            closed = _ok(appr.post(f"/v1/alerts/{alert['alert_id']}/approve", json={"action": "approve"}))
            assert (closed["status"], closed["outcome"]) == ("closed", "false_positive")
        accepts = {a["accept_id"] for a in _ok(ana.get("/v1/accepts", params={"party_id": "B-1"}))["items"]}
    assert len(accepts) == len(opened)

    # 3. A third run: B-1 is clear, its matches kept and marked suppressed by the accept entries.
    job, rows, matches = _run_job(desk, source, tmp_path)
    assert [r["decision"] for r in rows] == ["clear", "clear", "hit"]
    assert job["hits"] == 1
    assert rows[0]["suppressed"] == rows[0]["match_count"] != "0" and rows[0]["alerts"] == ""
    row_matches = [m for m in matches if m["row_number"] == "1"]
    assert row_matches and all(m["suppressed"] == "yes" and m["accept_id"] in accepts for m in row_matches)
    assert all(m["suppressed"] == "" for m in matches if m["row_number"] == "3")  # no party: no accept
    assert len(_alerts(desk, "B-1")) == len(opened)

    # The command line, on the same database: the accept applies, a new party alerts once.
    cli = _customers(tmp_path / "cli.csv", [("B-1", SICHUAN), ("C-7", SICHUAN)])
    out = tmp_path / "cli-results.csv"
    first = _cli_batch(desk, cli, out)
    bulk_id = re.search(r"recorded as batch ([0-9a-f-]{36})", first.stderr).group(1)  # type: ignore[union-attr]
    _, rows = read_results(out)
    assert [r["decision"] for r in rows] == ["clear", "hit"]
    assert rows[0]["suppressed"] == rows[0]["match_count"]
    cli_alerts = _alerts(desk, "C-7")
    assert cli_alerts and all(a["source"] == "batch" for a in cli_alerts)
    assert {a["subject"]["batch_id"] for a in cli_alerts} == {bulk_id}
    assert all(a["history"][0]["actor"].startswith("cli") for a in cli_alerts)
    assert f"alerts: {len(cli_alerts)} opened" in first.stderr
    _cli_batch(desk, cli, out)
    assert len(_alerts(desk, "C-7")) == len(cli_alerts)
    _, rows = read_results(out)
    assert set(rows[1]["alerts"].split("; ")) == {a["alert_id"] for a in cli_alerts}

    # C-7 confirmed a true match: the party's next batch row is a hit whatever its name.
    with desk.server.client(desk.ana) as ana, desk.server.client(desk.appr) as appr:
        for alert in cli_alerts:
            decision = {"outcome": "true_match", "note": "same USCC"}
            _ok(ana.post(f"/v1/alerts/{alert['alert_id']}/decision", json=decision))
            _ok(appr.post(f"/v1/alerts/{alert['alert_id']}/approve", json={"action": "approve"}))
    _cli_batch(desk, _customers(tmp_path / "renamed.csv", [("C-7", "Maria Gonzalez")]), out)
    _, rows = read_results(out)
    assert (rows[0]["decision"], rows[0]["known_true_match"], rows[0]["match_count"]) == ("hit", "yes", "0")


def _cli_batch(desk: Desk, source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": desk.url,
        "SANCTIONS_DATA_DIR": str(desk.directory),
        "COLUMNS": "200",
    }
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "batch", str(source), "-o", str(out), "--workers", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done
