"""Precision, recall and F1 of `screening.compare` per threshold on labelled name pairs.

Tooling, not engine: the engine keeps only the threshold chosen from this curve
(`screening.thresholds.DEFAULT_THRESHOLD`); the curve's history is in BENCHMARKS.md.

    python -m benchmarks.pr_curve [name_pairs.csv]

prints it for benchmarks/data/eval/name_pairs.csv (826 pairs, OpenSanctions name_bench).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from benchmarks.evaldata import SCHEMA_TYPES
from benchmarks.metrics import sweep

NAME_PAIRS = Path(__file__).resolve().parent / "data" / "eval" / "name_pairs.csv"


def precision_recall_curve(
    rows: Iterable[Mapping[str, str]], thresholds: Iterable[float] | None = None
) -> list[dict[str, float]]:
    """P/R/F1 per threshold for rows with name1, name2, is_match ("true"/"false"), schema."""
    from screening.compare import compare

    scores: list[float] = []
    labels: list[bool] = []
    for row in rows:
        scores.append(
            compare(row["name1"], row["name2"], SCHEMA_TYPES.get(row.get("schema", ""), "any")).score
        )
        labels.append(row["is_match"].strip().lower() == "true")
    return sweep(scores, labels, thresholds or [x / 100 for x in range(50, 100, 2)])


def main(argv: list[str]) -> None:
    path = Path(argv[0]) if argv else NAME_PAIRS
    with path.open(encoding="utf-8") as fh:
        for point in precision_recall_curve(csv.DictReader(fh)):
            print("{threshold:.2f} P={precision:.3f} R={recall:.3f} F1={f1:.3f}".format(**point))


if __name__ == "__main__":
    main(sys.argv[1:])
