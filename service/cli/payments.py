"""CLI command: screen-payment (one ISO 20022 / SWIFT MT message, or a folder or zip of them).

The index is built once per run from the store's active list versions; with none
the command refuses to screen (fail closed). For a folder or zip, one JSON line
per message (in name order), each with its file name: a message that cannot be
read gets its error on its line and the run goes on.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer

from service.batch.message_sources import (
    MAX_MESSAGE_BYTES,
    MessageSourceError,
    check_source,
    source_messages,
)
from service.cli.screen import load_screener

if TYPE_CHECKING:
    from screening.screener import Screener
    from service.payments.screen import PaymentScreener


def register(app: typer.Typer) -> None:
    app.command("screen-payment")(screen_payment)


def screen_one(payments: PaymentScreener, screener: Screener, data: bytes) -> dict[str, Any]:
    """The screening result of one message, or {"error", "problem"} when it cannot be read."""
    from service.payments.model import PaymentMessageError
    from service.payments.screen import parse_message

    try:
        message = parse_message(data)
    except PaymentMessageError as exc:
        return {"decision": None, "problem": exc.problem, "error": str(exc)}
    screening = payments.screen(screener, message)
    return {**screening.as_dict(), "screen_ms": screening.screen_ms}


def _print_human(result: dict[str, Any]) -> None:
    if result.get("error"):
        typer.echo(f"error ({result['problem']}): {result['error']}")
        return
    message = result["message"]
    typer.echo(f"{result['decision'].upper()}  {message['type']} {message['id'] or '(no id)'}")
    for hit in result["hits"]:
        matched = hit["matched"].get("entity_id") or hit["matched"].get("jurisdiction", {}).get("name")
        typer.echo(
            f"  {hit['action']:5} {hit['field']}: {hit['value']!r} -> {matched} ({hit['check']}, {hit['score']})"
        )
    typer.echo(f"  lists: {', '.join(f'{k} {v}' for k, v in sorted(result['list_versions'].items()))}")


def screen_payment(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE|DIR|ZIP", help="A message file (ISO 20022 XML or SWIFT MT), a folder or a zip."
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON output (one line per message for a folder or zip).")
    ] = False,
) -> None:
    """Screen payment messages: decision pass / hold / block, with every hit and its field path."""
    from service.payments.screen import PaymentPolicy, PaymentScreener

    if not path.exists():
        typer.echo(f"error: {path}: no such file or folder", err=True)
        raise typer.Exit(2)
    try:
        payments = PaymentScreener(PaymentPolicy.from_env())
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    batch = path.is_dir() or zipfile.is_zipfile(path)
    if not batch and path.stat().st_size > MAX_MESSAGE_BYTES:
        typer.echo(f"error: {path}: larger than {MAX_MESSAGE_BYTES} bytes", err=True)
        raise typer.Exit(2)
    if batch:
        try:
            check_source(path)  # an archive over the limits is refused before the index is built
        except MessageSourceError as exc:
            typer.echo(f"error: {path}: {exc}", err=True)
            raise typer.Exit(2) from None
    screener = load_screener()
    if not batch:
        result = screen_one(payments, screener, path.read_bytes())
        if as_json:
            typer.echo(orjson.dumps(result).decode())
        else:
            _print_human(result)
        if result.get("error"):
            raise typer.Exit(2)
        return
    counts: dict[str, int] = {}
    for item in source_messages(path):
        name = item.name
        if item.data is None:
            result: dict[str, Any] = {"decision": None, "problem": item.problem, "error": item.error}
        else:
            result = screen_one(payments, screener, item.data)
        decision = result["decision"] or "error"
        counts[decision] = counts.get(decision, 0) + 1
        if as_json:
            typer.echo(orjson.dumps({"file": name, **result}).decode())
        else:
            typer.echo(f"{name}: ", nl=False)
            _print_human(result)
    typer.echo(
        "screened: " + ", ".join(f"{count} {decision}" for decision, count in sorted(counts.items())),
        err=True,
    )
