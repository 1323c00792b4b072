"""A PostgreSQL outage under a real server: 503 with a reason for every request that needs the
database (never a 500, never a 200 without its audit record), /readyz 503 meanwhile, and
everything back to normal by itself afterwards.

Only PostgreSQL: SQLite is a file inside the server process, with no server to lose; its open
connections keep working as long as the file does (tests/test_file_permissions.py covers the file).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select

from service.db_models import screenings
from tests.api_server import ApiServer, create_key, database, load_bundled
from tests.pg_outage import postgres_outage

NAME = "Shanghai Anxun Information Technology"
CSV = b"customer_id,name\nc1,Shanghai Anxun Information Technology\nc2,Jane Roe\n"


def _requests(client: httpx.Client, admin: httpx.Client, screening_id: str) -> dict[str, httpx.Response]:
    """One of each kind of request that needs the database."""
    return {
        "screen": client.post("/v1/screen", json={"name": NAME}),
        "bulk": client.post("/v1/screen/bulk", json={"queries": [{"name": NAME}, {"name": "Jane Roe"}]}),
        "screening": admin.get(f"/v1/screenings/{screening_id}"),
        "lists": client.get("/v1/lists"),
        "batch upload": client.post("/v1/batches", files={"file": ("c.csv", CSV, "text/csv")}),
        "batch status": client.get("/v1/batches/00000000-0000-0000-0000-000000000000"),
        "readyz": client.get("/readyz"),
    }


def test_requests_during_a_postgres_outage_get_503_and_the_server_recovers(tmp_path: Path) -> None:
    with database("postgres", tmp_path) as url:
        load_bundled(url, ["internal"])
        _, token = create_key(url, "screen")
        _, admin_token = create_key(url, "admin")
        env = {
            "SANCTIONS_KEY_CACHE_SECONDS": "2",
            "SANCTIONS_BATCH_WORKERS": "1",
            "SANCTIONS_REQUIRED_LISTS": "internal",
        }
        with (
            ApiServer(url, tmp_path, env=env) as server,
            server.client(token) as client,
            server.client(admin_token) as admin,
        ):
            server.wait_ready(timeout=120)
            before = client.post("/v1/screen", json={"name": NAME})
            assert before.status_code == 200 and before.json()["decision"] == "hit"
            screening_id = before.json()["screening_id"]

            seen: Counter[tuple[str, int, str]] = Counter()
            answered_200: list[str] = []
            with postgres_outage(url):
                deadline = time.monotonic() + 6  # longer than the key cache: cached and uncached keys
                while time.monotonic() < deadline:
                    for kind, response in _requests(client, admin, screening_id).items():
                        error = response.json().get("error", "") if response.status_code != 200 else ""
                        seen[kind, response.status_code, error] += 1
                        if kind == "screen" and response.status_code == 200:
                            answered_200.append(response.json()["screening_id"])
                        if response.status_code == 503:
                            assert response.json()["detail"], response.text  # always with a reason
                    time.sleep(0.2)
            statuses = {status for _, status, _ in seen}
            assert 500 not in statuses, seen
            assert statuses <= {200, 202, 503}, seen
            for kind in ("screen", "bulk", "screening", "lists", "batch upload", "batch status", "readyz"):
                assert (kind, 503, "database_unavailable") in seen or kind == "screen", (kind, seen)
            assert {error for kind, status, error in seen if kind == "screen" and status == 503} <= {
                "database_unavailable",
                "audit_unavailable",
                "review_unavailable",  # the accept-list look-up before the decision, a 503 of its own
            }

            # back by itself: no restart
            recovered = _wait_for(lambda: client.get("/readyz").status_code == 200, 30)
            assert recovered, "readyz did not recover"
            # The audit writer finds its connection dead at its first commit after the outage (that
            # screening is answered 503, fail closed) and reconnects: screening recovers within seconds.
            assert _wait_for(
                lambda: client.post("/v1/screen", json={"name": "Anyone"}).status_code == 200, 30
            )
            for kind, response in _requests(client, admin, screening_id).items():
                expected = {"batch status": 404, "batch upload": 202}.get(kind, 200)
                assert response.status_code == expected, (kind, response.text)
            job = client.post("/v1/batches", files={"file": ("c.csv", CSV, "text/csv")}).json()
            assert _wait_for(
                lambda: client.get(f"/v1/batches/{job['job_id']}").json()["state"] == "done", 120
            )

        log = server.log()
        assert "Exception in thread" not in log and "Exception in ASGI application" not in log

        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                stored = set(conn.execute(select(screenings.c.screening_id)).scalars())
        finally:
            engine.dispose()
        assert set(answered_200) <= stored  # every 200 during the outage has its audit record


def _wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False
