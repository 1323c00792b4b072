"""`sanctions screen` and `sanctions compare`, run as the installed command against a real store."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from lists.model import Designation, EntityType, ListCode
from lists.sources import bundled_sources, parse_bundled
from screening.screener import Screener
from service.cli.screen import screen_jsonl

SANCTIONS = Path(sys.executable).with_name("sanctions")


def _run(args: list[str], database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SANCTIONS_DATA_DIR": str(tmp_path),
        "SANCTIONS_REQUIRED_LISTS": "ofac,internal",  # the lists this module's store holds
    }
    return subprocess.run(
        [str(SANCTIONS), *args], capture_output=True, text=True, env=env, timeout=600, check=False
    )


# --- JSON-lines mode, in-process ------------------------------------------------------------------


def test_jsonl_keeps_every_line_in_order_and_names_bad_ones() -> None:
    screener = Screener(
        [
            Designation(
                entity_id="ofac:52747",
                list=ListCode.OFAC,
                source_id="52747",
                type=EntityType.PERSON,
                primary_name="YIN, Kecheng",
            )
        ]
    )
    lines = [
        '{"name": "Kecheng Yin", "type": "person"}',
        '{"name": "Kecheng Yin"',  # truncated JSON
        '{"type": "person"}',  # no name
        '{"name": "Kecheng Yin", "type": "company"}',  # bad type
        "",
        '{"name": "Kecheng Yin", "lists": ["un"]}',  # a list that is not loaded
        '["Kecheng Yin"]',
        '{"name": "Somebody Else"}',
    ]
    out = io.BytesIO()
    errors = screen_jsonl(screener, lines, out.write)
    results = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == len(lines)
    assert errors == 6
    assert results[0]["decision"] == "hit" and results[0]["matches"][0]["entity_id"] == "ofac:52747"
    assert [r.get("line") for r in results[1:7]] == [2, 3, 4, 5, 6, 7]
    assert "invalid JSON" in results[1]["error"]
    assert results[2]["field"] == "name"
    assert results[3]["field"] == "type" and "line 4" in results[3]["error"]
    assert results[5]["field"] == "lists" and "un" in results[5]["error"]
    assert results[7]["decision"] == "clear"


# --- the installed command against a store ---------------------------------------------------------


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    from lists.loader import load_lists
    from lists.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.db'}"
    outcomes = load_lists(Store(url), ["ofac", "internal"])
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    return url


def test_screen_file_of_queries_done_when(loaded_store: str, tmp_path: Path) -> None:
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "\n".join(
            [
                '{"name": "Sichuan Juxinhe Network Technology Company Limited"}',
                '{"name": "Kecheng Yin", "type": "person"}',
                '{"name": "iSoon"}',
                '{"name": "Sichuan Airlines Co Ltd"}',
                '{"name": 42}',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    run = _run(["screen", "--input", str(queries), "--json"], loaded_store, tmp_path)
    assert run.returncode == 1, run.stderr  # the bad last line makes the run fail, after the others
    results = [orjson.loads(line) for line in run.stdout.splitlines()]
    assert len(results) == 5
    assert [r.get("decision") for r in results[:4]] == ["hit", "hit", "hit", "clear"]
    assert results[0]["matches"][0]["entity_id"] == "ofac:52749"
    assert results[1]["matches"][0]["entity_id"] == "ofac:52747"
    assert results[2]["matches"][0]["entity_id"].startswith("internal:")
    assert set(results[0]["list_versions"]) == {"ofac", "internal"}
    assert results[4]["line"] == 5 and results[4]["field"] == "name"
    assert "1 line(s)" in run.stderr


def test_screen_one_name_json_and_table(loaded_store: str, tmp_path: Path) -> None:
    run = _run(
        ["screen", "Kecheng Yin", "--type", "person", "--dob", "1986-12-08", "--json"], loaded_store, tmp_path
    )
    assert run.returncode == 0, run.stderr
    result = orjson.loads(run.stdout)
    assert result["decision"] == "hit"
    top = result["matches"][0]
    assert top["entity_id"] == "ofac:52747"
    assert any(item["kind"] == "dob" and item["effect"] > 0 for item in top["explanation"]["evidence"])
    table = _run(["screen", "Kecheng Yin", "--type", "person"], loaded_store, tmp_path)
    assert table.returncode == 0, table.stderr
    assert "HIT" in table.stdout and "ofac:52747" in table.stdout


def test_screen_without_lists_fails_closed(sqlite_url: str, tmp_path: Path) -> None:
    run = _run(["screen", "Kecheng Yin", "--json"], sqlite_url, tmp_path)
    assert run.returncode != 0
    assert "no list loaded: run `sanctions lists load`" in run.stderr
    assert run.stdout == ""


def test_screen_rejects_bad_options(sqlite_url: str, tmp_path: Path) -> None:
    run = _run(["screen", "Kecheng Yin", "--type", "company"], sqlite_url, tmp_path)
    assert run.returncode == 2
    assert "--type" in run.stderr
    missing = _run(["screen", "--input", str(tmp_path / "nope.jsonl")], sqlite_url, tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_compare(sqlite_url: str, tmp_path: Path) -> None:
    run = _run(["compare", "Kecheng Yin", "YIN, Kecheng", "--type", "person", "--json"], sqlite_url, tmp_path)
    assert run.returncode == 0, run.stderr
    data = orjson.loads(run.stdout)
    assert data["decision"] == "match" and data["score"] >= 0.9
    other = _run(["compare", "Kecheng Yin", "Sichuan Airlines"], sqlite_url, tmp_path)
    assert other.returncode == 0 and "NO MATCH" in other.stdout


def test_result_json_is_pydantics_serialisation_byte_for_byte() -> None:
    """The JSON-lines writer's fast serialiser must not change a single byte of the documented shape."""
    from screening.query import Query
    from service.cli.screen import result_json

    designations = [
        d for code in bundled_sources() for d in parse_bundled(code).designations
    ]  # eu, uk: none bundled
    screener = Screener(designations, {"ofac": "ofac@test"})
    queries = [
        Query(name="Sichuan Juxinhe Network Technology Company Limited"),
        Query(name="Kecheng Yin", type="person", dob="1986", country="CN", limit=3),
        Query(name="Sichuan Airlines Co Ltd", threshold=0.9),
        Query(name="尹可成", identifiers=[{"type": "passport", "value": "E12345678"}]),
    ]
    for query in queries:
        result = screener.screen(query)
        assert result_json(result) == result.model_dump_json().encode()
    assert b'"decision":"hit"' in result_json(screener.screen(queries[0]))
