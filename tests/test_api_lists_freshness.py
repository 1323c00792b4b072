"""The server keeps its lists current and says how fresh they are (issue 18, done-when 3-5), on SQLite and PostgreSQL.

Real uvicorn servers, a real mirror server on 127.0.0.1, real list files.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from lists.fetch.config import load_sources
from lists.fetch.update import update_lists
from lists.loader import load_lists
from lists.store import Store
from tests.api_server import ApiServer, create_key, load_bundled
from tests.mirror_server import MirrorServer, build_mirror

JUXINHE = {"name": "Sichuan Juxinhe Network Technology Co Ltd"}
# A designation the mirror publishes later in the test (a new row before sdn.csv's end marker).
NEW_ROW = (
    b'99999,"ZYXWAR TESTBANK HOLDINGS",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    b'"Fictitious entry added by the refresh test."'
)


def _metric(text: str, name: str, label: str) -> float:
    for line in text.splitlines():
        if line.startswith(f'{name}{{list="{label}"}}'):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name}{{list={label!r}}} missing from /metrics")


def _wait_ready(server: ApiServer, timeout: float = 300) -> dict[str, Any]:
    """/readyz until 200, tolerating a slow answer while the first index is built on a busy machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{server.base_url}/readyz", timeout=30)
        except httpx.TimeoutException:
            continue
        if response.status_code == 200:
            return response.json()
        time.sleep(0.5)
    raise AssertionError(f"server not ready within {timeout} s:\n{server.log()}")


def _dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_required_lists_missing_answer_503_and_stale_lists_are_named(db_url: str, tmp_path: Path) -> None:
    load_bundled(db_url, ["internal"])
    _, token = create_key(db_url, "screen")
    with ApiServer(db_url, _dir(tmp_path / "a")) as server, server.client(token) as client:
        ready = client.get("/readyz")
        deadline = time.monotonic() + 60
        while ready.json().get("error") not in ("required_list_missing",) and time.monotonic() < deadline:
            time.sleep(0.5)
            ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["error"] == "required_list_missing"
        single = client.post("/v1/screen", json=JUXINHE)
        assert single.status_code == 503, single.text
        assert single.json()["error"] == "required_list_missing"
        assert "ofac, ofac-nonsdn, un" in single.json()["detail"]
        bulk = client.post("/v1/screen/bulk", json={"queries": [JUXINHE]})
        assert bulk.status_code == 503 and bulk.json()["error"] == "required_list_missing"
        # naming the missing required list is still the service's 503, not the caller's 422
        named = client.post("/v1/screen", json={**JUXINHE, "lists": ["ofac"]})
        assert named.status_code == 503 and named.json()["error"] == "required_list_missing", named.text

    load_bundled(db_url, ["un"])  # a bundled snapshot: published 2026-02-27, never checked against its source
    env = {"SANCTIONS_REQUIRED_LISTS": "un,internal"}
    with ApiServer(db_url, _dir(tmp_path / "b"), env=env) as server, server.client(token) as client:
        body = _wait_ready(server)
        assert body["stale"] == ["un"] and body["freshness"]["internal"]["stale"] is False
        assert body["freshness"]["un"]["age_hours"] > 48
        answer = client.post("/v1/screen", json={"name": "Eric Badege"})
        assert answer.status_code == 200, answer.text
        (warning,) = answer.json()["warnings"]
        assert warning["list"] == "un" and warning["age_hours"] > 48 and warning["max_age_hours"] == 48
        bulk = client.post("/v1/screen/bulk", json={"queries": [{"name": "Eric Badege"}, JUXINHE]})
        assert bulk.status_code == 200
        assert [w["list"] for w in bulk.json()["warnings"]] == ["un"]
        assert all([w["list"] for w in r["warnings"]] == ["un"] for r in bulk.json()["results"])
        metrics = client.get("/metrics").text
        assert _metric(metrics, "sanctions_list_stale", "un") == 1
        assert _metric(metrics, "sanctions_list_stale", "internal") == 0
        assert _metric(metrics, "sanctions_list_freshness_age_hours", "un") > 48

    with (
        ApiServer(db_url, _dir(tmp_path / "c"), env={**env, "SANCTIONS_FAIL_ON_STALE": "1"}) as server,
        server.client(token) as client,
    ):
        deadline = time.monotonic() + 120
        while client.get("/readyz").json().get("error") != "stale_list" and time.monotonic() < deadline:
            time.sleep(0.5)
        refused = client.post("/v1/screen", json={"name": "Eric Badege"})
        assert refused.status_code == 503 and refused.json()["error"] == "stale_list"
        assert "un" in refused.json()["detail"]


