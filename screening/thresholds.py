"""The default alert threshold, chosen from a precision-recall curve on labelled pairs.

The threshold of maximum F1 on benchmarks/data/eval/name_pairs.csv (826 pairs, OpenSanctions
name_bench); the curve is drawn by `python -m benchmarks.pr_curve` (and `python -m benchmarks
quality`), its history is in BENCHMARKS.md ("Precision-recall curve").
"""

from __future__ import annotations

DEFAULT_THRESHOLD: float = 0.84
