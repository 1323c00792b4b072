"""Access log: one JSON line per request on stderr, with the request id of the X-Request-ID header.

Against a real server: the line names method, route, status, duration, request id
and key id, and nothing the caller screened (names), nor the key itself.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.api_server import ApiServer, create_key, load_bundled

NAME = "Shanghai Anxun Information Technology"


def _json_lines(log: str) -> list[dict]:
    lines = []
    for text in log.splitlines():
        if text.startswith("{"):
            lines.append(json.loads(text))
    return lines


def test_each_request_gets_a_json_line_and_its_request_id_without_names_or_keys(
    sqlite_url: str, tmp_path: Path
) -> None:
    load_bundled(sqlite_url, ["internal"])
    key_id, token = create_key(sqlite_url, "screen")
    env = {"SANCTIONS_REQUIRED_LISTS": "internal"}  # only the internal list is loaded
    with ApiServer(sqlite_url, tmp_path, env) as server, server.client(token) as client:
        server.wait_ready(timeout=120)
        screened = client.post(
            "/v1/screen", json={"name": NAME, "reference": "pay-77"}, headers={"X-Request-ID": "req-abc.123"}
        )
        assert screened.status_code == 200 and screened.json()["decision"] == "hit"
        assert screened.headers["x-request-id"] == "req-abc.123"  # a sane incoming id is echoed
        odd = client.get("/v1/lists", headers={"X-Request-ID": "no spaces\tor tabs " + "x" * 300})
        generated = odd.headers["x-request-id"]
        assert generated and " " not in generated and len(generated) <= 128
        anonymous = client.post("/v1/screen", json={"name": NAME}, headers={"Authorization": ""})
        assert anonymous.status_code == 401 and anonymous.headers["x-request-id"]
        missing = client.get(f"/v1/no-such-{NAME.replace(' ', '-')}")
        assert missing.status_code == 404
    log = server.log()
    lines = {line["request_id"]: line for line in _json_lines(log)}
    line = lines["req-abc.123"]
    assert line["method"] == "POST" and line["path"] == "/v1/screen" and line["route"] == "/v1/screen"
    assert line["status"] == 200 and line["api_key_id"] == key_id
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert lines[generated]["status"] == 200 and lines[generated]["route"] == "/v1/lists"
    assert lines[anonymous.headers["x-request-id"]]["status"] == 401
    assert lines[anonymous.headers["x-request-id"]]["api_key_id"] is None
    unmatched = lines[missing.headers["x-request-id"]]
    assert unmatched["status"] == 404 and unmatched["route"] == "unmatched" and unmatched["path"] is None
    assert "Anxun" not in log and "pay-77" not in log  # names and references stay in the audit trail
    assert token not in log and token.rsplit("_", 1)[-1] not in log
    assert "uvicorn.access" not in log and '"POST /v1/screen HTTP/1.1"' not in log  # uvicorn's own log is off
