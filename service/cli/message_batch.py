"""`sanctions batch FOLDER|ZIP -o results.csv`: screen a folder or zip of payment messages.

One results row per message (file, message id, type, decision, hits with field
paths) and one matches row per hit; a message that cannot be read is an error
row naming its file and the problem. Every decision is reviewed and audited
(endpoint "payment-cli", one batch id, the message's position), and each designation
hit opens its alert under `message:<message id>` (service.batch.message_review),
before the message's row is written: the results show the reviewed answer.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from service.batch.message_output import MessageResultsWriter
from service.batch.message_review import MessageAuditSink, MessageReview
from service.batch.message_sources import MessageSourceError, check_source, source_messages
from service.batch.messages import ENDPOINT_CLI, MessageCounts, MessageOutcome, MessageRunner
from service.batch.review import cli_actor
from service.batch.runner import BatchAborted, NoActiveLists, load_active_index
from service.config import database_url
from service.review.config import load_review_settings
from service.settings import SettingsError


class MessageBatchError(Exception):
    """Why the batch did not run or stopped (one line for the user)."""


def run_message_batch(console: Console, source: Path, output: Path, workers: int | None) -> None:
    """Screen every message of `source` (a folder or a zip) into `output` and its matches file."""
    from lists.store import Store
    from service.payments.screen import PaymentPolicy

    try:
        PaymentPolicy.from_env()  # a bad SANCTIONS_PAYMENT_* setting is named before the index build
        settings = load_review_settings()
        summary = check_source(source)
        list_warnings: list[dict[str, object]] = []
        designations, list_versions = load_active_index(database_url(), list_warnings)
    except (MessageSourceError, NoActiveLists, SettingsError, ValueError) as exc:
        raise MessageBatchError(str(exc)) from None
    kind = "folder" if source.is_dir() else "zip archive"
    console.print(f"{source}: {kind} of {summary.messages} messages", highlight=False)
    for name in summary.skipped:
        console.print(f"[yellow]skipped:[/yellow] {name} (hidden or system file)", highlight=False)
    console.print(f"lists: {', '.join(list_versions.values())}", highlight=False)
    for stale in list_warnings:
        console.print(f"[yellow]warning:[/yellow] {stale['message']}", highlight=False)

    store = Store(database_url())
    counts = MessageCounts()
    alerts = 0
    review = MessageReview(list_versions, settings, cli_actor())
    audit = MessageAuditSink(store.engine, list_versions, review, ENDPOINT_CLI)
    runner = MessageRunner(designations, list_versions, workers=workers)
    del designations
    try:
        runner.start()
        started = time.monotonic()  # after the index build: the rate is the screening's
        with MessageResultsWriter(output) as writer:

            def emit(outcome: MessageOutcome) -> None:
                """A reviewed, audited message: into the results files and the counts."""
                nonlocal alerts
                writer.write_message(outcome)
                counts.add(outcome)
                alerts += sum(ref["new"] for ref in outcome.alerts)

            audit.emit = emit
            for _item, outcome in runner.messages(source_messages(source)):
                audit.add_message(outcome)
            audit.flush()  # the last messages: reviewed, audited with their alerts, then written
            writer.publish()
    except BatchAborted as exc:  # a worker died
        raise MessageBatchError(f"batch stopped after {counts.total} messages: {exc}") from None
    finally:
        runner.close()
        try:
            audit.flush(emit=False)  # messages screened before a failure are audited too
        finally:
            store.close()
    elapsed = time.monotonic() - started
    console.print(
        f"[bold]{counts.total}[/bold] messages: {counts.summary()}, {elapsed:.1f} s "
        f"({counts.total / max(elapsed, 1e-9):,.0f} messages/s)",
        highlight=False,
    )
    console.print(f"results: {output}\nmatches: {writer.matches_path}", highlight=False)
    console.print(f"audit: {audit.recorded} decisions recorded as batch {audit.bulk_id}", highlight=False)
    if alerts:
        console.print(f"alerts: {alerts} opened (GET /v1/alerts, `sanctions alerts list`)", highlight=False)
