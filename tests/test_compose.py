"""docker-compose.yml: valid for the compose tool, and running only commands the tests run outside Docker.

No Docker engine runs here, so the replicas themselves are tested as plain processes
(tests/test_replicas.py); this keeps the compose file in step with them.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from tests.api_server import REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
# The commands the compose services run, each exercised by the test suite outside Docker.
TESTED_COMMANDS = {
    ("sanctions", "lists", "load"),  # tests/test_cli_lists.py
    ("sanctions", "serve", "--host", "0.0.0.0", "--port", "8000"),  # tests/test_batch_api.py runs `serve`
}


def _compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_compose_file_is_valid() -> None:
    command = _compose_command()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("no compose tool in CI: .ci/run installs docker-compose")
        pytest.skip("no docker compose tool on this machine")
    done = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config", "-q"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_compose_services_run_tested_commands_on_one_database() -> None:
    spec = yaml.safe_load(COMPOSE_FILE.read_text())
    services = spec["services"]
    app_services = {
        name: s for name, s in services.items() if s.get("image", "").startswith("sanctions-screening")
    }
    assert {"lists", "api1", "api2"} <= set(app_services)
    for name, service in app_services.items():
        assert tuple(service["entrypoint"]) in TESTED_COMMANDS, name
        assert service["environment"]["DATABASE_URL"].endswith("@db:5432/screening"), name
    nginx = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    for replica in ("api1", "api2"):
        assert f"server {replica}:8000" in nginx
    lb = services["lb"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in lb["volumes"]
