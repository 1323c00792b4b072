"""Fail closed: an empty database is never "clear"; lists loaded later are picked up; reload keeps the old version on failure."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.api_server import REPO_ROOT, ApiServer, create_key, load_bundled

WATCHLIST = REPO_ROOT / "lists" / "data" / "internal" / "watchlist.yaml"


def test_empty_database_answers_503_and_becomes_ready_once_a_list_is_loaded(
    db_url: str, tmp_path: Path
) -> None:
    _, token = create_key(db_url, "screen")
    with (
        # only the internal list is loaded below: it is the one required list here (default: ofac, ofac-nonsdn, un)
        ApiServer(
            db_url, tmp_path, env={"SANCTIONS_REFRESH_SECONDS": "1", "SANCTIONS_REQUIRED_LISTS": "internal"}
        ) as server,
        server.client(token) as client,
    ):
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "no list version is active" in ready.json()["detail"]
        single = client.post("/v1/screen", json={"name": "Anyone At All"})
        assert single.status_code == 503
        assert single.json()["error"] == "no_active_list"
        assert "no sanctions list version is active" in single.json()["detail"]
        bulk = client.post("/v1/screen/bulk", json={"queries": [{"name": "Anyone"}]})
        assert bulk.status_code == 503

        load_bundled(db_url, ["internal"])  # as `sanctions lists load` would, from another process
        body = server.wait_ready(timeout=60)
        assert set(body["lists"]) == {"internal"}
        screened = client.post("/v1/screen", json={"name": "Shanghai Anxun Information Technology"})
        assert screened.status_code == 200
        assert screened.json()["decision"] == "hit"
        # a list the caller names that has no active version: the caller's 422, naming it, never "clear"
        not_loaded = client.post("/v1/screen", json={"name": "Someone", "lists": ["ofac"]})
        assert not_loaded.status_code == 422, not_loaded.text
        assert not_loaded.json()["error"] == "list_not_active"
        assert not_loaded.json()["detail"][0]["field"] == "body.lists"
        assert "no active version of ofac" in not_loaded.json()["detail"][0]["message"]


def test_reload_switches_and_a_failed_reload_keeps_the_old_version(sqlite_url: str, tmp_path: Path) -> None:
    source = tmp_path / "lists" / "watchlist.yaml"
    source.parent.mkdir()
    shutil.copyfile(WATCHLIST, source)
    config = tmp_path / "sanctions.toml"
    config.write_text(f'refresh_seconds = 0\n[list_sources]\ninternal = ["{source}"]\n', encoding="utf-8")
    _, admin = create_key(sqlite_url, "admin")
    _, screener = create_key(sqlite_url, "screen")
    env = {
        "SANCTIONS_CONFIG": str(config),
        "SANCTIONS_REQUIRED_LISTS": "internal",
    }  # the only list configured
    with ApiServer(sqlite_url, tmp_path, env=env) as server:
        with server.client(screener) as client:
            assert client.post("/v1/lists/reload").status_code == 403
        with server.client(admin) as client:
            first = client.post("/v1/lists/reload")
            assert first.status_code == 200, first.text
            assert first.json()["ok"] is True
            label = first.json()["serving"]["internal"]
            assert client.get("/readyz").status_code == 200

            source.write_text("entries: [this is not: a valid watchlist\n", encoding="utf-8")
            failed = client.post("/v1/lists/reload")
            assert failed.status_code == 422, failed.text
            outcome = failed.json()["outcomes"][0]
            assert outcome["ok"] is False
            assert str(source) in outcome["error"]
            assert failed.json()["serving"]["internal"] == label
            still = client.post("/v1/screen", json={"name": "Shanghai Anxun Information Technology"})
            assert still.status_code == 200
            assert still.json()["list_versions"]["internal"] == label
            assert still.json()["decision"] == "hit"


def test_no_auth_is_explicit_and_logged(sqlite_url: str, tmp_path: Path) -> None:
    with ApiServer(sqlite_url, tmp_path, env={"SANCTIONS_AUTH": "off"}) as server, server.client() as client:
        assert client.get("/v1/lists").status_code == 200
    assert "AUTHENTICATION IS OFF" in server.log()


def test_keys_cli_create_list_revoke(sqlite_url: str, tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": sqlite_url,
        "SANCTIONS_DATA_DIR": str(tmp_path),
        "PATH": str(Path(sys.executable).parent),
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service.cli", "keys", *args],
            env=env,
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
        )

    created = cli("create", "--role", "screen", "--name", "payments")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    key_id = token.split("_")[1]
    assert key_id in created.stderr
    assert cli("create", "--role", "root").returncode == 2
    with ApiServer(sqlite_url, tmp_path) as server, server.client(token) as client:
        assert client.get("/v1/lists").status_code == 200
        assert client.post("/v1/lists/reload").status_code == 403
        listed = cli("list")
        assert key_id in listed.stdout and "payments" in listed.stdout and token not in listed.stdout
        assert cli("revoke", key_id).returncode == 0
        assert client.get("/v1/lists").status_code == 401
        assert cli("revoke", key_id).returncode == 1
