"""Importing parties from a customer file (CSV or XLSX), with the batch command's column
detection and row checks (service/batch/io.py).

Every row is either stored (created, updated or unchanged: re-importing a file
only touches the parties whose facts changed) or reported as a problem with its
row, line and reason: never dropped silently. Columns that are not one of the
screened roles become labels ("segment", "branch"...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine

from service.batch.io import BatchInputError, ColumnOverrides, InputFile, InputRow, normalise_type, open_input
from service.monitoring.parties import MAX_PARTY_ID, PartyIn, upsert_parties, validation_problem

CHUNK_ROWS = 2000
MAX_PROBLEMS_KEPT = 1000  # a job keeps this many problem rows; the count covers all


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problem_count: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problems": self.problem_count,
        }


def open_party_file(path: Path, overrides: ColumnOverrides | None = None) -> InputFile:
    """Open the file and insist on an id column (a register needs the firm's own ids)."""
    source = open_input(path, overrides)
    if "id" not in source.columns:
        source.rows().close()  # type: ignore[attr-defined]
        raise BatchInputError(
            path,
            f"no party id column in header {source.header!r}; name it e.g. 'id' or 'customer_id', "
            "or choose one with --id-column",
        )
    return source


def _party(row: InputRow, label_columns: list[tuple[str, int]], labels: dict[str, str]) -> PartyIn:
    fields = row.fields
    row_labels = {**labels}
    for header, index in label_columns:
        value = row.cells[index].strip()
        if value:
            row_labels[header] = value
    return PartyIn(
        name=fields["name"],
        type=normalise_type(fields.get("type", "")) if fields.get("type") else "any",
        dob=fields.get("dob") or None,
        country=fields.get("country") or None,
        nationality=fields.get("nationality") or None,
        labels=row_labels,
    )


def import_parties(
    bind: Engine | Connection,
    path: Path,
    overrides: ColumnOverrides | None = None,
    labels: dict[str, str] | None = None,
    progress: Callable[[ImportReport], None] | None = None,
    keep_changed_ids: bool = False,
) -> ImportReport:
    """Import every row of `path` into the register (see the module docstring)."""
    source = open_party_file(path, overrides)
    report = ImportReport(warnings=list(source.warnings))
    mapped = set(source.columns.values())
    label_columns = [(h, i) for i, h in enumerate(source.header) if i not in mapped and h.strip()]
    seen: dict[str, int] = {}
    for chunk in _chunks(source.rows(), CHUNK_ROWS):
        items: list[tuple[str, PartyIn]] = []
        for row in chunk:
            report.rows += 1
            party_id = row.fields.get("id", "").strip()
            problem = row.error
            if problem is None and not party_id:
                problem = "empty party id"
            elif problem is None and len(party_id) > MAX_PARTY_ID:
                problem = f"party id is {len(party_id)} characters, more than {MAX_PARTY_ID}"
            elif problem is None and party_id in seen:
                problem = f"party id {party_id!r} repeats row {seen[party_id]} (the first one is kept)"
            party = None
            if problem is None:
                try:
                    party = _party(row, label_columns, labels or {})
                except ValidationError as exc:
                    problem = f"invalid row: {validation_problem(exc)}"
            if problem is not None or party is None:
                _problem(report, row, party_id, problem or "invalid row")
                continue
            seen[party_id] = row.row_number
            items.append((party_id, party))
        written = upsert_parties(bind, items)
        report.created += written.created
        report.updated += written.updated
        report.unchanged += written.unchanged
        if keep_changed_ids:
            report.changed_ids.extend(written.changed_ids)
        if progress is not None:
            progress(report)
    return report


def _problem(report: ImportReport, row: InputRow, party_id: str, message: str) -> None:
    report.problem_count += 1
    if len(report.problems) < MAX_PROBLEMS_KEPT:
        report.problems.append(
            {"row": row.row_number, "line": row.line, "party_id": party_id or None, "error": message}
        )


def _chunks(rows: Iterator[InputRow], size: int) -> Iterator[list[InputRow]]:
    chunk: list[InputRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
