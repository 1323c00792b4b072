"""Worker start-up and memory with the index snapshot (issue #25), against building the index per process.

    python -m benchmarks.snapshot_start [--database-url URL] [--queries 300] [--no-baseline]

Measures, on one store holding the bundled lists (a new SQLite file unless --database-url):
  - build: the index built in a fresh process (the old start-up), and the snapshot written;
  - start: a fresh process opening the snapshot (`load_screener`), 3 times: the index's own
    seconds and the process's wall time to its first answer (imports included);
  - memory: `sanctions serve --workers 1` and `--workers 2`, after the same queries through
    HTTP, each process's private memory (USS: Private_Clean + Private_Dirty from
    /proc/<pid>/smaps_rollup), PSS and RSS; beside them uvicorn's own 2 spawned workers (how
    `serve --workers 2` ran before its workers were forked from a preloaded parent); with
    --baseline also with snapshots off.
Targets (issue #25): start with a snapshot <= 1 s; `--workers 2` adds <= 150 MB over one, both
as private memory (summed USS) and as memory in all (summed PSS: a page shared by n processes
counts 1/n in each, so the sum is what the server occupies). The USS sum alone can fall when
a second worker comes: pages one process held privately become shared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.http_load import REPO_ROOT, _bundled_sqlite, _server_pids, served

START_TARGET_SECONDS = 1.0
ADDED_PRIVATE_TARGET_MB = 150.0

_OPEN = """
import json, sys, time
started = time.perf_counter()
from lists.store import Store
from screening.query import Query
from service.snapshot.build import load_screener
imported = time.perf_counter()
loaded = load_screener(Store(sys.argv[1]))
answer = loaded.screener.screen(Query(name="Sichuan Juxinhe Network Technology Co Ltd"))
print(json.dumps({"source": loaded.source, "index_seconds": loaded.seconds,
                  "import_seconds": imported - started, "first_answer_seconds": time.perf_counter() - started,
                  "hit": [m.entity_id for m in answer.matches][:1]}))
"""

_BUILD = """
import json, sys, time
from lists.store import Store
from screening.screener import Screener
store = Store(sys.argv[1])
versions, designations = store.active_snapshot()
started = time.perf_counter()
Screener(designations, {c: v.label for c, v in versions.items()})
print(json.dumps({"build_seconds": time.perf_counter() - started}))
"""


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_wall_seconds"] = round(time.perf_counter() - started, 3)
    return result


def _memory(pid: int) -> dict[str, Any]:
    """Per process of the server: USS, PSS and RSS in MB (smaps_rollup), and their sums."""
    rows = []
    for child in _server_pids(pid):
        try:
            text = Path(f"/proc/{child}/smaps_rollup").read_text()
        except OSError:
            continue
        kb = {line.split(":")[0]: int(line.split()[1]) for line in text.splitlines()[1:] if ":" in line}
        rows.append(
            {
                "pid": child,
                "uss_mb": round((kb.get("Private_Clean", 0) + kb.get("Private_Dirty", 0)) / 1024, 1),
                "pss_mb": round(kb.get("Pss", 0) / 1024, 1),
                "rss_mb": round(kb.get("Rss", 0) / 1024, 1),
            }
        )
    return {
        "processes": rows,
        "uss_mb": round(sum(r["uss_mb"] for r in rows), 1),
        "pss_mb": round(sum(r["pss_mb"] for r in rows), 1),
    }


def _served_memory(
    url: str, directory: Path, workers: int, names: list[str], env: dict[str, str], spawned: bool = False
) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        started = time.perf_counter()
        with served(url, directory, workers, spawned=spawned) as (base, pid):
            ready_seconds = time.perf_counter() - started
            with httpx.Client(base_url=base, timeout=60) as client:
                for name in names:
                    client.post("/v1/screen", json={"name": name}).raise_for_status()
                ready = client.get("/readyz").json()
            memory = _memory(pid)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {
        "workers": workers,
        "ready_seconds": round(ready_seconds, 1),
        "index": ready.get("index"),
        **memory,
    }


def run(database_url: str | None, queries: int, baseline: bool) -> dict[str, Any]:
    from lists.store import Store
    from service.snapshot.build import ensure_snapshot

    directory = Path(tempfile.mkdtemp(prefix="snapshot-bench-"))
    os.environ["SANCTIONS_SNAPSHOT_DIR"] = str(directory / "snapshots")
    url = database_url or _bundled_sqlite(directory)
    store = Store(url)
    try:
        started = time.perf_counter()
        path = ensure_snapshot(store)
        write_seconds = time.perf_counter() - started
        designations = store.active_snapshot()[1]
    finally:
        store.close()
    assert path is not None
    names = [d.primary_name for d in random.Random(25).sample(designations, queries)]
    del designations
    report: dict[str, Any] = {
        "load_average": os.getloadavg(),
        "snapshot_mb": round(path.stat().st_size / 2**20, 1),
        "snapshot_first_write_seconds": round(write_seconds, 1),
        "start": [_python(_OPEN, url) for _ in range(3)],
    }
    print(json.dumps(report), file=sys.stderr)
    if baseline:
        report["build_in_fresh_process"] = _python(_BUILD, url)
        print(json.dumps(report["build_in_fresh_process"]), file=sys.stderr)
    env_on = {"SANCTIONS_AUTH": "off"}
    env_off = {"SANCTIONS_AUTH": "off", "SANCTIONS_INDEX_SNAPSHOT": "off"}
    for label, env in [("snapshot", env_on), *([("no_snapshot", env_off)] if baseline else [])]:
        one = _served_memory(url, directory / f"{label}-1", 1, names, env)
        two = _served_memory(url, directory / f"{label}-2", 2, names, env)
        report[label] = {
            "one_worker": one,
            "two_workers": two,
            "added_private_mb": round(two["uss_mb"] - one["uss_mb"], 1),
            "added_pss_mb": round(two["pss_mb"] - one["pss_mb"], 1),
        }
        if label == "snapshot":
            spawned = _served_memory(url, directory / "spawned-2", 2, names, env, spawned=True)
            report[label]["two_workers_spawned"] = spawned
            report[label]["spawned_added_private_mb"] = round(spawned["uss_mb"] - one["uss_mb"], 1)
            report[label]["spawned_added_pss_mb"] = round(spawned["pss_mb"] - one["pss_mb"], 1)
        print(json.dumps(report[label]), file=sys.stderr)
    report["load_average_after"] = os.getloadavg()
    worst_start = max(s["index_seconds"] for s in report["start"])
    added = report["snapshot"]
    report["targets"] = {
        "start_index_seconds_max": round(worst_start, 3),
        "start_ok": worst_start <= START_TARGET_SECONDS,
        "added_private_mb": added["added_private_mb"],
        "added_pss_mb": added["added_pss_mb"],
        "memory_ok": max(added["added_private_mb"], added["added_pss_mb"]) <= ADDED_PRIVATE_TARGET_MB,
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-baseline", action="store_true", help="skip the builds without snapshot")
    args = parser.parse_args(argv)
    report = run(args.database_url, args.queries, not args.no_baseline)
    print(json.dumps(report, indent=2))
    return 0 if report["targets"]["start_ok"] and report["targets"]["memory_ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
