"""`sanctions batch` on a zip and a folder of payment messages: one results row per message, the same
decisions and hits as screening each message alone, every decision audited (SQLite store of every
bundled list)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from service.db_models import screenings
from tests.api_server import loaded_template
from tests.cli_support import run_cli
from tests.test_batch_support import read_results

FIXTURES = Path(__file__).parent / "fixtures" / "payments"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("message-batch-cli")
    shutil.copyfile(loaded_template(), directory / "store.db")
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'store.db'}",
        "SANCTIONS_DATA_DIR": str(directory),
    }


def _archive(tmp_path: Path) -> tuple[Path, list[str]]:
    """Every fixture in a nested folder, a zip-slip name and a nested zip: the names each row must have."""
    archive = tmp_path / "inbox.zip"
    names = []
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(FIXTURES.iterdir()):
            zipped.write(path, f"day1/{path.name}")
            names.append(f"day1/{path.name}")
        zipped.writestr("../escape.xml", (FIXTURES / "pacs008_sichuan.xml").read_bytes())
        zipped.writestr("nested.zip", b"PK\x05\x06" + b"\x00" * 18)
        zipped.writestr(".DS_Store", b"\x00")
    return archive, sorted([*names, "../escape.xml", "nested.zip"])


def test_a_zip_gives_one_row_per_message_as_screening_each_alone_and_audits_each(
    env: dict[str, str], tmp_path: Path
) -> None:
    archive, names = _archive(tmp_path)
    results = tmp_path / "out" / "results.csv"
    results.parent.mkdir()
    done = run_cli(env, "batch", str(archive), "-o", str(results), "--workers", "2")
    assert done.returncode == 0, done.stderr
    rows = read_results(results)[1]
    assert [row["file"] for row in rows] == names  # every entry accounted for, in name order
    by_file = {row["file"]: row for row in rows}
    assert by_file["../escape.xml"]["decision"] == "error"
    assert by_file["../escape.xml"]["problem"] == "unsafe_path"
    assert by_file["nested.zip"]["problem"] == "nested_archive"
    assert by_file["day1/xml_bomb.xml"]["problem"] == "xml_doctype"
    assert by_file["day1/malformed.xml"]["problem"] == "malformed_xml"
    assert by_file["day1/mt199.txt"]["problem"] == "unsupported_message"
    assert by_file["day1/pacs008_listed_bic.xml"]["decision"] == "block"
    assert by_file["day1/pacs008_listed_bic.xml"]["hits"].startswith(
        "CdtrAgt/FinInstnId/BICFI bic ofac:12028"
    )
    assert by_file["day1/pacs008_sichuan.xml"]["message_id"] == "PAY-2026-000417"
    assert by_file["day1/mt103_cut_name.txt"]["message_type"] == "MT103"

    # The same decisions and hits as `screen-payment`, which screens each message on its own.
    alone = run_cli(env, "screen-payment", str(archive), "--json")
    singles = {line["file"]: line for line in map(json.loads, alone.stdout.splitlines())}
    assert sorted(singles) == names
    for name, row in by_file.items():
        single = singles[name]
        if single["decision"] is not None:
            assert row["decision"] == single["decision"], name
            assert int(row["hit_count"]) == len(single["hits"]), name
            assert row["fields_screened"] == str(single["message"]["fields_screened"])
        else:
            assert (row["decision"], row["problem"]) == ("error", single["problem"]), name

    matches = read_results(results.with_name("results_matches.csv"))[1]
    hit_count = sum(int(row["hit_count"] or 0) for row in rows)
    assert len(matches) == hit_count > 0
    sichuan = next(m for m in matches if m["file"] == "day1/pacs008_sichuan.xml")
    assert (sichuan["field"], sichuan["check"], sichuan["entity_id"]) == ("Cdtr/Nm", "name", "ofac:52749")
    assert json.loads(sichuan["explanation"])["summary"]

    screened = [row for row in rows if row["decision"] != "error"]
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        audited = conn.execute(
            select(screenings).where(screenings.c.endpoint == "payment-cli").order_by(screenings.c.position)
        ).all()
    engine.dispose()
    assert [r.screening_id for r in audited] == [row["screening_id"] for row in screened]
    assert len({r.bulk_id for r in audited}) == 1
    assert [r.position for r in audited] == [names.index(row["file"]) + 1 for row in screened]
    record = next(r for r in audited if r.reference == "PAY-2026-000417")
    raw = (FIXTURES / "pacs008_sichuan.xml").read_bytes()
    assert record.decision == "hold"
    assert record.request["file"] == "day1/pacs008_sichuan.xml"
    assert record.request["sha256"] == hashlib.sha256(raw).hexdigest()
    assert record.result["hits"][0]["field"] == "Cdtr/Nm"
    assert "audit: 10 decisions recorded" in done.stderr


def test_a_folder_in_one_process_and_options_that_do_not_apply(env: dict[str, str], tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "a").mkdir(parents=True)
    for name in ("pacs008_clean.xml", "pacs008_creditor_iran.xml", "malformed.xml"):
        shutil.copyfile(FIXTURES / name, inbox / "a" / name)
    results = tmp_path / "r.csv"
    done = run_cli(env, "batch", str(inbox), "-o", str(results), "--workers", "1")
    assert done.returncode == 0, done.stderr
    decisions = {row["file"]: row["decision"] for row in read_results(results)[1]}
    assert decisions == {
        "a/malformed.xml": "error",
        "a/pacs008_clean.xml": "pass",
        "a/pacs008_creditor_iran.xml": "hold",
    }
    refused = run_cli(env, "batch", str(inbox), "-o", str(tmp_path / "s.csv"), "--name-column", "x")
    assert refused.returncode == 2
    assert "--name-column: not used for a folder or zip of payment messages" in refused.stderr
    inside = run_cli(env, "batch", str(inbox), "-o", str(inbox / "r.csv"))
    assert inside.returncode == 2 and "inside the folder screened" in inside.stderr
