"""A mapped index against a built one: CPU a query on the speed mix, by names kept decoded.

    python -m benchmarks.mapped_index                  # built, then mapped with the default cache
    python -m benchmarks.mapped_index --cache 8192 --cache 50000

The server maps its index from a snapshot and decodes a list name the first time a query meets
it, keeping the most recently used (`SANCTIONS_INDEX_CACHE_NAMES`). A miss costs the unpickling
and the freeing of the name it evicts, so a cache smaller than the names a workload meets makes
the mapped index slower than the built one it was taken from. Both answer the same queries, in one
process, alternating built and mapped passes (`--repeats`), each pass after the speed benchmark's
cache warm-up on other queries of the same mix. A new mapped index's first pass decodes every name
it meets (cold); later passes show what the cache keeps of a workload that comes back.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from typing import Any

from benchmarks import engine
from benchmarks.speed import fresh_caches, query_mix


def _pass(screener: Any, queries: list[Any], warm_up: list[Any]) -> dict[str, float]:
    fresh_caches(screener, warm_up)
    latencies = []
    cpu_started = time.process_time()
    for query in queries:
        started = time.perf_counter_ns()
        screener.screen(query)
        latencies.append((time.perf_counter_ns() - started) / 1e6)
    cpu_ms = (time.process_time() - cpu_started) / len(queries) * 1e3
    latencies.sort()
    return {
        "cpu_ms_per_query": round(cpu_ms, 3),
        "mean_ms": round(statistics.fmean(latencies), 3),
        "p50_ms": round(latencies[len(latencies) // 2], 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)], 3),
    }


def run(caches: list[int], per_kind: int, repeats: int) -> dict[str, Any]:
    from screening.index_parts import DEFAULT_CACHE_NAMES, screener_from_parts, screener_parts

    designations = engine.load_all_designations()
    built = engine.build_screener(designations)
    parts = screener_parts(built)
    both = query_mix(designations, 2 * per_kind)
    queries = [engine.make_query(name) for _, name in both[::2]]
    warm_up = [engine.make_query(name) for _, name in both[1::2]]
    gc.freeze()  # as the server freezes its index
    report: dict[str, Any] = {"queries": len(queries), "runs": []}
    for cache in caches or [DEFAULT_CACHE_NAMES]:
        mapped = screener_from_parts(parts, built.list_versions, cache_names=cache)
        for number in range(1, repeats + 1):
            report["runs"].append({"index": "built", "pass": number, **_pass(built, queries, warm_up)})
            measured = _pass(mapped, queries, warm_up)
            names = mapped.index.names
            kept = len(names._cache)  # type: ignore[attr-defined]
            report["runs"].append(
                {"index": "mapped", "pass": number, "cache_names": cache, "kept": kept, **measured}
            )
        del mapped
        gc.collect()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cache", type=int, action="append", default=[], help="names kept decoded (repeatable)"
    )
    parser.add_argument("--per-kind", type=int, default=300, help="queries of each kind in the speed mix")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.cache, args.per_kind, args.repeats), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
