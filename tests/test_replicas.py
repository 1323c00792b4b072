"""Two `sanctions serve` replicas on one PostgreSQL database: same answers, and a list change made through
the CLI served by both within 30 s (PostgreSQL NOTIFY; their periodic poll is set far beyond that), with no
failed request during the switch."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api_server import REPO_ROOT, ApiServer, database, loaded_template

pytestmark = pytest.mark.postgres

SICHUAN = "Sichuan Juxinhe Network Technology Co Ltd"
SWITCH_DEADLINE_SECONDS = 30.0

INTERNAL_V2 = """\
list: internal
entries:
  - id: replica-check
    type: organization
    name: Quillfeather Borealis Trading
    reason: test entry added while two replicas serve
"""


def _screen(client: httpx.Client, name: str) -> dict:
    response = client.post("/v1/screen", json={"name": name})
    assert response.status_code == 200, response.text
    return response.json()


def test_two_replicas_share_one_database_and_switch_together(tmp_path: Path) -> None:
    with database("postgres", tmp_path, template=loaded_template()) as url:
        env = {"SANCTIONS_AUTH": "off", "SANCTIONS_REFRESH_SECONDS": "3600"}
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        with ApiServer(url, tmp_path / "a", env) as first, ApiServer(url, tmp_path / "b", env) as second:
            first.wait_ready()
            second.wait_ready()
            clients = [first.client(), second.client()]
            answers = [_screen(c, SICHUAN) for c in clients]
            for answer in answers:
                assert answer["decision"] == "hit"
                assert answer["matches"][0]["entity_id"] == "ofac:52749"
            assert answers[0]["list_versions"] == answers[1]["list_versions"]
            assert _screen(clients[0], "Quillfeather Borealis Trading")["decision"] == "clear"

            failures: list[str] = []
            stop = threading.Event()

            def keep_screening(client: httpx.Client) -> None:
                while not stop.is_set():
                    response = client.post("/v1/screen", json={"name": SICHUAN})
                    if response.status_code != 200:
                        failures.append(f"{response.status_code}: {response.text[:200]}")

            pounders = [threading.Thread(target=keep_screening, args=(c,)) for c in clients]
            for thread in pounders:
                thread.start()
            try:
                watchlist = tmp_path / "watchlist.yaml"
                original = (REPO_ROOT / "lists" / "data" / "internal" / "watchlist.yaml").read_text()
                watchlist.write_text(_with_extra_entry(original))
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "service.cli",
                        "lists",
                        "load",
                        str(watchlist),
                        "--list",
                        "internal",
                    ],
                    cwd=REPO_ROOT,
                    env={**os.environ, "DATABASE_URL": url, "SANCTIONS_DATA_DIR": str(tmp_path)},
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=False,
                )
                assert done.returncode == 0, done.stdout + done.stderr
                loaded_at = time.monotonic()  # the CLI's commit is the moment the replicas are told
                switched: dict[int, float] = {}
                while len(switched) < 2 and time.monotonic() - loaded_at < SWITCH_DEADLINE_SECONDS + 5:
                    for i, client in enumerate(clients):
                        if (
                            i not in switched
                            and _screen(client, "Quillfeather Borealis Trading")["decision"] == "hit"
                        ):
                            switched[i] = time.monotonic() - loaded_at
                    time.sleep(0.25)
            finally:
                stop.set()
                for thread in pounders:
                    thread.join(30)
            assert sorted(switched) == [0, 1], f"not every replica switched: {switched}"
            assert max(switched.values()) <= SWITCH_DEADLINE_SECONDS, switched
            assert failures == []
            after = [_screen(c, SICHUAN)["list_versions"] for c in clients]
            assert after[0] == after[1]


def _with_extra_entry(original: str) -> str:
    """The bundled internal watchlist with one more entry, in its own format."""
    import yaml

    data = yaml.safe_load(original)
    entries = data["entries"] if isinstance(data, dict) else data
    template = dict(entries[0])
    template.update({"id": "replica-check", "name": "Quillfeather Borealis Trading"})
    template.pop("aliases", None)
    entries.append(template)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
