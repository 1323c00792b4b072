"""Batch on Dask against the local process pool: the same CLI command, the same file, runs alternating.

Each run is the real `sanctions batch` command (index build, CSV in, results and
matches out, audit trail) with `--workers 2`, once on this machine's process pool
and once with `--dask local` (a LocalCluster of 2 single-threaded worker processes,
each opening the lists itself). Runs alternate so a noisy machine slows both alike;
the figure is the ratio of median rates. Peak memory is the largest sum of RSS over
the command's process tree, sampled every 0.2 s.

Target (issue 25): the LocalCluster reaches at least 90% of the local 2-process rate.

    python -m benchmarks.dask_batch --rows 1000000 --repeats 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.batch_throughput import write_names

RESULTS_DIR = Path(__file__).resolve().parent / "results"
REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.90
_ROWS_LINE = re.compile(r"(\d+) rows, .* ([\d.]+) s \(")


def _process_tree(root: int) -> list[tuple[int, int]]:
    """(pid, depth below `root`) of a process and all its descendants (Dask's nanny and its worker)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, stack = [], [(root, 0)]
    while stack:
        pid, depth = stack.pop()
        found.append((pid, depth))
        stack.extend((child, depth + 1) for child in children.get(pid, []))
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            return next((int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time the process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _role(pid: int, depth: int) -> str:
    """The parent (which also runs Dask's scheduler, client and nannies), a screening worker, or a helper."""
    if depth == 0:
        return "parent"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read()
    except OSError:
        return "other"
    return "helpers" if b"resource_tracker" in command or depth > 1 else "workers"


def run_once(names: Path, database_url: str, out_dir: Path, dask: bool) -> dict[str, float]:
    """One `sanctions batch` run; its rows, seconds (the command's own count) and peak tree RSS."""
    output = out_dir / ("dask.csv" if dask else "local.csv")
    command = [sys.executable, "-m", "service.cli", "batch", str(names), "-o", str(output), "--workers", "2"]
    if dask:
        command += ["--dask", "local"]
    env = {**os.environ, "DATABASE_URL": database_url, "SANCTIONS_DATA_DIR": str(out_dir), "COLUMNS": "200"}
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    stop = threading.Event()
    cpu_by_pid: dict[int, tuple[str, float]] = {}  # pid: (role, CPU seconds at its last sample)

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.2):
            tree = _process_tree(process.pid)
            peak = max(peak, sum(_rss_kib(pid) for pid, _ in tree))
            for pid, depth in tree:
                seconds = _cpu_seconds(pid)
                if seconds is not None:
                    role = cpu_by_pid[pid][0] if pid in cpu_by_pid else _role(pid, depth)
                    cpu_by_pid[pid] = (role, seconds)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"batch failed ({process.returncode}):\n{stderr[-2000:]}")
    found = _ROWS_LINE.search(stderr)
    if not found:
        raise RuntimeError(f"no summary line in:\n{stderr[-2000:]}")
    rows, seconds = int(found.group(1)), float(found.group(2))
    # CPU seconds by role, as last sampled (up to 0.2 s short per process); the workers' figure
    # against the wall time says whether they were kept busy.
    cpu: dict[str, float] = {}
    for role, used in cpu_by_pid.values():
        cpu[role] = round(cpu.get(role, 0.0) + used, 1)
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "peak_rss_mib": peak / 1024,
        "cpu_seconds": cpu,
        "worker_cpu_ms_per_row": round(1000 * cpu.get("workers", 0.0) / rows, 3),
    }


def run(rows: int, repeats: int) -> dict[str, object]:
    from tests.test_batch_support import load_bundled_lists

    with tempfile.TemporaryDirectory(prefix="dask-bench-") as tmp:
        folder = Path(tmp)
        names = folder / "names.csv"
        write_names(names, rows)
        database_url = f"sqlite:///{folder / 'store.db'}"
        load_bundled_lists(database_url)
        # Untimed: the first batch writes the lists' index snapshot (about 30 s of the parent's
        # CPU); timed runs all map it, so neither mode pays for it.
        warm_up = folder / "warm-up.csv"
        write_names(warm_up, 100)
        run_once(warm_up, database_url, folder, dask=False)
        runs: dict[str, list[dict[str, float]]] = {"local": [], "dask": []}
        for _ in range(repeats):
            runs["local"].append(run_once(names, database_url, folder, dask=False))
            runs["dask"].append(run_once(names, database_url, folder, dask=True))
    local_rate = statistics.median(r["rows_per_s"] for r in runs["local"])
    dask_rate = statistics.median(r["rows_per_s"] for r in runs["dask"])
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "load_average_at_end": os.getloadavg(),
        "rows": rows,
        "repeats": repeats,
        "runs": runs,
        "local_rows_per_s": round(local_rate),
        "dask_rows_per_s": round(dask_rate),
        "ratio": round(dask_rate / local_rate, 3),
        "target_ratio": TARGET_RATIO,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    result = run(args.rows, args.repeats)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "dask_batch.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))
    for mode in ("local", "dask"):
        for r in result["runs"][mode]:  # type: ignore[index]
            print(
                f"{mode}: {r['rows']} rows in {r['seconds']:.1f} s, peak RSS {r['peak_rss_mib']:.0f} MiB, "
                f"CPU s {r['cpu_seconds']}, workers {r['worker_cpu_ms_per_row']} ms a row"
            )


if __name__ == "__main__":
    main()
