"""The default alert threshold, chosen from a precision-recall curve on labelled pairs.

`precision_recall_curve(rows)` gives precision, recall and F1 of `compare` at each
threshold; `python -m screening.thresholds [name_pairs.csv]` prints it for
benchmarks/data/eval/name_pairs.csv (826 pairs, OpenSanctions name_bench).

Curve re-recorded after acronyms were typed (only an organisation's words spell one out),
legal forms stopped padding whole-name comparisons, initials-only matches were halved and
vowel-only spelling differences (laden / ladin) credited 0.90:
    threshold  precision  recall  F1
    0.80       0.888      0.859   0.873
    0.82       0.905      0.854   0.879
    0.84       0.919      0.854   0.885   <- maximum F1: chosen (unchanged)
    0.86       0.927      0.833   0.877
    0.88       0.930      0.812   0.867
(re-recorded 2026-11-24 after generic organisation words were matched through rigour's symbol
table: "Grp" / "Group", "Int'l" / "International", "科技" read as "tech"; one more labelled match
found, 17 more real SDN aliases recovered with a company's missing generic words costing half.) Before that, after abbreviations, unified "Co., Ltd." / "Company Limited"
forms and an entity's extra-word cost of 0.33: F1 0.884; it is the same for costs from 0.33
to 0.40, and 0.30 added three false positives.)
Earlier curves also peaked at 0.84 (F1 0.882 before these changes; 0.876 after the
false-alert work, which cut the alert rate on 1,800 Faker names over all bundled lists
from 11.7% to 2.5%).
For reference at 0.7 on the same file: OpenSanctions logic-v2 F1 0.796, OFAC-style
Jaro-Winkler F1 0.670.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

DEFAULT_THRESHOLD: float = 0.84

SCHEMA_TYPES = {
    "Person": "person",
    "Company": "entity",
    "Organization": "entity",
    "LegalEntity": "entity",
    "Vessel": "vessel",
}


def precision_recall_curve(
    rows: Iterable[Mapping[str, str]], thresholds: Iterable[float] | None = None
) -> list[dict[str, float]]:
    """P/R/F1 per threshold for rows with name1, name2, is_match ("true"/"false"), schema."""
    from screening.compare import compare

    scored = [
        (
            compare(r["name1"], r["name2"], SCHEMA_TYPES.get(r.get("schema", ""), "any")).score,
            r["is_match"].strip().lower() == "true",
        )
        for r in rows
    ]
    out = []
    for th in thresholds or [x / 100 for x in range(50, 100, 2)]:
        tp = sum(1 for s, m in scored if s >= th and m)
        fp = sum(1 for s, m in scored if s >= th and not m)
        fn = sum(1 for s, m in scored if s < th and m)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out.append({"threshold": th, "precision": p, "recall": r, "f1": f1})
    return out


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "eval" / "name_pairs.csv"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    with path.open(encoding="utf-8") as fh:
        for point in precision_recall_curve(csv.DictReader(fh)):
            print("{threshold:.2f} P={precision:.3f} R={recall:.3f} F1={f1:.3f}".format(**point))
