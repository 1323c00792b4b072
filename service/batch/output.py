"""Writing batch results: one row per input row, and a second file with every match.

Results are opened in Excel by compliance staff, so every text cell that a
spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) is prefixed with a single quote, in CSV and XLSX alike.

Both files are written under temporary names beside their real paths and
moved there (os.replace) only when the caller publishes them, after every
decision in them is committed to the audit trail: a failed, cancelled or
interrupted run leaves no results file, and an earlier one untouched.
"""

from __future__ import annotations

import csv
import glob
import os
import re
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack, suppress
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
    "suppressed",  # matches an accept entry covers (the review room): counted in match_count, not a hit
    "known_true_match",  # "yes": the row's party has an approved true match
    "alerts",  # the alert ids of the row's live hits ("; "), when the row names its party
    "error",  # last, as before the review columns came
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
    "suppressed",  # "yes" when an accept entry covers this match
    "accept_id",
    "alert_id",
)


_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)  # each trigger is one character


def neutralise(value: str) -> str:
    """Prefix a would-be formula with a single quote so spreadsheets show it as text."""
    return "'" + value if value[:1] in _TRIGGER_CHARS else value


PARTIAL_SUFFIX = ".partial"


def matches_path(results: Path) -> Path:
    """RESULTS stem + "_matches" + suffix, next to the results file."""
    return results.with_name(f"{results.stem}_matches{results.suffix}")


def partial_path(path: Path) -> Path:
    """A temporary name beside `path` (same folder, so os.replace is atomic), unique per run.

    Unique because two runs may write the same path at once (an HTTP job taken
    over by another server while its first runner has not yet noticed); the
    ".partial" ending keeps a file left by a killed run from passing for results.
    """
    return path.with_name(f"{path.name}.{uuid.uuid4().hex[:12]}{PARTIAL_SUFFIX}")


def partial_files(path: Path) -> list[Path]:
    """Temporary files of runs that wrote `path` (or its matches file) and were killed before publishing."""
    names = (path.name, matches_path(path).name)
    return [p for name in names for p in path.parent.glob(f"{glob.escape(name)}.*{PARTIAL_SUFFIX}")]


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
        self._file = path.open("x", encoding="utf-8-sig", newline="", buffering=1 << 20)
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


def _open_sheet(path: Path, title: str, xlsx: bool) -> _SheetWriter:
    return _XlsxSheet(path, title) if xlsx else _CsvSheet(path)


def _fsync(path: Path) -> None:
    """Force a finished file to disk before it is renamed, so a power cut cannot publish an empty one."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ResultsWriter:
    """Writes the results file and the matches file side by side, row by row.

    Nothing appears at `path` or `matches_path` until `publish()`; leaving the
    `with` block without it (an error, Ctrl-C, a cancelled job) removes the
    temporary files.
    """

    def __init__(
        self,
        path: Path,
        input_header: Sequence[str],
        *,
        results_header: Sequence[str] | None = None,
        matches_header: Sequence[str] = MATCH_COLUMNS,
    ) -> None:
        """`results_header`: the results file's whole header (default: the input's, then ours)."""
        self.path = path
        self.matches_path = matches_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        xlsx = path.suffix.lower() == ".xlsx"
        self._pending = {final: partial_path(final) for final in (path, self.matches_path)}
        self._closing = ExitStack()
        try:
            self._results = self._open(path, "results", xlsx)
            self._matches = self._open(self.matches_path, "matches", xlsx)
            self._results.write(results_header or result_header(input_header))
            self._matches.write(matches_header)
        except BaseException:
            self.discard()
            raise

    def _open(self, final: Path, title: str, xlsx: bool) -> _SheetWriter:
        sheet = _open_sheet(self._pending[final], title, xlsx)
        self._closing.callback(sheet.close)
        return sheet

    def write(
        self,
        cells: Sequence[str],
        outcome: RowOutcomeLike,
        input_id: str,
        input_name: str,
        alerts: Sequence[dict[str, Any]] = (),
    ) -> None:
        """One row and its matches; `alerts` are the row's alert references (service.batch.review)."""
        top = outcome.matches[0] if outcome.matches else None
        alert_of = {ref["entity_id"]: ref["alert_id"] for ref in alerts}
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
                sum(1 for m in outcome.matches if m.get("suppressed")) or "",
                "yes" if outcome.known_true_match else "",
                "; ".join(ref["alert_id"] for ref in alerts),
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
                    "yes" if match.get("suppressed") else "",
                    match.get("accept_id") or "",
                    alert_of.get(match["entity_id"], ""),
                ]
            )

    def write_cells(self, results: Sequence[Any], matches: Sequence[Sequence[Any]]) -> None:
        """One results row and its match rows, as given (for results of another shape)."""
        self._results.write(results)
        for match in matches:
            self._matches.write(match)

    def close(self) -> None:
        """Finish both files under their temporary names (an XLSX is saved here); idempotent."""
        self._closing.close()  # closes every sheet opened, even when one of them fails

    def publish_after(self, commit: Callable[[], None]) -> None:
        """Finish the files, run `commit` (the audit trail's last commit), then publish.

        The slow part (an XLSX save) comes before the commit, so only renames follow it.
        If `commit` raises, nothing is published and leaving the `with` block removes the
        temporary files: nobody can open results whose decisions are not audited.
        """
        self.close()
        commit()
        self.publish()

    def publish(self) -> None:
        """Move both files to their real paths: call only once every row is in the audit trail.

        The matches file goes first, the results file last, so a results file
        at its path always has its matches beside it.
        """
        try:
            self.close()
            for partial in self._pending.values():
                _fsync(partial)
            for final in (self.matches_path, self.path):
                os.replace(self._pending[final], final)
                del self._pending[final]
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Remove the temporary files; the real paths keep whatever they held before the run."""
        with suppress(Exception):  # the run failed already: its error is the one to report
            self.close()  # also removes openpyxl's own temporary sheet files
        for partial in self._pending.values():
            partial.unlink(missing_ok=True)
        self._pending.clear()

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pending:  # not published: results of a run that did not finish with its audit
            self.discard()


class RowOutcomeLike(Protocol):
    row_number: int
    decision: str  # "hit" | "clear" | "error"
    matches: list[dict[str, Any]]
    error: str | None
    known_true_match: bool
