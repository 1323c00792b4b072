"""Results files: formula injection neutralised in CSV and XLSX, matches file beside the results."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from service.batch.output import ResultsWriter, matches_path, neutralise
from service.batch.runner import RowOutcome

DANGEROUS = ["=1+1", "+31 20 555", "-2", "@SUM(A1)", "\tx", "\r=2", '=HYPERLINK("http://e","x")']
MATCH = {
    "entity_id": "ofac:1",
    "list": "ofac",
    "type": "person",
    "programs": ["SDGT", "=CMD"],
    "name": "=EVIL NAME",
    "matched_name": "-EVIL",
    "matched_name_kind": "aka",
    "score": 0.91234,
    "explanation": {"summary": "=why"},
}


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise("Safe = name") == "Safe = name"


def write_sample(path: Path) -> None:
    with ResultsWriter(path, ["name", "notes", "decision"]) as writer:
        for i, value in enumerate(DANGEROUS, start=1):
            writer.write([f"Name {i}", value, "mine"], RowOutcome(i, "clear"), str(i), f"Name {i}")
        writer.write(["=Evil", "x", ""], RowOutcome(99, "hit", [MATCH]), "99", "=Evil")
        writer.write(["", "", ""], RowOutcome(100, "error", error="empty name"), "100", "")
        writer.publish()


def test_csv_cells_are_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_sample(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["name", "notes", "decision", "screening_decision"]  # no clash with the input
    assert [r[1] for r in rows[1:8]] == ["'" + v for v in DANGEROUS]
    assert rows[8][0] == "'=Evil" and rows[8][3] == "hit" and rows[8][4] == "1"
    assert rows[9][-1] == "empty name" and rows[9][3] == "error"
    with matches_path(path).open(encoding="utf-8-sig", newline="") as handle:
        matches = list(csv.DictReader(handle))
    assert matches[0]["name"] == "'=EVIL NAME" and matches[0]["programs"] == "SDGT; =CMD"
    assert matches[0]["matched_name"] == "'-EVIL" and matches[0]["input_name"] == "'=Evil"
    for row in [*rows, *(m.values() for m in matches)]:
        assert not any(str(v).startswith(("=", "+", "-", "@", "\t", "\r")) for v in row)


def test_xlsx_cells_are_text_not_formulas(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "r.xlsx"
    write_sample(path)
    sheet = load_workbook(path).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert [sheet.cell(row=i, column=2).value for i in range(2, 9)] == ["'" + v for v in DANGEROUS]
    assert sheet.cell(row=9, column=11).value == 0.9123  # scores stay numbers
    matches = load_workbook(matches_path(path)).worksheets[0]
    assert matches.cell(row=2, column=8).value == "'=EVIL NAME"
    assert all(c.data_type != "f" for row in matches.iter_rows() for c in row)
