"""Monitoring at scale: import 1,000,000 parties from CSV, screen them, rescreen them against a
50-designation delta, and rescreen all of them.
`python -m benchmarks.monitoring [--parties N] [--database-url URL] [--workers N]`.

Targets (issue #19): a delta rescreen of 1,000,000 parties in <= 60 s and <= 2 GiB; an import of
1,000,000 parties from CSV in <= 3 min; a full rescreen at the batch speed (1,000,000 in < 5 min).

The register: seeded synthetic parties (first and last names, and company names, drawn from Faker
pools of eight Latin-script locales), plus one party per delta designation, named as listed, so the
delta really opens alerts. The delta: OFAC (2024 files) is loaded without 50 seeded designations,
then with them: the second version adds exactly those 50. The delta index borrows its weights from
a full index built here, as the server's serving index would lend them (its build is timed apart).
Peak memory is this process's maximum RSS (the full index included); the workers' is apart.

The import and the screening of the imported parties (a "parties" rescreen job) and the full
rescreen run on the batch runner's worker pool (fork, `--workers`, default every core). For a
same-run comparison on a shared machine, each step records its CPU seconds (this process and its
workers) and the load average, and the run also measures, with the same index: the batch runner
on the first BATCH_SAMPLE rows of the file, and one process screening FULL_SAMPLE parties.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import itertools
import os
import random
import resource
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from lists import sources
from lists.store import Store
from service.alerts.tables import alerts
from service.batch.io import open_input
from service.batch.runner import BatchRunner
from service.monitoring.context import build_context
from service.monitoring.cycle import Monitor, request_full_rescreen
from service.monitoring.importer import import_parties
from service.monitoring.jobs import get_job
from service.monitoring.pool import PoolSettings
from service.monitoring.tables import parties

DELTA = 50
FULL_SAMPLE = 20_000
BATCH_SAMPLE = 50_000
LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL"]
SUFFIXES = ["Ltd", "GmbH", "SA", "LLC", "Inc", "BV", "SpA", "Sp. z o.o.", "Trading", "Holding", "Group"]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process and of its ended children (the pools' workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def _step(result: dict[str, Any], name: str, count: int | None = None) -> Iterator[dict[str, Any]]:
    """Times a step into result[name]: seconds, CPU seconds, rate, load average before and after."""
    entry: dict[str, Any] = {"load_before": [round(x, 2) for x in os.getloadavg()]}
    cpu, started = _cpu(), time.perf_counter()
    yield entry
    seconds = time.perf_counter() - started
    entry["seconds"] = round(seconds, 1)
    entry["cpu_seconds"] = round(_cpu() - cpu, 1)
    done = entry.get("count", count)
    if done:
        entry["per_s"] = round(done / seconds)
        entry["projected_seconds_per_million"] = round(1_000_000 * seconds / done)
    entry["load_after"] = [round(x, 2) for x in os.getloadavg()]
    result[name] = entry


def write_register(path: Path, count: int, extra: Sequence[tuple[str, str, str]], seed: int = 19) -> None:
    """`count` synthetic parties (2 in 3 persons) plus `extra` (id, name, type), as a CSV file."""
    from faker import Faker

    fake = Faker(LOCALES)
    Faker.seed(seed)
    firsts = list({fake.first_name() for _ in range(6000)})
    lasts = list({fake.last_name() for _ in range(8000)})
    words = list({fake.word().capitalize() for _ in range(3000)} | set(lasts[:2000]))
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "name", "type", "dob", "country", "segment"])
        for party_id, name, kind in extra:
            writer.writerow([party_id, name, kind, "", "", "delta"])
        for i in range(count - len(extra)):
            if i % 3:
                name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
                dob = f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                writer.writerow(
                    [f"P{i:08d}", name, "person", dob, rng.choice(["DE", "FR", "US", "GB", "ES"]), "retail"]
                )
            else:
                name = f"{rng.choice(words)} {rng.choice(words)} {rng.choice(SUFFIXES)}"
                writer.writerow(
                    [f"P{i:08d}", name, "entity", "", rng.choice(["DE", "NL", "IT", "PL"]), "corporate"]
                )


def run(count: int, database_url: str | None, workdir: Path, workers: int | None) -> dict[str, Any]:
    url = database_url or f"sqlite:///{workdir / 'monitoring.db'}"
    store = Store(url)
    parsed = sources.parse_list("ofac", [sources.DATA_DIR / "ofac"])
    rng = random.Random(50)
    held_back = rng.sample(parsed.designations, DELTA)
    held_ids = {d.entity_id for d in held_back}
    store.load(
        dataclasses.replace(
            parsed, designations=[d for d in parsed.designations if d.entity_id not in held_ids]
        )
    )
    pool = PoolSettings.from_env()
    if workers:
        pool = dataclasses.replace(pool, workers=workers)
    result: dict[str, Any] = {
        "parties": count,
        "database": store.engine.dialect.name,
        "delta": DELTA,
        "workers": pool.workers,
        "cpus": os.cpu_count(),
    }

    csv_path = workdir / "register.csv"
    started = time.perf_counter()
    extra = [
        (f"D{i:03d}", d.primary_name, d.type.value if d.type.value in ("person", "entity") else "any")
        for i, d in enumerate(held_back)
    ]
    write_register(csv_path, count, extra)
    result["csv_write_seconds"] = round(time.perf_counter() - started, 1)
    result["csv_mib"] = round(csv_path.stat().st_size / 2**20, 1)

    with _step(result, "import", count) as entry:
        report = import_parties(store.engine, csv_path, workers=pool.workers)
        entry.update(rows=report.rows, created=report.created, problems=report.problem_count)
    result["import"]["peak_rss_mib"] = round(_peak_mib())
    with _step(result, "reimport_unchanged", count) as entry:
        entry["unchanged"] = import_parties(store.engine, csv_path, workers=pool.workers).unchanged

    started = time.perf_counter()
    context = build_context(store)
    assert context is not None
    result["weights_index_build_seconds"] = round(time.perf_counter() - started, 1)
    monitor = Monitor(store, lambda: context, pool=pool)
    # The imported parties screened against every list (a "parties" job); the watermark set.
    result["screen_imported"] = _job(store, monitor, "benchmark: imported", "parties", count)

    store.load(parsed)  # the 50 come back: the delta
    # The server's delta waits for the new version's index and borrows its weights (the old
    # one's missed a hit in this register: service/monitoring/watcher.py); built apart here.
    started = time.perf_counter()
    context = build_context(store)
    assert context is not None
    result["new_weights_index_build_seconds"] = round(time.perf_counter() - started, 1)
    with _step(result, "delta_rescreen") as entry:
        jobs = monitor.run_once("benchmark: delta")
        job = get_job(store.engine, jobs[0]) if jobs else None
        assert job is not None and job["state"] == "done", job
        entry.update(job_seconds=job["seconds"], counts=job["counts"])
    result["delta_rescreen"]["peak_rss_mib"] = round(_peak_mib())

    before = _alert_ids(store)
    request_full_rescreen(store.engine, "benchmark: full")
    result["full_rescreen"] = _job(store, monitor, "benchmark: full", "full", count)
    result["full_rescreen"]["alerts_the_delta_had_not"] = _new_alerts(store, before, held_ids)

    # Same run, same index: one process on a sample, and the batch runner on the file's rows.
    with store.engine.connect() as conn:
        sample = list(conn.execute(select(parties.c.party_id).limit(FULL_SAMPLE)).scalars())
    with _step(result, "one_process_rescreen_sample", len(sample)):
        Monitor(store, lambda: context, pool=dataclasses.replace(pool, workers=1)).screen_now(context, sample)
    result["peak_rss_mib"] = round(_peak_mib())  # before the batch runner's own index
    result["batch_runner_sample"] = _batch_sample(store, csv_path, pool.workers)
    result["workers_peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    store.close()
    return result


def _job(store: Store, monitor: Monitor, trigger: str, kind: str, count: int) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    with _step(entry, "step", count) as step:
        jobs = monitor.run_once(trigger)
        found = [job for job_id in jobs or [] if (job := get_job(store.engine, job_id))]
        job = next((j for j in found if j["kind"] == kind), None)
        assert job is not None and job["state"] == "done", found
        step.update(job_seconds=job["seconds"], counts=job["counts"])
    return entry["step"]


def _alert_ids(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(select(alerts.c.alert_id)).scalars())


def _new_alerts(store: Store, before: set[str], delta_ids: set[str]) -> dict[str, Any]:
    """Alerts the full rescreen opened that neither the first screening nor the delta had.

    On a delta designation they are a delta miss (its prefilter or its borrowed weights); on an
    unchanged designation they come from the new version's token weights (the 50 added names make
    their words more common), which a delta rescreen does not look at by design.
    """
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                alerts.c.alert_id,
                alerts.c.party_id,
                alerts.c.entity_id,
                alerts.c.matched_name,
                alerts.c.score,
                alerts.c.subject,
            )
        ).all()
    fresh = [row for row in rows if row.alert_id not in before]
    details = [
        {
            "party_id": row.party_id,
            "party_name": (row.subject or {}).get("name"),
            "entity_id": row.entity_id,
            "matched_name": row.matched_name,
            "score": round(row.score, 4),
            "delta_designation": row.entity_id in delta_ids,
        }
        for row in fresh
    ]
    missed = [d for d in details if d["delta_designation"]]
    return {
        "on_delta_designations": len(missed),
        "on_unchanged_designations": len(details) - len(missed),
        "examples": details[:20],
    }


def _batch_sample(store: Store, csv_path: Path, workers: int) -> dict[str, Any]:
    """The batch command's runner (its own index of the same lists, built before the clock starts)
    on the file's first BATCH_SAMPLE rows."""
    versions, designations = store.active_snapshot()
    rows = list(itertools.islice(open_input(csv_path).rows(), BATCH_SAMPLE))
    entry: dict[str, Any] = {}
    runner = BatchRunner(designations, {c: v.label for c, v in versions.items()}, workers=workers)
    runner.start()  # the index build, before the clock
    del designations
    with _step(entry, "step", len(rows)):
        screened = sum(1 for _, outcome in runner.run(iter(rows)) if outcome.decision != "error")
        runner.close()  # the workers' CPU is counted once they have ended
    entry["step"]["screened"] = screened
    return entry["step"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parties", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a temporary folder")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: every core)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/monitoring.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="monitoring-bench-") as folder:
        result = run(args.parties, args.database_url, Path(folder), args.workers)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
