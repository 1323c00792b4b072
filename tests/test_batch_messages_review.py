"""`sanctions batch` on payment messages opens alerts as screening each message alone does: under
`message:<message id>`, once per designation (the same message again opens none), accept entries
suppress; the results rows carry the alert ids and suppressed flags. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from screening.algorithms import BALANCED
from service.alerts import alerts
from service.db_models import screenings
from service.review.users import create_user
from tests.api_server import REPO_ROOT, database, loaded_template

FIXTURES = Path(__file__).parent / "fixtures" / "payments"
SICHUAN = "message:PAY-2026-000417"


@pytest.fixture(params=["sqlite", "postgres"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    with database(request.param, tmp_path, template=loaded_template()) as url:
        engine = create_engine(url)
        try:
            create_user(engine, "ana", "analyst")
            create_user(engine, "appr", "approver")
        finally:
            engine.dispose()
        yield {**os.environ, "DATABASE_URL": url, "SANCTIONS_DATA_DIR": str(tmp_path)}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _select(env: dict[str, str], table, *where) -> list:  # type: ignore[no-untyped-def]
    engine = create_engine(env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(table).where(*where)))
    finally:
        engine.dispose()


def _batch(env: dict[str, str], archive: Path, results: Path) -> tuple[dict[str, dict[str, str]], list, str]:
    done = _cli(env, "batch", str(archive), "-o", str(results), "--workers", "1")
    assert done.returncode == 0, done.stderr
    rows = {row["file"]: row for row in _rows(results)}
    matches = _rows(results.with_name(results.stem + "_matches.csv"))
    return rows, matches, done.stderr + done.stdout


def test_a_message_batch_opens_alerts_once_and_honours_accepts(env: dict[str, str], tmp_path: Path) -> None:
    archive = tmp_path / "inbox.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(FIXTURES / "pacs008_sichuan.xml", "a_sichuan.xml")
        zipped.write(FIXTURES / "pacs008_sichuan.xml", "b_sichuan_again.xml")  # the same message again
        zipped.write(FIXTURES / "pacs008_clean.xml", "c_clean.xml")
        zipped.write(FIXTURES / "pacs008_creditor_iran.xml", "d_iran.xml")  # a jurisdiction: no alert
        zipped.write(FIXTURES / "malformed.xml", "e_malformed.xml")

    rows, matches, output = _batch(env, archive, tmp_path / "first.csv")
    first, again = rows["a_sichuan.xml"], rows["b_sichuan_again.xml"]
    assert first["decision"] == again["decision"] == "hold"
    assert first["alerts"] and again["alerts"] == first["alerts"]  # one case, referenced by both rows
    assert (rows["c_clean.xml"]["decision"], rows["c_clean.xml"]["alerts"]) == ("pass", "")
    assert (rows["d_iran.xml"]["decision"], rows["d_iran.xml"]["alerts"]) == ("hold", "")
    assert (rows["e_malformed.xml"]["decision"], rows["e_malformed.xml"]["alerts"]) == ("error", "")
    sichuan = [m for m in matches if m["file"] == "a_sichuan.xml"]
    assert [(m["entity_id"], m["alert_id"], m["suppressed"]) for m in sichuan] == [
        ("ofac:52749", first["alerts"], "")
    ]
    assert "alerts: 1 opened" in output
    [alert] = _select(env, alerts, alerts.c.party_id == SICHUAN)
    assert (alert.alert_id, alert.entity_id, alert.source) == (first["alerts"], "ofac:52749", "payment")
    assert alert.screening_id == first["screening_id"]
    assert alert.subject["file"] == "a_sichuan.xml" and alert.subject["field"] == "Cdtr/Nm"
    [record] = _select(env, screenings, screenings.c.screening_id == first["screening_id"])
    assert (record.endpoint, record.decision, record.reference) == ("payment-cli", "hold", "PAY-2026-000417")
    assert (record.algorithm, record.algorithm_version) == (BALANCED.name, BALANCED.version)
    assert record.result["party_id"] == SICHUAN and record.result["hits"][0]["suppressed"] is False
    assert alert.subject["batch_id"] == record.bulk_id

    # closed as a false positive and approved: the next batch passes the message, opens nothing
    decided = _cli(
        env,
        "alerts",
        "decide",
        alert.alert_id,
        "--outcome",
        "false_positive",
        "--note",
        "other co",
        "--user",
        "ana",
    )
    assert decided.returncode == 0, decided.stderr
    approved = _cli(env, "alerts", "approve", alert.alert_id, "--user", "appr")
    assert approved.returncode == 0, approved.stderr
    rows, matches, output = _batch(env, archive, tmp_path / "second.csv")
    for name in ("a_sichuan.xml", "b_sichuan_again.xml"):
        row = rows[name]
        assert (row["decision"], row["suppressed"], row["alerts"]) == ("pass", "1", ""), name
        [record] = _select(env, screenings, screenings.c.screening_id == row["screening_id"])
        assert record.decision == "pass" and record.result["hits"][0]["accept_id"]
    assert [(m["suppressed"], m["alert_id"]) for m in matches if m["file"] == "a_sichuan.xml"] == [
        ("yes", "")
    ]
    assert rows["d_iran.xml"]["decision"] == "hold"
    assert "alerts:" not in output
    assert len(_select(env, alerts, alerts.c.entity_id == "ofac:52749")) == 1
