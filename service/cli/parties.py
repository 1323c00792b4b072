"""CLI commands: `parties import|list|show|remove|rescreen`, the register of monitored parties.

`import` reads a CSV or XLSX file with the batch command's column detection and
row checks (a big file's parties made on worker processes); then, unless
--no-screen, it screens the new and changed parties (and any list change not yet
processed) as the server's watcher would: many of them on the batch runner's
worker pool (service/monitoring/pool.py). Rows with problems are printed with
their row, line and reason, and the command ends with exit code 3.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from service.cli.lists import open_store

parties_app = typer.Typer(name="parties", help="The register of monitored parties.", no_args_is_help=True)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

EXIT_FAILED = 1
EXIT_PROBLEMS = 3  # imported, but some rows were refused (listed on stderr)
SHOWN_PROBLEMS = 50


def _print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


def _fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    return typer.Exit(code)


def _labels(items: list[str]) -> dict[str, str]:
    labels = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise _fail(f"--label {item!r}: expected KEY=VALUE")
        labels[key.strip()] = value.strip()
    return labels


def run_monitor(trigger: str, full: bool = False, wait_seconds: float = 600.0) -> list[dict[str, Any]] | None:
    """One monitoring cycle in this process (builds its own index when there is work)."""
    from service.monitoring.context import build_context, service_threshold
    from service.monitoring.cycle import Context, Monitor
    from service.monitoring.jobs import get_job
    from service.monitoring.pool import PoolSettings

    store = open_store()
    try:
        built: list[Context | None] = []

        def context() -> Context | None:  # built once, only if a job needs it
            if not built:
                built.append(build_context(store, service_threshold()))
            return built[0]

        monitor = Monitor(store, context, pool=PoolSettings.from_env())  # fork: workers inherit the index
        if not full and not monitor.has_work():
            return []
        job_ids = monitor.run_once(trigger, wait_seconds=wait_seconds, full=full)
        if job_ids is None:
            return None
        return [job for job_id in job_ids if (job := get_job(store.engine, job_id)) is not None]
    finally:
        store.close()


def _print_jobs(jobs: list[dict[str, Any]]) -> None:
    if not jobs:
        out.print("nothing to rescreen: the register is up to date with the active lists", markup=False)
        return
    table = Table(title="rescreen jobs")
    for column in ("job", "kind", "list", "state", "parties", "screened", "opened", "closed", "seconds"):
        table.add_column(column)
    for job in jobs:
        counts = job["counts"]
        table.add_row(
            job["job_id"][:8],
            job["kind"],
            job["list"] or "-",
            job["state"],
            str(counts.get("parties", 0)),
            str(counts.get("screened", 0)),
            str(counts.get("alerts_opened", 0)),
            str(counts.get("alerts_closed", 0)),
            f"{job['seconds'] or 0:.1f}",
        )
    out.print(table)
    for job in jobs:
        if job["error"]:
            err.print(f"error: job {job['job_id']}: {job['error']}", markup=False, highlight=False)


@parties_app.command("import")
def import_(
    input_path: Annotated[Path, typer.Argument(metavar="FILE", help="CSV or XLSX with a header row.")],
    id_column: Annotated[
        str | None, typer.Option(help="Column with your party id (header or 1-based).")
    ] = None,
    name_column: Annotated[str | None, typer.Option(help="Column with the name.")] = None,
    type_column: Annotated[str | None, typer.Option(help="Column with person/company type.")] = None,
    dob_column: Annotated[str | None, typer.Option(help="Column with the date of birth.")] = None,
    country_column: Annotated[str | None, typer.Option(help="Column with the country.")] = None,
    nationality_column: Annotated[str | None, typer.Option(help="Column with the nationality.")] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", help="KEY=VALUE label for every party (repeatable).")
    ] = None,
    screen: Annotated[
        bool, typer.Option("--screen/--no-screen", help="Screen new and changed parties now.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Add or update parties from FILE; unchanged parties are left alone."""
    from service.batch.io import BatchInputError, ColumnOverrides
    from service.monitoring.importer import import_parties
    from service.monitoring.pool import PoolSettings

    overrides = ColumnOverrides(
        id=id_column,
        name=name_column,
        type=type_column,
        dob=dob_column,
        country=country_column,
        nationality=nationality_column,
    )
    labels = _labels(label or [])
    store = open_store()
    try:
        report = import_parties(
            store.engine, input_path, overrides, labels=labels, workers=PoolSettings.from_env().workers
        )
    except BatchInputError as exc:
        raise _fail(str(exc)) from None
    finally:
        store.close()
    jobs = run_monitor("cli: parties import") if screen and (report.created or report.updated) else []
    if as_json:
        _print_json(
            {**report.counts(), "problem_rows": report.problems, "warnings": report.warnings, "jobs": jobs}
        )
    else:
        counts = report.counts()
        out.print(
            f"{input_path.name}: {counts['rows']:,} rows: {counts['created']:,} created, "
            f"{counts['updated']:,} updated, {counts['unchanged']:,} unchanged, {counts['problems']:,} refused",
            markup=False,
        )
        for warning in report.warnings:
            out.print(f"warning: {warning}", markup=False)
        if jobs is None:
            out.print(
                "another process is rescreening; the server's watcher screens the new parties", markup=False
            )
        elif screen:
            _print_jobs(jobs)
    for problem in report.problems[:SHOWN_PROBLEMS]:
        err.print(
            f"row {problem['row']} (line {problem['line']}): {problem['error']}",
            markup=False,
            highlight=False,
        )
    if report.problem_count > SHOWN_PROBLEMS:
        err.print(f"... and {report.problem_count - SHOWN_PROBLEMS:,} more rows refused", markup=False)
    if report.problem_count:
        raise typer.Exit(EXIT_PROBLEMS)


