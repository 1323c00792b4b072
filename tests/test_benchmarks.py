"""Fast tests of the benchmark machinery: metric maths, floors, markdown blocks, the gate biting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.ci_gate import check_floors, failure_message, raised_floors
from benchmarks.evaldata import EvalDataError, read_name_pairs
from benchmarks.metrics import Confusion, confusion, percentile, sweep, threshold_grid
from benchmarks.quality import is_spelling_variant, ofac_coverage_cost
from benchmarks.report import replace_block

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_precision_recall_f1_from_known_counts() -> None:
    c = Confusion(tp=8, fp=2, tn=5, fn=4)
    assert c.precision == pytest.approx(0.8)
    assert c.recall == pytest.approx(8 / 12)
    assert c.f1 == pytest.approx(2 * 0.8 * (8 / 12) / (0.8 + 8 / 12))
    assert c.total == 19


def test_f1_is_zero_when_nothing_is_found() -> None:
    c = Confusion(tp=0, fp=0, tn=10, fn=5)
    assert c.recall == 0.0
    assert c.f1 == 0.0


def test_confusion_counts_scores_at_the_threshold_as_matches() -> None:
    scores = [0.9, 0.7, 0.69, 0.2, 0.8]
    labels = [True, True, True, False, False]
    assert confusion(scores, labels, 0.7) == Confusion(tp=2, fp=1, tn=1, fn=1)


def test_sweep_recall_never_rises_with_the_threshold() -> None:
    scores = [i / 20 for i in range(20)]
    labels = [i % 3 == 0 for i in range(20)]
    rows = sweep(scores, labels, threshold_grid())
    assert [r["threshold"] for r in rows][:2] == [0.5, 0.51] and rows[-1]["threshold"] == 0.99
    recalls = [r["recall"] for r in rows]
    assert recalls == sorted(recalls, reverse=True)


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([3.0], 99) == 3.0


FLOORS = {
    "floors": {
        "name_pairs_f1": {"floor": 0.85, "margin": 0.02, "what": "F1"},
        "speed_ratio": {"floor": 10.0, "margin_fraction": 0.5, "what": "ratio"},
    }
}


def test_gate_fails_below_a_floor_and_passes_at_it() -> None:
    checks = check_floors({"name_pairs_f1": 0.84, "speed_ratio": 10.0}, FLOORS)
    by_metric = {c.metric: c for c in checks}
    assert not by_metric["name_pairs_f1"].passed
    assert by_metric["speed_ratio"].passed
    assert "name_pairs_f1 = 0.84 < floor 0.85" in failure_message(checks)


def test_a_metric_without_a_floor_is_an_error() -> None:
    with pytest.raises(KeyError, match="no floor"):
        check_floors({"unknown_metric": 1.0}, FLOORS)


def test_floors_only_move_up() -> None:
    higher = raised_floors({"name_pairs_f1": 0.90, "speed_ratio": 40.0}, FLOORS)
    assert higher["floors"]["name_pairs_f1"]["floor"] == pytest.approx(0.88)
    assert higher["floors"]["speed_ratio"]["floor"] == pytest.approx(20.0)
    lower = raised_floors({"name_pairs_f1": 0.80, "speed_ratio": 12.0}, FLOORS)
    assert lower["floors"]["name_pairs_f1"]["floor"] == 0.85
    assert lower["floors"]["speed_ratio"]["floor"] == 10.0
    assert FLOORS["floors"]["name_pairs_f1"]["floor"] == 0.85  # input untouched


def test_markdown_block_replaced_between_markers_only() -> None:
    text = "# T\nprose\n<!-- BEGIN:x -->\nold\n<!-- END:x -->\nmore prose\n"
    new = replace_block(text, "x", "new table")
    assert "old" not in new and "new table" in new
    assert new.startswith("# T\nprose\n") and new.endswith("more prose\n")
    appended = replace_block(new, "y", "other")
    assert "<!-- BEGIN:y -->\nother\n<!-- END:y -->" in appended and "new table" in appended


def test_ofac_coverage_cost_lowers_the_threshold_to_cover_more_pairs() -> None:
    # Four OFAC pairs scoring 0.9, 0.8, 0.5 and 0.1 here; labelled pairs: two matches at 0.95
    # and 0.6, two non-matches at 0.85 and 0.3.
    rows = ofac_coverage_cost([0.5, 0.9, 0.1, 0.8], [0.95, 0.6, 0.85, 0.3], [True, True, False, False])
    by_level = {row["coverage"]: row for row in rows}
    assert by_level[0.5]["threshold"] == 0.8 and by_level[0.5]["pairs_alerting"] == 2
    assert by_level[0.5]["precision"] == 0.5 and by_level[0.5]["recall"] == 0.5  # 0.95 and 0.85 alert
    assert by_level[1.0]["threshold"] == 0.1 and by_level[1.0]["pairs_alerting"] == 4
    assert by_level[1.0]["recall"] == 1.0 and by_level[1.0]["precision"] == 0.5  # everything alerts


def test_alias_filter_keeps_spelling_variants_and_drops_acronyms() -> None:
    assert is_spelling_variant("SHAHRIARI, Behnam", "SHAHRIYARI, Behnam")
    assert is_spelling_variant("ISLAMIC REVOLUTIONARY GUARDS CORPS", "ISLAMIC REVOLUTIONARY GUARD CORPS")
    assert not is_spelling_variant("IRGC", "ISLAMIC REVOLUTIONARY GUARD CORPS")
    assert not is_spelling_variant("Behnam SHAHRIYARI", "SHAHRIYARI, Behnam")  # same tokens
    assert not is_spelling_variant("BANK", "BANK MELLI IRAN")


def test_bad_label_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(
        "case_group,schema,name1,name2,is_match,quality,category,notes\n"
        "g,Person,A B,A C,true,MEDIUM,,\n"
        "g,Person,A B,A D,maybe,MEDIUM,,\n"
    )
    with pytest.raises(EvalDataError, match=r"pairs.csv:3: is_match"):
        read_name_pairs(path)


def _run_gate(tmp_path: Path, worsen: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANCTIONS_BENCH_WORSEN": worsen, "SANCTIONS_BENCH_RESULTS": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", "ci", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_gate_fails_with_a_worsened_scorer(tmp_path: Path) -> None:
    proc = _run_gate(tmp_path, "quality", "--only", "quality")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "BENCHMARK GATE FAILED" in proc.stderr and "name_pairs_f1" in proc.stderr
    assert (tmp_path / "ci.json").exists()


def test_gate_fails_with_a_slowed_screener(tmp_path: Path) -> None:
    proc = _run_gate(tmp_path, "speed", "--only", "speed", "--per-kind", "15")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "speed_ratio" in proc.stderr and "below its floor" in proc.stderr
