"""The `sanctions lists …` and `sanctions entity` commands, run for real as subprocesses.

Each test data dir is a fresh SANCTIONS_DATA_DIR (SQLite); one test repeats the
full bundled load against PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import BUNDLED_DATA

SANCTIONS = [sys.executable, "-m", "service.cli"]


def sanctions(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SANCTIONS, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def cli_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SANCTIONS_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return orjson.loads(result.stdout)


def assert_clean_failure(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in result.stderr


def assert_bundled_counts(info: dict[str, Any]) -> None:
    assert list(info) == ["ofac", "ofac-nonsdn", "un", "internal"]
    assert info["ofac"]["record_count"] == 15_407
    assert info["ofac-nonsdn"]["record_count"] == 442
    assert info["un"]["record_count"] == 1_003
    assert info["un"]["counts_by_type"] == {"entity": 273, "person": 730}
    assert info["internal"]["record_count"] >= 1
    assert all(version["active"] for version in info.values())


@pytest.fixture(scope="module")
def loaded_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A data dir with every bundled list loaded by `sanctions lists load`."""
    env = cli_env(tmp_path_factory.mktemp("data"))
    result = sanctions("lists", "load", env=env)
    assert result.returncode == 0, result.stderr
    assert "731 ent_nums" in result.stdout
    return env


def test_load_then_info_shows_every_bundled_list(loaded_env: dict[str, str]) -> None:
    info = as_json(sanctions("lists", "info", "--json", env=loaded_env))
    assert_bundled_counts(info)
    assert info["ofac"]["publish_date"] == "2025-03-05"
    assert info["ofac"]["label"] == f"ofac@{info['ofac']['id']}:2025-03-05"
    assert info["un"]["publish_date"] == "2026-02-27"
    human = sanctions("lists", "info", env=loaded_env)
    assert human.returncode == 0 and "15,407" in human.stdout


def test_entity_50543_has_aliases_uscc_program_and_address(loaded_env: dict[str, str]) -> None:
    entity = as_json(sanctions("entity", "ofac:50543", "--json", env=loaded_env))
    aliases = {(a["name"], a["strength"]) for a in entity["aliases"]}
    assert ("BEIJING INTEGRITY TECHNOLOGY COMPANY, LIMITED", "strong") in aliases
    assert ("YONGXIN ZHICHENG TECHNOLOGY GROUP COMPANY, LIMITED", "weak") in aliases
    assert {"type": "uscc", "value": "91110108562135265P"}.items() <= next(
        i for i in entity["identifiers"] if i["type"] == "uscc"
    ).items()
    assert entity["programs"] == ["CYBER2"]
    assert any(a["city"] == "Beijing" and "Fenghao East Road" in a["street"] for a in entity["addresses"])


def test_entity_52747_has_dob_nationality_and_national_id(loaded_env: dict[str, str]) -> None:
    entity = as_json(sanctions("entity", "ofac:52747", "--json", env=loaded_env))
    assert entity["dates_of_birth"][0]["date_from"] == "1986-12-08"
    assert entity["nationalities"] == ["CN"]
    assert any(
        i["type"] == "national_id" and i["value"] == "340121198612082214" for i in entity["identifiers"]
    )


def test_unknown_entity_fails_cleanly(loaded_env: dict[str, str]) -> None:
    assert_clean_failure(
        sanctions("entity", "ofac:0", "--json", env=loaded_env), "unknown entity id 'ofac:0'"
    )


