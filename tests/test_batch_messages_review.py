"""`sanctions batch` on payment messages opens alerts as screening each message alone does: under
`message:<message id>`, once per designation (the same message again opens none), accept entries
suppress; the results rows carry the alert ids and suppressed flags. SQLite and PostgreSQL."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from screening.algorithms import BALANCED
from service.alerts import alerts
from service.db_models import screenings
from tests.cli_support import reviewers_env, run_cli, table_rows
from tests.test_batch_support import read_results

FIXTURES = Path(__file__).parent / "fixtures" / "payments"
SICHUAN = "message:PAY-2026-000417"


@pytest.fixture(params=["sqlite", "postgres"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    with reviewers_env(request.param, tmp_path) as environment:
        yield environment


def _batch(env: dict[str, str], archive: Path, results: Path) -> tuple[dict[str, dict[str, str]], list, str]:
    done = run_cli(env, "batch", str(archive), "-o", str(results), "--workers", "1")
    assert done.returncode == 0, done.stderr
    rows = {row["file"]: row for row in read_results(results)[1]}
    matches = read_results(results.with_name(results.stem + "_matches.csv"))[1]
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
    [alert] = table_rows(env, alerts, alerts.c.party_id == SICHUAN)
    assert (alert.alert_id, alert.entity_id, alert.source) == (first["alerts"], "ofac:52749", "payment")
    assert alert.screening_id == first["screening_id"]
    assert alert.subject["file"] == "a_sichuan.xml" and alert.subject["field"] == "Cdtr/Nm"
    [record] = table_rows(env, screenings, screenings.c.screening_id == first["screening_id"])
    assert (record.endpoint, record.decision, record.reference) == ("payment-cli", "hold", "PAY-2026-000417")
    assert (record.algorithm, record.algorithm_version) == (BALANCED.name, BALANCED.version)
    assert record.result["party_id"] == SICHUAN and record.result["hits"][0]["suppressed"] is False
    assert alert.subject["batch_id"] == record.bulk_id

    # closed as a false positive and approved: the next batch passes the message, opens nothing
    decided = run_cli(
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
    approved = run_cli(env, "alerts", "approve", alert.alert_id, "--user", "appr")
    assert approved.returncode == 0, approved.stderr
    rows, matches, output = _batch(env, archive, tmp_path / "second.csv")
    for name in ("a_sichuan.xml", "b_sichuan_again.xml"):
        row = rows[name]
        assert (row["decision"], row["suppressed"], row["alerts"]) == ("pass", "1", ""), name
        [record] = table_rows(env, screenings, screenings.c.screening_id == row["screening_id"])
        assert record.decision == "pass" and record.result["hits"][0]["accept_id"]
    assert [(m["suppressed"], m["alert_id"]) for m in matches if m["file"] == "a_sichuan.xml"] == [
        ("yes", "")
    ]
    assert rows["d_iran.xml"]["decision"] == "hold"
    assert "alerts:" not in output
    assert len(table_rows(env, alerts, alerts.c.entity_id == "ofac:52749")) == 1
