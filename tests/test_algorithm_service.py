"""`algorithm` through the service: API single/bulk, GET /v1/algorithms, batch, JSON-lines, and the audit columns."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from sqlalchemy import create_engine, select

from lists.store import Store
from screening.algorithms import BALANCED, OFAC_SLS
from screening.screener import Screener
from service.batch.audit import BatchAuditSink
from service.batch.io import InputRow
from service.batch.runner import BatchRunner
from service.cli.screen import screen_jsonl
from service.db_models import screenings
from tests.api_server import ApiServer, create_key, database, loaded_template
from tests.test_batch_support import SMALL_VERSIONS, small_designations


def _audited(database_url: str, screening_ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    engine = create_engine(database_url)
    try:
        query = select(screenings.c.screening_id, screenings.c.algorithm, screenings.c.algorithm_version)
        with engine.connect() as conn:
            rows = conn.execute(query.where(screenings.c.screening_id.in_(screening_ids))).all()
    finally:
        engine.dispose()
    return {row[0]: (row[1], row[2]) for row in rows}


# --- batch: the runner and the batch audit path, on SQLite and PostgreSQL -------------------------


def test_a_batch_screens_with_the_chosen_algorithm_and_audits_it(db_url: str) -> None:
    fields = [{"name": "Yin Kecheng", "type": "Individual"}, {"name": "Maria Gonzalez"}]
    rows = [InputRow(n, n + 1, list(f.values()), f, None) for n, f in enumerate(fields, start=1)]
    with BatchRunner(small_designations(), SMALL_VERSIONS, workers=1, algorithm="ofac-sls") as runner:
        outcomes = [outcome for _, outcome in runner.run(rows)]
    assert [(o.algorithm, o.algorithm_version) for o in outcomes] == [("ofac-sls", OFAC_SLS.version)] * 2
    assert outcomes[0].threshold == OFAC_SLS.default_threshold
    result = orjson.loads(outcomes[0].audit.result_json)  # type: ignore[union-attr]
    assert (result["algorithm"], result["algorithm_version"]) == ("ofac-sls", OFAC_SLS.version)

    store = Store(db_url)
    sink = BatchAuditSink(store.engine, SMALL_VERSIONS)
    for outcome in outcomes:
        sink.add(outcome, None)
    sink.flush()
    ids = [o.audit.screening_id for o in outcomes]  # type: ignore[union-attr]
    assert _audited(db_url, ids) == dict.fromkeys(ids, ("ofac-sls", OFAC_SLS.version))


# --- JSON-lines -----------------------------------------------------------------------------------


def test_jsonl_takes_the_option_unless_a_line_names_its_own() -> None:
    screener = Screener(small_designations(), SMALL_VERSIONS)
    lines = [
        '{"name": "Yin Kecheng"}',
        '{"name": "Yin Kecheng", "algorithm": "balanced-v1"}',
        '{"name": "Yin Kecheng", "algorithm": "ofac"}',
    ]
    out = io.BytesIO()
    errors = screen_jsonl(screener, lines, out.write, "ofac-sls")
    first, second, third = (orjson.loads(line) for line in out.getvalue().splitlines())
    assert errors == 1
    assert (first["algorithm"], first["algorithm_version"]) == ("ofac-sls", OFAC_SLS.version)
    assert (second["algorithm"], second["algorithm_version"]) == ("balanced-v1", BALANCED.version)
    assert third["field"] == "algorithm" and "unknown algorithm 'ofac'" in third["error"]


def test_the_cli_names_a_bad_algorithm_option(sqlite_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": sqlite_url, "SANCTIONS_DATA_DIR": str(tmp_path)}
    root = Path(__file__).resolve().parents[1]  # this tree's code, whichever tree the venv installed
    for args in (
        ["screen", "Yin Kecheng", "--algorithm", "fast"],
        ["batch", "x.csv", "-o", "y.csv", "--algorithm", "fast"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "service.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=root,
            timeout=120,
            check=False,
        )
        assert done.returncode != 0
        assert "--algorithm" in done.stderr and "unknown algorithm 'fast'" in done.stderr


# --- HTTP API against a real server, on SQLite and PostgreSQL -------------------------------------


@dataclass
class Loaded:
    server: ApiServer
    database_url: str
    token: str


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    directory: Path = tmp_path_factory.mktemp(f"algorithms-{request.param}")
    with database(request.param, directory, template=loaded_template()) as url:
        _, token = create_key(url, "screen")
        with ApiServer(url, directory) as server:
            server.wait_ready()
            yield Loaded(server, url, token)


def test_get_algorithms_describes_each(loaded: Loaded) -> None:
    with loaded.server.client(loaded.token) as client:
        response = client.get("/v1/algorithms")
    assert response.status_code == 200, response.text
    described = {a["name"]: a for a in response.json()["algorithms"]}
    assert set(described) == {"balanced-v1", "ofac-sls"}
    assert described["balanced-v1"]["default"] is True and described["ofac-sls"]["default"] is False
    assert described["ofac-sls"]["version"] == OFAC_SLS.version
    assert described["ofac-sls"]["default_threshold"] == OFAC_SLS.default_threshold
    assert "Sanctions List Search" in described["ofac-sls"]["purpose"]


def test_screen_and_bulk_answer_and_audit_the_algorithm(loaded: Loaded) -> None:
    with loaded.server.client(loaded.token) as client:
        default = client.post("/v1/screen", json={"name": "KIM JONG UN"}).json()
        ofac = client.post("/v1/screen", json={"name": "KIM JONG UN", "algorithm": "ofac-sls"}).json()
        bulk = client.post(
            "/v1/screen/bulk",
            json={"queries": [{"name": "KIM JONG UN", "algorithm": "ofac-sls"}, {"name": "KIM JONG UN"}]},
        ).json()["results"]
    assert (default["algorithm"], default["algorithm_version"]) == ("balanced-v1", BALANCED.version)
    assert (ofac["algorithm"], ofac["algorithm_version"]) == ("ofac-sls", OFAC_SLS.version)
    # OFAC's tool scores KIM, Yong Su 90 for this query: the emulation alerts on more designations.
    assert len(ofac["matches"]) > len(default["matches"]) >= 1
    assert [r["algorithm"] for r in bulk] == ["ofac-sls", "balanced-v1"]
    audited = _audited(
        loaded.database_url, [default["screening_id"], ofac["screening_id"], bulk[0]["screening_id"]]
    )
    assert audited == {
        default["screening_id"]: ("balanced-v1", BALANCED.version),
        ofac["screening_id"]: ("ofac-sls", OFAC_SLS.version),
        bulk[0]["screening_id"]: ("ofac-sls", OFAC_SLS.version),
    }


def test_an_unknown_algorithm_is_a_422_naming_the_field(loaded: Loaded) -> None:
    with loaded.server.client(loaded.token) as client:
        single = client.post("/v1/screen", json={"name": "KIM JONG UN", "algorithm": "ofac"})
        bulk = client.post(
            "/v1/screen/bulk", json={"queries": [{"name": "A"}, {"name": "B", "algorithm": "x"}]}
        )
        upload = client.post(
            "/v1/batches",
            files={"file": ("in.csv", b"name\nKIM JONG UN\n", "text/csv")},
            data={"algorithm": "nope"},
        )
    assert single.status_code == 422 and "algorithm" in single.text and "unknown algorithm" in single.text
    assert bulk.status_code == 422 and "algorithm" in bulk.text
    assert upload.status_code == 422 and "algorithm: unknown algorithm 'nope'" in upload.text
