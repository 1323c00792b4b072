"""`python -m benchmarks quality|speed|peers|ci`: run a benchmark, write results, update BENCHMARKS.md."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from benchmarks import report


def cmd_quality(args: argparse.Namespace) -> int:
    from benchmarks import plots
    from benchmarks.quality import run_quality

    result = run_quality(full=not args.fast)
    path = report.write_result("quality", result)
    saved = report.read_result("quality") or result
    peers = report.read_result("peers")
    plots.pr_curve(saved, peers)
    plots.score_distributions(saved)
    report.update_markdown(report.quality_blocks(saved, peers))
    o = result["name_pairs"]["overall"]
    print(
        f"name_pairs.csv: precision {o['precision']} recall {o['recall']} F1 {o['f1']} "
        f"at threshold {result['threshold']} ({result['scorer']})"
    )
    for key in ("cross_script", "ofac_tool", "alias_recovery", "alert_rate", "cut_names"):
        section: dict[str, Any] = result.get(key) or {}
        if section.get("skipped") or section.get("error"):
            print(f"{key}: {section.get('skipped') or section.get('error')}", file=sys.stderr)
    print(f"wrote {path} and BENCHMARKS.md")
    return 0


def cmd_speed(args: argparse.Namespace) -> int:
    from benchmarks import plots
    from benchmarks.speed import run_speed

    http = (args.http_url or None, args.http_token or None) if args.http else None
    result = run_speed(per_kind=args.per_kind, repeats=args.repeats, http=http)
    path = report.write_result("speed", result)
    saved = report.read_result("speed") or result
    plots.latency_histogram(saved)
    report.update_markdown(report.speed_blocks(saved))
    lat = result["latency_ms"]
    print(
        f"latency p50 {lat['p50']:.3f} ms p95 {lat['p95']:.3f} ms p99 {lat['p99']:.3f} ms; "
        f"screen_many {result['batch']['names_per_s']:.0f} names/s; JSON-lines {result['jsonl']['names_per_s']:.0f} names/s; "
        f"build {result['index']['build_seconds']:.2f} s, peak RSS {result['index']['peak_rss_mib']:.0f} MiB; "
        f"{result['speed_ratio']:.1f}x faster than brute-force Jaro-Winkler"
    )
    print(f"wrote {path} and BENCHMARKS.md")
    return 0


def cmd_peers(args: argparse.Namespace) -> int:
    from benchmarks.peers import PeersError, run_peers

    try:
        result = run_peers(refresh=args.refresh)
    except PeersError as exc:
        print(f"peers: {exc}", file=sys.stderr)
        return 1
    path = report.write_result("peers", result)
    for algo in result["algorithms"].values():
        if "at_reference_threshold" in algo:
            a = algo["at_reference_threshold"]
            print(f"{algo['label']}: P {a['precision']} R {a['recall']} F1 {a['f1']} at {algo['threshold']}")
    quality = report.read_result("quality")
    if quality:
        from benchmarks import plots

        plots.pr_curve(quality, report.read_result("peers"))
        report.update_markdown(report.quality_blocks(quality, report.read_result("peers")))
    print(f"wrote {path}" + (" (cached)" if result.get("from_cache") else ""))
    return 0


def cmd_ci(args: argparse.Namespace) -> int:
    from benchmarks.ci_gate import run_gate

    parts = tuple(args.only) if args.only else ("quality", "speed", "world")
    overrides = {"per_kind": args.per_kind} if args.per_kind else None
    code, result = run_gate(parts, raise_floors=args.raise_floors, speed_overrides=overrides)
    report.write_result("ci", result)
    if args.record:
        report.update_markdown(report.ci_blocks(report.read_result("ci") or result))
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser(
        "quality", help="precision/recall/F1, cross-script, OFAC agreement, aliases, alert rate"
    )
    q.add_argument("--fast", action="store_true", help="labelled pairs only")
    q.set_defaults(func=cmd_quality)
    s = sub.add_parser("speed", help="latency, throughput, build cost, ratio vs brute force")
    s.add_argument("--per-kind", type=int, default=300, help="queries of each kind in the mix")
    s.add_argument("--repeats", type=int, default=3)
    s.add_argument(
        "--http",
        action="store_true",
        help="also run benchmarks/http_load.py (starts its own server unless --http-token)",
    )
    s.add_argument("--http-url", default="", help="a running server for --http (loopback)")
    s.add_argument("--http-token", default="", help="API key of the running server for --http")
    s.set_defaults(func=cmd_speed)
    p = sub.add_parser(
        "peers", help="score name_pairs.csv with nomenklatura in a separate venv (slow, on demand)"
    )
    p.add_argument("--refresh", action="store_true", help="ignore the cached results/peers.json")
    p.set_defaults(func=cmd_peers)
    c = sub.add_parser("ci", help="fast gate against benchmarks/floors.json")
    c.add_argument(
        "--raise-floors", action="store_true", help="lift floors to a margin below this run (never lowers)"
    )
    c.add_argument(
        "--only",
        action="append",
        choices=("quality", "speed", "world"),
        help="run only this part (repeatable)",
    )
    c.add_argument("--per-kind", type=int, default=0, help="override the CI query-mix size")
    c.add_argument("--record", action="store_true", help="also update the CI table in BENCHMARKS.md")
    c.set_defaults(func=cmd_ci)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
