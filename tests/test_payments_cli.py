"""`sanctions screen-payment` on one message, a folder and a zip, against a store holding every bundled list."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.api_server import REPO_ROOT, loaded_template

FIXTURES = Path(__file__).parent / "fixtures" / "payments"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("payments-cli")
    shutil.copyfile(loaded_template(), directory / "store.db")
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'store.db'}",
        "SANCTIONS_DATA_DIR": str(directory),
    }


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "screen-payment", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_one_message_prints_the_decision_and_its_hits(env: dict[str, str]) -> None:
    done = _run(env, str(FIXTURES / "pacs008_listed_bic.xml"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("BLOCK  pacs.008.001.08 PAY-2026-000419")
    assert "CdtrAgt/FinInstnId/BICFI" in done.stdout and "ofac:12028" in done.stdout


def test_a_zip_gives_one_json_line_per_message_in_name_order(env: dict[str, str], tmp_path: Path) -> None:
    archive = tmp_path / "messages.zip"
    names = sorted(p.name for p in FIXTURES.iterdir())
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in names:
            zipped.write(FIXTURES / name, f"in/{name}")
    done = _run(env, str(archive), "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["file"] for line in lines] == [f"in/{name}" for name in names]
    by_file = {line["file"].removeprefix("in/"): line for line in lines}
    assert by_file["pacs008_sichuan.xml"]["decision"] == "hold"
    assert by_file["pacs008_sichuan.xml"]["hits"][0]["matched"]["entity_id"] == "ofac:52749"
    assert by_file["pacs008_clean.xml"]["decision"] == "pass"
    assert by_file["pacs008_listed_bic.xml"]["decision"] == "block"
    assert by_file["mt103_cut_name.txt"]["hits"][0]["field"] == ":59: line 2"
    assert by_file["xml_bomb.xml"]["problem"] == "xml_doctype"
    assert by_file["mt103_unclosed_block4.txt"]["problem"] == "mt_block_structure"
    assert by_file["mt199.txt"]["decision"] is None
    assert "1 block" in done.stderr


def test_a_folder_is_screened_like_a_zip(env: dict[str, str], tmp_path: Path) -> None:
    for name in ("pacs008_clean.xml", "pacs008_creditor_iran.xml", "malformed.xml"):
        shutil.copyfile(FIXTURES / name, tmp_path / name)
    done = _run(env, str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    decisions = {json.loads(line)["file"]: json.loads(line)["decision"] for line in done.stdout.splitlines()}
    assert decisions == {
        "malformed.xml": None,
        "pacs008_clean.xml": "pass",
        "pacs008_creditor_iran.xml": "hold",
    }
