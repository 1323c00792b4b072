"""The default alert threshold, chosen from a precision-recall curve on labelled pairs.

Run `python -m screening.thresholds` to print precision, recall and F1 of
`compare` at every threshold on ../shared/data/eval/name_pairs.csv (the curve
H8's benchmarks also record). PLACEHOLDER value until the curve is recorded below.
"""

from __future__ import annotations

DEFAULT_THRESHOLD: float = 0.8
