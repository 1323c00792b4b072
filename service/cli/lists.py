"""CLI commands: `lists load|info|diff` and `entity`.

User errors (bad files, refused loads, unknown ids, an unreachable database)
end with a one-line message on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from lists.model import ListCode

if TYPE_CHECKING:
    from lists.loader import LoadOutcome
    from lists.store import Store, VersionInfo

lists_app = typer.Typer(name="lists", help="Load and inspect the sanctions lists.", no_args_is_help=True)
# Piped output (logs, CI) gets wide tables instead of rich's 80-column default.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

EXIT_FAILED = 1  # a list failed to load, an unknown entity or version
EXIT_STORE = 2  # the store cannot be opened


def _fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    return typer.Exit(code)


def _print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


def open_store() -> Store:
    """The store at DATABASE_URL (or the SQLite file under SANCTIONS_DATA_DIR), migrated."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from lists.store import Store
    from service.config import database_url

    url = database_url()
    try:
        retention = int(os.environ.get("SANCTIONS_RETENTION", "10"))
        return Store(url, retention=retention)
    except ValueError as exc:
        raise _fail(f"SANCTIONS_RETENTION: {exc}", EXIT_STORE) from None
    except (SQLAlchemyError, OSError) as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise _fail(f"cannot open the store at {shown}: {detail}", EXIT_STORE) from None


def _outcome_json(outcome: LoadOutcome) -> dict[str, Any]:
    return {
        "list": outcome.list_code,
        "ok": outcome.ok,
        "refused": outcome.refused,
        "error": outcome.error,
        "seconds": round(outcome.seconds, 3),
        "version": outcome.version.model_dump(mode="json") if outcome.version else None,
    }


@lists_app.command("load")
def load(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="List files or folders; none: the bundled snapshots.", show_default=False),
    ] = None,
    list_code: Annotated[
        ListCode | None,
        typer.Option("--list", help="Only this list (with paths: the list the files are)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Activate even if the list shrank by more than 20%.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes as JSON.")] = False,
) -> None:
    """Load lists into the store: each list becomes a new version, activated only if complete."""
    from lists.loader import load_lists

    store = open_store()
    try:
        outcomes = load_lists(
            store, [list_code] if list_code else None, paths=list(paths) if paths else None, force=force
        )
        if any(o.ok for o in outcomes):
            from service.snapshot.build import snapshot_after_activation

            snapshot_after_activation(store)  # the index every process maps (service/snapshot/)
    finally:
        store.close()
    if as_json:
        _print_json([_outcome_json(o) for o in outcomes])
    else:
        _print_outcomes(outcomes)
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        hint = " (use --force if the shrink is intended)" if outcome.refused else ""
        err.print(
            f"error: {outcome.list_code} not loaded: {outcome.error}{hint}; "
            "the previously active version (if any) stays active",
            markup=False,
            highlight=False,
        )
    if failed:
        raise typer.Exit(EXIT_FAILED)


def _print_outcomes(outcomes: list[LoadOutcome]) -> None:
    table = Table(title="lists load")
    for column in ("list", "status", "version", "records", "warnings", "seconds"):
        table.add_column(column, justify="right" if column in ("records", "seconds") else "left")
    for o in outcomes:
        version = o.version
        table.add_row(
            o.list_code,
            "loaded" if o.ok else ("refused" if o.refused else "FAILED"),
            version.label if version else "-",
            f"{version.record_count:,}" if version else "-",
            str(len(version.warnings)) if version else "-",
            f"{o.seconds:.1f}",
        )
    out.print(table)
    for o in outcomes:
        for warning in o.version.warnings if o.version else []:
            out.print(f"warning: {o.list_code}: {warning}", markup=False, highlight=False)


def _info_json(info: VersionInfo) -> dict[str, Any]:
    return info.model_dump(mode="json")


