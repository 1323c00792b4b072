"""Batch throughput: N customer names (default 1,000,000) against all bundled lists, via the real CLI path.

The CLI path: CSV in, worker processes forked from a parent that builds the
index once, results and matches CSV out, every decision in the audit trail (a
SQLite store in the run's temporary folder). Besides names/s it reports CPU ms
per row in the parent and in the workers: wall-clock rates on a shared
machine are noisy, CPU per row is not.

Target (issue 5): 1,000,000 names in at most 5 minutes on a 2-core machine
(>= 3,300 names/s) with at most 2 GiB of memory (parent + workers, peak RSS).
`--rows` makes a smaller run for CI. Writes benchmarks/results/batch_throughput.json.

    python -m benchmarks.batch_throughput --rows 1000000 --workers 2
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from faker import Faker

from lists.store import Store
from service.batch.audit import BatchAuditSink
from service.batch.io import open_input
from service.batch.output import ResultsWriter
from service.batch.runner import BatchRunner, default_workers

RESULTS_DIR = Path(__file__).resolve().parent / "results"
TARGET_SECONDS_PER_MILLION = 300
TARGET_RATE = 3_300
TARGET_MEMORY_GIB = 2.0


def write_names(path: Path, rows: int, seed: int = 1) -> None:
    """A customer-like file: a pool of Faker names and companies, drawn with repeats."""
    fake = Faker(["en_US", "de_DE", "es_ES", "fr_FR", "zh_CN", "ru_RU"])
    Faker.seed(seed)
    rng = random.Random(seed)
    pool = [fake.name() for _ in range(20_000)] + [fake.company() for _ in range(10_000)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "name", "country"])
        for row in range(rows):
            writer.writerow([f"C{row}", rng.choice(pool), fake.country_code() if row % 7 == 0 else ""])


def bundled_designations() -> tuple[list, dict[str, str]]:
    """All bundled lists, parsed directly (no database needed for a throughput run)."""
    from lists.sources import bundled_sources, parse_bundled

    designations: list = []
    versions: dict[str, str] = {}
    for code in bundled_sources():
        parsed = parse_bundled(code)
        designations.extend(parsed.designations)
        versions[code.value] = f"{code.value}@bundled:{parsed.publish_date}"
    return designations, versions


def _pss_kib(pid: int) -> int:
    """Proportional set size: shared (copy-on-write) pages split between the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Samples the summed PSS of this process and its workers; PSS counts inherited pages once."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_kib = 0
        self.cpu_seconds = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self._stop_event.wait(self.interval):
            children = [int(p) for p in os.listdir("/proc") if p.isdigit() and _parent(int(p)) == me]
            self.peak_kib = max(self.peak_kib, _pss_kib(me) + sum(_pss_kib(c) for c in children))
            self.cpu_seconds = time.thread_time()  # reading smaps is not free: kept out of the parent's CPU

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_kib / (1024 * 1024)


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run(rows: int, workers: int | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="batch-bench-") as folder:
        source_path = Path(folder) / "customers.csv"
        write_names(source_path, rows)
        designations, versions = bundled_designations()
        designation_count = len(designations)
        store = Store(f"sqlite:///{Path(folder) / 'audit.db'}")  # the CLI's audit trail, on SQLite
        audit = BatchAuditSink(store.engine, versions)
        sampler = MemorySampler()
        sampler.start()
        started = time.monotonic()
        runner = BatchRunner(designations, versions, workers=workers)
        del designations
        runner.start()  # the index build, in this process (forked workers inherit it)
        parent_cpu_start = _cpu_seconds(resource.RUSAGE_SELF) - sampler.cpu_seconds
        source = open_input(source_path)
        hits = errors = done = 0
        first_result: float | None = None
        with runner, ResultsWriter(Path(folder) / "results.csv", source.header) as writer:
            for row, outcome in runner.run(source.rows()):
                if first_result is None:
                    first_result = time.monotonic()
                writer.write(row.cells, outcome, row.cells[0], row.fields["name"])
                audit.add(outcome, row.cells[0])
                done += 1
                hits += outcome.decision == "hit"
                errors += outcome.decision == "error"
            writer.publish_after(audit.flush)  # as the CLI does
        elapsed = time.monotonic() - started
        peak_gib = sampler.stop()
        parent_cpu = _cpu_seconds(resource.RUSAGE_SELF) - parent_cpu_start - sampler.cpu_seconds
        workers_cpu = _cpu_seconds(resource.RUSAGE_CHILDREN)  # the pool's workers, reaped on close
        store.close()
    assert done == rows, (done, rows)
    assert audit.recorded == rows - errors, (audit.recorded, rows, errors)
    rate = rows / elapsed
    return {
        "benchmark": "batch_throughput",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpus": default_workers(),
            "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "rows": rows,
        "workers": runner.workers,
        "designations": designation_count,
        "seconds": round(elapsed, 1),
        "startup_seconds": round((first_result or started) - started, 1),
        "names_per_second": round(rate),
        "projected_seconds_per_million": round(1_000_000 / rate),
        "hits": hits,
        "errors": errors,
        "audited": audit.recorded,
        # CPU per row: the parent (read, write results, audit) after the index build; the workers (screening).
        "parent_cpu_ms_per_row": round(parent_cpu * 1000 / rows, 3),
        "workers_cpu_ms_per_row": round(workers_cpu * 1000 / rows, 3),
        "peak_memory_gib": round(peak_gib, 2),  # summed PSS of the parent and its workers
        "targets": {
            "names_per_second": TARGET_RATE,
            "seconds_per_million": TARGET_SECONDS_PER_MILLION,
            "memory_gib": TARGET_MEMORY_GIB,
        },
        "meets_rate": rate >= TARGET_RATE,
        "meets_memory": peak_gib <= TARGET_MEMORY_GIB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    result = run(args.rows, args.workers)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "batch_throughput.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
