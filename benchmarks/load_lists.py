"""Load benchmark: time and peak resident memory of loading every bundled list into a fresh store.

Target (issue 2): at most 30 s and 1 GiB RSS in total. Run:
    python -m benchmarks.load_lists [--url DATABASE_URL] [--json]
Without --url it uses a fresh SQLite file in a temporary directory. Exit code 1
when a list fails to load or a target is missed.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import orjson

TARGET_SECONDS = 30.0
TARGET_RSS_BYTES = 1024**3


def peak_rss_bytes() -> int:
    """Peak resident set size of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run(url: str) -> dict[str, object]:
    from lists.loader import load_lists
    from lists.store import Store

    started = time.perf_counter()
    store = Store(url)
    outcomes = load_lists(store)
    total = time.perf_counter() - started
    store.close()
    rss = peak_rss_bytes()
    return {
        "database": url.split(":", 1)[0],
        "total_seconds": round(total, 2),
        "peak_rss_mib": round(rss / 1024**2, 1),
        "records": sum(o.version.record_count for o in outcomes if o.version),
        "lists": [
            {"list": o.list_code, "ok": o.ok, "seconds": round(o.seconds, 2), "error": o.error}
            for o in outcomes
        ],
        "targets": {"seconds": TARGET_SECONDS, "rss_mib": TARGET_RSS_BYTES // 1024**2},
        "ok": all(o.ok for o in outcomes) and total <= TARGET_SECONDS and rss <= TARGET_RSS_BYTES,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a fresh temporary SQLite file)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.url or f"sqlite:///{Path(tmp) / 'bench.db'}")
    if args.json:
        sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        for item in result["lists"]:  # type: ignore[union-attr]
            print(f"{item['list']:<12} {'ok' if item['ok'] else 'FAILED':<7} {item['seconds']:>7.2f} s")
        print(
            f"total {result['total_seconds']} s (target {TARGET_SECONDS:.0f} s), "
            f"peak RSS {result['peak_rss_mib']} MiB (target 1024 MiB), {result['records']:,} records: "
            + ("OK" if result["ok"] else "MISSED")
        )
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
