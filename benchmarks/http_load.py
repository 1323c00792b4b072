"""Bounded HTTP load test of POST /v1/screen on loopback, with an audit check.

    # start a server itself (bundled lists in a temp SQLite, or --database-url), drive it with wrk
    python -m benchmarks.http_load --serve --workers 2 --duration 30
    # or drive a running server
    python -m benchmarks.http_load --url http://127.0.0.1:8000 --token ssk_... --database-url sqlite:///...

Request bodies are a fixed, seeded mix: a third real primary names from the
loaded lists, a third variants of them (case, token order, a dropped letter),
a third made-up names (Faker) that should not be listed. Every request carries
a `reference` starting with this run's id, so afterwards the audit table must
hold at least one record per 200 (requests still in flight when the run stops
may be audited without their answer being counted).

The load comes from `wrk` (Debian package `wrk`) when it is on PATH, else from
Python client processes. Only 127.0.0.1 is allowed, and runs are bounded.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- request bodies


def _variant(name: str, rng: random.Random) -> str:
    tokens = name.split()
    kind = rng.randrange(3)
    if kind == 0 and len(tokens) > 1:
        return " ".join(reversed(tokens))
    if kind == 1 and len(name) > 6:
        cut = rng.randrange(1, len(name) - 1)
        return name[:cut] + name[cut + 1 :]
    return name.title() if name.isupper() else name.upper()


def screen_names(database_url: str, count: int = 300, seed: int = 7) -> list[str]:
    """Real listed names, variants of them and unlisted names, in a seeded order."""
    from faker import Faker
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            listed = [
                row[0]
                for row in conn.execute(
                    text(
                        "SELECT d.primary_name FROM designations d "
                        "JOIN active_lists a ON a.version_id = d.version_id"
                    )
                )
                if 3 <= len(row[0]) <= 200
            ]
    finally:
        engine.dispose()
    rng = random.Random(seed)
    third = count // 3
    real = rng.sample(listed, min(third, len(listed))) if listed else []
    variants = [_variant(name, rng) for name in rng.sample(real, len(real))]
    fake = Faker(["en_US", "de_DE", "es_ES", "ru_RU", "zh_CN", "ar_AA"])
    fake.seed_instance(seed)
    unlisted = [fake.name() if i % 2 else fake.company() for i in range(count - len(real) - len(variants))]
    names = real + variants + unlisted
    rng.shuffle(names)
    return names


def _lua_string(value: str) -> str:
    """A Lua string literal; every byte but letters, digits and spaces as a 3-digit decimal escape."""
    return (
        '"' + "".join(chr(b) if chr(b).isalnum() or b == 32 else f"\\{b:03d}" for b in value.encode()) + '"'
    )


def _body_template(name: str) -> str:
    """The JSON body with a `%s` where the reference goes (for Lua string.format and Python %)."""
    return json.dumps({"name": name, "reference": "REF"}).replace("%", "%%").replace('"REF"', '"%s"')


def wrk_script(names: list[str], run_id: str, token: str) -> str:
    """A wrk Lua script posting the bodies round-robin and counting statuses per thread."""
    bodies = ",\n".join(_lua_string(_body_template(name)) for name in names)
    return f"""
local bodies = {{
{bodies}
}}
local threads = {{}}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  n = 0
  ok = 0
  other = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer {token}"
