"""CLI commands: `alerts list|show`."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from service.cli.lists import open_store

alerts_app = typer.Typer(
    name="alerts", help="Alerts opened by monitoring and screening.", no_args_is_help=True
)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


def _print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


@alerts_app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="open, closed, ...")] = None,
    party_id: Annotated[str | None, typer.Option("--party", help="Only this party's alerts.")] = None,
    list_code: Annotated[str | None, typer.Option("--list", help="Only this list's alerts.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Alerts, newest first."""
    from service.alerts import list_alerts

    store = open_store()
    try:
        page = list_alerts(
            store.engine, status=status, party_id=party_id, list_code=list_code, limit=limit, offset=offset
        )
    finally:
        store.close()
    if as_json:
        _print_json(page.model_dump(mode="json"))
        return
    table = Table(title=f"alerts ({page.total:,})")
    for column in ("alert", "party", "entity", "matched name", "score", "status", "created (UTC)"):
        table.add_column(column)
    for alert in page.items:
        table.add_row(
            alert.alert_id[:8],
            alert.party_id or "-",
            alert.entity_id,
            alert.matched_name,
            f"{alert.score:.2f}",
            alert.status + (f" ({alert.outcome})" if alert.outcome else ""),
            alert.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    out.print(table)


@alerts_app.command("show")
def show(
    alert_id: Annotated[str, typer.Argument(help="Alert id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """One alert with its result and history."""
    from service.alerts import get_alert

    store = open_store()
    try:
        alert = get_alert(store.engine, alert_id)
    finally:
        store.close()
    if alert is None:
        err.print(f"error: no alert {alert_id!r}", markup=False)
        raise typer.Exit(1)
    data = alert.model_dump(mode="json")
    if as_json:
        _print_json(data)
        return
    for key in (
        "alert_id",
        "party_id",
        "entity_id",
        "list_code",
        "matched_name",
        "score",
        "status",
        "outcome",
    ):
        out.print(f"{key}: {data[key]}", markup=False, highlight=False)
    out.print(
        f"why: {data['result'].get('explanation', {}).get('summary', '')}", markup=False, highlight=False
    )
    for event in data["history"]:
        out.print(
            f"  {event['at']}  {event['actor']}  {event['action']}  {event['note'] or ''}", markup=False
        )


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")
