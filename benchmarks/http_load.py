"""Bounded HTTP load test of POST /v1/screen against a running server on loopback.

    python -m benchmarks.http_load --token ssk_... --database-url sqlite:///... [--duration 30]

Client processes (default 2) each keep one connection per worker thread and send
screening requests in a closed loop for a fixed duration, then stop by
themselves. Reports requests/s, p50/p99/max latency and errors, then checks the
audit table holds a record for every 200 (counted by the `reference` each
request carries). Only 127.0.0.1 is allowed: this is not a tool for other hosts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import statistics
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit

NAMES = [
    "Sichuan Juxinhe Network Technology Company Limited",
    "John Smith",
    "Maria Gonzalez Rodriguez",
    "Shanghai Anxun Information Technology",
    "Acme Trading LLC",
    "Vladimir Petrov",
    "Mohammed Al Hassan",
    "Global Shipping Holdings Ltd",
    "Li Wei",
    "Banco Nacional de Cuba",
]


def _worker(
    host: str, port: int, token: str, run_id: str, until: float, out: list[tuple[float, int]]
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    i = 0
    while time.time() < until:
        body = json.dumps({"name": NAMES[i % len(NAMES)], "reference": f"{run_id}:{i}"})
        i += 1
        started = time.perf_counter()
        try:
            conn.request("POST", "/v1/screen", body, headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=10)
        out.append((time.perf_counter() - started, status))
    conn.close()


def _process(
    host: str, port: int, token: str, run_id: str, until: float, threads: int, queue: mp.Queue
) -> None:
    results: list[tuple[float, int]] = []
    pool = [
        threading.Thread(target=_worker, args=(host, port, token, f"{run_id}-{t}", until, results))
        for t in range(threads)
    ]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    queue.put(results)


def _audited(database_url: str, run_id: str) -> int:
    from sqlalchemy import create_engine, func, select

    from service.db_models import screenings

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(screenings)
                    .where(screenings.c.reference.like(f"{run_id}%"))
                ).scalar_one()
            )
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True)
    parser.add_argument("--database-url", help="the server's database, to check the audit trail")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="connections per process")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    parts = urlsplit(args.url)
    if parts.hostname != "127.0.0.1":
        parser.error("loopback only: --url must be http://127.0.0.1:PORT")
    if not 0 < args.duration <= 3600:
        parser.error("--duration must be between 0 and 3600 seconds")
    run_id = f"load-{uuid.uuid4().hex[:12]}"
    until = time.time() + args.duration
    queue: mp.Queue = mp.Queue()
    procs = [
        mp.Process(
            target=_process,
            args=(parts.hostname, parts.port or 80, args.token, f"{run_id}-{p}", until, args.threads, queue),
        )
        for p in range(args.processes)
    ]
    started = time.time()
    for p in procs:
        p.start()
    results = [item for _ in procs for item in queue.get()]
    for p in procs:
        p.join()
    elapsed = time.time() - started
    latencies = sorted(seconds for seconds, _ in results)
    ok = sum(1 for _, status in results if status == 200)
    summary = {
        "duration_s": round(elapsed, 1),
        "connections": args.processes * args.threads,
        "requests": len(results),
        "requests_per_s": round(len(results) / elapsed, 1),
        "ok": ok,
        "errors": len(results) - ok,
        "p50_ms": round(statistics.quantiles(latencies, n=100)[49] * 1000, 2) if len(latencies) > 1 else None,
        "p99_ms": round(statistics.quantiles(latencies, n=100)[98] * 1000, 2) if len(latencies) > 1 else None,
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else None,
    }
    if args.database_url:
        summary["audited"] = _audited(args.database_url, run_id)
        summary["audit_complete"] = summary["audited"] >= ok
    print(json.dumps(summary) if args.json else "\n".join(f"{k:16} {v}" for k, v in summary.items()))
    return 0 if summary["errors"] == 0 and summary.get("audit_complete", True) else 1


if __name__ == "__main__":
    sys.exit(main())
