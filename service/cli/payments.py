"""CLI command: screen-payment (one ISO 20022 / SWIFT MT message, or a folder or zip of them).

The index is built once per run from the store's active list versions; with none
the command refuses to screen (fail closed). For a folder or zip, one JSON line
per message (in name order), each with its file name: a message that cannot be
read gets its error on its line and the run goes on.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer

from service.cli.screen import load_screener

if TYPE_CHECKING:
    from screening.screener import Screener
    from service.payments.screen import PaymentScreener

MAX_MESSAGE_BYTES = 1_000_000
_SKIPPED_SUFFIXES = (".md", ".json")


def register(app: typer.Typer) -> None:
    app.command("screen-payment")(screen_payment)


def _folder_messages(folder: Path) -> Iterator[tuple[str, bytes | str]]:
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        name = str(path.relative_to(folder))
        if path.stat().st_size > MAX_MESSAGE_BYTES:
            yield name, f"{path.stat().st_size} bytes; a message has at most {MAX_MESSAGE_BYTES}"
        else:
            yield name, path.read_bytes()


def _zip_messages(path: Path) -> Iterator[tuple[str, bytes | str]]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise typer.BadParameter(f"{path}: not a readable zip file ({exc})") from None
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir() or Path(info.filename).name.startswith("."):
                continue
            if info.file_size > MAX_MESSAGE_BYTES:  # checked before reading: no zip bomb expands
                yield info.filename, f"{info.file_size} bytes; a message has at most {MAX_MESSAGE_BYTES}"
                continue
            with archive.open(info) as member:
                yield info.filename, member.read(MAX_MESSAGE_BYTES + 1)


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
    messages = _folder_messages(path) if path.is_dir() else _zip_messages(path)
    counts: dict[str, int] = {}
    for name, data in messages:
        if isinstance(data, str):
            result: dict[str, Any] = {"decision": None, "problem": "too_large", "error": data}
        elif len(data) > MAX_MESSAGE_BYTES:
            result = {
                "decision": None,
                "problem": "too_large",
                "error": f"more than {MAX_MESSAGE_BYTES} bytes",
            }
        else:
            result = screen_one(payments, screener, data)
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
