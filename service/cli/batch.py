"""CLI commands: batch (screen a whole customer file, CSV or XLSX, or a folder or zip of payment messages)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from lists.model import Designation
from screening.algorithms import UnknownAlgorithm, get_algorithm
from service.batch.io import BatchInputError, ColumnOverrides, count_rows, open_input
from service.batch.message_sources import is_message_source
from service.batch.output import ResultsWriter, matches_path
from service.batch.runner import (
    BatchAborted,
    BatchRunner,
    NoActiveLists,
    active_list_versions,
    load_active_index,
)
from service.cli.message_batch import MessageBatchError, run_message_batch
from service.config import database_url
from service.snapshot.ref import SnapshotRef


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("batch")(batch)


def batch(
    input_path: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT",
            help="Customer file, CSV or XLSX; or a folder or .zip of payment messages (ISO 20022, SWIFT MT).",
        ),
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Results file; .xlsx writes Excel, else CSV.")
    ],
    name_column: Annotated[str | None, typer.Option(help="Column with the name (header or 1-based).")] = None,
    type_column: Annotated[str | None, typer.Option(help="Column with person/company type.")] = None,
    dob_column: Annotated[str | None, typer.Option(help="Column with the date of birth.")] = None,
    country_column: Annotated[str | None, typer.Option(help="Column with the country.")] = None,
    nationality_column: Annotated[str | None, typer.Option(help="Column with the nationality.")] = None,
    id_column: Annotated[str | None, typer.Option(help="Column with your customer id.")] = None,
    threshold: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Score at or above which a row is a hit.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: every core).")
    ] = None,
    algorithm: Annotated[
        str | None, typer.Option(help="Scoring algorithm: balanced-v1 (default) or ofac-sls.")
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            metavar="SCHEDULER",
            help="Screen on a Dask cluster: its scheduler address, or 'local' for a LocalCluster here.",
        ),
    ] = None,
) -> None:
    """Screen every row of INPUT against the active lists; write RESULTS and RESULTS_matches."""
    console = Console(stderr=True)
    overrides = ColumnOverrides(
        name=name_column,
        type=type_column,
        dob=dob_column,
        country=country_column,
        nationality=nationality_column,
        id=id_column,
    )
    problem = output_problem(output)
    if problem is not None:
        _fail(console, problem)
    if is_message_source(input_path):
        used = [
            option
            for option, value in (
                ("--name-column", name_column),
                ("--type-column", type_column),
                ("--dob-column", dob_column),
                ("--country-column", country_column),
                ("--nationality-column", nationality_column),
                ("--id-column", id_column),
                ("--threshold", threshold),
                ("--algorithm", algorithm),
                ("--dask", dask),
            )
            if value is not None
        ]
        if used:
            _fail(console, f"{', '.join(used)}: not used for a folder or zip of payment messages")
        if input_path.is_dir() and output.resolve().is_relative_to(input_path.resolve()):
            _fail(console, f"-o {output}: the results must not be written inside the folder screened")
        try:
            run_message_batch(console, input_path, output, workers)
        except MessageBatchError as exc:
            _fail(console, str(exc))
        return
    try:
        algorithm = None if algorithm is None else get_algorithm(algorithm).name
    except UnknownAlgorithm as exc:
        _fail(console, f"--algorithm: {exc}")
    if output.resolve() == input_path.resolve():
        _fail(console, "the results file must not be the input file")
    if matches_path(output).resolve() == input_path.resolve():
        # Published last-but-one, the matches file would replace the input it was read from.
        _fail(console, f"the matches file {matches_path(output).name} would overwrite the input file")
    try:
        source = open_input(input_path, overrides)
        total = count_rows(source)
        list_warnings: list[dict[str, object]] = []
        if dask is None:
            designations, list_versions = load_active_index(database_url(), list_warnings)
        else:
            designations, list_versions = [], active_list_versions(database_url(), list_warnings)
    except (BatchInputError, NoActiveLists) as exc:
        _fail(console, str(exc))
    for warning in source.warnings:
        console.print(f"[yellow]warning:[/yellow] {input_path}: {warning}")
    mapped = ", ".join(f"{role}={source.header[i]!r}" for role, i in source.columns.items())
    console.print(f"{input_path}: {total} rows, encoding {source.encoding}, columns {mapped}")
    console.print(f"lists: {', '.join(list_versions.values())}")
    for stale in list_warnings:
        console.print(f"[yellow]warning:[/yellow] {stale['message']}", highlight=False)

    from lists.store import Store
    from service.batch.audit import BatchAuditSink
    from service.batch.review import BatchReview, ScreenedRow, cli_actor
    from service.review.config import load_review_settings
    from service.settings import SettingsError

    try:
        review = BatchReview(list_versions, load_review_settings(), cli_actor())
    except SettingsError as exc:
        _fail(console, str(exc))
    store = Store(database_url())
    audit = BatchAuditSink(store.engine, list_versions, review=review)
    rows = hits = errors = alerts = 0
    started = time.monotonic()
    runner = _runner(dask, designations, list_versions, threshold, workers, algorithm)
    del designations  # the workers hold the index; the parent only streams rows
    try:
        runner.start()  # fork before the progress bar starts its refresh thread
        with (
            ResultsWriter(output, source.header) as writer,
            Progress(
                TextColumn("screening"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]} rows/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
            ) as progress,
        ):
            task = progress.add_task("screening", total=total, rate="-")
            id_index = source.columns.get("id")

            def emit(screened: ScreenedRow) -> None:
                """A reviewed, audited row: into the results files and the counts."""
                nonlocal hits, errors, alerts
                assert screened.row is not None
                outcome = screened.outcome
                writer.write(
                    screened.row.cells,
                    outcome,
                    screened.reference or "",
                    screened.row.fields.get("name", ""),
                    screened.alerts,
                )
                hits += outcome.decision == "hit"
                errors += outcome.decision == "error"
                alerts += sum(ref["new"] for ref in screened.alerts)

            audit.emit = emit
            for row, outcome in runner.run(source.rows()):
                audit.add(outcome, row.cells[id_index] if id_index is not None else None, row)
                rows += 1
                if rows % 200 == 0 or rows == total:
                    rate = rows / max(time.monotonic() - started, 1e-9)
                    progress.update(task, completed=rows, rate=f"{rate:,.0f}")
            progress.update(task, completed=rows, total=max(total, rows))
            audit.flush()  # the last rows: reviewed, audited with their alerts, then written
            writer.publish()
    except BatchAborted as exc:
        _fail(console, f"batch stopped after {rows} rows: {exc}")
    finally:
        runner.close()
        try:
            audit.flush(emit=False)  # rows screened before a failure are audited too (no-op after a success)
        finally:
            store.close()
    elapsed = time.monotonic() - started
    console.print(
        f"[bold]{rows}[/bold] rows, [bold red]{hits}[/bold red] hits, "
        f"[bold yellow]{errors}[/bold yellow] errors, {elapsed:.1f} s "
        f"({rows / max(elapsed, 1e-9):,.0f} rows/s)"
    )
    console.print(f"results: {output}\nmatches: {writer.matches_path}")
    console.print(f"audit: {audit.recorded} decisions recorded as batch {audit.bulk_id}")
    if alerts:
        console.print(f"alerts: {alerts} opened (GET /v1/alerts, `sanctions alerts list`)")
    for stale in list_warnings:  # the summary repeats it: a stale list does not silently pass
        console.print(f"[yellow]warning:[/yellow] {stale['message']}", highlight=False)


def output_problem(output: Path) -> str | None:
    """Why the results (or matches) file cannot be written, found before the slow index build."""
    folder = output.parent
    if output.is_dir():
        return f"-o {output}: is a directory; give a file name such as {output / 'results.csv'}"
    if not folder.exists():
        for parent in folder.parents:  # a file where a folder should be ('existing_file/out.csv')
            if parent.exists():
                if not parent.is_dir():
                    return f"-o {output}: {parent} is a file, not a folder"
                break
        return f"-o {output}: the folder {folder} does not exist (create it first)"
    if not folder.is_dir():
        return f"-o {output}: {folder} is a file, not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"-o {output}: the folder {folder} is not writable"
    for target in (output, matches_path(output)):
        if target.is_dir():
            return f"-o {output}: {target} is a directory"
    return None


def _runner(
    dask: str | None,
    designations: Sequence[Designation] | SnapshotRef,
    list_versions: dict[str, str],
    threshold: float | None,
    workers: int | None,
    algorithm: str | None,
) -> BatchRunner:
    """This machine's process pool, or a Dask cluster's workers (each opens the lists itself)."""
    if dask is None:
        return BatchRunner(
            designations, list_versions, threshold=threshold, workers=workers, algorithm=algorithm
        )
    from service.batch.dask import DaskBatchRunner, open_client

    return DaskBatchRunner(
        open_client(dask, workers), database_url(), list_versions, threshold=threshold, algorithm=algorithm
    )


def _fail(console: Console, message: str) -> None:
    # One line, whatever the terminal width; the message is the user's text, not markup.
    console.print(f"[bold red]error:[/bold red] {escape(message)}", soft_wrap=True, highlight=False)
    raise typer.Exit(2)