@parties_app.command("list")
def list_(
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    name: Annotated[str | None, typer.Option(help="Only names containing this.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The register, by party id."""
    from service.monitoring.parties import list_parties

    store = open_store()
    try:
        page = list_parties(store.engine, limit=limit, offset=offset, name_contains=name)
    finally:
        store.close()
    if as_json:
        _print_json(page.model_dump(mode="json"))
        return
    table = Table(title=f"parties {offset + 1}-{offset + len(page.items)} of {page.total:,}")
    for column in ("party_id", "name", "type", "dob", "country", "screened"):
        table.add_column(column)
    for party in page.items:
        table.add_row(
            party.party_id,
            party.name,
            party.type,
            party.dob or "",
            party.country or "",
            "waiting"
            if party.needs_screen
            else (party.screened_at.isoformat(timespec="seconds") if party.screened_at else ""),
        )
    out.print(table)


@parties_app.command("show")
def show(
    party_id: Annotated[str, typer.Argument(help="Your party id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """One party with its open alerts."""
    from service.monitoring.parties import get_party

    store = open_store()
    try:
        party = get_party(store.engine, party_id)
    finally:
        store.close()
    if party is None:
        raise _fail(f"no party {party_id!r}")
    data = party.model_dump(mode="json")
    if as_json:
        _print_json(data)
        return
    for key, value in data.items():
        if key != "open_alerts":
            out.print(f"{key}: {value}", markup=False, highlight=False)
    alerts = data["open_alerts"] or []
    out.print(f"open alerts: {len(alerts)}", markup=False)
    for alert in alerts:
        out.print(
            f"  {alert['alert_id']}  {alert['entity_id']}  {alert['matched_name']}  {alert['score']:.2f}",
            markup=False,
            highlight=False,
        )


@parties_app.command("remove")
def remove(party_id: Annotated[str, typer.Argument(help="Your party id.")]) -> None:
    """Remove a party from the register (its alerts stay)."""
    from service.monitoring.parties import remove_party

    store = open_store()
    try:
        removed = remove_party(store.engine, party_id)
    finally:
        store.close()
    if not removed:
        raise _fail(f"no party {party_id!r}")
    out.print(f"removed {party_id}", markup=False)


@parties_app.command("rescreen")
def rescreen(
    full: Annotated[bool, typer.Option("--full", help="Screen every party against every list.")] = False,
    wait: Annotated[float, typer.Option(min=0, help="Seconds to wait for a running rescreen.")] = 600.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the jobs as JSON.")] = False,
) -> None:
    """Bring the register up to date with the active lists now (what the server's watcher does)."""
    jobs = run_monitor("cli: parties rescreen", full=full, wait_seconds=wait)
    if jobs is None:
        raise _fail(f"another process kept the rescreen lock for {wait:.0f} s; try again later")
    if as_json:
        _print_json(jobs)
    else:
        _print_jobs(jobs)
    if any(job["state"] == "failed" for job in jobs):
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    app.add_typer(parties_app, name="parties")
