"""Pure metric code: confusion counts, precision/recall/F1, threshold sweeps, percentiles.

Kept free of any engine import so the maths is tested on its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Confusion:
    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Share of alerts that are true matches; 1.0 when nothing alerted (no false alerts)."""
        alerts = self.tp + self.fp
        return self.tp / alerts if alerts else 1.0

    @property
    def recall(self) -> float:
        """Share of true matches that alerted; 1.0 when there were no true matches to find."""
        positives = self.tp + self.fn
        return self.tp / positives if positives else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if (p + r) else 0.0

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    def as_dict(self) -> dict[str, float | int]:
        return {
            **asdict(self),
            "n": self.total,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def confusion(scores: Iterable[float], labels: Iterable[bool], threshold: float) -> Confusion:
    """Count outcomes where a score at or above `threshold` means "match"."""
    tp = fp = tn = fn = 0
    for score, label in zip(scores, labels, strict=True):
        predicted = score >= threshold
        if predicted and label:
            tp += 1
        elif predicted:
            fp += 1
        elif label:
            fn += 1
        else:
            tn += 1
    return Confusion(tp, fp, tn, fn)


def threshold_grid(start: float = 0.50, stop: float = 0.99, step: float = 0.01) -> list[float]:
    count = round((stop - start) / step) + 1
    return [round(start + i * step, 4) for i in range(count)]


def sweep(
    scores: Sequence[float], labels: Sequence[bool], thresholds: Iterable[float]
) -> list[dict[str, float]]:
    """Precision, recall and F1 at each threshold: the data of the PR curve."""
    rows = []
    for t in thresholds:
        c = confusion(scores, labels, t)
        rows.append(
            {
                "threshold": t,
                "precision": round(c.precision, 4),
                "recall": round(c.recall, 4),
                "f1": round(c.f1, 4),
            }
        )
    return rows


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation), as latency reports usually mean it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]
