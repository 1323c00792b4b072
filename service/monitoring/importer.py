"""Importing parties from a customer file (CSV or XLSX), with the batch command's column
detection and row checks (service/batch/io.py).

Every row is either stored (created, updated or unchanged: re-importing a file
only touches the parties whose facts changed) or reported as a problem with its
row, line and reason: never dropped silently. Columns that are not one of the
screened roles become labels ("segment", "branch"...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine

from service.batch.io import BatchInputError, ColumnOverrides, InputFile, InputRow, normalise_type, open_input
from service.batch.runner import chunked, default_workers, in_order, start_pool
from service.monitoring.parties import (
    MAX_PARTY_ID,
    PartyIn,
    Prepared,
    stored_hashes,
    validation_problem,
    write_prepared,
)

CHUNK_ROWS = 2000
# From this file size on (about 20,000 rows) the parties are made on worker processes; a
# smaller file is done before a pool (forkserver: a second or two) would have started.
POOL_MIN_BYTES = 1 << 20
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


# A row as sent to a worker: row number, party id, mapped fields, label cells (by label column),
# and the party's content hash in the register when the row was read (None: a new party).
RowItem = tuple[int, str, dict[str, str], list[str], str | None]


def _party(
    fields: dict[str, str], label_cells: list[str], label_headers: list[str], labels: dict[str, str]
) -> PartyIn:
    row_labels = {**labels}
    for header, value in zip(label_headers, label_cells, strict=True):
        value = value.strip()
        if value:
            row_labels[header] = value
    return PartyIn(
        name=fields["name"],
        type=normalise_type(fields.get("type", "")) if fields.get("type") else "any",  # type: ignore[arg-type]
        dob=fields.get("dob") or None,
        country=fields.get("country") or None,
        nationality=fields.get("nationality") or None,
        labels=row_labels,
    )


def prepare_rows(
    label_headers: list[str], labels: dict[str, str], items: list[RowItem]
) -> list[Prepared | str]:
    """Each row as a Prepared party, or the reason it is invalid (runs in a worker process)."""
    out: list[Prepared | str] = []
    for _, party_id, fields, label_cells, stored in items:
        try:
            out.append(Prepared.of(party_id, _party(fields, label_cells, label_headers, labels), stored))
        except ValidationError as exc:
            out.append(f"invalid row: {validation_problem(exc)}")
    return out


def _precheck(row: InputRow) -> tuple[str, str | None]:
    """The party id and what is wrong with the row before it is read as a party, if anything."""
    party_id = row.fields.get("id", "").strip()
    if row.error is not None:
        return party_id, row.error
    if not party_id:
        return party_id, "empty party id"
    if len(party_id) > MAX_PARTY_ID:
        return party_id, f"party id is {len(party_id)} characters, more than {MAX_PARTY_ID}"
    return party_id, None


def import_parties(
    bind: Engine | Connection,
    path: Path,
    overrides: ColumnOverrides | None = None,
    labels: dict[str, str] | None = None,
    progress: Callable[[ImportReport], None] | None = None,
    keep_changed_ids: bool = False,
    workers: int | None = None,
    start_method: str = "fork",
) -> ImportReport:
    """Import every row of `path` into the register (see the module docstring).

    Reading the file and writing the database happen here; making each party (checks,
    content hash, lookup keys: most of the CPU) happens on `workers` processes (the batch
    runner's pool, service/batch/runner.py) for a file of POOL_MIN_BYTES or more.
    `start_method`: "fork" from the CLI, "forkserver" inside the threaded server.
    """
    source = open_party_file(path, overrides)
    report = ImportReport(warnings=list(source.warnings))
    mapped = set(source.columns.values())
    label_columns = [(h, i) for i, h in enumerate(source.header) if i not in mapped and h.strip()]
    headers = [h for h, _ in label_columns]
    prepare = partial(prepare_rows, headers, dict(labels or {}))
    seen: dict[str, int] = {}

    def chunks() -> Iterator[tuple[list[tuple[InputRow, str, str | None]], list[RowItem]]]:
        for rows in chunked(source.rows(), CHUNK_ROWS):
            checked = [(row, *_precheck(row)) for row in rows]
            valid = [(row, party_id) for row, party_id, problem in checked if problem is None]
            stored = stored_hashes(bind, [party_id for _, party_id in valid])  # unchanged: no keys made
            items = [
                (
                    row.row_number,
                    party_id,
                    row.fields,
                    [row.cells[i] for _, i in label_columns],
                    stored.get(party_id),
                )
                for row, party_id in valid
            ]
            yield checked, items

    count = workers or default_workers()
    pool = count > 1 and _size(path) >= POOL_MIN_BYTES
    with ExitStack() as stack:
        executor = stack.enter_context(start_pool(count, start_method)) if pool else None
        for checked, made in in_order(executor, prepare, chunks(), count * 4):
            written = write_prepared(bind, _collect(report, seen, checked, made))
            report.created += written.created
            report.updated += written.updated
            report.unchanged += written.unchanged
            if keep_changed_ids:
                report.changed_ids.extend(written.changed_ids)
            if progress is not None:
                progress(report)
    return report


def _collect(
    report: ImportReport,
    seen: dict[str, int],
    checked: list[tuple[InputRow, str, str | None]],
    made: list[Prepared | str],
) -> list[Prepared]:
    """The chunk's parties to write, in file order; every other row reported as a problem.

    Repeated ids are found here, in file order: the first valid row with an id is kept.
    """
    results = iter(made)
    keep: list[Prepared] = []
    for row, party_id, problem in checked:
        report.rows += 1
        result = next(results) if problem is None else None
        if problem is None and party_id in seen:
            problem = f"party id {party_id!r} repeats row {seen[party_id]} (the first one is kept)"
        if problem is None and isinstance(result, str):
            problem = result
        if problem is not None or not isinstance(result, Prepared):
            _problem(report, row, party_id, problem or "invalid row")
            continue
        seen[party_id] = row.row_number
        keep.append(result)
    return keep


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _problem(report: ImportReport, row: InputRow, party_id: str, message: str) -> None:
    report.problem_count += 1
    if len(report.problems) < MAX_PROBLEMS_KEPT:
        report.problems.append(
            {"row": row.row_number, "line": row.line, "party_id": party_id or None, "error": message}
        )
