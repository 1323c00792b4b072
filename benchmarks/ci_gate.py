"""The CI gate: F1 on name_pairs.csv and the speed ratio vs the in-run baseline, against floors.

Floors live in benchmarks/floors.json (committed). They only ever move up:
`--raise-floors` lifts each to a margin below the value just measured and never
lowers one, so a regression cannot be hidden by re-recording.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import engine

FLOORS_PATH = Path(__file__).resolve().parent / "floors.json"

# CI-sized speed run: small enough for < 2 minutes on this machine, big enough to be stable.
CI_SPEED = {"per_kind": 60, "repeats": 1}


@dataclass(frozen=True)
class Check:
    metric: str
    measured: float
    floor: float
    passed: bool
    why: str


def load_floors(path: Path = FLOORS_PATH) -> dict[str, Any]:
    return json.loads(path.read_text())


def check_floors(measured: dict[str, float], floors: dict[str, Any]) -> list[Check]:
    """One Check per measured metric that has a floor; a metric without a floor is an error."""
    checks = []
    for metric, value in measured.items():
        spec = floors["floors"].get(metric)
        if spec is None:
            raise KeyError(f"benchmarks/floors.json has no floor for {metric!r}")
        floor = float(spec["floor"])
        passed = value >= floor
        why = spec.get("what", metric)
        checks.append(Check(metric, round(value, 4), floor, passed, why))
    return checks


def raised_floors(measured: dict[str, float], floors: dict[str, Any]) -> dict[str, Any]:
    """Floors lifted to (measured - margin) where that is higher; never lowered."""
    updated = json.loads(json.dumps(floors))
    for metric, value in measured.items():
        spec = updated["floors"][metric]
        if "margin" in spec:
            candidate = value - float(spec["margin"])
        else:
            candidate = value * (1 - float(spec["margin_fraction"]))
        candidate = round(candidate, 3)
        if candidate > float(spec["floor"]):
            spec["floor"] = candidate
    return updated


def failure_message(checks: list[Check]) -> str:
    lines = ["BENCHMARK GATE FAILED: a metric fell below its floor in benchmarks/floors.json"]
    for c in checks:
        if not c.passed:
            lines.append(f"  {c.metric} = {c.measured} < floor {c.floor}  ({c.why})")
    lines.append(
        "Matching got worse or slower. Fix the regression; floors are never lowered to make CI pass."
    )
    return "\n".join(lines)


def measure(
    parts: tuple[str, ...], speed_overrides: dict[str, int] | None = None
) -> tuple[dict[str, float], dict[str, Any]]:
    measured: dict[str, float] = {}
    details: dict[str, Any] = {}
    if "quality" in parts:
        from benchmarks.quality import run_quality

        quality = run_quality(full=False)
        overall = quality["name_pairs"]["overall"]
        measured["name_pairs_f1"] = overall["f1"]
        details["quality"] = {
            "scorer": quality["scorer"],
            "threshold": quality["threshold"],
            "overall": overall,
        }
    if "speed" in parts:
        from benchmarks.speed import run_speed

        speed = run_speed(**{**CI_SPEED, **(speed_overrides or {})})
        measured["speed_ratio"] = speed["speed_ratio"]
        details["speed"] = {
            "p50_ms": speed["latency_ms"]["p50"],
            "p99_ms": speed["latency_ms"]["p99"],
            "baseline_mean_ms": speed["baseline"]["mean_ms"],
            "screener_mean_ms": speed["speed_ratio_screener_mean_ms"],
            "build_seconds": speed["index"]["build_seconds"],
        }
    if "world" in parts:
        from benchmarks.world import ci_measures

        world = ci_measures()
        measured["world_speed_ratio"] = world["speed"]["ratio"]
        recall = world["typo_recall"]["recall"]
        measured["typo_index_recall"] = 1.0 if recall is None else recall
        details["world"] = world
    return measured, details


def run_gate(
    parts: tuple[str, ...] = ("quality", "speed", "world"),
    raise_floors: bool = False,
    floors_path: Path = FLOORS_PATH,
    speed_overrides: dict[str, int] | None = None,
) -> tuple[int, dict[str, Any]]:
    started = time.perf_counter()
    floors = load_floors(floors_path)
    measured, details = measure(parts, speed_overrides)
    checks = check_floors(measured, floors)
    result: dict[str, Any] = {
        "kind": "ci",
        "parts": list(parts),
        "worsened": sorted(engine.worsen_modes()),
        "checks": [asdict(c) for c in checks],
        "details": details,
        "seconds": round(time.perf_counter() - started, 1),
    }
    failed = [c for c in checks if not c.passed]
    for c in checks:
        print(f"{'ok  ' if c.passed else 'FAIL'} {c.metric}: measured {c.measured}, floor {c.floor}")
    if failed:
        print(failure_message(checks), file=sys.stderr)
        return 1, result
    if raise_floors:
        if engine.worsen_modes():
            print(f"refusing to raise floors while {engine.WORSEN_ENV} is set", file=sys.stderr)
            return 2, result
        updated = raised_floors(measured, floors)
        floors_path.write_text(json.dumps(updated, indent=2) + "\n")
        for metric in measured:
            old, new = floors["floors"][metric]["floor"], updated["floors"][metric]["floor"]
            print(f"floor {metric}: {old} -> {new}" if new != old else f"floor {metric}: {old} (kept)")
    print(f"benchmark gate passed in {result['seconds']} s")
    return 0, result
