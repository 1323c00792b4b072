"""Schemathesis against the live API (issue 22, item 15): a real uvicorn server, every check.

The server (SQLite and PostgreSQL) holds every bundled list, each cut to its first
300 designations, and an admin key, so every operation is reached; `POST
/v1/lists/reload` reloads only the internal watchlist (a config file), so a
generated reload costs a second, not a full list load and index build. Each operation gets at most MAX_EXAMPLES generated cases per
phase, which keeps a run to under a minute per database. The run fails on any 5xx, any
undocumented status, any body or header off its schema and a wrong Allow;
tests/schemathesis.toml lists the few 422s the schema cannot express.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from tests.api_server import REPO_ROOT, ApiServer, create_key, database

MAX_EXAMPLES = 20
METHODS = {"get", "put", "post", "delete", "patch", "options", "head"}
CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture(params=["sqlite", "postgres"])
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ApiServer, str]]:
    with database(request.param, tmp_path) as url:
        load_list_slices(url)
        _, token = create_key(url, "admin", "schemathesis")
        config = tmp_path / "sanctions.toml"
        watchlist = REPO_ROOT / "lists" / "data" / "internal" / "watchlist.yaml"
        config.write_text(f'[list_sources]\ninternal = ["{watchlist}"]\n', encoding="utf-8")
        env = {
            "SANCTIONS_BATCH_WORKERS": "1",
            "SANCTIONS_CONFIG": str(config),
            # POST /v1/lists/refresh fetches from a mirror that refuses at once: no test touches the internet.
            # One attempt with a short timeout, so a refresh answers its 422 in milliseconds, not after the
            # 1 + 2 + 4 s retry backoff per file (which broke the response-time check).
            "SANCTIONS_MIRROR": "http://127.0.0.1:9",
            "SANCTIONS_FETCH_RETRIES": "0",
            "SANCTIONS_FETCH_TIMEOUT": "2",
        }
        with ApiServer(url, tmp_path, env=env) as server:
            server.wait_ready(timeout=300)
            yield server, token


def load_list_slices(url: str, per_list: int = 300) -> None:
    """Every bundled list, each cut to its first `per_list` designations, as its active version.

    Every bundled list is loaded (EU and UK have no bundled file: a request naming them gets the
    documented 422 `list_not_active`), and the index builds in a second rather than a minute: a
    generated reload rebuilds it.
    """
    from lists import sources
    from lists.store import Store

    store = Store(url)
    try:
        for code, paths in sources.bundled_sources().items():
            parsed = sources.parse_list(code, paths)
            store.load(replace(parsed, designations=parsed.designations[:per_list]), source="test slice")
    finally:
        store.close()


def test_the_live_api_passes_every_schemathesis_check(live: tuple[ApiServer, str], tmp_path: Path) -> None:
    server, token = live
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        f"{server.base_url}/openapi.json",
        # Every check runs by default (test_the_config_runs_every_check_but_one); `--checks all`
        # on the command line would also override the config's one exception (CI stop 28).
        "--max-examples",
        str(MAX_EXAMPLES),
        "--header",
        f"Authorization: Bearer {token}",
        # One worker: with two threads, the tool itself once died inside hypothesis's lambda
        # description (CPython 3.11's "AST constructor recursion depth mismatch"), not in our API.
        "--workers",
        "1",
        "--request-timeout",
        "60",
        "--report-dir",
        str(tmp_path / "report"),
        "--no-color",
    ]
    spec = httpx.get(f"{server.base_url}/openapi.json", timeout=30).json()
    operations = sum(1 for item in spec["paths"].values() for method in item if method in METHODS)
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path
    )  # its example database (.schemathesis/) goes to the temporary folder
    summary = done.stdout[-20_000:]
    assert done.returncode == 0, f"{summary}\n{done.stderr[-3000:]}\nserver log:\n{server.log()[-3000:]}"
    assert f"Tested: {operations}" in summary, summary  # every operation was reached
    assert "Traceback" not in server.log(), server.log()[-5000:]


def test_the_config_runs_every_check_but_one() -> None:
    """Every check is on for every operation, except use-after-free on a removed webhook's log.

    Resolved as the run resolves it: a check named on the command line (`--checks all`) wins
    over the file's per-operation `enabled = false`, so the command must not name checks.
    """
    import schemathesis
    from schemathesis.checks import CHECKS, load_all_checks
    from schemathesis.config import SchemathesisConfig

    load_all_checks()
    config = SchemathesisConfig.from_path(str(CONFIG))
    parameter = [{"name": "webhook_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    answer = {"200": {"description": "ok"}}
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "probe", "version": "1"},
        "paths": {
            "/v1/webhooks/{webhook_id}/deliveries": {"get": {"parameters": parameter, "responses": answer}},
            "/v1/webhooks/{webhook_id}": {"delete": {"parameters": parameter, "responses": answer}},
        },
    }
    project = config.projects.get_default()
    names = CHECKS.get_all_names()
    for result in schemathesis.openapi.from_dict(spec, config=config).get_all_operations():
        operation = result.ok()
        for phase in ("examples", "coverage", "fuzzing", "stateful"):
            checks = project.checks_config_for(operation=operation, phase=phase)
            off = {name for name in names if not checks.get_by_name(name=name).enabled}
            expected = {"use_after_free"} if operation.path.endswith("/deliveries") else set()
            assert off == expected, (operation.label, phase, off)
