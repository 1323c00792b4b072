"""compare() over the labelled eval files (benchmarks/data/eval)."""

import csv

import pytest

from benchmarks.pr_curve import precision_recall_curve
from screening.compare import compare
from screening.thresholds import DEFAULT_THRESHOLD
from tests.conftest import REPO_ROOT

EVAL = REPO_ROOT / "benchmarks" / "data" / "eval"


def _cross_script_rows() -> list[tuple[str, str, float]]:
    rows = []
    for line in (EVAL / "cross_script_pairs.csv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, expected, minimum, _ = line.split(",", 3)
            rows.append((query, expected, float(minimum)))
    return rows


@pytest.mark.parametrize(("query", "expected", "minimum"), _cross_script_rows())
def test_cross_script_pairs_reach_their_minimum(query: str, expected: str, minimum: float) -> None:
    assert compare(query, expected).score >= minimum


def test_compare_shape_and_decision() -> None:
    result = compare(
        "Sichuan Juxinhe Network Technology Company Limited",
        "SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.",
        "entity",
    )
    assert result.decision == "match" and 0.0 <= result.score <= 1.0
    assert result.explanation.token_matches
    assert (
        compare("Sichuan Airlines Co Ltd", "SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD.").decision
        == "no-match"
    )


def test_name_pairs_f1_at_default_threshold() -> None:
    with (EVAL / "name_pairs.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    (point,) = precision_recall_curve(rows, [DEFAULT_THRESHOLD])
    assert point["f1"] >= 0.85, point  # logic-v2 reaches 0.796
