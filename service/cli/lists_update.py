"""CLI command: `sanctions lists update [--list L] [--json]`: fetch the configured sources now.

Exit codes: 0 every list loaded or unchanged; 1 a list failed (each failure on
stderr naming the list, the URL or file and the reason; that list keeps its
active version); 2 the store cannot be opened or the sources configuration is
unusable; 3 another update holds the lock for longer than --wait.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from lists.model import ListCode
from service.cli.lists import EXIT_FAILED, EXIT_STORE, _fail, _print_json, err, open_store, out

EXIT_BUSY = 3


def update(
    list_code: Annotated[
        list[ListCode] | None,
        typer.Option("--list", help="Only this list (repeatable); default: every enabled source."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes as JSON.")] = False,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another running update.")] = 60.0,
) -> None:
    """Download each configured source, verify it and load it when its content changed."""
    from lists.fetch.config import SourceConfigError, load_sources
    from lists.fetch.update import UpdateBusy, update_lists
    from service.api.lists_refresh import outcome_json

    try:
        config = load_sources()
    except SourceConfigError as exc:
        raise _fail(str(exc), EXIT_STORE) from None
    store = open_store()
    try:
        outcomes = update_lists(store, list_code or None, config, wait_seconds=wait)
        if any(o.status == "loaded" for o in outcomes):
            from service.snapshot.build import snapshot_after_activation

            snapshot_after_activation(store)  # the index every process maps (service/snapshot/)
    except UpdateBusy as exc:
        raise _fail(str(exc), EXIT_BUSY) from None
    except ValueError as exc:
        raise _fail(str(exc), EXIT_STORE) from None
    finally:
        store.close()
    if as_json:
        _print_json([outcome_json(o) for o in outcomes])
    else:
        table = Table(title="lists update" + (f" (mirror {config.mirror})" if config.mirror else ""))
        for column in ("list", "status", "version", "records", "downloaded", "seconds"):
            table.add_column(
                column, justify="right" if column in ("records", "downloaded", "seconds") else "left"
            )
        for o in outcomes:
            table.add_row(
                o.list_code,
                o.status,
                o.version.label if o.version else "-",
                f"{o.version.record_count:,}" if o.version else "-",
                f"{o.downloaded_bytes:,} B",
                f"{o.seconds:.1f}",
            )
        out.print(table)
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        err.print(
            f"error: {o.list_code} not updated: {o.error}; its active version (if any) stays active",
            markup=False,
            highlight=False,
        )
    if failed:
        raise typer.Exit(EXIT_FAILED)


def register(lists_app: typer.Typer) -> None:
    lists_app.command("update")(update)
