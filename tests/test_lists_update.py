"""`sanctions lists update` against a real mirror server on 127.0.0.1, and what `lists info` and `screen` then say.

Done-when 1-4 of issue 18 through the installed command (subprocesses), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.api_server import database, load_bundled, loaded_template
from tests.mirror_server import MirrorServer, build_mirror
from tests.test_cli_lists import as_json, cli_env, sanctions

SOURCED = ("ofac", "ofac-nonsdn", "un")


def _outcomes(result: Any) -> dict[str, dict[str, Any]]:
    return {o["list"]: o for o in orjson.loads(result.stdout)}


def test_update_loads_the_mirror_then_finds_it_unchanged_and_refuses_a_cut_file(
    db_url: str, tmp_path: Path
) -> None:
    root = build_mirror(tmp_path / "mirror")
    with MirrorServer(root) as mirror:
        env = {**cli_env(tmp_path / "data", db_url), "SANCTIONS_MIRROR": mirror.url}

        first = sanctions("lists", "update", "--json", env=env)
        assert first.returncode == 0, first.stderr
        loaded = _outcomes(first)
        assert {code: o["status"] for code, o in loaded.items()} == dict.fromkeys(SOURCED, "loaded")
        assert {code: o["record_count"] for code, o in loaded.items()} == {
            "ofac": 15_402,
            "ofac-nonsdn": 442,
            "un": 1_003,
        }
        assert loaded["ofac"]["urls"][0] == f"{mirror.url}/ofac/sdn.csv"
        assert loaded["ofac-nonsdn"]["urls"][0] == f"{mirror.url}/ofac-nonsdn/cons_prim.csv"
        assert loaded["un"]["urls"] == [f"{mirror.url}/un/consolidated.xml"]

        served_before = len(mirror.requests)
        second = sanctions("lists", "update", "--json", env=env)
        assert second.returncode == 0, second.stderr
        again = _outcomes(second)
        assert {code: o["status"] for code, o in again.items()} == dict.fromkeys(SOURCED, "unchanged")
        assert {c: o["version_id"] for c, o in again.items()} == {
            c: o["version_id"] for c, o in loaded.items()
        }
        conditional = mirror.requests[served_before:]
        assert len(conditional) == 9 and {status for _, status, _ in conditional} == {
            304
        }  # nothing re-downloaded

        info = as_json(sanctions("lists", "info", "--json", env=env))
        for code in SOURCED:
            assert info[code]["id"] == loaded[code]["version_id"]
            assert info[code]["stale"] is False and info[code]["age_hours"] < 1
            assert info[code]["last_successful_check"] is not None and info[code]["last_failure"] is None

        # done-when 2: sdn.csv cut at a row boundary (its first 13,900 lines): refused, naming the file
        sdn = root / "ofac" / "sdn.csv"
        sdn.write_bytes(b"\r\n".join(sdn.read_bytes().split(b"\r\n")[:13_900]) + b"\r\n")
        cut = sanctions("lists", "update", "--json", env=env)
        assert cut.returncode == 1, cut.stdout
        assert "Traceback" not in cut.stderr
        assert "sdn.csv" in cut.stderr and "end-of-file marker" in cut.stderr
        refused = _outcomes(cut)
        assert refused["ofac"]["status"] == "failed" and "sdn.csv" in refused["ofac"]["where"]
        assert refused["un"]["status"] == refused["ofac-nonsdn"]["status"] == "unchanged"
        after_cut = as_json(sanctions("lists", "info", "--json", env=env))
        assert after_cut["ofac"]["id"] == loaded["ofac"]["version_id"]
        assert after_cut["ofac"]["record_count"] == 15_402
        assert "end-of-file marker" in after_cut["ofac"]["last_failure"]["reason"]

    # the mirror server stopped: every list fails naming its URL; nothing changes
    offline = sanctions("lists", "update", "--json", env={**env, "SANCTIONS_FETCH_RETRIES": "1"})
    assert offline.returncode == 1
    assert f"{mirror.url}/ofac/sdn.csv" in offline.stderr and "cannot connect" in offline.stderr
    assert {o["status"] for o in _outcomes(offline).values()} == {"failed"}
    after_stop = as_json(sanctions("lists", "info", "--json", env=env))
    assert {c: after_stop[c]["id"] for c in SOURCED} == {c: loaded[c]["version_id"] for c in SOURCED}
    assert "cannot connect" in after_stop["un"]["last_failure"]["reason"]


def test_one_list_and_a_bad_mirror_address(sqlite_url: str, tmp_path: Path) -> None:
    root = build_mirror(tmp_path / "mirror")
    with MirrorServer(root) as mirror:
        env = {**cli_env(tmp_path / "data", sqlite_url), "SANCTIONS_MIRROR": mirror.url}
        only_un = sanctions("lists", "update", "--list", "un", "--json", env=env)
        assert only_un.returncode == 0, only_un.stderr
        assert list(_outcomes(only_un)) == ["un"]
        fresh = {
            **cli_env(tmp_path / "fresh"),
            "SANCTIONS_MIRROR": mirror.url,
            "SANCTIONS_FETCH_MAX_BYTES": "100000",
        }
        capped = sanctions(
            "lists", "update", "--list", "un", env=fresh
        )  # a new store: nothing to send 304 for
        assert capped.returncode == 1 and "100,000-byte cap" in capped.stderr
        (root / "un" / "consolidated.xml").unlink()
        gone = sanctions("lists", "update", "--list", "un", env=env)
        assert gone.returncode == 1 and "HTTP 404" in gone.stderr and "/un/consolidated.xml" in gone.stderr
    bad = sanctions("lists", "update", env={**env, "SANCTIONS_MIRROR": "ftp://mirror"})
    assert bad.returncode == 2 and "SANCTIONS_MIRROR" in bad.stderr


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_bundled_snapshots_are_stale_and_screening_says_so(backend: str, tmp_path: Path) -> None:
    with database(backend, tmp_path, template=loaded_template()) as url:
        env = cli_env(tmp_path / "data", url)
        info = as_json(sanctions("lists", "info", "--json", env=env))
        for code in SOURCED:
            assert info[code]["stale"] is True, info[code]
            assert info[code]["age_hours"] > 48 and info[code]["max_age_hours"] == 48
            assert info[code]["last_successful_check"] is None
        assert info["ofac"]["age_basis"].startswith("publish date")
        assert info["internal"]["stale"] is False and info["internal"]["max_age_hours"] is None

        screened = sanctions("screen", "Sichuan Juxinhe Network Technology Co Ltd", "--json", env=env)
        assert screened.returncode == 0, screened.stderr
        answer = orjson.loads(screened.stdout)
        assert answer["decision"] == "hit"
        stale = {w["list"]: w for w in answer["warnings"]}
        assert set(stale) == set(SOURCED)
        assert stale["ofac"]["age_hours"] == pytest.approx(info["ofac"]["age_hours"], abs=1)
        assert "is stale" in screened.stderr

        queries = tmp_path / "q.jsonl"
        queries.write_text('{"name": "Kecheng Yin"}\n{"name": "Nobody Inparticular"}\n', encoding="utf-8")
        lines = sanctions("screen", "--input", str(queries), env=env)
        assert lines.returncode == 0, lines.stderr
        for line in lines.stdout.splitlines():
            assert {w["list"] for w in orjson.loads(line)["warnings"]} == set(SOURCED)

        refused = sanctions("screen", "Kecheng Yin", env={**env, "SANCTIONS_FAIL_ON_STALE": "1"})
        assert refused.returncode != 0 and "stale list(s)" in refused.stderr and "ofac" in refused.stderr


def test_with_only_the_internal_list_the_cli_refuses_to_screen(db_url: str, tmp_path: Path) -> None:
    load_bundled(db_url, ["internal"])
    env = cli_env(tmp_path / "data", db_url)
    result = sanctions("screen", "Sichuan Juxinhe Network Technology Co Ltd", "--json", env=env)
    assert result.returncode != 0 and result.stdout == ""
    assert "required list(s) not loaded: ofac, ofac-nonsdn, un" in result.stderr
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"name": "Sichuan Juxinhe Network Technology Co Ltd"}\n', encoding="utf-8")
    lines = sanctions("screen", "--input", str(queries), env=env)
    assert lines.returncode != 0 and lines.stdout == "" and "required list(s) not loaded" in lines.stderr
    info = sanctions("lists", "info", env=env)
    assert "required but not loaded: ofac, ofac-nonsdn, un" in info.stdout
    allowed = sanctions("screen", "Nobody Inparticular", env={**env, "SANCTIONS_REQUIRED_LISTS": "internal"})
    assert allowed.returncode == 0, allowed.stderr


def test_serve_refuses_a_bad_refresh_interval(tmp_path: Path) -> None:
    result = sanctions("serve", "--refresh-every", "soon", env=cli_env(tmp_path))
    assert result.returncode == 2 and "--refresh-every" in result.stderr and "'soon'" in result.stderr
