"""Issue #19, done-when 1-5, on SQLite and PostgreSQL: a real server, the real CLI loading lists
from another process, and a real webhook receiver on 127.0.0.1.

1. OFAC from the 2024 files only (plus UN and internal); 2,000 Faker parties and the three
   named ones imported over HTTP; none of the three has an alert.
2. A webhook registered; the bundled OFAC list with its 2025 designations loaded by the CLI.
3. Within a minute the three have open alerts for ofac:52749, ofac:52747, ofac:50543 and the
   receiver got a signed alert.created for each; no other party got a new alert.
4. Loading the same list again opens no alert and sends no alert.created.
5. The receiver down during a change (the 2024 files again: the three are delisted) and up
   later: every event still arrives, once per event id as far as the receiver is concerned.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.webhooks.signing import verify
from tests.api_server import ApiServer, create_key, database
from tests.conftest import BUNDLED_DATA
from tests.monitoring_support import NAMED_HITS, Receiver, write_parties_csv

SECRET = "e2e-secret-0123456789"
PARTIES = 2000


def sanctions(*args: str, url: str, data_dir: Path) -> str:
    env = {**os.environ, "DATABASE_URL": url, "SANCTIONS_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def wait_for(what: str, check: Callable[[], Any], timeout: float = 60.0, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def all_alerts(client: httpx.Client, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = client.get("/v1/alerts", params={**params, "limit": 500, "offset": len(items)}).json()
        items.extend(page["items"])
        if len(items) >= page["total"]:
            return items


def rescreen_done_for(client: httpx.Client, list_code: str, version_id: int) -> dict[str, Any] | None:
    for job in client.get("/v1/rescreens", params={"limit": 50}).json()["items"]:
        if job["kind"] == "delta" and job["list"] == list_code and job["to_version"] == version_id:
            return job if job["state"] in ("done", "failed") else None
    return None


def active_version(client: httpx.Client, list_code: str) -> int:
    return next(v["id"] for v in client.get("/v1/lists").json()["lists"] if v["list_code"] == list_code)


def verified(received: Any) -> bool:
    headers = {k.lower(): v for k, v in received.headers.items()}
    return verify(SECRET, headers["x-sanctions-timestamp"], received.body, headers["x-sanctions-signature"])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_ongoing_monitoring_done_when(backend: str, tmp_path: Path) -> None:
    receiver = Receiver().start()
    with database(backend, tmp_path) as url:
        # 1. OFAC from the 2024 files only, UN and internal, loaded by the CLI.
        sanctions("lists", "load", str(BUNDLED_DATA / "ofac"), "--list", "ofac", url=url, data_dir=tmp_path)
        sanctions("lists", "load", "--list", "un", url=url, data_dir=tmp_path)
        sanctions("lists", "load", "--list", "internal", url=url, data_dir=tmp_path)
        _, admin = create_key(url, "admin")
        env = {
            "SANCTIONS_REQUIRED_LISTS": "ofac,un,internal",  # the set-up loads no non-SDN list
            "SANCTIONS_MONITOR_SECONDS": "1",
            "SANCTIONS_WEBHOOK_BACKOFF_SECONDS": "0.5",
            "SANCTIONS_WEBHOOK_BACKOFF_MAX_SECONDS": "2",
            "SANCTIONS_WEBHOOK_POLL_SECONDS": "0.2",
        }
        with ApiServer(url, tmp_path, env=env) as server, server.client(admin) as client:
            server.wait_ready()
            assert active_version(client, "ofac") and "2024-06-19" in client.get("/v1/lists").text
            csv_path = write_parties_csv(tmp_path / "customers.csv", PARTIES)
            with csv_path.open("rb") as handle:
                queued = client.post(
                    "/v1/parties/import",
                    files={"file": ("customers.csv", handle, "text/csv")},
                    data={"labels": "source_file=customers.csv"},
                )
            assert queued.status_code == 202, queued.text
            job_url = queued.json()["links"]["self"]
            job = wait_for("the import", lambda: (j := client.get(job_url).json())["state"] == "done" and j)
            assert job["counts"] == {
                "rows": PARTIES + 3,
                "created": PARTIES + 3,
                "updated": 0,
                "unchanged": 0,
                "problems": 0,
            }
            wait_for(
                "every imported party screened",
                lambda: client.get("/v1/parties", params={"needs_screen": True}).json()["total"] == 0,
                timeout=180,
            )
            assert client.get("/v1/parties").json()["total"] == PARTIES + 3
            for party_id in NAMED_HITS:
                party = client.get(f"/v1/parties/{party_id}").json()
                assert party["open_alerts"] == [], party
                assert party["labels"]["source_file"] == "customers.csv"
            before = {(a["party_id"], a["entity_id"]) for a in all_alerts(client)}

            # 2. A webhook, then the bundled OFAC list with its 2025 designations.
            hook = client.post(
                "/v1/webhooks",
                json={
                    "url": receiver.url,
                    "events": ["alert.created", "alert.closed", "list.updated", "rescreen.finished"],
                    "secret": SECRET,
                },
            )
            assert hook.status_code == 201, hook.text
            hook_id = hook.json()["webhook_id"]
            sanctions("lists", "load", "--list", "ofac", url=url, data_dir=tmp_path)
            loaded_at = time.monotonic()  # the new version is active from here
            ofac_2025 = active_version(client, "ofac")

            # 3. Within a minute: the three alerts, and a signed alert.created for each.
            def named_alerts() -> dict[str, str] | None:
                found = {
                    a["party_id"]: a["entity_id"]
                    for a in all_alerts(client, status="open")
                    if a["party_id"] in NAMED_HITS
                }
                return found if len(found) == 3 else None

            assert wait_for("the three alerts", named_alerts, timeout=60) == NAMED_HITS
            assert time.monotonic() - loaded_at < 60

            def created_events() -> dict[str, Any]:
                return {r.json()["data"]["alert"]["party_id"]: r for r in receiver.events("alert.created")}

            wait_for("three alert.created", lambda: set(NAMED_HITS) <= set(created_events()), timeout=60)
            assert time.monotonic() - loaded_at < 60
            for party_id, received in created_events().items():
                alert = received.json()["data"]["alert"]
                assert verified(received)
                assert received.headers["X-Sanctions-Event-Id"] == received.json()["id"]
                assert alert["entity_id"] == NAMED_HITS[party_id] and alert["list"] == "ofac"
                assert {"id", "party_id", "entity_id", "list", "score"} <= set(alert)
            job = wait_for("the delta rescreen", lambda: rescreen_done_for(client, "ofac", ofac_2025))
            assert (
                job["state"] == "done" and job["counts"]["added"] == 5 and job["counts"]["alerts_opened"] == 3
            )
            after = {(a["party_id"], a["entity_id"]) for a in all_alerts(client)}
            assert after - before == {(p, e) for p, e in NAMED_HITS.items()}, "no other party got a new alert"
            alert = client.get(
                f"/v1/alerts/{created_events()['NAMED-2'].json()['data']['alert']['id']}"
            ).json()
            assert alert["result"]["explanation"]["summary"] and alert["list_versions"]["ofac"] == ofac_2025
            assert [e["action"] for e in alert["history"]] == ["opened"]

            # 4. The same list again: a new version, no new alert, no new alert.created.
            created_before = len(receiver.events("alert.created"))
            sanctions("lists", "load", "--list", "ofac", url=url, data_dir=tmp_path)
            again = active_version(client, "ofac")
            assert again != ofac_2025
            job = wait_for("the rescreen of the reload", lambda: rescreen_done_for(client, "ofac", again))
            assert job["counts"]["alerts_opened"] == 0 and job["counts"]["added"] == 0
            wait_for(
                "its rescreen.finished delivered",
                lambda: any(
                    r.json()["data"]["rescreen"]["job_id"] == job["job_id"]
                    for r in receiver.events("rescreen.finished")
                ),
            )
            assert len(receiver.events("alert.created")) == created_before
            assert {(a["party_id"], a["entity_id"]) for a in all_alerts(client)} == after

            # 5. Receiver down during a change (the 2024 files: the three are delisted), up later.
            receiver.stop()
            sanctions(
                "lists", "load", str(BUNDLED_DATA / "ofac"), "--list", "ofac", url=url, data_dir=tmp_path
            )
            back_to_2024 = active_version(client, "ofac")
            job = wait_for("the delisting rescreen", lambda: rescreen_done_for(client, "ofac", back_to_2024))
            assert job["counts"]["alerts_closed"] == 3 and job["counts"]["removed"] == 5
            for party_id in NAMED_HITS:
                assert client.get(f"/v1/parties/{party_id}").json()["open_alerts"] == []
            wait_for(
                "a failed attempt while the receiver is down",
                lambda: any(
                    d["attempts"] >= 1 and d["state"] == "pending"
                    for d in client.get(f"/v1/webhooks/{hook_id}/deliveries").json()["items"]
                ),
            )
            receiver.start()  # the same port
            wait_for(
                "every delivery delivered",
                lambda: (
                    (page := client.get(f"/v1/webhooks/{hook_id}/deliveries", params={"limit": 500}).json())[
                        "counts"
                    ]
                    == {"delivered": page["total"]}
                ),
                timeout=60,
            )
            deliveries = client.get(f"/v1/webhooks/{hook_id}/deliveries", params={"limit": 500}).json()[
                "items"
            ]
            sent_ids = {d["event_id"] for d in deliveries}
            received_ids = {r.json()["id"] for r in receiver.events()}
            assert received_ids == sent_ids  # every event arrived; duplicates share an id
            assert all(verified(r) for r in receiver.events())
            closed = [r.json()["data"]["alert"] for r in receiver.events("alert.closed")]
            assert sorted(a["party_id"] for a in closed) == sorted(NAMED_HITS)
            assert all(a["outcome"] == "delisted" for a in closed)
            assert any(d["attempts"] > 1 for d in deliveries), "some deliveries were retried"
            types = {r.json()["type"] for r in receiver.events()}
            assert types == {"alert.created", "alert.closed", "list.updated", "rescreen.finished"}
            metrics = client.get("/metrics").text
            assert "sanctions_rescreen_jobs_total" in metrics
    receiver.stop()
