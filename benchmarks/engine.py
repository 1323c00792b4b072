"""Lazy access to the engine under test, plus the deliberately worsened variants.

The benchmarks import the matching core and the screener only when they run, so
`python -m benchmarks --help` and the metric tests work even while a part is missing.
`SANCTIONS_BENCH_WORSEN` proves the CI gate bites: "quality" halves every pair
score, "speed" makes every screening call slower, "1"/"all" does both.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

WORSEN_ENV = "SANCTIONS_BENCH_WORSEN"


def worsen_modes() -> set[str]:
    raw = os.environ.get(WORSEN_ENV, "").strip().lower()
    if raw in ("", "0", "no", "false"):
        return set()
    if raw in ("1", "yes", "true", "all"):
        return {"quality", "speed"}
    return {part.strip() for part in raw.split(",") if part.strip()}


@dataclass(frozen=True)
class PairScorer:
    """Scores one name pair in [0, 1]; `source` says which engine function did it."""

    score: Callable[[str, str, str], float]
    threshold: float
    source: str
    worsened: bool = False


def default_threshold() -> float:
    from screening.thresholds import DEFAULT_THRESHOLD

    return float(DEFAULT_THRESHOLD)


def _base_scorer() -> PairScorer:
    from screening.compare import compare

    def score(name_a: str, name_b: str, type_: str) -> float:
        return float(compare(name_a, name_b, type=type_).score)

    return PairScorer(score, default_threshold(), "screening.compare.compare")


def pair_scorer() -> PairScorer:
    """`screening.compare.compare` at `DEFAULT_THRESHOLD`, halved when worsening quality."""
    scorer = _base_scorer()
    if "quality" in worsen_modes():
        inner = scorer.score
        return PairScorer(
            score=lambda a, b, t: inner(a, b, t) / 2,
            threshold=scorer.threshold,
            source=scorer.source + " (WORSENED: scores halved)",
            worsened=True,
        )
    return scorer


def load_list(list_code: str) -> list[Any]:
    """One bundled list, parsed straight from the shipped files (no database)."""
    from lists.model import ListCode
    from lists.sources import parse_bundled

    return list(parse_bundled(ListCode(list_code)).designations)


def load_all_designations() -> list[Any]:
    """Every bundled list (OFAC SDN + 2025 delta, OFAC non-SDN, UN, internal watchlist)."""
    from lists.sources import bundled_sources

    return [d for code in bundled_sources() for d in load_list(code)]


def entity_type(designation: Any) -> str:
    """A designation's type as text ("person", "entity", ...)."""
    return str(getattr(designation.type, "value", designation.type))


def make_query(name: str, type_: str = "any", **fields: Any) -> Any:
    from screening.query import Query

    return Query(name=name, type=type_, **fields)


class SlowScreener:
    """Wraps a Screener and burns extra time per query: the "speed" worsening."""

    def __init__(self, inner: Any, delay_s: float = 0.01) -> None:
        self._inner = inner
        self._delay_s = delay_s
        self.stats = getattr(inner, "stats", None)

    def screen(self, query: Any) -> Any:
        end = time.perf_counter() + self._delay_s
        while time.perf_counter() < end:
            pass
        return self._inner.screen(query)

    def screen_many(self, queries: Iterable[Any]) -> list[Any]:
        return [self.screen(q) for q in queries]


def build_screener(designations: Sequence[Any], **kwargs: Any) -> Any:
    from screening.heap import freeze_long_lived
    from screening.screener import Screener

    screener = Screener(designations, **kwargs)
    freeze_long_lived()  # as the service and the CLI do once an index is built
    if "speed" in worsen_modes():
        return SlowScreener(screener)
    return screener


def engine_versions() -> dict[str, str]:
    """Git commit of the working tree, so a result names the code it measured."""
    import subprocess

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": "unknown"}
    return {"git_commit": commit + ("+dirty" if dirty else "")}
