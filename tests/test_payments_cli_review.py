"""`sanctions screen-payment` records what it screens as POST /v1/screen/payment does: one audit record per
message (hits, list and algorithm versions), alerts under `--party-id` or `message:<id>`, none again for
the same message, and accept entries suppress. Through the real command, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from screening.algorithms import BALANCED
from service.alerts import alerts
from service.db_models import screenings
from tests.cli_support import reviewers_env, run_cli, table_rows

FIXTURES = Path(__file__).parent / "fixtures" / "payments"
MESSAGE_PARTY = "message:PAY-2026-000417"


@pytest.fixture(params=["sqlite", "postgres"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    with reviewers_env(request.param, tmp_path) as environment:
        yield environment


def _screen(env: dict[str, str], path: Path, *args: str) -> list[dict]:
    done = run_cli(env, "screen-payment", str(path), "--json", *args)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_screen_payment_audits_alerts_once_and_honours_accepts(env: dict[str, str], tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sichuan = FIXTURES / "pacs008_sichuan.xml"
    shutil.copyfile(sichuan, inbox / "1_sichuan.xml")
    shutil.copyfile(sichuan, inbox / "2_sichuan_again.xml")  # the same message screened again
    shutil.copyfile(FIXTURES / "pacs008_clean.xml", inbox / "3_clean.xml")
    first, again, clean = _screen(env, inbox)

    # the designated creditor opens one alert under the message's reference
    assert first["decision"] == "hold" and first["party_id"] == MESSAGE_PARTY
    [ref] = first["alerts"]
    assert (ref["entity_id"], ref["status"], ref["new"]) == ("ofac:52749", "open", True)
    assert again["decision"] == "hold" and again["alerts"] == [{**ref, "new": False}]
    assert clean["decision"] == "pass" and clean["alerts"] == []
    [alert] = table_rows(env, alerts, alerts.c.party_id == MESSAGE_PARTY)
    assert (alert.alert_id, alert.entity_id, alert.source) == (ref["alert_id"], "ofac:52749", "payment")
    assert alert.screening_id == first["screening_id"]

    # each message is one audit record with its hits, list versions and algorithm version
    records = {r.screening_id: r for r in table_rows(env, screenings, screenings.c.endpoint == "payment")}
    assert set(records) == {first["screening_id"], again["screening_id"], clean["screening_id"]}
    record = records[first["screening_id"]]
    assert (record.decision, record.reference) == ("hold", "PAY-2026-000417")
    assert record.list_versions == first["list_versions"]
    assert set(record.list_versions) == {"ofac", "ofac-nonsdn", "un", "internal"}
    assert (record.algorithm, record.algorithm_version) == (BALANCED.name, BALANCED.version)
    [hit] = record.result["hits"]
    assert (hit["field"], hit["matched"]["entity_id"], hit["suppressed"]) == ("Cdtr/Nm", "ofac:52749", False)
    assert record.request["message_type"] == "pacs.008.001.08"
    assert "SICHUAN JUXINHE" in record.request["message"]

    # a party reference alerts under that party (the message's alert does not cover it)
    [for_party] = _screen(env, sichuan, "--party-id", "CUST-24")
    assert for_party["party_id"] == "CUST-24" and for_party["alerts"][0]["new"] is True

    # closed as a false positive and approved: the accept entry suppresses the hit, no alert, pass
    decided = run_cli(
        env,
        "alerts",
        "decide",
        ref["alert_id"],
        "--outcome",
        "false_positive",
        "--note",
        "another co",
        "--user",
        "ana",
    )
    assert decided.returncode == 0, decided.stderr
    approved = run_cli(env, "alerts", "approve", ref["alert_id"], "--user", "appr")
    assert approved.returncode == 0, approved.stderr
    human = run_cli(env, "screen-payment", str(sichuan))
    assert human.returncode == 0, human.stderr
    assert human.stdout.startswith("PASS  pacs.008.001.08 PAY-2026-000417")
    assert "suppressed by accept" in human.stdout and "alert " not in human.stdout
    audit_id = human.stdout.split("audit: ", 1)[1].split()[0]
    [accepted] = table_rows(env, screenings, screenings.c.screening_id == audit_id)
    assert accepted.decision == "pass"
    assert accepted.result["hits"][0]["suppressed"] is True and accepted.result["hits"][0]["accept_id"]
    assert (
        len(table_rows(env, alerts, alerts.c.entity_id == "ofac:52749")) == 2
    )  # the message's and CUST-24's


def test_a_bad_party_reference_is_refused_before_screening(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}",
        "SANCTIONS_DATA_DIR": str(tmp_path),
    }
    done = run_cli(env, "screen-payment", str(FIXTURES / "pacs008_sichuan.xml"), "--party-id", "a\tb")
    assert done.returncode == 2
    assert "--party-id" in done.stderr