@lists_app.command("info")
def info(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Show the active version of each list: id, label, publish date, load time, counts by type."""
    from lists.fetch.config import SourceConfigError
    from lists.fetch.state import read_checks
    from lists.freshness import freshness
    from service.freshness import FreshnessPolicy

    try:
        policy = FreshnessPolicy.from_env()
    except SourceConfigError as exc:
        raise _fail(str(exc), EXIT_STORE) from None
    store = open_store()
    try:
        versions = store.active_versions()
        report = freshness(versions, read_checks(store.engine), policy.max_ages)
    finally:
        store.close()
    if as_json:
        _print_json(
            {code: {**_info_json(version), **report[code].as_json()} for code, version in versions.items()}
        )
        return
    if not versions:
        out.print("no list loaded: run `sanctions lists load`", markup=False)
        return
    table = Table(title="active lists")
    kinds = ("person", "entity", "vessel", "aircraft")
    columns = (
        "list",
        "version",
        "label",
        "published",
        "loaded at (UTC)",
        "records",
        *kinds,
        "age (h)",
        "stale",
    )
    for column in columns:
        table.add_column(column, justify="right" if column in ("records", "age (h)", *kinds) else "left")
    for code, version in versions.items():
        fresh = report[code]
        table.add_row(
            code,
            str(version.id),
            version.label,
            version.publish_date.isoformat() if version.publish_date else "-",
            version.loaded_at.strftime("%Y-%m-%d %H:%M"),
            f"{version.record_count:,}",
            *(f"{version.counts_by_type.get(kind, 0):,}" for kind in kinds),
            f"{fresh.age_hours:,.0f}",
            "STALE" if fresh.stale else "no",
        )
    out.print(table)
    for code, fresh in report.items():
        if fresh.last_failure:
            out.print(f"{code}: last failed check: {fresh.last_failure}", markup=False, highlight=False)
    missing = policy.missing(versions)
    if missing:
        out.print(f"required but not loaded: {', '.join(missing)}", markup=False)


@lists_app.command("diff")
def diff(
    v1: Annotated[int, typer.Argument(help="The older version id.")],
    v2: Annotated[int, typer.Argument(help="The newer version id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Entities added, removed and changed between two versions of one list."""
    from lists.store import StoreError

    store = open_store()
    try:
        result = store.diff(v1, v2)
    except StoreError as exc:
        raise _fail(str(exc)) from None
    finally:
        store.close()
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    out.print(
        f"{result.list_code}: version {v1} -> {v2}: {len(result.added)} added, "
        f"{len(result.removed)} removed, {len(result.changed)} changed",
        markup=False,
    )
    for label, ids in (("+", result.added), ("-", result.removed), ("~", result.changed)):
        for entity_id in ids:
            out.print(f"{label} {entity_id}", markup=False, highlight=False)


def entity(
    entity_id: Annotated[str, typer.Argument(help="Entity id, e.g. ofac:52749 or un:QDi.001.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show one designation in full, from its list's active version."""
    store = open_store()
    try:
        designation = store.get_entity(entity_id)
        known_lists = list(store.active_versions())
    finally:
        store.close()
    if designation is None:
        hint = f" (active lists: {', '.join(known_lists)})" if known_lists else "; no list loaded"
        raise _fail(f"unknown entity id {entity_id!r}{hint}")
    data = designation.model_dump(mode="json")
    if as_json:
        _print_json(data)
        return
    table = Table(show_header=False, title=designation.entity_id)
    table.add_column("field", style="bold")
    table.add_column("value")
    for field, value in designation.model_dump(mode="json", exclude_defaults=True).items():
        table.add_row(field, _render(value))
    out.print(table)


def _render(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_render(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_render(v)}" for k, v in value.items() if v not in (None, [], {}))
    return str(value)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    from service.cli import lists_update

    lists_update.register(lists_app)
    app.add_typer(lists_app, name="lists")
    app.command("entity")(entity)
