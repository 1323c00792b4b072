"""Monitoring at scale: import 1,000,000 parties from CSV, rescreen them against a 50-designation delta,
and the full-rescreen rate. `python -m benchmarks.monitoring [--parties N] [--database-url URL]`.

Targets (issue #19): a delta rescreen of 1,000,000 parties in <= 60 s and <= 2 GiB; an import of
1,000,000 parties from CSV in <= 3 min; a full rescreen at the batch speed (1,000,000 in < 5 min).

The register: seeded synthetic parties (first and last names, and company names, drawn from Faker
pools of eight Latin-script locales), plus one party per delta designation, named as listed, so the
delta really opens alerts. The delta: OFAC (2024 files) is loaded without 50 seeded designations,
then with them: the second version adds exactly those 50. The delta index borrows its weights from
a full index built here, as the server's serving index would lend them (its build is timed apart).
Peak memory is this process's maximum RSS (the full index included).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from lists import sources
from lists.store import Store
from service.monitoring.context import build_context
from service.monitoring.cycle import Monitor
from service.monitoring.importer import import_parties
from service.monitoring.jobs import get_job
from service.monitoring.tables import parties

DELTA = 50
FULL_SAMPLE = 20_000
LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL"]
SUFFIXES = ["Ltd", "GmbH", "SA", "LLC", "Inc", "BV", "SpA", "Sp. z o.o.", "Trading", "Holding", "Group"]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_register(path: Path, count: int, extra: list[tuple[str, str, str]], seed: int = 19) -> None:
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


def run(count: int, database_url: str | None, workdir: Path) -> dict[str, Any]:
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
    result: dict[str, Any] = {"parties": count, "database": store.engine.dialect.name, "delta": DELTA}

    csv_path = workdir / "register.csv"
    started = time.perf_counter()
    extra = [
        (f"D{i:03d}", d.primary_name, d.type.value if d.type.value in ("person", "entity") else "any")
        for i, d in enumerate(held_back)
    ]
    write_register(csv_path, count, extra)
    result["csv_write_seconds"] = round(time.perf_counter() - started, 1)
    result["csv_mib"] = round(csv_path.stat().st_size / 2**20, 1)

    started = time.perf_counter()
    report = import_parties(store.engine, csv_path)
    result["import"] = {
        "seconds": round(time.perf_counter() - started, 1),
        "rows": report.rows,
        "created": report.created,
        "problems": report.problem_count,
        "peak_rss_mib": round(_peak_mib()),
    }
    started = time.perf_counter()
    again = import_parties(store.engine, csv_path)
    result["reimport_unchanged"] = {
        "seconds": round(time.perf_counter() - started, 1),
        "unchanged": again.unchanged,
    }
    with store.engine.begin() as conn:  # the register as it stands after its first screening
        conn.execute(parties.update().values(needs_screen=False))

    started = time.perf_counter()
    context = build_context(store)
    assert context is not None
    result["weights_index_build_seconds"] = round(time.perf_counter() - started, 1)
    monitor = Monitor(store, lambda: context)
    monitor.run_once("benchmark: start")  # sets the watermark (no job: the register was screened)
    store.load(parsed)  # the 50 come back: the delta
    started = time.perf_counter()
    jobs = monitor.run_once("benchmark: delta")
    seconds = time.perf_counter() - started
    job = get_job(store.engine, jobs[0]) if jobs else None
    assert job is not None and job["state"] == "done", job
    result["delta_rescreen"] = {
        "seconds": round(seconds, 1),
        "job_seconds": job["seconds"],
        "counts": job["counts"],
        "peak_rss_mib": round(_peak_mib()),
    }

    with store.engine.connect() as conn:
        sample = list(conn.execute(select(parties.c.party_id).limit(FULL_SAMPLE)).scalars())
    started = time.perf_counter()
    counts = monitor.screen_now(context, sample)
    seconds = time.perf_counter() - started
    result["full_rescreen_sample"] = {
        "parties": len(sample),
        "seconds": round(seconds, 1),
        "parties_per_s": round(len(sample) / seconds),
        "projected_seconds_per_million": round(1_000_000 * seconds / len(sample)),
        "alerts_opened": counts.alerts_opened,
    }
    result["peak_rss_mib"] = round(_peak_mib())
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parties", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a temporary folder")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/monitoring.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="monitoring-bench-") as folder:
        result = run(args.parties, args.database_url, Path(folder))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