end
function request()
  n = n + 1
  local body = string.format(bodies[(n % #bodies) + 1], "{run_id}-" .. tid .. "-" .. n)
  return wrk.format(nil, "/v1/screen", nil, body)
end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local total_ok, total_other = 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_other = total_other + t:get("other")
  end
  io.write(string.format("STATUS ok=%d other=%d\\n", total_ok, total_other))
end
"""


# ---------------------------------------------------------------- load generators


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        return float("nan")
    value, unit = float(match[1]), match[2]
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict[str, object]:
    """The numbers of `wrk --latency` output plus the Lua STATUS line."""
    summary: dict[str, object] = {}
    if m := re.search(r"(\d+) requests in ([\d.]+)(\w+)", output):
        summary["requests"] = int(m[1])
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        summary["requests_per_s"] = float(m[1])
    for pct in ("50", "75", "90", "99"):
        if m := re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", output, re.M):
            summary[f"p{pct}_ms"] = round(_ms(m[1]), 2)
    if m := re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output):
        summary["max_ms"] = round(_ms(m[1]), 2)
    socket_errors = 0
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        socket_errors = sum(int(x) for x in m.groups())
    summary["socket_errors"] = socket_errors
    if m := re.search(r"STATUS ok=(\d+) other=(\d+)", output):
        summary["ok"] = int(m[1])
        summary["errors"] = int(m[2]) + socket_errors
    return summary


def run_wrk(url: str, script: str, duration: float, connections: int, threads: int) -> dict[str, object]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{int(duration)}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            handle.name,
            url,
        ]
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + 60, check=False
        )
    finally:
        os.unlink(handle.name)
    summary = parse_wrk(completed.stdout)
    summary["client"] = "wrk " + " ".join(command[1:-3]) + " " + url
    if completed.returncode != 0 or "ok" not in summary:
        summary["client_error"] = (completed.stderr or completed.stdout)[-2000:]
    return summary


def _py_worker(
    host: str, port: int, token: str, bodies: list[str], run_id: str, until: float, out: list
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    i = 0
    while time.time() < until:
        body = bodies[i % len(bodies)] % f"{run_id}-{i}"
        i += 1
        started = time.perf_counter()
        try:
            conn.request("POST", "/v1/screen", body.encode(), headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=10)
        out.append((time.perf_counter() - started, status))
    conn.close()


def _py_process(
    host: str,
    port: int,
    token: str,
    bodies: list[str],
    run_id: str,
    until: float,
    threads: int,
    queue: mp.Queue,
) -> None:
    results: list[tuple[float, int]] = []
    pool = [
        threading.Thread(target=_py_worker, args=(host, port, token, bodies, f"{run_id}-{t}", until, results))
        for t in range(threads)
    ]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    queue.put(results)


def run_python(
    host: str,
    port: int,
    token: str,
    names: list[str],
    run_id: str,
    duration: float,
    processes: int,
    threads: int,
) -> dict[str, object]:
    bodies = [_body_template(name) for name in names]
    until = time.time() + duration
    queue: mp.Queue = mp.Queue()
    procs = [
        mp.Process(
            target=_py_process, args=(host, port, token, bodies, f"{run_id}-p{p}", until, threads, queue)
        )
        for p in range(processes)
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
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else None
    return {
        "client": f"python {processes} processes x {threads} connections",
        "requests": len(results),
        "requests_per_s": round(len(results) / elapsed, 1),
        "ok": ok,
        "errors": len(results) - ok,
        "p50_ms": round(cuts[49] * 1000, 2) if cuts else None,
        "p99_ms": round(cuts[98] * 1000, 2) if cuts else None,
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else None,
    }


# ---------------------------------------------------------------- server under test


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bundled_sqlite(directory: Path) -> str:
    """A SQLite file in `directory` holding every bundled list."""
    from lists.loader import load_lists
    from lists.store import Store

    url = f"sqlite:///{directory / 'bench.db'}"
    store = Store(url)
    try:
        failed = [o for o in load_lists(store) if not o.ok]
        if failed:
            raise SystemExit(f"bundled lists failed to load: {[(o.list_code, o.error) for o in failed]}")
    finally:
        store.close()
    return url


def _create_key(database_url: str) -> str:
    from lists.store import Store
    from service.auth import create_key

    store = Store(database_url)
    try:
        return create_key(store.engine, "screen", "http_load benchmark")[1]
    finally:
        store.close()


@contextmanager
def served(
    database_url: str, data_dir: Path, workers: int, timeout: float = 600, spawned: bool = False
) -> Iterator[tuple[str, int]]:
    """`sanctions serve` on a free loopback port; yields (URL, pid) once every worker has built its index.

    `spawned`: uvicorn's own worker processes instead (each a fresh interpreter, as `serve` ran
    them before its workers were forked from a preloaded parent), as a baseline.
    """
    port = _free_port()
    log_path = data_dir / "server.log"
    env = {**os.environ, "DATABASE_URL": database_url, "SANCTIONS_DATA_DIR": str(data_dir)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if spawned:
        command = [
            *(sys.executable, "-m", "uvicorn", "service.app:app_from_env", "--factory", "--no-access-log"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        ]
    else:
        command = [
            *(sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1"),
            *("--port", str(port), "--workers", str(workers)),
        ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while log_path.read_text(errors="replace").count("serving index of") < workers:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"server did not become ready:\n{log_path.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.5)
        time.sleep(1.0)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _cpu_seconds(pid: int) -> float:
    """User+system CPU seconds of a process and its live children (the uvicorn workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _server_pids(pid: int) -> list[int]:
    """The server process and its children (uvicorn's workers)."""
    pids = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return pids


def server_memory(pid: int) -> dict[str, float]:
    """Resident memory of the server's processes: summed PSS (shared pages counted once) and the largest RSS."""
    pss = rss = 0.0
    for child in _server_pids(pid):
        try:
            text = Path(f"/proc/{child}/smaps_rollup").read_text()
        except OSError:
            continue
        fields = {line.split(":")[0]: int(line.split()[1]) for line in text.splitlines()[1:] if ":" in line}
        pss += fields.get("Pss", 0) / 2**20
        rss = max(rss, fields.get("Rss", 0) / 2**20)
    return {"server_pss_gib": round(pss, 2), "largest_process_rss_gib": round(rss, 2)}


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


def audit_stats(url: str, token: str) -> dict[str, float]:
    """Group-commit figures from the server's /metrics (all workers): commits, rows per commit, slow ones."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {token}"})
    text = conn.getresponse().read().decode()
    conn.close()

    def value(pattern: str) -> float:
        found = re.findall(rf"^{pattern} ([\d.e+-]+)$", text, re.M)
        return sum(float(v) for v in found)

    commits = value(r"sanctions_audit_commit_seconds_count")
    rows = value(r"sanctions_audit_batch_rows_sum")
    if not commits:
        return {}
    return {
        "audit_commits": int(commits),
        "audit_rows_per_commit": round(rows / commits, 2),
        "audit_commit_mean_ms": round(1000 * value(r"sanctions_audit_commit_seconds_sum") / commits, 2),
        "audit_commits_over_100ms": int(
            commits - value(r'sanctions_audit_commit_seconds_bucket\{le="0.1"\}')
        ),
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _warm_up(url: str, token: str, names: list[str]) -> None:
    """A few requests per name shape so first-call costs (caches, imports) stay out of the run."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    for name in names[:100]:
        conn.request("POST", "/v1/screen", json.dumps({"name": name, "reference": "warm-up"}), headers)
        conn.getresponse().read()
    conn.close()


def measure(
    args: argparse.Namespace, url: str, token: str, database_url: str, server_pid: int | None = None
) -> dict[str, object]:
    run_id = f"load-{uuid.uuid4().hex[:12]}"
    names = screen_names(database_url, args.bodies)
    _warm_up(url, token, names)
    load_before = os.getloadavg()[0]  # other work on the machine competes for the same 2 cores
    server_cpu = _cpu_seconds(server_pid) if server_pid else 0.0
    client_cpu = _children_cpu()
    use_wrk = shutil.which("wrk") is not None and not args.python_client
    if use_wrk:
        summary = run_wrk(
            url, wrk_script(names, run_id, token), args.duration, args.connections, args.wrk_threads
        )
    else:
        parts = urlsplit(url)
        summary = run_python(
            parts.hostname or "127.0.0.1",
            parts.port or 80,
            token,
            names,
            run_id,
            args.duration,
            args.processes,
            max(1, args.connections // args.processes),
        )
    summary = {"duration_s": args.duration, "connections": args.connections, **summary}
    requests = max(1, int(summary.get("requests") or 0))  # type: ignore[call-overload]
    if server_pid:
        summary["server_cpu_ms_per_request"] = round(
            1000 * (_cpu_seconds(server_pid) - server_cpu) / requests, 3
        )
    if use_wrk:
        summary["client_cpu_ms_per_request"] = round(1000 * (_children_cpu() - client_cpu) / requests, 3)
    summary["load_average_before"] = round(load_before, 2)
    summary["load_average_after"] = round(os.getloadavg()[0], 2)
    if server_pid:
        summary.update(server_memory(server_pid))
    summary.update(audit_stats(url, token))
    if database_url:
        audited = _audited(database_url, run_id)
        summary["audited"] = audited
        summary["audit_complete"] = audited >= int(summary.get("ok", 0))  # type: ignore[arg-type]
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serve", action="store_true", help="start `sanctions serve` for the run")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="server workers with --serve (default 2: one per core of the 2-core reference machine)",
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="a running server (without --serve)")
    parser.add_argument("--token", help="API key of the running server (created with --serve)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="the server's database (audit check); with --serve: a loaded database to serve "
        "(default: the bundled lists loaded into a temporary SQLite file)",
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--processes", type=int, default=2, help="Python client processes (no wrk)")
    parser.add_argument(
        "--python-client", action="store_true", help="use the Python client even if wrk exists"
    )
    parser.add_argument("--bodies", type=int, default=300, help="distinct request bodies")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 600:
        parser.error("--duration must be between 0 and 600 seconds")
    if args.serve:
        with tempfile.TemporaryDirectory(prefix="http-load-") as tmp:
            directory = Path(tmp)
            database_url = args.database_url or _bundled_sqlite(directory)
            token = _create_key(database_url)
            with served(database_url, directory, args.workers) as (url, pid):
                summary = measure(args, url, token, database_url, pid)
            summary = {"workers": args.workers, "database": database_url.split(":", 1)[0], **summary}
    else:
        parts = urlsplit(args.url)
        if parts.hostname != "127.0.0.1":
            parser.error("loopback only: --url must be http://127.0.0.1:PORT")
        if not args.token:
            parser.error("--token is required without --serve")
        summary = measure(args, args.url, args.token, args.database_url)
    print(json.dumps(summary) if args.json else "\n".join(f"{k:16} {v}" for k, v in summary.items()))
    ok = summary.get("errors") == 0 and summary.get("audit_complete", True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