def _hammer(client: httpx.Client, stop: threading.Event, seen: list[tuple[int, str | None, str]]) -> None:
    """Screen the name the mirror is about to publish, as fast as one client can, until told to stop."""
    while not stop.is_set():
        response = client.post("/v1/screen", json={"name": "Zyxwar Testbank Holdings"})
        body: dict[str, Any] = response.json() if response.status_code == 200 else {}
        seen.append(
            (response.status_code, body.get("list_versions", {}).get("ofac"), body.get("decision", ""))
        )


def test_scheduled_refresh_picks_up_a_changed_mirror_file_without_a_failed_request(
    db_url: str, tmp_path: Path
) -> None:
    root = build_mirror(tmp_path / "mirror")
    with MirrorServer(root) as mirror:
        config = load_sources({"SANCTIONS_MIRROR": mirror.url})
        store = Store(db_url)
        try:
            assert all(o.status == "loaded" for o in update_lists(store, config=config))
            assert all(o.ok for o in load_lists(store, ["internal"]))
        finally:
            store.close()
        _, token = create_key(db_url, "screen")
        _, admin = create_key(db_url, "admin")
        env = {"SANCTIONS_MIRROR": mirror.url, "SANCTIONS_REFRESH_EVERY": "2s"}
        with ApiServer(db_url, _dir(tmp_path / "server"), env=env) as server, server.client(token) as client:
            ready = _wait_ready(server)
            assert ready["stale"] == [] and ready["freshness"]["ofac"]["last_successful_check"] is not None
            before = client.post("/v1/screen", json={"name": "Zyxwar Testbank Holdings"}).json()
            assert before["decision"] == "clear" and before["warnings"] == []
            old_label = before["list_versions"]["ofac"]

            stop, seen = threading.Event(), []
            worker = threading.Thread(target=_hammer, args=(client, stop, seen))
            worker.start()
            try:
                sdn = root / "ofac" / "sdn.csv"
                data = sdn.read_bytes()
                assert data.endswith(b"\r\n\x1a")
                changed_at = time.monotonic()
                staged = sdn.with_name("sdn.csv.new")
                staged.write_bytes(data[:-1] + NEW_ROW + b"\r\n\x1a")
                os.replace(staged, sdn)  # as a mirror job should publish: whole or not at all
                deadline = changed_at + 180
                while time.monotonic() < deadline and not any(
                    label != old_label for _, label, _ in seen[-5:]
                ):
                    time.sleep(0.2)
                switched_after = time.monotonic() - changed_at
                time.sleep(1)  # a few more answers from the new index
            finally:
                stop.set()
                worker.join(30)
            statuses = {status for status, _, _ in seen}
            assert statuses == {200}, f"a request failed during the switch: {sorted(statuses)}"
            labels = [label for _, label, _ in seen]
            assert labels[0] == old_label and labels[-1] != old_label, (labels[0], labels[-1])
            first_new = labels.index(labels[-1])
            assert set(labels[first_new:]) == {labels[-1]}  # once switched, never back
            assert {decision for _, label, decision in seen if label == labels[-1]} == {"hit"}
            print(
                f"refresh: new version answered {switched_after:.1f} s after the mirror file changed; "
                f"{len(seen)} requests during the switch, none failed"
            )

            with server.client(admin) as admin_client:
                refreshed = admin_client.post("/v1/lists/refresh")
                assert refreshed.status_code == 200, refreshed.text
                assert {o["list"]: o["status"] for o in refreshed.json()["outcomes"]} == {
                    "ofac": "unchanged",
                    "ofac-nonsdn": "unchanged",
                    "un": "unchanged",
                }
                assert refreshed.json()["serving"]["ofac"] == labels[-1]
                (root / "un" / "consolidated.xml").write_bytes(b"<CONSOLIDATED_LIST><INDIV")
                broken = admin_client.post("/v1/lists/refresh")
                assert broken.status_code == 422
                un = next(o for o in broken.json()["outcomes"] if o["list"] == "un")
                assert un["status"] == "failed" and "consolidated.xml" in un["error"]
                metrics = admin_client.get("/metrics").text
                assert 'sanctions_list_fetch_failures_total{list="un"} 1.0' in metrics
                assert (
                    _metric(metrics, "sanctions_list_last_success_timestamp_seconds", "ofac")
                    > time.time() - 600
                )
            with server.client(token) as plain:
                assert plain.post("/v1/lists/refresh").status_code == 403
