"""CLI commands: `webhooks add|list|remove|deliveries`."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from service.cli.lists import open_store

webhooks_app = typer.Typer(
    name="webhooks", help="Webhook subscriptions to alert and list events.", no_args_is_help=True
)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


def _print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


@webhooks_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="http(s) URL receiving the events.")],
    secret: Annotated[str, typer.Option(help="HMAC key for X-Sanctions-Signature (16+ characters).")],
    event: Annotated[
        list[str] | None,
        typer.Option("--event", help="Event type (repeatable); default: all of them."),
    ] = None,
    description: Annotated[str | None, typer.Option(help="What it is for.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Subscribe URL to events."""
    from service.webhooks.outbox import EVENT_TYPES
    from service.webhooks.subscriptions import WebhookError, add_webhook

    store = open_store()
    try:
        hook = add_webhook(store.engine, url, list(event or EVENT_TYPES), secret, description)
    except WebhookError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    finally:
        store.close()
    if as_json:
        _print_json(hook.model_dump(mode="json"))
    else:
        out.print(f"webhook {hook.webhook_id} -> {hook.url} ({', '.join(hook.events)})", markup=False)


@webhooks_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Active subscriptions with their delivery counts."""
    from service.webhooks.subscriptions import list_webhooks

    store = open_store()
    try:
        hooks = list_webhooks(store.engine)
    finally:
        store.close()
    if as_json:
        _print_json([h.model_dump(mode="json") for h in hooks])
        return
    table = Table(title="webhooks")
    for column in ("id", "url", "events", "pending", "delivered", "failed"):
        table.add_column(column)
    for h in hooks:
        table.add_row(
            h.webhook_id, h.url, ", ".join(h.events), str(h.pending), str(h.delivered), str(h.failed)
        )
    out.print(table)


@webhooks_app.command("remove")
def remove(webhook_id: Annotated[str, typer.Argument(help="Webhook id.")]) -> None:
    """Remove a subscription (its pending deliveries are dropped)."""
    from service.webhooks.subscriptions import remove_webhook

    store = open_store()
    try:
        removed = remove_webhook(store.engine, webhook_id)
    finally:
        store.close()
    if not removed:
        err.print(f"error: no active webhook {webhook_id!r}", markup=False)
        raise typer.Exit(1)
    out.print(f"removed {webhook_id}", markup=False)


@webhooks_app.command("deliveries")
def deliveries(
    webhook_id: Annotated[str, typer.Argument(help="Webhook id.")],
    limit: Annotated[int, typer.Option(min=1)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Deliveries of one subscription: state, attempts, last response code."""
    from service.webhooks.subscriptions import list_deliveries

    store = open_store()
    try:
        page = list_deliveries(store.engine, webhook_id, limit=limit)
    finally:
        store.close()
    if as_json:
        _print_json(page.model_dump(mode="json"))
        return
    table = Table(title=f"deliveries ({page.total:,})")
    for column in ("event", "type", "state", "attempts", "last status", "last error"):
        table.add_column(column)
    for d in page.items:
        table.add_row(
            d.event_id[:8],
            d.event_type,
            d.state,
            str(d.attempts),
            str(d.last_status or ""),
            d.last_error or "",
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")
