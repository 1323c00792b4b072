"""Writing batch results: one row per input row, and a second file with every match.

Results are opened in Excel by compliance staff, so every text cell that a
spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) is prefixed with a single quote, in CSV and XLSX alike.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import orjson

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_CELL = 32_767
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

RESULT_COLUMNS = (
    "decision",
    "match_count",
    "top_entity_id",
    "top_name",
    "top_matched_name",
    "top_list",
    "top_programs",
    "top_score",
    "error",
)
MATCH_COLUMNS = (
    "row_number",
    "input_id",
    "input_name",
    "entity_id",
    "list",
    "type",
    "programs",
    "name",
    "matched_name",
    "matched_name_kind",
    "score",
    "explanation",
)


_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)  # each trigger is one character


def neutralise(value: str) -> str:
    """Prefix a would-be formula with a single quote so spreadsheets show it as text."""
    return "'" + value if value[:1] in _TRIGGER_CHARS else value


def matches_path(results: Path) -> Path:
    """RESULTS stem + "_matches" + suffix, next to the results file."""
    return results.with_name(f"{results.stem}_matches{results.suffix}")


def result_header(input_header: Sequence[str]) -> list[str]:
    """Input columns first, then ours; ours get a 'screening_' prefix if the input already has the name."""
    taken = {h.strip().lower() for h in input_header}
    ours = [f"screening_{c}" if c in taken else c for c in RESULT_COLUMNS]
    return [*input_header, *ours]


class _SheetWriter(Protocol):
    def write(self, cells: Sequence[Any]) -> None: ...
    def close(self) -> None: ...


class _CsvSheet:
    def __init__(self, path: Path) -> None:
        # UTF-8 with BOM: Excel then opens non-Latin names correctly.
        self._file = path.open("w", encoding="utf-8-sig", newline="", buffering=1 << 20)
        self._writer = csv.writer(self._file)

    def write(self, cells: Sequence[Any]) -> None:
        # Input cells are text already: neutralised inline; only our numbers and Nones go through _text.
        self._writer.writerow(
            [
                ("'" + c if c[:1] in _TRIGGER_CHARS else c) if type(c) is str else neutralise(_text(c))
                for c in cells
            ]
        )

    def close(self) -> None:
        self._file.close()


class _XlsxSheet:
    def __init__(self, path: Path, title: str) -> None:
        from openpyxl import Workbook

        self._path = path
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet(title)

    def write(self, cells: Sequence[Any]) -> None:
        self._sheet.append([_xlsx_cell(c) for c in cells])

    def close(self) -> None:
        self._workbook.save(self._path)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value  # numbers stay numbers: sortable scores and counts
    text = _XLSX_ILLEGAL.sub("\ufffd", neutralise(_text(value)))
    return text[:XLSX_MAX_CELL]


def _open_sheet(path: Path, title: str) -> _SheetWriter:
    if path.suffix.lower() == ".xlsx":
        return _XlsxSheet(path, title)
    return _CsvSheet(path)


class ResultsWriter:
    """Writes the results file and the matches file side by side, row by row."""

    def __init__(self, path: Path, input_header: Sequence[str]) -> None:
        self.path = path
        self.matches_path = matches_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._results = _open_sheet(path, "results")
        self._matches = _open_sheet(self.matches_path, "matches")
        self._results.write(result_header(input_header))
        self._matches.write(MATCH_COLUMNS)

    def write(self, cells: Sequence[str], outcome: RowOutcomeLike, input_id: str, input_name: str) -> None:
        top = outcome.matches[0] if outcome.matches else None
        self._results.write(
            [
                *cells,
                outcome.decision,
                len(outcome.matches) if outcome.decision != "error" else "",
                top["entity_id"] if top else "",
                top["name"] if top else "",
                top["matched_name"] if top else "",
                top["list"] if top else "",
                "; ".join(top["programs"]) if top else "",
                round(top["score"], 4) if top else "",
                outcome.error or "",
            ]
        )
        for match in outcome.matches:
            self._matches.write(
                [
                    outcome.row_number,
                    input_id,
                    input_name,
                    match["entity_id"],
                    match["list"],
                    match["type"],
                    "; ".join(match["programs"]),
                    match["name"],
                    match["matched_name"],
                    match["matched_name_kind"],
                    round(match["score"], 4),
                    orjson.dumps(match["explanation"], option=orjson.OPT_SORT_KEYS).decode(),
                ]
            )

    def close(self) -> None:
        self._results.close()
        self._matches.close()

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RowOutcomeLike(Protocol):
    row_number: int
    decision: str  # "hit" | "clear" | "error"
    matches: list[dict[str, Any]]
    error: str | None
