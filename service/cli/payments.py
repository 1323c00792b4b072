"""CLI command: screen-payment (one ISO 20022 / SWIFT MT message, or a folder or zip of them).

The index is built once per run from the store's active list versions; with none
the command refuses to screen (fail closed). Each message is recorded as POST
/v1/screen/payment records it (service.payments.record): accept entries and true
matches of its party (`--party-id`, else `message:<message id>`) settle the
decision, the decision is audited with its hits, list and algorithm versions,
then each live designation hit opens its alert. For a folder or zip, one JSON
line per message (in name order), each with its file name: a message that cannot
be read gets its error on its line and the run goes on.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from sqlalchemy.exc import SQLAlchemyError

from service.batch.message_sources import (
    MAX_MESSAGE_BYTES,
    MessageSourceError,
    check_source,
    source_messages,
)
from service.cli.screen import load_screener

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from screening.screener import Screener
    from service.payments.screen import PaymentScreener

PARTY_ID = re.compile(r"^[^\x00-\x1f\x7f]{1,128}$")  # as POST /v1/screen/payment takes party_id


@dataclass(slots=True)
class Recorder:
    """Where and as whom this run records its screenings (the store, its versions, the review settings)."""

    engine: Engine
    version_ids: dict[str, int]
    actor: str
    alerts_without_party: bool
    party_id: str | None


def register(app: typer.Typer) -> None:
    app.command("screen-payment")(screen_payment)


def screen_one(
    payments: PaymentScreener, screener: Screener, data: bytes, recorder: Recorder | None = None
) -> dict[str, Any]:
    """The recorded answer for one message, or {"error", "problem"} when it cannot be read.

    Without a `recorder`, the screening alone (nothing audited, no alerts).
    """
    from service.payments.model import PaymentMessageError
    from service.payments.record import payment_record, record_payment
    from service.payments.screen import parse_message

    try:
        message = parse_message(data)
    except PaymentMessageError as exc:
        return {"decision": None, "problem": exc.problem, "error": str(exc)}
    screening = payments.screen(screener, message)
    if recorder is None:
        return {**screening.as_dict(), "screen_ms": screening.screen_ms}
    record = payment_record(screening, data, None, api_key_id=None, party_id=recorder.party_id)
    record_payment(
        recorder.engine,
        record,
        recorder.version_ids,
        actor=recorder.actor,
        alerts_without_party=recorder.alerts_without_party,
    )
    return {**record.answer(), "screen_ms": screening.screen_ms}


def _print_human(result: dict[str, Any]) -> None:
    if result.get("error"):
        typer.echo(f"error ({result['problem']}): {result['error']}")
        return
    message = result["message"]
    typer.echo(f"{result['decision'].upper()}  {message['type']} {message['id'] or '(no id)'}")
    for hit in result["hits"]:
        matched = hit["matched"].get("entity_id") or hit["matched"].get("jurisdiction", {}).get("name")
        accepted = f" suppressed by accept {hit['accept_id']}" if hit.get("suppressed") else ""
        typer.echo(
            f"  {hit['action']:5} {hit['field']}: {hit['value']!r} -> {matched} "
            f"({hit['check']}, {hit['score']}){accepted}"
        )
    for ref in result.get("alerts", ()):
        typer.echo(
            f"  alert {ref['alert_id']} ({ref['entity_id']}, {'new' if ref['new'] else ref['status']})"
        )
    typer.echo(f"  lists: {', '.join(f'{k} {v}' for k, v in sorted(result['list_versions'].items()))}")
    if result.get("screening_id"):
        typer.echo(f"  audit: {result['screening_id']}")


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
    party_id: Annotated[
        str | None,
        typer.Option(
            "--party-id",
            help="The party the payments are screened for (your customer id): hits become its alerts, "
            "its accepted false positives and true matches apply. Default: message:<message id>.",
        ),
    ] = None,
) -> None:
    """Screen payment messages: decision pass / hold / block, with every hit and its field path;
    each decision is audited and its designation hits open alerts."""
    from service.payments.screen import PaymentPolicy, PaymentScreener

    if not path.exists():
        typer.echo(f"error: {path}: no such file or folder", err=True)
        raise typer.Exit(2)
    if party_id is not None and not PARTY_ID.match(party_id):
        typer.echo("error: --party-id: 1 to 128 characters, no control characters", err=True)
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
    recorder = _recorder(screener, party_id)
    from service.payments.record import AlertsUnavailable, ReviewUnavailable

    try:
        _screen_messages(path, batch, payments, screener, recorder, as_json)
    except (ReviewUnavailable, AlertsUnavailable) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except SQLAlchemyError as exc:
        typer.echo(f"error: the audit record could not be written ({type(exc).__name__}): {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        recorder.engine.dispose()


def _recorder(screener: Screener, party_id: str | None) -> Recorder:
    """The store the decisions go to and the review settings, read before the first message."""
    from lists.store import Store
    from service.batch.review import cli_actor
    from service.config import database_url
    from service.payments.record import version_ids_of
    from service.review.config import load_review_settings
    from service.settings import SettingsError

    try:
        settings = load_review_settings()
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    return Recorder(
        Store(database_url()).engine,
        version_ids_of(screener.list_versions),
        cli_actor(),
        settings.alerts_without_party,
        party_id,
    )


def _screen_messages(
    path: Path,
    batch: bool,
    payments: PaymentScreener,
    screener: Screener,
    recorder: Recorder,
    as_json: bool,
) -> None:
    """Screen and record the message (or each message of the folder or zip), printing the answers."""
    if not batch:
        result = screen_one(payments, screener, path.read_bytes(), recorder)
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
            result = screen_one(payments, screener, item.data, recorder)
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