def test_truncated_sdn_csv_fails_naming_the_line_and_keeps_the_active_version(
    loaded_env: dict[str, str], tmp_path: Path
) -> None:
    before = as_json(sanctions("lists", "info", "--json", env=loaded_env))["ofac"]
    broken = tmp_path / "ofac"
    broken.mkdir()
    data = (BUNDLED_DATA / "ofac" / "sdn.csv").read_bytes()
    cut = data.index(b'"', len(data) // 2) + 5  # inside a quoted field, half-way through the file
    (broken / "sdn.csv").write_bytes(data[:cut])
    line = data[:cut].count(b"\n") + 1

    result = sanctions("lists", "load", str(broken), "--list", "ofac", env=loaded_env)
    assert_clean_failure(result, "sdn.csv:", "previously active version")
    reported = int(result.stderr.split("sdn.csv:")[1].split(":")[0])
    assert abs(reported - line) <= 1, result.stderr

    after = as_json(sanctions("lists", "info", "--json", env=loaded_env))["ofac"]
    assert after["id"] == before["id"] and after["record_count"] == 15_407
    assert (
        as_json(sanctions("entity", "ofac:52747", "--json", env=loaded_env))["primary_name"] == "YIN, Kecheng"
    )


def test_unknown_format_fails_naming_the_file(loaded_env: dict[str, str], tmp_path: Path) -> None:
    junk = tmp_path / "customers.txt"
    junk.write_text("name\nACME\n")
    assert_clean_failure(
        sanctions("lists", "load", str(junk), env=loaded_env), "customers.txt", "unknown list format"
    )


def nonsdn_copy(folder: Path, drop: int = 0, rename: dict[str, str] | None = None) -> Path:
    """The shipped non-SDN files with the last `drop` records removed and some names changed."""
    shutil.copytree(BUNDLED_DATA / "ofac-nonsdn", folder)
    prim = folder / "cons_prim.csv"
    prim.chmod(0o644)
    lines = [line for line in prim.read_bytes().split(b"\r\n") if line.strip(b"\x1a")]
    kept = lines[: len(lines) - drop] if drop else lines
    for old, new in (rename or {}).items():
        kept = [line.replace(old.encode(), new.encode()) for line in kept]
    prim.write_bytes(b"\r\n".join(kept) + b"\r\n\x1a")  # still a whole file: OFAC's end-of-file marker
    dropped = {line.split(b",", 1)[0] for line in lines[len(lines) - drop :]} if drop else set()
    for name in ("cons_add.csv", "cons_alt.csv", "cons_comments.csv"):  # a consistent smaller publication
        related = folder / name
        related.chmod(0o644)
        rows = related.read_bytes().split(b"\r\n")
        related.write_bytes(b"\r\n".join(r for r in rows if r.split(b",", 1)[0] not in dropped))
    return folder


def test_diff_shrink_refusal_and_force(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data")
    first = as_json(sanctions("lists", "load", "--list", "ofac-nonsdn", "--json", env=env))[0]["version"]

    changed = nonsdn_copy(tmp_path / "v2", drop=10, rename={"HANIYA, Ismail": "HANIYEH, Ismail"})
    second = as_json(sanctions("lists", "load", str(changed), "--json", env=env))[0]["version"]
    assert second["record_count"] == 432 and second["publish_date"] is None

    diff = as_json(sanctions("lists", "diff", str(first["id"]), str(second["id"]), "--json", env=env))
    assert (len(diff["added"]), len(diff["removed"]), diff["changed"]) == (0, 10, ["ofac-nonsdn:9639"])

    shrunk = nonsdn_copy(tmp_path / "v3", drop=200)
    refused = sanctions("lists", "load", str(shrunk), "--list", "ofac-nonsdn", env=env)
    assert_clean_failure(refused, "refused", "--force")
    assert as_json(sanctions("lists", "info", "--json", env=env))["ofac-nonsdn"]["id"] == second["id"]

    forced = as_json(sanctions("lists", "load", str(shrunk), "--force", "--json", env=env))[0]
    assert forced["ok"] and forced["version"]["record_count"] == 242

    assert_clean_failure(
        sanctions("lists", "diff", str(first["id"]), "999", env=env), "no list version with id 999"
    )
    un = as_json(sanctions("lists", "load", "--list", "un", "--json", env=env))[0]["version"]
    assert_clean_failure(
        sanctions("lists", "diff", str(first["id"]), str(un["id"]), env=env), "different lists"
    )


def test_full_load_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data", database_url=postgres_url)
    assert sanctions("lists", "load", env=env).returncode == 0
    assert_bundled_counts(as_json(sanctions("lists", "info", "--json", env=env)))
    entity = as_json(sanctions("entity", "ofac:52747", "--json", env=env))
    assert entity["nationalities"] == ["CN"]
    assert not (tmp_path / "data" / "sanctions.db").exists()
